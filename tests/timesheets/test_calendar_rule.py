"""The calendar rule in month totals and on the timesheet: a week's hours split across months by working day.

Example weeks of late 2026: Monday 30 November – Sunday 6 December has 1 working day in
November and 4 in December; November starts on Sunday the 1st, so the week of Monday
26 October has none in November.
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from requests_queue.selectors import budget_gauges
from tests.factories import TimeEntryFactory
from timesheets import selectors

D = Decimal
NOV = datetime.date(2026, 11, 1)
DEC = datetime.date(2026, 12, 1)
BOUNDARY = datetime.date(2026, 11, 30)
OCTOBER_WEEK = datetime.date(2026, 10, 26)


def month_totals(user, month):
    first = month
    last = (month + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    return selectors.time_totals(user_ids=[user.pk], start=first, end=last)[user.pk]


@pytest.fixture
def frozen(monkeypatch):
    """Freeze the clock (``timezone.now``) at noon UTC on ``day``, as the request-queue tests do."""

    def freeze(day: datetime.date) -> None:
        moment = datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return freeze


def test_a_40_hour_week_spanning_november_and_december_counts_8_and_32(pmm, team):
    TimeEntryFactory(user=pmm, week_start=BOUNDARY, category="meetings", hours=30)
    TimeEntryFactory(user=pmm, week_start=BOUNDARY, category="request", hours=10)
    november, december = month_totals(pmm, NOV), month_totals(pmm, DEC)
    assert (november.total, november.by_category) == (D("8"), {"meetings": D("6"), "request": D("2")})
    assert (december.total, december.by_category) == (D("32"), {"meetings": D("24"), "request": D("8")})
    # The share of one-off time is the week's, whichever month reads it.
    assert november.one_off_share == december.one_off_share == D("0.25")


def test_a_month_starting_on_sunday_takes_nothing_from_the_week_before(pmm, team):
    TimeEntryFactory(user=pmm, week_start=OCTOBER_WEEK, category="other", hours=40)
    TimeEntryFactory(user=pmm, week_start=datetime.date(2026, 11, 2), category="meetings", hours=40)
    assert month_totals(pmm, NOV).by_category == {"meetings": D("40")}  # 26 October: 0 h in November
    assert month_totals(pmm, datetime.date(2026, 10, 1)).by_category == {"other": D("40")}


def test_month_totals_keep_to_one_query_with_boundary_weeks(pmm, other_pmm, team, django_assert_num_queries):
    for week in (OCTOBER_WEEK, datetime.date(2026, 11, 2), BOUNDARY, datetime.date(2026, 12, 7)):
        TimeEntryFactory(user=pmm, week_start=week, category="other", hours=D("7.5"))
        TimeEntryFactory(user=other_pmm, week_start=week, category="customer", hours=5)
    with django_assert_num_queries(1):
        totals = selectors.time_totals(
            user_ids=[pmm.pk, other_pmm.pk], start=DEC, end=datetime.date(2026, 12, 31)
        )
    # 4/5 of the week of 30 November, then the week of 7 December whole.
    assert totals[pmm.pk].total == D("13.5")
    assert str(totals[pmm.pk].total) == "13.5"  # no trailing zeros from the shares
    assert totals[other_pmm.pk].total == D("9")


def test_the_week_split_names_each_months_days_and_hours():
    assert selectors.week_split(week=BOUNDARY, total=D("40")) == [
        selectors.MonthPart(month=NOV, days=1, hours=D("8")),
        selectors.MonthPart(month=DEC, days=4, hours=D("32")),
    ]
    assert selectors.week_split(week=OCTOBER_WEEK, total=D("40")) == [
        selectors.MonthPart(month=datetime.date(2026, 10, 1), days=5, hours=D("40"))
    ]


def test_the_timesheet_shows_how_a_boundary_week_splits(client, pmm, team, frozen):
    frozen(datetime.date(2026, 12, 2))
    TimeEntryFactory(user=pmm, week_start=BOUNDARY, category="meetings", hours=40)
    client.force_login(pmm)
    html = " ".join(client.get("/initiatives/timesheet/?week=2026-11-30").content.decode().split())
    assert "This week spans two months: 1 of 5 days in November, 4 of 5 days in December." in html
    assert "As saved, 40 h: 8 h in November, 32 h in December" in html
    assert "split across months by working day" in html  # the rule, in its words

    html = client.get("/initiatives/timesheet/?week=2026-11-23").content.decode()
    assert 'id="ts-months"' not in html
    assert 'id="ts-month-split"' not in html


def test_the_one_off_gauge_counts_the_boundary_week_by_working_day(pmm, team):
    """On 2 December the gauge already reads four fifths of the week of 30 November, not "0 of 0 h"."""
    TimeEntryFactory(user=pmm, week_start=BOUNDARY, category="meetings", hours=30)
    TimeEntryFactory(user=pmm, week_start=BOUNDARY, category="request", hours=10)
    (december,) = budget_gauges(team=team, users=[pmm], today=datetime.date(2026, 12, 2))
    assert (december.request_hours, december.total_hours, december.share_pct) == (D("8"), D("32"), D("25.0"))
    assert december.hours_text == "8 h on requests of 32 h logged this month."
    assert december.share_text == "25.0 %"
    (november,) = budget_gauges(team=team, users=[pmm], today=datetime.date(2026, 11, 30))
    assert (november.request_hours, november.total_hours) == (D("2"), D("8"))


def test_an_empty_gauge_says_so_instead_of_0_of_0(pmm, team):
    # The week of 26 October has no working day in November: nothing counts there yet.
    TimeEntryFactory(user=pmm, week_start=OCTOBER_WEEK, category="request", hours=10)
    (gauge,) = budget_gauges(team=team, users=[pmm], today=datetime.date(2026, 11, 1))
    assert not gauge.has_time
    assert gauge.hours_text == "No time logged yet this month."
    assert gauge.share_text == "–"
