"""Reads the plan, timesheet, review and team pages share. Each takes the acting user and scopes by it.

Every function here runs a fixed number of queries, whatever the amount of data.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from pmm_portal.core.dates import add_months, month_end, month_start, week_start, weeks_by_working_days
from pmm_portal.core.models import Role, User
from timesheets import selectors as timesheet_selectors
from timesheets.lines import OfferedLine

from .models import (
    OPEN_STATUSES,
    FocusSlot,
    Initiative,
    InitiativeStatus,
    Learning,
    Milestone,
    MonthlyReview,
    Outcome,
    Win,
)
from .permissions import (
    feed_visible_to,
    initiatives_linkable_by,
    learnings_visible_to,
    personas_linkable_by,
    requests_linkable_by,
    reviews_visible_to,
    visible_teams,
    visible_to,
    wins_visible_to,
)

ZERO = Decimal(0)
HOURS = DecimalField(max_digits=8, decimal_places=1)


# --- My plan ---------------------------------------------------------------------------------


@dataclass
class PlanRow:
    """An initiative as the plan shows it: its rank (None in the backlog) and plan vs actual hours."""

    initiative: Initiative
    rank: int | None
    logged_month: Decimal
    logged_week: Decimal
    planned_month: Decimal

    @property
    def next_milestone(self) -> Milestone | None:
        open_ones = self.initiative.open_milestones  # type: ignore[attr-defined]
        return open_ones[0] if open_ones else None

    @property
    def planned_week(self) -> Decimal:
        return self.initiative.planned_hours_per_week

    @property
    def logged_share(self) -> int:
        """Logged as a percentage of planned for the month (for a progress bar), capped at 100."""
        if not self.planned_month:
            return 0
        return min(100, int(self.logged_month * 100 / self.planned_month))


@dataclass
class Plan:
    """A PMM's month: the top 3 and the backlog; ``weeks`` is the month's working days over five, the
    weeks the planned hours per week are multiplied by (4.2 for November 2026's 21 working days)."""

    owner: User
    month: date
    focus: list[PlanRow]
    backlog: list[PlanRow]
    weeks: Decimal = ZERO

    @property
    def working_days(self) -> int:
        return int(self.weeks * 5)

    @property
    def is_full(self) -> bool:
        return len(self.focus) >= 3

    @property
    def planned_week(self) -> Decimal:
        return sum((row.planned_week for row in self.focus), ZERO)

    @property
    def logged_week(self) -> Decimal:
        return sum((row.logged_week for row in self.focus), ZERO)


def _logged(first: date, last: date) -> Coalesce:
    """Hours logged on the outer initiative that count from ``first`` to ``last`` (the calendar rule:
    a week that spans two months counts in each by its working days there)."""
    return timesheet_selectors.hours_logged_on_outer_initiative(first, last)


def plan(*, user: User, owner: User, month: date, today: date) -> Plan:
    """``owner``'s plan for ``month`` as ``user`` may see it: top 3 by rank, then the open backlog.

    Hours follow the calendar rule (``pmm_portal.core.dates.CALENDAR_RULE``): in the first days
    of December, the week of Monday 30 November counts four fifths of its hours there, so
    the month's hours are never 0 beside this week's. The month's planned hours are the
    hours per week times its working days over five. Two queries: the initiatives with their
    rank and hours, and their open milestones.
    """
    month = month_start(month)
    this_week = week_start(today)
    rank = FocusSlot.objects.filter(initiative=OuterRef("pk"), month=month).values("rank")[:1]
    rows = (
        visible_to(user)
        .filter(owner=owner)
        .filter(Q(status__in=OPEN_STATUSES) | Q(focus_slots__month=month))
        .distinct()
        .select_related("owner")
        .annotate(
            rank=Subquery(rank),
            logged_month=_logged(month, month_end(month)),
            logged_week=_logged(this_week, this_week + timedelta(days=6)),
        )
        .prefetch_related(
            Prefetch(
                "milestones",
                queryset=Milestone.objects.filter(completed_at__isnull=True).order_by("due_date", "id"),
                to_attr="open_milestones",
            )
        )
        .order_by("target_date", "title")
    )
    weeks = Decimal(str(weeks_by_working_days(month)))
    focus: list[PlanRow] = []
    backlog: list[PlanRow] = []
    for initiative in rows:
        row = PlanRow(
            initiative=initiative,
            rank=initiative.rank,
            logged_month=initiative.logged_month,
            logged_week=initiative.logged_week,
            planned_month=initiative.planned_hours_per_week * weeks,
        )
        (focus if row.rank else backlog).append(row)
    focus.sort(key=lambda r: r.rank or 0)
    return Plan(owner=owner, month=month, focus=focus, backlog=backlog, weeks=weeks)


# --- Team plan and timeline -----------------------------------------------------------------


@dataclass
class TeamMemberPlan:
    pmm: User
    slots: list[FocusSlot]


def team_plan(*, user: User, month: date) -> list[TeamMemberPlan]:
    """Every PMM of the teams ``user`` sees, with their top 3 for ``month``. Two queries."""
    month = month_start(month)
    teams = visible_teams(user)
    pmms = list(
        User.objects.filter(teams__in=teams, role=Role.PMM, is_active=True)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )
    slots: dict[int, list[FocusSlot]] = defaultdict(list)
    for slot in (
        FocusSlot.objects.filter(month=month, owner__in=[p.pk for p in pmms])
        .select_related("initiative")
        .order_by("owner_id", "rank")
    ):
        slots[slot.owner_id].append(slot)
    return [TeamMemberPlan(pmm=pmm, slots=slots[pmm.pk]) for pmm in pmms]


@dataclass
class TimelineRow:
    initiative: Initiative
    cells: list[str]  # per month: "" (not running), "active", "focus" (in the top 3 that month)


def timeline(*, user: User, start: date, months: int = 6) -> tuple[list[date], list[TimelineRow]]:
    """The team's initiatives running in the ``months`` from ``start``, by month. Two queries."""
    start = month_start(start)
    columns = [add_months(start, n) for n in range(months)]
    end = month_end(columns[-1])
    initiatives = list(
        visible_to(user)
        .filter(start_date__lte=end, target_date__gte=start)
        .select_related("owner")
        .order_by("owner__first_name", "owner__username", "start_date", "title")
    )
    focus = set(
        FocusSlot.objects.filter(
            initiative__in=[i.pk for i in initiatives], month__gte=start, month__lte=columns[-1]
        ).values_list("initiative_id", "month")
    )
    rows = []
    for initiative in initiatives:
        cells = []
        for month in columns:
            if (initiative.pk, month) in focus:
                cells.append("focus")
            elif initiative.start_date <= month_end(month) and initiative.target_date >= month:
                cells.append("active")
            else:
                cells.append("")
        rows.append(TimelineRow(initiative=initiative, cells=cells))
    return columns, rows


# --- Monthly review ------------------------------------------------------------------------------


def review_due_month(*, user: User, today: date) -> date | None:
    """Last month, when ``user`` (a PMM) has not submitted its review yet; None otherwise."""
    if user.role != Role.PMM:
        return None
    last = add_months(month_start(today), -1)
    closed = MonthlyReview.objects.filter(owner=user, month=last, submitted_at__isnull=False).exists()
    return None if closed else last


def review_detail(*, review: MonthlyReview) -> dict[str, object]:
    """The outcomes, wins, learnings, reopenings and next month's candidates of a review. Six queries."""
    outcomes = list(review.outcomes.select_related("initiative").order_by("id"))
    wins = list(
        Win.objects.filter(owner=review.owner, date__gte=review.month, date__lte=month_end(review.month))
        .select_related("initiative")
        .order_by("date", "id")
    )
    learnings = list(
        Learning.objects.filter(owner=review.owner, date__gte=review.month, date__lte=month_end(review.month))
        .select_related("initiative")
        .order_by("date", "id")
    )
    next_month = add_months(review.month, 1)
    next_focus = list(
        FocusSlot.objects.filter(owner=review.owner, month=next_month)
        .order_by("rank")
        .values_list("initiative_id", flat=True)
    )
    prefill = next_focus or [o.initiative_id for o in outcomes if o.outcome == Outcome.CARRIED_OVER]
    candidates = list(
        Initiative.objects.filter(owner=review.owner, status__in=OPEN_STATUSES).order_by(
            "target_date", "title"
        )
    )
    return {
        "outcomes": outcomes,
        "wins": wins,
        "learnings": learnings,
        "reopenings": list(review.reopenings.select_related("reopened_by")),
        "next_month": next_month,
        "prefill": prefill,
        "candidates": candidates,
    }


def reviews_for(*, user: User) -> QuerySet[MonthlyReview]:
    return reviews_visible_to(user).select_related("owner", "team").order_by("-month", "owner__first_name")


# --- Wins ------------------------------------------------------------------------------------------


def wins_for(*, user: User) -> QuerySet[Win]:
    return wins_visible_to(user).select_related("owner", "team", "initiative", "request", "promoted_by")


def wins_feed(*, user: User) -> QuerySet[Win]:
    """The promoted wins ``user`` reads in the feed, with who shared them and with whom.

    Two queries a page (the wins, the teams they are shared with), whatever its size.
    """
    return (
        feed_visible_to(user)
        .select_related("owner", "team", "promoted_by")
        .prefetch_related("shared_with")
        .order_by("-promoted_at", "-id")
    )


# --- Learnings -------------------------------------------------------------------------------------


def learnings_for(*, user: User) -> QuerySet[Learning]:
    """The learning log ``user`` may read, with each one's owner and initiative (one query a page)."""
    return learnings_visible_to(user).select_related("owner", "team", "initiative")


# --- Home pages ----------------------------------------------------------------------------------


@dataclass
class PmmHome:
    focus: list[FocusSlot]
    week_logged: Decimal
    week_planned: Decimal
    review_due: date | None
    month: date


def pmm_home(*, user: User, today: date) -> PmmHome:
    """This month's top 3, this week's hours vs planned and whether last month's review is due. Two queries."""
    month = month_start(today)
    this_week = week_start(today)
    focus = list(
        FocusSlot.objects.filter(owner=user, month=month).select_related("initiative").order_by("rank")
    )
    last_month = add_months(month, -1)
    figures = (
        User.objects.filter(pk=user.pk)
        .annotate(
            week_logged=timesheet_selectors.hours_logged_by_outer_user(this_week),
            review_closed=Exists(
                MonthlyReview.objects.filter(
                    owner=OuterRef("pk"), month=last_month, submitted_at__isnull=False
                )
            ),
        )
        .values("week_logged", "review_closed")
        .first()
    ) or {"week_logged": ZERO, "review_closed": True}
    due = None if figures["review_closed"] or user.role != Role.PMM else last_month
    return PmmHome(
        focus=focus,
        week_logged=figures["week_logged"],
        week_planned=sum((s.initiative.planned_hours_per_week for s in focus), ZERO),
        review_due=due,
        month=month,
    )


@dataclass
class CmoHome:
    month: date
    pmm_count: int
    focus_count: int
    by_status: dict[str, int]
    without_plan: int


def cmo_home(*, user: User, today: date) -> CmoHome:
    """How the teams' top 3 stand this month, by status: one aggregate query over their PMMs."""
    month = month_start(today)
    pmm_ids = User.objects.filter(teams__in=visible_teams(user), role=Role.PMM, is_active=True).values("pk")
    this_month = Q(focus_slots__month=month)
    figures = User.objects.filter(pk__in=pmm_ids).aggregate(
        pmm_count=Count("pk", distinct=True),
        planned=Count("pk", filter=this_month, distinct=True),
        **{
            status: Count("focus_slots", filter=this_month & Q(focus_slots__initiative__status=status))
            for status in InitiativeStatus.values
        },
    )
    by_status = {status: figures[status] for status in InitiativeStatus.values}
    return CmoHome(
        month=month,
        pmm_count=figures["pmm_count"],
        focus_count=sum(by_status.values()),
        by_status=by_status,
        without_plan=figures["pmm_count"] - figures["planned"],
    )


def focus_lines_for_week(user: User, week: date) -> list[OfferedLine]:
    """The timesheet lines ``user``'s plan offers for the week of Monday ``week``: the top 3 of each
    month the week touches, each initiative once. One query.

    A week that spans two months (30 November to 6 December) offers November's top 3 and
    December's, so the first days of a month never hide the initiatives being worked on. An
    initiative in focus in only one of the two months says which; the rank shown is the later
    month's.
    """
    months = sorted({month_start(week), month_start(week + timedelta(days=6))})
    focus = (
        FocusSlot.objects.filter(owner=user, month__in=months)
        .select_related("initiative")
        .order_by("month", "rank")
    )
    latest: dict[int, FocusSlot] = {}
    in_months: dict[int, int] = {}
    for slot in focus:
        latest[slot.initiative_id] = slot
        in_months[slot.initiative_id] = in_months.get(slot.initiative_id, 0) + 1
    lines = []
    for slot in sorted(latest.values(), key=lambda s: (s.month != months[-1], s.rank)):
        label = f"#{slot.rank} {slot.initiative.title}"
        if len(months) > 1 and in_months[slot.initiative_id] == 1:
            label = f"{label} ({slot.month:%B} only)"
        lines.append(OfferedLine(initiative=slot.initiative, label=label))
    return lines


PICKER_LIMIT = 20


def _picked(queryset: QuerySet[Any], text: str, *, field: str) -> QuerySet[Any]:
    """``queryset`` narrowed to ``text`` (a word of ``field``, or ``#<number>``), those starting with it first."""
    text = text.strip()[:100]
    if not text:
        return queryset
    number = text.lstrip("#")
    if number.isdigit():
        return queryset.filter(Q(pk=int(number)) | Q(**{f"{field}__icontains": number}))
    starts = Case(When(**{f"{field}__istartswith": text}, then=Value(0)), default=Value(1))
    return queryset.filter(**{f"{field}__icontains": text}).order_by(starts, *queryset.query.order_by)


def initiative_options(*, user: User, text: str) -> list[dict[str, Any]]:
    """The initiatives a win of ``user``'s may come from whose title holds ``text`` (the win form's picker)."""
    found = _picked(initiatives_linkable_by(user), text, field="title")[:PICKER_LIMIT]
    return [
        {"value": i.pk, "text": i.title, "meta": f"{i.start_date:%b %Y} · {i.get_status_display()}"}
        for i in found
    ]


def win_request_options(*, user: User, text: str) -> list[dict[str, Any]]:
    """The requests a win of ``user``'s may cite whose title or number matches ``text``."""
    found = _picked(requests_linkable_by(user), text, field="title")[:PICKER_LIMIT]
    return [{"value": r.pk, "text": f"#{r.pk} {r.title}", "meta": r.get_status_display()} for r in found]


def initiative_persona_options(*, user: User, text: str) -> list[dict[str, Any]]:
    """The personas an initiative of ``user``'s may name (their teams') matching ``text``."""
    found = _picked(personas_linkable_by(user).select_related("team"), text, field="name")[:PICKER_LIMIT]
    return [{"value": p.pk, "text": p.name, "meta": p.team.name} for p in found]
