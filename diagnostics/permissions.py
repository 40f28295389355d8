"""The one door for who may see and change a team's responsibilities and its diagnostic rounds.

Responsibilities (the team's matrix)
    Read and kept (added, renamed, retired, reordered) by the team's insiders: its
    members (PMMs and PMs), its leader (the CMO) and the managers of its products.
    Administrators everywhere. Anyone else gets 404 (sales get 403 at the door).

Rounds
    The team's leader (CMO) or an administrator opens and closes a round and sees
    everything about it except what each person answered: who has answered (progress)
    while it is open, the results once it is closed. A round is seen by the team's
    insiders and by its participants (a sales participant sees that round only);
    anyone else gets 404. Only a participant answers, only while the round is open,
    and only their own rows. Nobody reads another person's answers: before the round
    closes no one sees any, after it closes everyone who sees the round reads the
    results (figures, flags, comments without names). A closed round is final.
"""

from typing import Literal

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from pmm_portal.core.models import Role, Team, User

from .models import DiagnosticRound, Participant, Responsibility

Action = Literal["view", "answer", "close"]


def _pk(value: int | str) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def insider_teams(user: User) -> QuerySet[Team]:
    """Teams whose matrix and rounds ``user`` sees: teams they belong to, lead or make products for."""
    if user.is_portal_admin:
        return Team.objects.all()
    if not getattr(user, "is_authenticated", False) or user.role == Role.SALES:
        return Team.objects.none()
    return Team.objects.filter(
        pk__in=Team.objects.filter(Q(members=user) | Q(lead=user) | Q(products__managers=user)).values("pk")
    )


def keeper_teams(user: User) -> QuerySet[Team]:
    """Teams whose responsibilities ``user`` keeps: the same insiders (PMMs, PMs, the CMO)."""
    return insider_teams(user)


def leader_teams(user: User) -> QuerySet[Team]:
    """Teams whose rounds ``user`` opens and closes: the teams a CMO leads (all, for administrators)."""
    if user.is_portal_admin:
        return Team.objects.all()
    if user.role != Role.CMO:
        return Team.objects.none()
    return Team.objects.filter(lead=user)


def responsibilities_visible_to(user: User) -> QuerySet[Responsibility]:
    return Responsibility.objects.filter(team__in=insider_teams(user).values("pk"))


def access_responsibility(*, user: User, id: int | str) -> Responsibility:
    """A responsibility of a team whose matrix ``user`` keeps (404 for anyone outside it)."""
    pk = _pk(id)
    found = responsibilities_visible_to(user).select_related("team").filter(pk=pk).first() if pk else None
    if found is None:
        raise Http404("No such responsibility.")
    return found


def rounds_visible_to(user: User) -> QuerySet[DiagnosticRound]:
    """Rounds of the user's teams, and the rounds they were asked to answer."""
    if not getattr(user, "is_authenticated", False):
        return DiagnosticRound.objects.none()
    if user.is_portal_admin:
        return DiagnosticRound.objects.all()
    return DiagnosticRound.objects.filter(
        Q(team__in=insider_teams(user).values("pk"))
        | Q(pk__in=Participant.objects.filter(user=user).values("round_id"))
    )


def can_lead(user: User, round: DiagnosticRound) -> bool:
    """May open, close and follow the progress of ``round``: its team's CMO or an administrator."""
    return user.is_portal_admin or (user.role == Role.CMO and round.team.lead_id == user.pk)


def seat_of(user: User, round: DiagnosticRound) -> Participant | None:
    return Participant.objects.filter(round=round, user=user).first()


def access_round(*, user: User, id: int | str, action: Action = "view") -> DiagnosticRound:
    """The round ``id`` if ``user`` sees it (404 otherwise) and may do ``action`` on it (403).

    ``answer``: the user is a participant (whether it is still open is the service's rule,
    which says so as a field error). ``close``: the team's CMO or an administrator.
    """
    pk = _pk(id)
    found = (
        rounds_visible_to(user).select_related("team", "opened_by", "closed_by").filter(pk=pk).first()
        if pk
        else None
    )
    if found is None:
        raise Http404("No such diagnostic round.")
    if action == "answer" and seat_of(user, found) is None:
        raise PermissionDenied("Only the round's participants answer it.")
    if action == "close" and not can_lead(user, found):
        raise PermissionDenied("Only the team's leader opens and closes its diagnostic rounds.")
    return found


def team_for_new(teams: QuerySet[Team], value: int | str | None) -> Team:
    """The team named (an unknown or forbidden one is the same 403), or the first allowed."""
    if value in (None, ""):
        team = teams.order_by("name").first()
    else:
        pk = _pk(value)
        team = teams.filter(pk=pk).first() if pk else teams.filter(slug=str(value)[:60]).first()
    if team is None:
        raise PermissionDenied("You can do this only for your own teams.")
    return team
