"""Triage scores and the priority that orders the queue, and the advice the scores lead to.

The priority's urgency counts days until the needed-by date in the request's
team's time zone (``pmm_portal.core.dates.today_in``), so a team in Auckland
and one in San Francisco each see their own "today".
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Min, Sum
from django.utils import timezone

from pmm_portal.core.dates import today_in
from pmm_portal.core.models import Team, User

from ..models import OPEN_STATUSES, Request, RequestFollower

PRIORITY_HELP = (
    "Priority = (3 × reusability + 2 × educational value + 2 × deal value + 3 × urgency) "
    "÷ (1 + effort hours ÷ 16). Each factor is 0–5: unscored reusability and educational value "
    "count as 3; deal value is 0 (none), 1 (< 10k), 2 (< 50k), 3 (< 100k), 4 (< 500k), 5 (≥ 500k); "
    "urgency by days until needed: 5 (≤ 1 day or late), 4 (≤ 3), 3 (≤ 7), 2 (≤ 14), 1 (≤ 30), 0 (later). "
    "Every rep who needs it counts: the deal value is the requester's opportunity value plus each "
    "follower's (“me too” and duplicates), and urgency runs to the earliest needed-by date among them. "
    "Highest first; at most 50."
)

_VALUE_TIERS = ((Decimal(500_000), 5), (Decimal(100_000), 4), (Decimal(50_000), 3), (Decimal(10_000), 2))
_URGENCY_TIERS = ((1, 5), (3, 4), (7, 3), (14, 2), (30, 1))


def deal_value_points(opportunity_value: Decimal | None) -> int:
    if not opportunity_value or opportunity_value <= 0:
        return 0
    for threshold, points in _VALUE_TIERS:
        if opportunity_value >= threshold:
            return points
    return 1


def urgency_points(needed_by: date, today: date) -> int:
    days_left = (needed_by - today).days
    for limit, points in _URGENCY_TIERS:
        if days_left <= limit:
            return points
    return 0


def compute_priority(
    *,
    reusability: int | None,
    educational_value: int | None,
    opportunity_value: Decimal | None,
    needed_by: date,
    effort_hours: Decimal | None,
    today: date | None = None,
) -> Decimal:
    """The documented priority that orders the queue (see ``PRIORITY_HELP``).

    Reuse weighs most (an answer many will use is worth building well), then
    urgency (a deal waits), then what the PMM learns and the deal's size; the
    whole is discounted by effort so quick wins rise. Unscored requests count
    as average (3) on reuse and learning so new ones sort among triaged ones.
    """
    today = today or timezone.localdate()
    reuse = reusability if reusability is not None else 3
    learning = educational_value if educational_value is not None else 3
    score = (
        3 * reuse
        + 2 * learning
        + 2 * deal_value_points(opportunity_value)
        + 3 * urgency_points(needed_by, today)
    )
    effort = Decimal(effort_hours or 0)
    value = Decimal(score) / (1 + effort / 16)
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Demand:
    """What every rep who needs a request brings to its priority.

    ``opportunity_value`` sums the requester's and each follower's values (None when
    nobody gave one); ``needed_by`` is the earliest of the requester's and the followers' dates.
    """

    opportunity_value: Decimal | None
    needed_by: date


def follower_totals() -> dict[str, Sum | Min]:
    """Annotations for ``Request.objects.annotate(**follower_totals())``: each row's followers'
    summed value and earliest date, in the same (grouped) query, as ``demand`` needs them."""
    return {
        "followers_value": Sum("follows__opportunity_value"),
        "followers_needed_by": Min("follows__needed_by"),
    }


def demand(request: Request, *, followers_value: Decimal | None, followers_needed_by: date | None) -> Demand:
    """The requester's deal combined with the followers' totals (their summed value, earliest date)."""
    values = [v for v in (request.opportunity_value, followers_value) if v is not None]
    dates = [d for d in (request.needed_by, followers_needed_by) if d is not None]
    return Demand(opportunity_value=sum(values, Decimal(0)) if values else None, needed_by=min(dates))


def demand_of(request: Request, follows: Iterable[RequestFollower]) -> Demand:
    """``demand`` from follower rows already loaded (the detail page prefetches them): no query."""
    rows = list(follows)
    values = [f.opportunity_value for f in rows if f.opportunity_value is not None]
    dates = [f.needed_by for f in rows if f.needed_by is not None]
    return demand(
        request,
        followers_value=sum(values, Decimal(0)) if values else None,
        followers_needed_by=min(dates) if dates else None,
    )


def _follower_totals(request: Request) -> tuple[Decimal | None, date | None]:
    """The followers' summed value and earliest date: annotated on the row, else one query."""
    if "followers_value" in request.__dict__:
        return request.followers_value, request.followers_needed_by  # type: ignore[attr-defined]
    if request.pk is None:  # not saved yet: nobody follows it
        return None, None
    totals = RequestFollower.objects.filter(request_id=request.pk).aggregate(
        value=Sum("opportunity_value"), needed_by=Min("needed_by")
    )
    return totals["value"], totals["needed_by"]


def _priority(request: Request, combined: Demand, today: date | None) -> Decimal:
    return compute_priority(
        reusability=request.reusability,
        educational_value=request.educational_value,
        opportunity_value=combined.opportunity_value,
        needed_by=combined.needed_by,
        effort_hours=request.effort_hours,
        today=today,
    )


def refresh_priority(request: Request, *, today: date | None = None) -> None:
    """Recompute ``request.priority`` in memory (the caller saves it), as of its team's today.

    The deal value and urgency count every rep who needs it (``demand``): the followers'
    totals are read in one query, or from ``follower_totals()`` annotated on the row. A caller
    that adds or changes a follower holds the request's row lock, so two reps saying
    "me too" at once each count the other.
    """
    followers_value, followers_needed_by = _follower_totals(request)
    combined = demand(request, followers_value=followers_value, followers_needed_by=followers_needed_by)
    request.priority = _priority(request, combined, today or today_in(request.team))


