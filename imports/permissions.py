"""The one door for imports: who may import which kind into which team, and who sees a batch.

An import creates objects through the owning app's services, so the right to import a kind is
the right to create that kind, read from the app's own permissions (never a second copy):

- users: administrators only;
- personas: whoever may create personas (``personas.permissions.teams_for_new_persona``): PMMs
  buyer and sales-channel personas of their teams, PMs user personas of their products' teams; each
  row's kind is checked again with ``can_create_persona``; quotes need the right to log interactions;
- assets: PMMs and CMOs (``requests_queue.permissions.can_create_asset``), into their teams;
- competitors: the team's PMMs (``competitive.permissions.writer_teams``);
- requests: administrators, and CMOs into the teams they lead. Requests are asked by sales reps
  (the requester column); bringing a team's spreadsheet of asks into its queue is the team
  leader's call — the one rule this app adds, because no app lets anyone file requests for others.

Batches are seen by the person who imported them, the leader of the batch's team and
administrators; anyone else gets 404. Only the importer (or an administrator) imports, and undoes.
"""

from typing import Literal

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from competitive.permissions import writer_teams
from personas.permissions import teams_for_new_persona
from pmm_portal.core.models import Role, Team, User
from pmm_portal.core.permissions import MARKETING
from pmm_portal.core.selectors import teams_of
from requests_queue.permissions import can_create_asset

from .models import ImportBatch, ImportKind

# Roles that may open the import pages at all; each kind narrows it further.
IMPORTERS: tuple[str, ...] = MARKETING
REFUSAL = "You cannot import this kind into that team."


def teams_for_import(user: User, kind: str) -> QuerySet[Team]:
    """The teams ``user`` may import ``kind`` into (users are not imported into a team)."""
    if kind == ImportKind.PERSONAS:
        return teams_for_new_persona(user).order_by("name")
    if kind == ImportKind.ASSETS:
        return teams_of(user=user).order_by("name") if can_create_asset(user) else Team.objects.none()
    if kind == ImportKind.COMPETITORS:
        return writer_teams(user).order_by("name")
    if kind == ImportKind.REQUESTS:
        if user.is_portal_admin:
            return Team.objects.order_by("name")
        if user.role == Role.CMO:
            return Team.objects.filter(lead=user).order_by("name")
    return Team.objects.none()


def importable_kinds(user: User) -> list[str]:
    """The kinds ``user`` may import, in the order the pages offer them."""
    kinds = [ImportKind.USERS.value] if user.is_portal_admin else []
    return kinds + [
        kind.value
        for kind in (ImportKind.PERSONAS, ImportKind.ASSETS, ImportKind.REQUESTS, ImportKind.COMPETITORS)
        if teams_for_import(user, kind).exists()
    ]


def can_import(user: User) -> bool:
    return bool(importable_kinds(user))


def access_import_target(*, user: User, kind: object, team: object) -> Team | None:
    """The team ``team`` (slug or id) names, if ``user`` may import ``kind`` into it (None for users).

    403 with the same words for a kind they may not import, a team of someone else and a team
    that does not exist, so neither says what exists.
    """
    if not isinstance(kind, str) or kind not in ImportKind.values:
        raise PermissionDenied("Choose what to import: users, personas, assets, requests or competitors.")
    if kind == ImportKind.USERS:
        if not user.is_portal_admin:
            raise PermissionDenied("Only administrators import users.")
        return None
    teams = teams_for_import(user, kind)
    found = None
    if isinstance(team, str) and team:
        lookup = Q(slug=team) | Q(pk=int(team)) if team.isdigit() else Q(slug=team)
        found = teams.filter(lookup).first()
    elif isinstance(team, int):
        found = teams.filter(pk=team).first()
    if found is None:
        raise PermissionDenied(REFUSAL)
    return found


def batches_visible_to(user: User) -> QuerySet[ImportBatch]:
    """Batches ``user`` sees: their own, those of teams they lead, every one for administrators."""
    batches = ImportBatch.objects.all()
    if user.is_portal_admin:
        return batches
    return batches.filter(Q(created_by=user) | Q(team__lead=user))


Action = Literal["view", "change"]


def access_batch(*, user: User, id: int | str, action: Action = "view") -> ImportBatch:
    """The batch ``id``: 404 when ``user`` does not see it (a draft is seen by its author only),
    403 when they see it but may not import or undo it (not theirs)."""
    pk = id if isinstance(id, int) else (int(id) if str(id).isdigit() else None)
    batch = (
        batches_visible_to(user).select_related("team", "created_by", "undone_by").filter(pk=pk).first()
        if pk is not None
        else None
    )
    if batch is None or (batch.status == "draft" and batch.created_by_id != user.pk):
        raise Http404("No such import.")
    if action == "change" and not (user.is_portal_admin or batch.created_by_id == user.pk):
        raise PermissionDenied("Only the person who imported this batch can import or undo it.")
    return batch
