"""Reads of personas and customer interactions that pages, the API, home pages and reports share.

Other apps may call: :func:`stale_personas`, :func:`persona_freshness`,
:func:`customer_time_by_owner` and :func:`persona_choices`.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.apps import apps
from django.db.models import Case, Count, Max, Prefetch, Q, QuerySet, Sum, Value, When
from django.utils import timezone

from pmm_portal.core.models import Role, Team, User
from pmm_portal.core.queries import count_of

from . import permissions
from .models import (
    CustomerInteraction,
    FollowUp,
    Persona,
    PersonaKind,
    PersonaQuerySet,
    PersonaStatus,
    Positioning,
    Quote,
)

# --- Freshness (the rule itself lives in ``PersonaQuerySet.with_staleness``) -----------------


def stale_personas(*, team: Team | None = None, now: datetime | None = None) -> PersonaQuerySet:
    """Personas past their team's staleness period without validation (of ``team``, or all)."""
    personas = Persona.objects.stale(now=now)
    if team is not None:
        personas = personas.filter(team=team)
    return personas.select_related("team", "owner")


@dataclass(frozen=True)
class Freshness:
    team_id: int
    total: int
    stale: int
    validated: int

    @property
    def fresh(self) -> int:
        return self.total - self.stale

    @property
    def fresh_pct(self) -> int:
        return round(100 * self.fresh / self.total) if self.total else 100


def persona_freshness(
    *, teams: QuerySet[Team] | list[Team], now: datetime | None = None
) -> dict[int, Freshness]:
    """Per team: active (not retired) personas, how many are stale and validated. One query."""
    rows = (
        Persona.objects.with_staleness(now=now)
        .filter(team__in=teams)
        .exclude(status=PersonaStatus.RETIRED)
        .values("team_id")
        .annotate(
            total=Count("pk"),
            stale_count=Count("pk", filter=Q(stale=True)),
            validated=Count("pk", filter=Q(status=PersonaStatus.VALIDATED)),
        )
        .order_by()
    )
    return {
        row["team_id"]: Freshness(row["team_id"], row["total"], row["stale_count"], row["validated"])
        for row in rows
    }


def persona_choices(*, user: User, team: Team | None = None, kind: str | None = None) -> QuerySet[Persona]:
    """Active personas ``user`` sees, for pickers (other apps link initiatives, requests and assets to them)."""
    personas = permissions.visible_to(user).exclude(status=PersonaStatus.RETIRED).select_related("team")
    if team is not None:
        personas = personas.filter(team=team)
    if kind is not None:
        personas = personas.filter(kind=kind)
    return personas.order_by("team__name", "name")


# --- Lists and the card ----------------------------------------------------------------------


def persona_list(*, user: User) -> PersonaQuerySet:
    """Personas ``user`` reads, with what a list row shows: staleness, team, owner, products, evidence."""
    return (
        permissions.visible_to(user)
        .with_staleness()
        .select_related("team", "owner", "last_validated_by")
        .prefetch_related("products")
        .annotate(interaction_count=count_of(_links, "persona_id"), quote_count=count_of(Quote, "persona_id"))
    )


_links = CustomerInteraction.personas.through


def persona_card(*, user: User, persona: Persona) -> dict[str, Any]:
    """Everything the one-page card shows, in a fixed number of queries.

    Sales and readers outside the persona's team see only the quotes usable in
    sales content, and the evidence as counts and dates rather than notes; the
    channels and buyers it links to are those ``user`` may see.
    """
    all_quotes = permissions.can_see_all_quotes(user, persona)
    quotes = Quote.objects.filter(persona=persona).select_related("interaction")
    if not all_quotes:
        quotes = quotes.filter(usable_in_sales=True)
    quotes = quotes.order_by("-usable_in_sales", "-interaction__occurred_on", "-id")
    # The same sentence heard twice is one quote on the card (the most recent one).
    top: list[Quote] = []
    for quote in quotes[:40]:
        if all(quote.text.casefold() != kept.text.casefold() for kept in top):
            top.append(quote)
        if len(top) == 8:
            break
    evidence = persona.interactions.aggregate(count=Count("pk"), last=Max("occurred_on"))
    positionings = list(
        Positioning.objects.filter(persona=persona).select_related("product").order_by("product__name")
    )
    visible = permissions.visible_to(user)
    interactions: list[CustomerInteraction] = []
    if all_quotes:
        interactions = list(
            persona.interactions.select_related("owner")
            .annotate(quote_count=Count("quotes"))
            .order_by("-occurred_on", "-id")[:10]
        )
    return {
        "quotes": top,
        "quote_count": quotes.count() if all_quotes else None,
        "sees_all_quotes": all_quotes,
        "evidence_count": evidence["count"],
        "evidence_last": evidence["last"],
        "interactions": interactions,
        "objections": list(persona.objections.all()),
        "products": list(persona.products.all()),
        "positionings": positionings,
        "sells_to": list(visible.filter(sold_by=persona))
        if persona.kind == PersonaKind.SALES_CHANNEL
        else [],
        "sold_by": list(visible.filter(sells_to=persona)) if persona.kind == PersonaKind.BUYER else [],
    }


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    when: datetime
    who: str
    what: str  # "created", "changed"
    changes: list[FieldChange]
    subject: str  # "persona" or the product name of a positioning


