"""Reads of competitive intelligence: competitors with their signals, and the win/loss figures.

A request is *about* a competitor when its competitor field is the competitor's name or
one of its aliases, whatever the case, on the same team (``names``). The signals count
those requests by month; the win/loss figures count the reviews a list shows, so every
figure links to exactly the reviews behind it.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Lower, TruncMonth
from django.utils import timezone

from personas.models import CustomerInteraction, InteractionKind, Persona, Quote
from personas.permissions import interactions_visible_to
from pmm_portal.core.dates import add_months, month_start
from pmm_portal.core.models import User
from requests_queue.models import OPEN_STATUSES, Asset, Request
from requests_queue.permissions import assets_visible_to
from requests_queue.selectors import RequestSignal

from . import permissions
from .models import Battlecard, Competitor, LossReason, Outcome, WinLossReview

SIGNAL_MONTHS = 12  # the signals' trend: this month and the eleven before
RECENT_DAYS = 90  # what "recent" means on the list of competitors


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


# --- Competitors and their signals -----------------------------------------------------------


def competitor_list(*, user: User) -> QuerySet[Competitor]:
    """The competitors ``user`` sees, with their team and owner and their reviews' outcomes counted."""
    return (
        permissions.competitors_visible_to(user)
        .select_related("team", "owner")
        .annotate(
            won=Count("reviews", filter=Q(reviews__outcome=Outcome.WON)),
            lost=Count("reviews", filter=Q(reviews__outcome=Outcome.LOST)),
        )
    )


# How often reps asked about a competitor: the same counts and trend rule as a persona's signal.
Signal = RequestSignal


def _request_counts(team_ids: set[int], since: date) -> list[Any]:
    """Requests naming a competitor, per team, lower-cased name and month, since ``since``: one query."""
    return list(
        Request.objects.filter(team_id__in=team_ids, created_at__gte=_aware(since))
        .exclude(competitor="")
        .annotate(name=Lower("competitor"), month=TruncMonth("created_at"))
        .values("team_id", "name", "month")
        .annotate(count=Count("id"))
        .order_by()
    )


def attach_signals(competitors: list[Competitor], *, today: date | None = None) -> None:
    """Give each competitor its ``signal`` (``Signal``), in one query whatever their number."""
    today = today or timezone.localdate()
    this_month = month_start(today)
    last_month = add_months(this_month, -1)
    since = min(last_month, today - timedelta(days=RECENT_DAYS))
    rows = _request_counts({c.team_id for c in competitors}, since) if competitors else []
    recent_since = today - timedelta(days=RECENT_DAYS)
    by_name: dict[tuple[int, str], Signal] = defaultdict(Signal)
    for row in rows:
        month = timezone.localdate(row["month"]) if isinstance(row["month"], datetime) else row["month"]
        signal = by_name[(row["team_id"], row["name"].strip())]
        if month == this_month:
            signal.this_month += row["count"]
        elif month == last_month:
            signal.last_month += row["count"]
        if month >= month_start(recent_since):
            signal.recent += row["count"]
    for competitor in competitors:
        total = Signal()
        for name in competitor.names():
            found = by_name.get((competitor.team_id, name))
            if found:
                total.this_month += found.this_month
                total.last_month += found.last_month
                total.recent += found.recent
        competitor.signal = total  # type: ignore[attr-defined]


def requests_about(competitor: Competitor) -> QuerySet[Request]:
    """The requests of the competitor's team that name it (or an alias)."""
    return Request.objects.annotate(name=Lower("competitor")).filter(
        team_id=competitor.team_id, name__in=competitor.names()
    )


@dataclass
class MonthSignal:
    month: date
    requests: int
    deal_value: Decimal


@dataclass
class CompetitorSignals:
    """A competitor's page: its requests by month, what they are worth, what is still open."""

    months: list[MonthSignal]
    open_requests: list[Request]
    open_count: int
    total_requests: int
    deal_value: Decimal
    peak: int = field(default=0)


