"""The one door for who may see and change personas, positioning and customer interactions.

Pages and the API call these functions and nothing else to decide; forms and
serializers take their choices (teams, products, personas, kinds) from them too,
so the two doors offer the same things.

Who is "of the team"
    A persona's team is its *insiders*: the team's members, its leader (the CMO),
    the product managers of its products and the persona's owner. Administrators
    are insiders everywhere.

Personas (validated ones are shared knowledge)
    Everyone signed in — sales included — reads every **validated** persona, its
    card and its positioning. **Drafts and retired personas** and every persona's
    **edit history** are seen only by the insiders; anyone else gets 404, as if
    they did not exist. A PMM creates and edits **buyer** and **sales-channel**
    personas of the teams they belong to; a PM creates and edits **user** personas
    of the products they manage. CMOs read. Another team's PMM reads a validated
    persona but gets 403 on any change. Editors also validate and retire.

Positioning (two owners on one record)
    The value proposition belongs to the PMs of the product; the positioning
    against competitors, substitutes and the status quo, key messages and proof
    points belong to the PMMs of the persona's team. Each side is editable only
    by its owner role (403 for the other side); whoever reads the persona reads both.

Customer interactions (raw evidence: notes and quotes may be confidential)
    Visible to the members (PMMs, PMs) and the lead (CMO) of the interaction's
    team and to administrators; everyone else gets 404, sales included. Sales
    read quotes only through a validated persona's card, and only those marked
    usable in sales content. A PMM logs interactions for their teams; only the PMM
    who logged one (or an administrator) edits or deletes it and adds quotes and
    follow-ups; teammates and the CMO read (403 on change). A follow-up is ticked
    off by its owner, the interaction's owner or an administrator.

Choices that name something the caller may not use answer exactly like a name
that does not exist (``access_team_for_new_*`` and the ``*_for_*`` querysets), so
neither door can be used to find out what exists.
"""

from typing import Literal

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from pmm_portal.core.models import Product, Role, Team, User
from pmm_portal.core.selectors import find_by_ref

from .models import (
    CustomerInteraction,
    FollowUp,
    Persona,
    PersonaKind,
    PersonaQuerySet,
    PersonaStatus,
    Positioning,
)

Action = Literal["view", "history", "change"]
MARKETING_KINDS = (PersonaKind.BUYER, PersonaKind.SALES_CHANNEL)
PERSONA_CREATE_REFUSAL = "Your role or team does not let you create this kind of persona here."
INTERACTION_CREATE_REFUSAL = "You can log interactions only for your own teams."


# --- Personas -------------------------------------------------------------------------


def insider_teams(user: User) -> QuerySet[Team]:
    """Teams whose drafts and history ``user`` reads: teams they belong to, lead or make products for."""
    if user.is_portal_admin:
        return Team.objects.all()
    return Team.objects.filter(Q(members=user) | Q(lead=user) | Q(products__managers=user)).distinct()


def visible_to(user: User) -> PersonaQuerySet:
    """Personas ``user`` reads: every validated one, and the drafts and retired ones of their teams.

    One query whatever the user: the teams are a subquery, so no join multiplies rows.
    """
    if user.is_portal_admin:
        return Persona.objects.all()
    return Persona.objects.filter(
        Q(status=PersonaStatus.VALIDATED)
        | Q(owner=user)
        | Q(team__in=insider_teams(user).order_by().values("pk"))
    )


def can_see_history(user: User, persona: Persona) -> bool:
    """Whether ``user`` reads ``persona``'s edit history: its team's insiders only."""
    if user.is_portal_admin or persona.owner_id == user.pk:
        return True
    return insider_teams(user).filter(pk=persona.team_id).exists()


def creatable_persona_kinds(user: User) -> list[str]:
    """The persona kinds ``user`` may create, in the order the pages offer them."""
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
    """Whether ``user`` may create personas at all, of ``kind``, in ``team`` (each when given)."""
    kinds = creatable_persona_kinds(user)
    if not kinds or (kind is not None and kind not in kinds):
        return False
    if team is None:
        return True
    return teams_for_new_persona(user).filter(pk=team.pk).exists()


def access_team_for_new_persona(*, user: User, ref: object) -> Team:
    """The team ``ref`` names (its id, or its slug) if ``user`` may create personas in it.

    403 with the same message for another team and for one that does not exist.
    """
    team = find_by_ref(teams_for_new_persona(user), ref)
    if team is None:
        raise PermissionDenied(PERSONA_CREATE_REFUSAL)
    return team


def products_for_persona(team: Team) -> QuerySet[Product]:
    """Products a persona of ``team`` may be linked to: the team's own."""
    return Product.objects.filter(team=team).order_by("name")


def buyers_for_channel(*, team: Team, persona: Persona | None = None) -> PersonaQuerySet:
    """Buyer personas a sales-channel persona of ``team`` may sell to (never itself)."""
    buyers = Persona.objects.filter(team=team, kind=PersonaKind.BUYER)
    if persona is not None and persona.pk is not None:
        buyers = buyers.exclude(pk=persona.pk)
    return buyers


