"""Calendar arithmetic every app shares: months, weeks (they start on Monday) and "today" for a team.

The calendar rule for logged time (one rule, shown in the footnotes): time is logged
per week (Monday to Sunday), and a week's hours are split across months by its
working days. A week of Monday 30 November counts 1/5 in November and 4/5 in
December; a week whose working days all fall in one month counts wholly there.
The plan, the timesheet, the one-off budget gauge, the dashboard and the reports
all count time this way (``week_share_in_month``).
"""

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone

if TYPE_CHECKING:
    from pmm_portal.core.models import Team


def today_in(team: "Team | None", *, now: datetime | None = None) -> date:
    """Today's date in ``team``'s time zone (the server's without a team)."""
    now = now or timezone.now()
    return now.astimezone(team.zone).date() if team else timezone.localdate(now)


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, count: int) -> date:
    """The first day of the month ``count`` months after ``month`` (before it when negative)."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def month_end(month: date) -> date:
    return add_months(month, 1) - timedelta(days=1)


def week_start(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


CALENDAR_RULE = (
    "Time is logged by week and split across months by working day: a week that spans two months "
    "counts each working day (Monday to Friday) in its own month."
)


def week_share_in_month(week: date, month: date) -> Decimal:
    """The share (0–1, in fifths) of the week starting ``week`` that counts in ``month``: its working days there."""
    first, end = month_start(month), add_months(month_start(month), 1)
    days = sum(1 for n in range(5) if first <= week + timedelta(days=n) < end)
    return Decimal(days) / 5


def weeks_touching(month: date) -> tuple[date, date]:
    """The Mondays (first inclusive, last inclusive) of the weeks with a working day in ``month``."""
    first = month_start(month)
    last = month_end(first)
    # A month starting on Saturday or Sunday has no working day in the week before it.
    start = week_start(first) if first.weekday() < 5 else week_start(first) + timedelta(days=7)
    return start, week_start(last)


def partial_weeks(month: date) -> dict[date, Decimal]:
    """The weeks of ``month`` that count only partly in it, with their share (the boundary weeks)."""
    start, end = weeks_touching(month)
    shares = {week: week_share_in_month(week, month) for week in (start, end)}
    return {week: share for week, share in shares.items() if share < 1}


def weeks_by_working_days(month: date) -> float:
    """How many weeks of work ``month`` holds: its working days over five (e.g. 4.4 for 22 days)."""
    start, end = weeks_touching(month)
    total = Decimal(0)
    week = start
    while week <= end:
        total += week_share_in_month(week, month)
        week += timedelta(days=7)
    return float(total)


def working_day(month: date, n: int) -> date:
    """The ``n``-th working day (Monday to Friday) of ``month``."""
    day = month_start(month)
    seen = 0
    while True:
        if day.weekday() < 5:
            seen += 1
            if seen == n:
                return day
        day += timedelta(days=1)


def parse_month(value: str | None) -> date | None:
    """``YYYY-MM`` to the month's first day, or None when it is not a month."""
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        return date(year, month, 1)
    except (TypeError, ValueError):
        return None


def parse_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return None


def business_days_between(start: date, end: date) -> int:
    """Business days (Monday–Friday) from ``start`` to ``end``; negative when ``end`` is earlier."""
    if end < start:
        return -business_days_between(end, start)
    whole_weeks, rest = divmod((end - start).days, 7)
    days = whole_weeks * 5
    for offset in range(1, rest + 1):
        if (start + timedelta(days=offset)).weekday() < 5:
            days += 1
    return days


def add_business_days(start: date, days: int) -> date:
    """The date ``days`` business days (Monday–Friday) after ``start``."""
    current = start
    added = 0
    while added < days:
        current += timedelta(days=1)
        if current.weekday() < 5:
            added += 1
    return current


def weeks_of(month: date) -> list[date]:
    """The Mondays of the weeks with a working day in ``month`` (``weeks_touching`` as a list)."""
    start, end = weeks_touching(month)
    return [start + timedelta(days=7 * n) for n in range((end - start).days // 7 + 1)]


def week_months(week: date) -> list[tuple[date, int]]:
    """The months the working days of the week starting ``week`` fall in, with how many (of five) in each.

    One month for most weeks (``[(November, 5)]``); two for a week that spans a month's
    end (``[(November, 1), (December, 4)]`` for the week of Monday 30 November 2026).
    """
    days: dict[date, int] = {}
    for n in range(5):
        month = month_start(week + timedelta(days=n))
        days[month] = days.get(month, 0) + 1
    return list(days.items())


def weeks_touching_days(first: date, last: date) -> tuple[date, date]:
    """The Mondays (both inclusive) of the first and last weeks with a working day from ``first`` to
    ``last``; the first comes after the last when the period holds no working day."""
    start = week_start(first) if first.weekday() < 5 else week_start(first) + timedelta(days=7)
    return start, week_start(last)


def week_share_in_days(week: date, first: date, last: date) -> Decimal:
    """The share (0–1, in fifths) of the week starting ``week`` that counts from ``first`` to ``last``
    (inclusive): its working days in that period. ``week_share_in_month`` for any period."""
    days = sum(1 for n in range(5) if first <= week + timedelta(days=n) <= last)
    return Decimal(days) / 5