def competitor_signals(competitor: Competitor, *, today: date | None = None) -> CompetitorSignals:
    """The signals of one competitor over the last ``SIGNAL_MONTHS`` months (three queries)."""
    today = today or timezone.localdate()
    first = add_months(month_start(today), -(SIGNAL_MONTHS - 1))
    about = requests_about(competitor)
    counted = {
        timezone.localdate(row["month"]) if isinstance(row["month"], datetime) else row["month"]: row
        for row in about.filter(created_at__gte=_aware(first))
        .annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(count=Count("id"), value=Sum("opportunity_value"))
        .order_by()
    }
    months = []
    for n in range(SIGNAL_MONTHS):
        month = add_months(first, n)
        row = counted.get(month)
        months.append(
            MonthSignal(
                month, row["count"] if row else 0, (row["value"] or Decimal(0)) if row else Decimal(0)
            )
        )
    open_qs = about.filter(status__in=OPEN_STATUSES)
    open_requests = list(open_qs.select_related("product", "requester").order_by("-created_at")[:10])
    return CompetitorSignals(
        months=months,
        open_requests=open_requests,
        open_count=open_qs.count(),
        total_requests=sum(m.requests for m in months),
        deal_value=sum((m.deal_value for m in months), Decimal(0)),
        peak=max((m.requests for m in months), default=0),
    )


@dataclass(frozen=True)
class ProposedName:
    """A competitor named on requests that the team has no record of yet."""

    team_id: int
    team_name: str
    name: str
    requests: int


def proposed_names(*, user: User, today: date | None = None, limit: int = 8) -> list[ProposedName]:
    """Names reps typed in the last 90 days on requests of the teams ``user`` writes for that match no
    competitor of that team, most asked first: proposed to the team, never created by themselves."""
    teams = {t.pk: t.name for t in permissions.writer_teams(user)}
    if not teams:
        return []
    today = today or timezone.localdate()
    known: set[tuple[int, str]] = set()
    for competitor in Competitor.objects.filter(team_id__in=teams).only("team_id", "name", "aliases"):
        known.update((competitor.team_id, name) for name in competitor.names())
    spelled: dict[tuple[int, str], str] = {}
    counts: Counter[tuple[int, str]] = Counter()
    for row in (
        Request.objects.filter(team_id__in=teams, created_at__gte=_aware(today - timedelta(days=RECENT_DAYS)))
        .exclude(competitor="")
        .values("team_id", "competitor")
        .annotate(count=Count("id"))
        .order_by()
    ):
        key = (row["team_id"], row["competitor"].strip().lower())
        if key in known or not key[1]:
            continue
        counts[key] += row["count"]
        spelled.setdefault(key, row["competitor"].strip())
    return [
        ProposedName(team_id, teams[team_id], spelled[(team_id, name)], count)
        for (team_id, name), count in counts.most_common(limit)
    ]


def competitor_named(*, user: User, name: str, team_id: int) -> Competitor | None:
    """The competitor ``user`` sees that ``name`` (a name or an alias, any case) stands for: the
    request's team's first, else another team's."""
    wanted = name.strip().lower()
    if not wanted:
        return None
    candidates = permissions.competitors_visible_to(user).filter(
        Q(name__iexact=wanted) | Q(aliases__icontains=wanted)
    )
    found = [c for c in candidates if wanted in c.names()]
    found.sort(key=lambda c: (c.team_id != team_id, c.pk))
    return found[0] if found else None


def competitor_options(*, user: User, text: str, limit: int = 12) -> list[dict[str, str]]:
    """Competitors ``user`` sees whose name or alias contains ``text``, for a type-ahead (JSON)."""
    text = text.strip()[:100]
    found = permissions.competitors_visible_to(user).select_related("team")
    if text:
        found = found.filter(Q(name__icontains=text) | Q(aliases__icontains=text))
    return [
        {"value": c.name, "text": c.name, "meta": f"{c.get_tier_display()} · {c.team.name}"}
        for c in found.order_by("name")[:limit]
    ]


# --- Win/loss figures --------------------------------------------------------------------------


def quarter_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def quarter_range(value: str) -> tuple[date, date] | None:
    """``"2026-Q3"`` → its first day and the first day of the next quarter; None when not a quarter."""
    try:
        year, q = value.split("-Q")
        first = date(int(year), (int(q) - 1) * 3 + 1, 1)
    except (ValueError, TypeError):
        return None
    if not 1 <= int(q) <= 4:
        return None
    return first, add_months(first, 3)


