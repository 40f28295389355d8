"""Reads of logged time that pages, the budget gauge, the plan and the reports share.

A week's hours are split across months by working day (``pmm_portal.core.dates``,
``CALENDAR_RULE``): ``in_month`` selects the entries of the weeks touching a month and
``hours_in_month`` weighs each by its share there (``in_days`` and ``hours_in_days`` do
the same for any period). Month totals, the plan's hours and the one-off gauge all count
this way. Every function here runs a fixed number of queries, whatever the amount of data.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Case, DecimalField, ExpressionWrapper, F, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Coalesce

from pmm_portal.core.dates import (
    month_end,
    month_start,
    week_months,
    week_share_in_days,
    week_start,
    weeks_touching_days,
)
from pmm_portal.core.models import User

from .lines import Loggable, offered_lines
from .models import TimeCategory, TimeEntry

ZERO = Decimal(0)
HOURS = DecimalField(max_digits=8, decimal_places=1)
SHARED_HOURS = DecimalField(max_digits=10, decimal_places=2)


def tidy(hours: Decimal) -> Decimal:
    """``hours`` without trailing zeros ("36", "7.2", "1.46"): hours times a share carry two decimals."""
    return hours.quantize(Decimal(1)) if hours == hours.to_integral_value() else hours.normalize()


def _boundary_shares(first: date, last: date) -> dict[date, Decimal]:
    """The weeks that count only partly from ``first`` to ``last``, with their share (in fifths)."""
    start, end = weeks_touching_days(first, last)
    shares = {week: week_share_in_days(week, first, last) for week in {start, end}}
    return {week: share for week, share in shares.items() if share < 1}


def in_days(first: date, last: date, *, prefix: str = "") -> Q:
    """Time entries (``prefix`` for a related lookup) of the weeks with a working day from ``first``
    to ``last`` (inclusive)."""
    start, end = weeks_touching_days(first, last)
    return Q(**{f"{prefix}week_start__gte": start, f"{prefix}week_start__lte": end})


def days_share(first: date, last: date, *, prefix: str = "") -> Case:
    """Each entry's share from ``first`` to ``last``: 1, or the fifths of a boundary week that fall in it."""
    whens = [
        When(**{f"{prefix}week_start": week}, then=Value(share))
        for week, share in sorted(_boundary_shares(first, last).items())
    ]
    return Case(*whens, default=Value(Decimal(1)), output_field=SHARED_HOURS)


def hours_in_days(first: date, last: date, *, prefix: str = "") -> ExpressionWrapper[CombinedExpression]:
    """An entry's hours that count from ``first`` to ``last`` (to be summed over ``in_days`` entries)."""
    return ExpressionWrapper(
        F(f"{prefix}hours") * days_share(first, last, prefix=prefix), output_field=SHARED_HOURS
    )


def in_month(month: date, *, prefix: str = "") -> Q:
    """Time entries (``prefix`` for a related lookup) of the weeks with a working day in ``month``."""
    return in_days(month_start(month), month_end(month), prefix=prefix)


def month_share(month: date, *, prefix: str = "") -> Case:
    """Each entry's share in ``month``: 1, or the fifths of a boundary week that fall in it."""
    return days_share(month_start(month), month_end(month), prefix=prefix)


def hours_in_month(month: date, *, prefix: str = "") -> ExpressionWrapper[CombinedExpression]:
    """An entry's hours that count in ``month`` (to be summed over ``in_month`` entries)."""
    return hours_in_days(month_start(month), month_end(month), prefix=prefix)


@dataclass
class TimeTotals:
    """A person's logged hours over a period, in total and per category."""

    total: Decimal = ZERO
    by_category: dict[str, Decimal] = field(default_factory=dict)

    @property
    def one_off_share(self) -> Decimal | None:
        """The share of the hours spent on one-off requests (0–1), None when nothing was logged."""
        if not self.total:
            return None
        return self.by_category.get(TimeCategory.REQUEST, ZERO) / self.total

    @property
    def request_hours(self) -> Decimal:
        return self.by_category.get(TimeCategory.REQUEST, ZERO)


def time_totals(*, user_ids: Iterable[int], start: date, end: date) -> dict[int, TimeTotals]:
    """Hours per user and category that count from ``start`` to ``end`` (inclusive; usually a month).

    The calendar rule: a week's hours count by working day, so the week of Monday
    30 November 2026 adds a fifth of its hours to November and four fifths to December.
    One grouped query; every requested user gets an entry (empty when they logged nothing).
    """
    ids = list(user_ids)
    totals = {user_id: TimeTotals() for user_id in ids}
    rows = (
        TimeEntry.objects.filter(in_days(start, end), user_id__in=ids)
        .values("user_id", "category")
        .annotate(hours=Sum(hours_in_days(start, end)))
        .order_by()
    )
    for row in rows:
        entry = totals[row["user_id"]]
        entry.by_category[row["category"]] = tidy(row["hours"])
        entry.total = tidy(entry.total + row["hours"])
    return totals