def _display(model: Any, field_name: str, value: Any) -> str:
    field = model._meta.get_field(field_name)
    if getattr(field, "choices", None):
        return str(dict(field.choices).get(value, value)) or "—"
    if value in (None, ""):
        return "—"
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return str(value)


def _verbose(model: Any, field_name: str) -> str:
    name = str(model._meta.get_field(field_name).verbose_name)
    return name[:1].upper() + name[1:]


def _product_names(ids: set[int], names: dict[int, str]) -> str:
    return ", ".join(sorted(names.get(pk, f"#{pk}") for pk in ids)) or "—"


def _entries(
    records: list[Any],
    model: Any,
    subject: str,
    users: dict[int, User],
    links: dict[int, set[int]] | None = None,
    names: dict[int, str] | None = None,
) -> list[HistoryEntry]:
    """History entries of ``records`` (newest first); ``links`` maps a record to its linked products."""
    entries = []
    for index, record in enumerate(records):
        previous = records[index + 1] if index + 1 < len(records) else None
        who = users[record.history_user_id].display_name if record.history_user_id in users else "System"
        if previous is None or record.history_type == "+":
            # A new positioning shows what it started with; a new persona just that it was created.
            initial = [
                FieldChange(_verbose(model, name), "—", _display(model, name, getattr(record, name)))
                for name in getattr(model, "PM_FIELDS", ()) + getattr(model, "PMM_FIELDS", ())
                if getattr(record, name)
            ]
            entries.append(HistoryEntry(record.history_date, who, "created", initial, subject))
            continue
        delta = record.diff_against(previous, excluded_fields=["products"] if links is not None else None)
        changes = [
            FieldChange(
                _verbose(model, change.field),
                _display(model, change.field, change.old),
                _display(model, change.field, change.new),
            )
            for change in delta.changes
            if change.field not in ("last_validated_by",)
        ]
        if links is not None:
            before, after = links.get(previous.history_id, set()), links.get(record.history_id, set())
            if before != after:
                names = names or {}
                changes.append(
                    FieldChange("Products", _product_names(before, names), _product_names(after, names))
                )
        if changes:
            entries.append(HistoryEntry(record.history_date, who, "changed", changes, subject))
    return entries


def persona_history(*, persona: Persona, limit: int = 50) -> list[HistoryEntry]:
    """The persona's and its positionings' changes, newest first: who, when, field, old → new."""
    records = list(persona.history.order_by("-history_date", "-history_id")[: limit + 1])
    positioning_records = list(
        Positioning.history.filter(persona_id=persona.pk).order_by(
            "product_id", "-history_date", "-history_id"
        )[: limit * 3]
    )
    user_ids = {r.history_user_id for r in records + positioning_records if r.history_user_id}
    users = {u.pk: u for u in User.objects.filter(pk__in=user_ids)}
    names = dict(persona.team.products.values_list("pk", "name"))
    # The products each historical record was linked to, in one query (simple-history m2m_fields).
    through = apps.get_model("personas", "HistoricalPersona_products")
    links: dict[int, set[int]] = {record.history_id: set() for record in records}
    for history_id, product_id in through.objects.filter(history_id__in=list(links)).values_list(
        "history_id", "product_id"
    ):
        links[history_id].add(product_id)
    entries = _entries(records, Persona, "persona", users, links, names)
    by_product: dict[int, list[Any]] = {}
    for record in positioning_records:
        by_product.setdefault(record.product_id, []).append(record)
    for product_id, product_records in by_product.items():
        entries += _entries(
            product_records, Positioning, f"positioning for {names.get(product_id, 'a product')}", users
        )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]