def request_refresh_priorities(*, today: date | None = None) -> int:
    """Recompute the priority of every open request (urgency grows daily); returns how many changed.

    Without ``today`` each request counts days from its own team's today. The same queries
    whatever the number of followers: the teams, the open requests with their followers'
    totals (``follower_totals``, grouped), and the update (one per 500 changed rows).
    """
    team_today = {team.pk: today_in(team) for team in Team.objects.only("pk", "time_zone")}
    changed = []
    rows = (
        Request.objects.filter(status__in=OPEN_STATUSES)
        .only(
            "id",
            "team_id",
            "reusability",
            "educational_value",
            "opportunity_value",
            "needed_by",
            "effort_hours",
            "priority",
        )
        .annotate(**follower_totals())
        .order_by()
    )
    for request in rows:
        combined = demand(
            request,
            followers_value=request.followers_value,  # type: ignore[attr-defined]
            followers_needed_by=request.followers_needed_by,  # type: ignore[attr-defined]
        )
        new = _priority(request, combined, today or team_today.get(request.team_id))
        if new != request.priority:
            request.priority = new
            changed.append(request)
    Request.objects.bulk_update(changed, ["priority"], batch_size=500)
    return len(changed)


# --- Quadrant advice -------------------------------------------------------------------------


@dataclass(frozen=True)
class Advice:
    quadrant: str
    headline: str
    text: str


def quadrant_advice(*, reusability: int | None, educational_value: int | None) -> Advice | None:
    """What the article advises for a request, by its two scores (high means 4 or 5)."""
    if reusability is None or educational_value is None:
        return None
    high_reuse, high_learning = reusability >= 4, educational_value >= 4
    if high_reuse and high_learning:
        return Advice(
            "build_and_learn",
            "Build an asset, and do it yourself",
            "Many will reuse the answer and you will learn from it: do it yourself and publish it to the library.",
        )
    if high_reuse:
        return Advice(
            "build_asset",
            "Build an asset",
            "Others will ask the same: make it reusable and publish it to the library when you deliver.",
        )
    if high_learning:
        return Advice(
            "learn",
            "Do it yourself and learn",
            "Few will reuse it, but you will learn about the product, the customer or the competition.",
        )
    return Advice(
        "redirect",
        "Redirect",
        "Low on both: answer with an existing asset, point to a colleague, or decline with an alternative. "
        "Avoid the hard no.",
    )


# --- One-off budget advice ---------------------------------------------------------------------

ZERO = Decimal(0)

# A month this young has few hours logged; projecting onto less than a week of work
# would make any assignment look like it breaks the budget.
MIN_PROJECTION_HOURS = Decimal(40)


NO_TIME_YET = "No time logged yet this month."


def _hours(value: Decimal) -> str:
    """Hours as the gauge prints them: at most one decimal, no trailing zero ("36", "7.2")."""
    rounded = value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{rounded:f}".removesuffix(".0")


@dataclass
class BudgetGauge:
    """A PMM's one-off load this month: request hours over all logged hours, against the team band.

    The month's hours follow the calendar rule (``pmm_portal.core.dates.CALENDAR_RULE``):
    a week that spans two months counts in each by its working days there, so on
    2 December the week of 30 November already counts four fifths in December. The
    hours come from ``timesheets.selectors.time_totals``, which applies the rule.
    """

    user: User
    request_hours: Decimal
    total_hours: Decimal
    band_min: int
    band_max: int
    extra_hours: Decimal = ZERO

    @property
    def has_time(self) -> bool:
        """Whether any hours count this month; without them the share means nothing yet."""
        return bool(self.total_hours)

    @property
    def hours_text(self) -> str:
        """The sentence under the meter: "6 h on requests of 36 h logged this month", never "0 of 0 h"."""
        if not self.has_time:
            return NO_TIME_YET
        return (
            f"{_hours(self.request_hours)} h on requests of {_hours(self.total_hours)} h logged this month."
        )

    @property
    def share_text(self) -> str:
        """The share beside the meter: "16.7 %", or "–" before any time is logged."""
        return f"{self.share_pct} %" if self.has_time else "–"

    @property
    def share_pct(self) -> Decimal:
        if not self.total_hours:
            return ZERO
        return (self.request_hours * 100 / self.total_hours).quantize(Decimal("0.1"))

    @property
    def projected_pct(self) -> Decimal:
        """The share after ``extra_hours`` more request work (over at least ``MIN_PROJECTION_HOURS``)."""
        if not self.extra_hours:
            return self.share_pct
        total = max(self.total_hours + self.extra_hours, MIN_PROJECTION_HOURS)
        return ((self.request_hours + self.extra_hours) * 100 / total).quantize(Decimal("0.1"))

    @property
    def status(self) -> str:
        """ "under", "within" or "over" the band."""
        if self.share_pct > self.band_max:
            return "over"
        if self.share_pct >= self.band_min:
            return "within"
        return "under"

    @property
    def would_exceed(self) -> bool:
        return self.projected_pct > self.band_max

    @property
    def headroom_pct(self) -> Decimal:
        return Decimal(self.band_max) - self.projected_pct

    @property
    def meter_value(self) -> Decimal:
        return min(self.share_pct, Decimal(100))


def suggest_assignee(gauges: list[BudgetGauge]) -> BudgetGauge | None:
    """The PMM with the most headroom under the band after the extra hours (ties: fewer hours)."""
    if not gauges:
        return None
    return max(gauges, key=lambda g: (g.headroom_pct, -g.request_hours, -g.user.pk))