def win_rate(won: int, lost: int) -> int | None:
    """Deals won out of deals decided for someone (won + lost), in whole percent; None with none."""
    decided = won + lost
    return round(100 * won / decided) if decided else None


@dataclass
class Tally:
    """Outcomes of a set of reviews, with what to filter the list by to see them."""

    label: str
    query: str
    won: int = 0
    lost: int = 0
    no_decision: int = 0
    value_won: Decimal = Decimal(0)
    value_lost: Decimal = Decimal(0)

    @property
    def total(self) -> int:
        return self.won + self.lost + self.no_decision

    @property
    def win_rate(self) -> int | None:
        return win_rate(self.won, self.lost)


@dataclass
class WinLossFigures:
    overall: Tally
    by_competitor: list[Tally]
    by_persona: list[Tally]
    # quarter → [(reason, count, query)], most frequent first, lost deals only
    loss_reasons: list[tuple[str, list[tuple[str, int, str]]]]


def _add(tally: Tally, outcome: str, count: int, value: Decimal | None) -> None:
    if outcome == Outcome.WON:
        tally.won += count
        tally.value_won += value or Decimal(0)
    elif outcome == Outcome.LOST:
        tally.lost += count
        tally.value_lost += value or Decimal(0)
    else:
        tally.no_decision += count


def win_loss_figures(reviews: QuerySet[WinLossReview], *, quarters: int = 4) -> WinLossFigures:
    """Win rate overall, by competitor and by persona, and the top loss reasons of each of the last
    ``quarters`` quarters with lost deals, over ``reviews`` (four queries whatever their number)."""
    base = reviews.order_by()
    ids = base.values("pk")
    overall = Tally("All deals", "")
    for row in base.values("outcome").annotate(count=Count("id"), value=Sum("value")):
        _add(overall, row["outcome"], row["count"], row["value"])

    competitors: dict[int | None, Tally] = {}
    for row in (
        WinLossReview.objects.filter(pk__in=ids)
        .values("competitor_id", "competitor__name", "outcome")
        .annotate(count=Count("id"), value=Sum("value"))
        .order_by()
    ):
        key = row["competitor_id"]
        tally = competitors.setdefault(
            key,
            Tally(
                row["competitor__name"] or "No competitor", f"competitor={key}" if key else "competitor=none"
            ),
        )
        _add(tally, row["outcome"], row["count"], row["value"])

    personas: dict[int, Tally] = {}
    for tagged in (
        WinLossReview.personas.through.objects.filter(winlossreview_id__in=ids)
        .values("persona_id", "persona__name", "winlossreview__outcome")
        .annotate(count=Count("id"), value=Sum("winlossreview__value"))
        .order_by()
    ):
        tally = personas.setdefault(
            tagged["persona_id"], Tally(tagged["persona__name"], f"persona={tagged['persona_id']}")
        )
        _add(tally, tagged["winlossreview__outcome"], tagged["count"], tagged["value"])

    by_quarter: dict[str, Counter[tuple[int, str]]] = defaultdict(Counter)
    for link in (
        LossReason.reviews.through.objects.filter(
            winlossreview_id__in=ids, winlossreview__outcome=Outcome.LOST
        )
        .values("lossreason_id", "lossreason__name", "winlossreview__decided_on")
        .order_by()
    ):
        quarter = quarter_of(link["winlossreview__decided_on"])
        by_quarter[quarter][(link["lossreason_id"], link["lossreason__name"])] += 1
    loss_reasons = [
        (
            quarter,
            [
                (name, count, f"outcome=lost&reason={pk}&quarter={quarter}")
                for (pk, name), count in by_quarter[quarter].most_common(5)
            ],
        )
        for quarter in sorted(by_quarter, reverse=True)[:quarters]
    ]

    def ranked(tallies: dict[Any, Tally]) -> list[Tally]:
        return sorted(tallies.values(), key=lambda t: (-t.total, t.label))

    return WinLossFigures(overall, ranked(competitors), ranked(personas), loss_reasons)


def review_list(*, user: User) -> QuerySet[WinLossReview]:
    return (
        permissions.reviews_visible_to(user)
        .select_related("team", "owner", "competitor")
        .prefetch_related("reasons")
    )