# --- Interactions and follow-ups ----------------------------------------------------------------


def interaction_list(*, user: User) -> QuerySet[CustomerInteraction]:
    """Interactions ``user`` reads, with what a list row shows: owner, team, personas and counts."""
    return (
        permissions.interactions_visible_to(user)
        .select_related("owner", "team")
        .prefetch_related(Prefetch("personas", queryset=Persona.objects.only("pk", "name", "kind")))
        .annotate(
            quote_count=Count("quotes", distinct=True),
            open_follow_up_count=Count(
                "follow_ups", filter=Q(follow_ups__done_at__isnull=True), distinct=True
            ),
        )
    )


def interaction_detail(*, interaction: CustomerInteraction) -> dict[str, Any]:
    return {
        "quotes": list(interaction.quotes.select_related("persona").order_by("id")),
        "follow_ups": list(
            interaction.follow_ups.select_related("owner", "done_by").order_by("due_on", "id")
        ),
        "personas": list(interaction.personas.all()),
    }


def open_follow_ups(*, user: User, limit: int = 8) -> list[FollowUp]:
    """``user``'s promises not yet kept, most urgent first."""
    return list(
        FollowUp.objects.filter(owner=user, done_at__isnull=True)
        .select_related("interaction")
        .order_by("due_on", "id")[:limit]
    )


def customer_time_by_owner(*, team: Team, start: date, end: date) -> dict[int, dict[str, int]]:
    """Interactions and minutes with customers per PMM of ``team`` in [start, end). One query."""
    rows = (
        CustomerInteraction.objects.filter(team=team, occurred_on__gte=start, occurred_on__lt=end)
        .values("owner_id")
        .annotate(interactions=Count("pk"), minutes=Sum("duration_minutes"))
        .order_by()
    )
    return {r["owner_id"]: {"interactions": r["interactions"], "minutes": r["minutes"] or 0} for r in rows}


# --- Home pages ---------------------------------------------------------------------------------


def stale_personas_owned_by(*, user: User, limit: int = 6) -> list[Persona]:
    personas = Persona.objects.stale().filter(owner=user).select_related("team")
    return list(personas.order_by("fresh_since")[:limit])  # type: ignore[misc]


def user_personas_of_products(*, user: User, limit: int = 8) -> list[Persona]:
    """User personas of the products ``user`` manages, stale ones first."""
    return list(
        Persona.objects.with_staleness()
        .filter(kind=PersonaKind.USER, products__managers=user)
        .exclude(status=PersonaStatus.RETIRED)
        .select_related("team")
        .distinct()
        .order_by("-stale", "name")[:limit]  # type: ignore[misc]
    )


def teams_for_freshness(*, user: User) -> list[Team]:
    if user.is_portal_admin:
        return list(Team.objects.all())
    if user.role == Role.CMO:
        return list(Team.objects.filter(Q(lead=user) | Q(members=user)).distinct())
    return list(Team.objects.filter(members=user))


def persona_options(*, user: User, text: str, limit: int = 20) -> list[dict[str, Any]]:
    """Personas ``user`` may tag something with whose name or job titles hold ``text``, for a picker.

    Retired personas are never offered. Names that start with the text come first;
    an empty text lists the first few by name.
    """
    text = text.strip()[:100]
    personas = permissions.visible_to(user).exclude(status=PersonaStatus.RETIRED).select_related("team")
    if text:
        starts = Case(When(name__istartswith=text, then=Value(0)), default=Value(1))
        personas = personas.filter(Q(name__icontains=text) | Q(job_titles__icontains=text))
        personas = personas.order_by(starts, "name", "pk")
    else:
        personas = personas.order_by("name", "pk")
    return [
        {"value": p.pk, "text": p.name, "meta": " · ".join(filter(None, [p.job_titles, p.team.name]))}
        for p in personas[:limit]
    ]
