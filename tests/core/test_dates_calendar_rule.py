"""The calendar rule's arithmetic: a week's hours split across months by working day (Monday to Friday)."""

import datetime
from decimal import Decimal

import pytest

from pmm_portal.core.dates import (
    add_months,
    month_end,
    partial_weeks,
    week_months,
    week_share_in_days,
    week_share_in_month,
    weeks_by_working_days,
    weeks_of,
    weeks_touching,
    weeks_touching_days,
)

D = Decimal
NOV = datetime.date(2026, 11, 1)  # starts on a Sunday, ends on Monday the 30th
DEC = datetime.date(2026, 12, 1)
BOUNDARY = datetime.date(2026, 11, 30)  # Monday 30 November – Sunday 6 December 2026


def test_a_week_spanning_two_months_counts_by_working_day():
    assert week_share_in_month(BOUNDARY, NOV) == D("0.2")
    assert week_share_in_month(BOUNDARY, DEC) == D("0.8")
    assert week_months(BOUNDARY) == [(NOV, 1), (DEC, 4)]


def test_a_month_starting_on_sunday_has_no_share_of_the_week_before():
    """Monday 26 October – Sunday 1 November 2026: only its Sunday is in November, and Sunday is no working day."""
    october_week = datetime.date(2026, 10, 26)
    assert week_share_in_month(october_week, NOV) == 0
    assert week_share_in_month(october_week, datetime.date(2026, 10, 1)) == 1
    assert week_months(october_week) == [(datetime.date(2026, 10, 1), 5)]
    assert weeks_touching(NOV) == (datetime.date(2026, 11, 2), BOUNDARY)
    assert weeks_of(NOV) == [datetime.date(2026, 11, d) for d in (2, 9, 16, 23, 30)]
    assert partial_weeks(NOV) == {BOUNDARY: D("0.2")}


def test_weeks_of_work_in_a_month():
    assert weeks_by_working_days(NOV) == pytest.approx(4.2)  # 21 working days
    assert weeks_by_working_days(DEC) == pytest.approx(4.6)  # 23 working days
    assert weeks_of(DEC) == [BOUNDARY, *(datetime.date(2026, 12, d) for d in (7, 14, 21, 28))]


def test_any_period_counts_as_a_month_does():
    """``week_share_in_days`` and ``weeks_touching_days`` agree with the month functions for every
    week and month of 2026 and 2027, and each week's shares add up to one."""
    month = datetime.date(2026, 1, 1)
    for _ in range(24):
        assert weeks_touching_days(month, month_end(month)) == weeks_touching(month)
        for week in weeks_of(month):
            assert week_share_in_days(week, month, month_end(month)) == week_share_in_month(week, month)
            assert (
                sum(
                    week_share_in_month(week, m) for m in (add_months(month, -1), month, add_months(month, 1))
                )
                == 1
            )
        month = add_months(month, 1)


def test_a_period_without_working_days_touches_no_week():
    saturday, sunday = datetime.date(2026, 12, 5), datetime.date(2026, 12, 6)
    first, last = weeks_touching_days(saturday, sunday)
    assert first > last
    assert week_share_in_days(BOUNDARY, BOUNDARY, BOUNDARY + datetime.timedelta(days=6)) == 1