def hours_logged_on_outer_initiative(first: date, last: date) -> Coalesce:
    """An expression for a queryset of initiatives: the hours logged on each that count from ``first``
    to ``last`` (inclusive), a boundary week by its working days there (a subquery, so the plan stays
    one query). A month: its first and last days; a week: its Monday and Sunday."""
    hours = (
        TimeEntry.objects.filter(in_days(first, last), initiative=OuterRef("pk"))
        .values("initiative")
        .annotate(total=Sum(hours_in_days(first, last)))
        .values("total")
    )
    return Coalesce(Subquery(hours, output_field=SHARED_HOURS), Value(ZERO), output_field=SHARED_HOURS)


def hours_logged_by_outer_user(week: date) -> Coalesce:
    """An expression for a queryset of users: the hours each logged in the week of ``week``."""
    hours = (
        TimeEntry.objects.filter(user=OuterRef("pk"), week_start=week)
        .values("user")
        .annotate(t=Sum("hours"))
        .values("t")
    )
    return Coalesce(Subquery(hours, output_field=HOURS), Value(ZERO), output_field=HOURS)


def week_total(*, user: User, week: date) -> Decimal:
    total = TimeEntry.objects.filter(user=user, week_start=week).aggregate(t=Sum("hours"))["t"]
    return total or ZERO


@dataclass(frozen=True)
class MonthPart:
    """The part of a week that counts in one month: its working days there and the hours they carry."""

    month: date
    days: int
    hours: Decimal


def week_split(*, week: date, total: Decimal) -> list[MonthPart]:
    """How the week of Monday ``week`` and its ``total`` hours count across months, by working day.

    One part for most weeks; two for a week that spans a month's end: 40 h in the week
    of 30 November 2026 are 8 h in November (1 of 5 days) and 32 h in December (4 of 5).
    No query.
    """
    return [
        MonthPart(month=month, days=days, hours=tidy(total * days / 5)) for month, days in week_months(week)
    ]


def weeks_back(today: date, count: int) -> list[date]:
    """This week's Monday and the ``count - 1`` before it, newest first."""
    this_week = week_start(today)
    return [this_week - timedelta(days=7 * n) for n in range(count)]


@dataclass
class SheetLine:
    """A line of the timesheet: its form key, label, and the hours already logged."""

    key: str
    label: str
    category: str
    hours: Decimal
    note: str = ""
    initiative: Loggable | None = None
    request: Any | None = None
    planned: Decimal | None = None


def timesheet(*, user: User, week: date) -> list[SheetLine]:
    """The lines of ``user``'s timesheet for ``week``: each offered initiative (the top 3), requests,
    customer, meetings, other.

    Initiatives with hours that week but no longer offered, and per-request lines
    logged from the request queue, are listed too. Two or three queries.
    """
    entries = list(
        TimeEntry.objects.filter(user=user, week_start=week).select_related("initiative", "request")
    )
    by_initiative = {e.initiative_id: e for e in entries if e.initiative_id}
    lines = []
    for offered in offered_lines(user, week):
        entry = by_initiative.pop(offered.initiative.pk, None)
        lines.append(
            SheetLine(
                key=f"initiative-{offered.initiative.pk}",
                label=offered.label,
                category=TimeCategory.INITIATIVE,
                hours=entry.hours if entry else ZERO,
                note=entry.note if entry else "",
                initiative=offered.initiative,
                planned=offered.initiative.planned_hours_per_week,
            )
        )
    for entry in by_initiative.values():
        initiative = entry.initiative
        if initiative is None:  # pragma: no cover - the database constraint forbids it
            continue
        lines.append(
            SheetLine(
                key=f"initiative-{entry.initiative_id}",
                label=initiative.title,
                category=TimeCategory.INITIATIVE,
                hours=entry.hours,
                note=entry.note,
                initiative=initiative,
                planned=initiative.planned_hours_per_week,
            )
        )
    for entry in entries:
        request = entry.request
        if request is not None:
            lines.append(
                SheetLine(
                    key=f"request-{request.pk}",
                    label=f"Request: {request}",
                    category=TimeCategory.REQUEST,
                    hours=entry.hours,
                    note=entry.note,
                    request=request,
                )
            )
    general = {e.category: e for e in entries if not e.initiative_id and e.request_id is None}
    for category in (TimeCategory.REQUEST, TimeCategory.CUSTOMER, TimeCategory.MEETINGS, TimeCategory.OTHER):
        entry = general.get(category)
        lines.append(
            SheetLine(
                key=category,
                label=TimeCategory(category).label,
                category=category,
                hours=entry.hours if entry else ZERO,
                note=entry.note if entry else "",
            )
        )
    return lines


def users_who_logged(*, user_ids: Iterable[int], week: date) -> set[int]:
    """Which of ``user_ids`` logged any hours in the week of ``week`` (for the Monday reminder)."""
    return set(
        TimeEntry.objects.filter(user_id__in=list(user_ids), week_start=week, hours__gt=0).values_list(
            "user_id", flat=True
        )
    )