def reviews_of_competitor(competitor: Competitor) -> Tally:
    """A competitor's record in reviewed deals (one query)."""
    tally = Tally(competitor.name, f"competitor={competitor.pk}")
    for row in (
        competitor.reviews.order_by().values("outcome").annotate(count=Count("id"), value=Sum("value"))
    ):
        _add(tally, row["outcome"], row["count"], row["value"])
    return tally


def persona_choices_for(teams: QuerySet[Any]) -> QuerySet[Persona]:
    """Personas a review may name: those of the review's team."""
    return Persona.objects.filter(team__in=teams).order_by("name")


def battlecard_quotes(card: Battlecard, *, limit: int = 3) -> list[Quote]:
    """What buyers of the card's persona said that sales may quote (none for a card for every buyer)."""
    if card.persona_id is None:
        return []
    return list(
        Quote.objects.filter(persona_id=card.persona_id, usable_in_sales=True).order_by("-created_at")[:limit]
    )


def _naming(names: list[str], *fields: str) -> Q:
    condition = Q()
    for name in names:
        for field_name in fields:
            condition |= Q(**{f"{field_name}__icontains": name})
    return condition


def assets_naming(competitor: Competitor, *, user: User, limit: int = 8) -> list[Asset]:
    """Live library assets linked to the competitor, or that name it (or an alias) in their title
    or description."""
    linked = Q(pk__in=competitor.linked_assets.values("pk"))
    return list(
        assets_visible_to(user)
        .filter(retired_at__isnull=True)
        .filter(linked | _naming(competitor.names(), "title", "description"))
        .order_by("-reuse_count", "title")[:limit]
    )


def interactions_naming(competitor: Competitor, *, user: User, limit: int = 5) -> list[CustomerInteraction]:
    """Customer conversations of the competitor's team linked to it or whose notes name it (or an
    alias), latest first."""
    linked = Q(pk__in=competitor.linked_interactions.values("pk"))
    return list(
        interactions_visible_to(user)
        .filter(team_id=competitor.team_id)
        .filter(linked | _naming(competitor.names(), "notes"))
        .order_by("-occurred_on", "-id")[:limit]
    )


def link_asset_options(*, competitor: Competitor, text: str, limit: int = 20) -> list[dict[str, Any]]:
    """Live assets of the competitor's team whose title holds ``text`` (the edit form's picker)."""
    text = text.strip()[:200]
    found = Asset.objects.filter(team_id=competitor.team_id, retired_at__isnull=True)
    if text:
        found = found.filter(title__icontains=text)
    return [
        {"value": a.pk, "text": a.title, "meta": a.get_kind_display()}
        for a in found.order_by("-reuse_count", "title", "pk")[:limit]
    ]


def link_interaction_options(*, competitor: Competitor, text: str, limit: int = 20) -> list[dict[str, Any]]:
    """Conversations of the competitor's team whose account or notes hold ``text``, latest first."""
    text = text.strip()[:200]
    found = CustomerInteraction.objects.filter(team_id=competitor.team_id)
    if text:
        found = found.filter(Q(account__icontains=text) | Q(notes__icontains=text))
    return [
        {"value": i.pk, "text": str(i), "meta": f"{i.get_kind_display()} · {i.occurred_on:%d %b %Y}"}
        for i in found.order_by("-occurred_on", "-id")[:limit]
    ]


def review_interaction_options(*, user: User, text: str, limit: int = 20) -> list[dict[str, Any]]:
    """Conversations a review may come from: those of the teams whose reviews ``user`` writes whose
    account holds ``text``, win/loss interviews first, latest first (the review form's picker)."""
    text = text.strip()[:200]
    found = interactions_visible_to(user).filter(team__in=permissions.writer_teams(user).values("pk"))
    if text:
        found = found.filter(account__icontains=text)
    first = Case(When(kind=InteractionKind.WIN_LOSS, then=Value(0)), default=Value(1))
    return [
        {"value": i.pk, "text": str(i), "meta": f"{i.get_kind_display()} · {i.occurred_on:%d %b %Y}"}
        for i in found.order_by(first, "-occurred_on", "-id")[:limit]
    ]