def settable_persona_statuses(persona: Persona | None) -> list[str]:
    """Statuses an edit form may set: "validated" only through Validate (who and when are recorded)."""
    if persona is not None and persona.status == PersonaStatus.VALIDATED:
        return list(PersonaStatus.values)
    return [value for value in PersonaStatus.values if value != PersonaStatus.VALIDATED]


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
    """The persona ``id`` if ``user`` may do ``action`` on it.

    404 when it does not exist or ``user`` may not see it (nor, for "history", its
    history); 403 for a reader who may not "change" it.
    """
    try:
        persona = visible_to(user).select_related("team", "owner", "last_validated_by").get(pk=id)
    except (Persona.DoesNotExist, ValueError, TypeError):
        raise Http404("No such persona.") from None
    if action == "history" and not can_see_history(user, persona):
        raise Http404("No such persona.")
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
    return positioning_sides_by_product(user, persona, [product_id])[product_id]


def positioning_sides_by_product(user: User, persona: Persona, product_ids: list[int]) -> dict[int, set[str]]:
    """``positioning_sides_editable`` for many products at once, in at most two queries."""
    if user.is_portal_admin:
        return {pk: {"pm", "pmm"} for pk in product_ids}
    pmm_side = user.role == Role.PMM and persona.team.members.filter(pk=user.pk).exists()
    managed: set[int] = set()
    if user.role == Role.PM:
        managed = set(user.managed_products.filter(pk__in=product_ids).values_list("pk", flat=True))
    return {pk: ({"pm"} if pk in managed else set()) | ({"pmm"} if pmm_side else set()) for pk in product_ids}


def products_for_positioning(*, user: User, persona: Persona, side: str) -> QuerySet[Product]:
    """Products of the persona's team whose ``side`` of the positioning ``user`` may write."""
    products = products_for_persona(persona.team)
    if user.is_portal_admin:
        return products
    if side == "pmm" and user.role == Role.PMM and persona.team.members.filter(pk=user.pk).exists():
        return products
    if side == "pm" and user.role == Role.PM:
        return products.filter(managers=user)
    return products.none()


def can_edit_positioning(user: User, persona: Persona) -> bool:
    """Whether ``user`` may write some side of ``persona``'s positioning for some product of its team."""
    return any(
        products_for_positioning(user=user, persona=persona, side=side).exists() for side in ("pm", "pmm")
    )


def access_positioning_side(*, user: User, persona: Persona, product_id: int, side: str) -> None:
    """403 unless ``user`` may write ``side`` of the persona's positioning for the product."""
    if side not in positioning_sides_editable(user, persona, product_id):
        raise PermissionDenied(_positioning_refusal(persona, side))


def access_product_for_positioning(*, user: User, persona: Persona, side: str, ref: object) -> Product:
    """The product ``ref`` names (its id, or its slug) if ``user`` may write its ``side`` of the positioning.

    403 with the same message for a product they may not write, one of another team
    and one that does not exist.
    """
    products = products_for_positioning(user=user, persona=persona, side=side)
    product = find_by_ref(products, ref)
    if product is None:
        raise PermissionDenied(_positioning_refusal(persona, side))
    return product


def _positioning_refusal(persona: Persona, side: str) -> str:
    if side == "pm":
        return "The value proposition is kept by the product's product managers."
    return f"Positioning and messages are kept by the PMMs of {persona.team.name}."


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


def can_see_all_quotes(user: User, persona: Persona) -> bool:
    """Whether ``user`` reads every quote of ``persona`` (its team) or only those usable in sales."""
    return interaction_teams_of(user).filter(pk=persona.team_id).exists()


def teams_for_new_interaction(user: User) -> QuerySet[Team]:
    if user.is_portal_admin:
        return Team.objects.all()
    if user.role == Role.PMM:
        return Team.objects.filter(members=user).distinct()
    return Team.objects.none()


def can_create_interaction(user: User, *, team: Team | None = None) -> bool:
    """Whether ``user`` logs customer interactions (PMMs), and for ``team`` when given."""
    if not (user.is_portal_admin or user.role == Role.PMM):
        return False
    return team is None or teams_for_new_interaction(user).filter(pk=team.pk).exists()


def access_team_for_new_interaction(*, user: User, ref: object) -> Team:
    """The team ``ref`` names (its id, or its slug) if ``user`` may log interactions for it; 403 alike
    for unknown ones."""
    team = find_by_ref(teams_for_new_interaction(user), ref)
    if team is None:
        raise PermissionDenied(INTERACTION_CREATE_REFUSAL)
    return team


def personas_for_interaction(*, user: User, teams: QuerySet[Team] | list[Team]) -> PersonaQuerySet:
    """Personas an interaction (or a quote) of one of ``teams`` may be linked to: active ones of the team."""
    return (
        visible_to(user)
        .filter(team__in=teams)
        .exclude(status=PersonaStatus.RETIRED)
        .select_related("team")
        .order_by("team__name", "name")
    )


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
