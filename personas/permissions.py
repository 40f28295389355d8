"""The one door for who may see and change personas, positioning and customer interactions.

Personas (read by everyone, changed by their owners' roles)
    Everyone signed in — sales included — reads every persona and its card.
    A PMM creates and edits **buyer** and **sales-channel** personas of the teams
    they belong to. A PM creates and edits **user** personas of the products they
    manage. CMOs read (read-only on others' work items). Administrators do
    everything. Another team's PMM reads but gets 403 on any change. Editors also
    validate and retire.

Positioning (two owners on one record)
    The value proposition belongs to the PMs of the product; the positioning
    against competitors, substitutes and the status quo, key messages and proof
    points belong to the PMMs of the persona's team. Each side is editable only
    by its owner role (403 for the other side); everyone reads both.

Customer interactions (raw evidence: notes and quotes may be confidential)
    Visible to the members (PMMs, PMs) and the lead (CMO) of the interaction's
    team and to administrators; everyone else gets 404, sales included. Sales
    read quotes only through a persona card, and only those marked usable in
    sales content. A PMM logs interactions for their teams; only the PMM who
    logged one (or an administrator) edits or deletes it and adds quotes and
    follow-ups; teammates and the CMO read (403 on change). A follow-up is ticked
    off by its owner, the interaction's owner or an administrator.
"""

from typing import Literal

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from pmm_portal.core.models import Role, Team, User

from .models import CustomerInteraction, FollowUp, Persona, PersonaKind, PersonaQuerySet, Positioning

Action = Literal["view", "change"]
MARKETING_KINDS = (PersonaKind.BUYER, PersonaKind.SALES_CHANNEL)


# --- Personas -------------------------------------------------------------------------


def personas_visible_to(user: User) -> PersonaQuerySet:
    """Every persona: the whole organisation reads them (pages and API still require sign-in)."""
    return Persona.objects.all()


def kinds_user_may_create(user: User) -> list[str]:
    if user.is_portal_admin:
        return list(PersonaKind.values)
    if user.role == Role.PMM:
        return list(MARKETING_KINDS)
    if user.role == Role.PM:
        return [PersonaKind.USER]
    return []


def teams_for_new_persona(user: User) -> QuerySet[Team]:
    """Teams ``user`` may create personas in (PMMs: their teams; PMs: teams of their products)."""
    if user.is_portal_admin:
        return Team.objects.all()
    if user.role == Role.PMM:
        return Team.objects.filter(members=user).distinct()
    if user.role == Role.PM:
        return Team.objects.filter(products__managers=user).distinct()
    return Team.objects.none()


def can_create_persona(user: User, *, kind: str | None = None, team: Team | None = None) -> bool:
    kinds = kinds_user_may_create(user)
    if not kinds or (kind is not None and kind not in kinds):
        return False
    if team is None:
        return True
    return teams_for_new_persona(user).filter(pk=team.pk).exists()


def can_edit_persona(user: User, persona: Persona) -> bool:
    """PMMs of the team edit buyer and sales-channel personas; PMs of its products edit user personas."""
    if user.is_portal_admin:
        return True
    if persona.kind in MARKETING_KINDS:
        return user.role == Role.PMM and persona.team.members.filter(pk=user.pk).exists()
    if user.role != Role.PM:
        return False
    return persona.owner_id == user.pk or persona.products.filter(managers=user).exists()


def access_persona(*, user: User, id: int | str, action: Action = "view") -> Persona:
    """The persona ``id`` if ``user`` may do ``action`` on it: 404 when missing, 403 for a mere reader."""
    try:
        persona = personas_visible_to(user).select_related("team", "owner", "last_validated_by").get(pk=id)
    except (Persona.DoesNotExist, ValueError, TypeError):
        raise Http404("No such persona.") from None
    if action == "change" and not can_edit_persona(user, persona):
        raise PermissionDenied(_persona_refusal(user, persona))
    return persona


def _persona_refusal(user: User, persona: Persona) -> str:
    if persona.kind == PersonaKind.USER:
        return "User personas are kept by the product managers of their products."
    return f"Buyer and sales-channel personas are kept by the PMMs of {persona.team.name}."


# --- Positioning ----------------------------------------------------------------------


def positioning_sides_editable(user: User, persona: Persona, product_id: int) -> set[str]:
    """Which sides ("pm", "pmm") of a persona's positioning for a product ``user`` may edit."""
    if user.is_portal_admin:
        return {"pm", "pmm"}
    sides = set()
    if user.role == Role.PM and user.managed_products.filter(pk=product_id).exists():
        sides.add("pm")
    if user.role == Role.PMM and persona.team.members.filter(pk=user.pk).exists():
        sides.add("pmm")
    return sides


def positioning_sides_by_product(user: User, persona: Persona, product_ids: list[int]) -> dict[int, set[str]]:
    """``positioning_sides_editable`` for many products at once, in at most two queries."""
    if user.is_portal_admin:
        return {pk: {"pm", "pmm"} for pk in product_ids}
    pmm_side = user.role == Role.PMM and persona.team.members.filter(pk=user.pk).exists()
    managed: set[int] = set()
    if user.role == Role.PM:
        managed = set(user.managed_products.filter(pk__in=product_ids).values_list("pk", flat=True))
    return {pk: ({"pm"} if pk in managed else set()) | ({"pmm"} if pmm_side else set()) for pk in product_ids}


def access_positioning_side(*, user: User, persona: Persona, product_id: int, side: str) -> None:
    if side not in positioning_sides_editable(user, persona, product_id):
        if side == "pm":
            raise PermissionDenied("The value proposition is kept by the product's product managers.")
        raise PermissionDenied(f"Positioning and messages are kept by the PMMs of {persona.team.name}.")


def positioning_fields_for_side(side: str) -> tuple[str, ...]:
    return Positioning.PM_FIELDS if side == "pm" else Positioning.PMM_FIELDS


# --- Customer interactions ------------------------------------------------------------


def interaction_teams_of(user: User) -> QuerySet[Team]:
    """Teams whose interactions ``user`` reads: teams they belong to or lead (all for admins)."""
    if user.is_portal_admin:
        return Team.objects.all()
    if user.role == Role.SALES:
        return Team.objects.none()
    return Team.objects.filter(Q(members=user) | Q(lead=user)).distinct()


def interactions_visible_to(user: User) -> QuerySet[CustomerInteraction]:
    if user.is_portal_admin:
        return CustomerInteraction.objects.all()
    if user.role == Role.SALES:
        return CustomerInteraction.objects.none()
    return CustomerInteraction.objects.filter(team__in=interaction_teams_of(user).values("pk"))


def sees_all_quotes_of(user: User, persona: Persona) -> bool:
    """Whether ``user`` reads every quote of ``persona`` (its team) or only those usable in sales."""
    return interaction_teams_of(user).filter(pk=persona.team_id).exists()


def teams_for_new_interaction(user: User) -> QuerySet[Team]:
    if user.is_portal_admin:
        return Team.objects.all()
    if user.role == Role.PMM:
        return Team.objects.filter(members=user).distinct()
    return Team.objects.none()


def can_log_interactions(user: User) -> bool:
    return user.is_portal_admin or user.role == Role.PMM


def can_edit_interaction(user: User, interaction: CustomerInteraction) -> bool:
    return user.is_portal_admin or interaction.owner_id == user.pk


def access_interaction(*, user: User, id: int | str, action: Action = "view") -> CustomerInteraction:
    """The interaction ``id`` if ``user`` may do ``action``: 404 outside its team, 403 for readers."""
    try:
        interaction = interactions_visible_to(user).select_related("team", "owner").get(pk=id)
    except (CustomerInteraction.DoesNotExist, ValueError, TypeError):
        raise Http404("No such interaction.") from None
    if action == "change" and not can_edit_interaction(user, interaction):
        raise PermissionDenied("Only the PMM who logged this interaction can change it.")
    return interaction


def access_follow_up(*, user: User, id: int | str) -> FollowUp:
    """A follow-up ``user`` may tick off: 404 outside the team, 403 for someone else's promise."""
    try:
        follow_up = (
            FollowUp.objects.filter(interaction__in=interactions_visible_to(user))
            .select_related("interaction")
            .get(pk=id)
        )
    except (FollowUp.DoesNotExist, ValueError, TypeError):
        raise Http404("No such follow-up.") from None
    if not (user.is_portal_admin or user.pk in (follow_up.owner_id, follow_up.interaction.owner_id)):
        raise PermissionDenied("Only the person who promised this follow-up can tick it off.")
    return follow_up
