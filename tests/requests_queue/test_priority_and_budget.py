"""Priority and one-off budget figures, against fixtures computed by hand."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from requests_queue import selectors, services
from requests_queue.models import RequestStatus
from tests.factories import UserFactory
from timesheets.services import time_entry_add_request_hours

TODAY = date(2026, 3, 11)  # a Wednesday


@pytest.mark.parametrize(
    ("reuse", "learning", "value", "needed_in", "effort", "expected"),
    [
        # 3·5 + 2·4 + 2·4 (250k) + 3·3 (7 days) = 40; effort 8 h → 40 / 1.5 = 26.7
        (5, 4, Decimal(250_000), 7, Decimal(8), Decimal("26.7")),
        # 3·1 + 2·1 + 0 + 3·0 (60 days) = 5; no effort → 5.0
        (1, 1, None, 60, None, Decimal("5.0")),
        # unscored count as 3: 9 + 6 + 2·1 (5k) + 3·5 (late) = 32; 16 h → 32 / 2 = 16.0
        (None, None, Decimal(5_000), -2, Decimal(16), Decimal("16.0")),
        # 3·2 + 2·5 + 2·5 (1M) + 3·4 (3 days) = 38; 4 h → 38 / 1.25 = 30.4
        (2, 5, Decimal(1_000_000), 3, Decimal(4), Decimal("30.4")),
        # 3·3 + 2·3 + 2·2 (10k) + 3·2 (14 days) = 25; 0 h → 25.0
        (3, 3, Decimal(10_000), 14, Decimal(0), Decimal("25.0")),
    ],
)
def test_priority_matches_the_documented_formula(reuse, learning, value, needed_in, effort, expected):
    assert (
        services.compute_priority(
            reusability=reuse,
            educational_value=learning,
            opportunity_value=value,
            needed_by=TODAY + timedelta(days=needed_in),
            effort_hours=effort,
            today=TODAY,
        )
        == expected
    )


def test_the_formula_is_documented_where_people_see_it():
    assert "3 × reusability" in services.PRIORITY_HELP
    assert (
        "services.PRIORITY_HELP" not in services.compute_priority.__doc__
    )  # the docstring explains, not points


def test_the_queue_is_ordered_by_priority(client, pmm, make_request):
    low = make_request(RequestStatus.NEW, title="Low one", priority=Decimal("5.0"))
    high = make_request(RequestStatus.NEW, title="High one", priority=Decimal("30.0"))
    client.force_login(pmm)
    html = client.get("/requests/").content.decode()
    assert html.index(high.title) < html.index(low.title)


def test_priorities_are_refreshed_as_dates_approach(make_request):
    request = make_request(
        RequestStatus.NEW, needed_by=date.today() + timedelta(days=40), priority=Decimal(0)
    )
    assert services.request_refresh_priorities() == 1
    request.refresh_from_db()
    assert request.priority > 0


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


@pytest.fixture
def logged(team, pmm, monkeypatch):
    """This month: Priya 36 h of which 6 h on requests (16.7 %); Noor 40 h of which 2 h (5 %).

    Time stands at noon on Monday 9 March 2026, whose week lies wholly in March: a week
    that spans two months counts in each by its working days (the calendar rule), so a
    week of this test's own date could count only partly in "this month".
    """
    from datetime import UTC, datetime, time

    from django.utils import timezone

    from timesheets.models import TimeEntry

    monday = _monday(TODAY)
    monkeypatch.setattr(timezone, "now", lambda: datetime.combine(monday, time(12), tzinfo=UTC))
    noor = UserFactory(username="noor", first_name="Noor", role="pmm")
    team.members.add(noor)
    week = monday
    TimeEntry.objects.create(user=pmm, week_start=week, category="meetings", hours=Decimal(30))
    TimeEntry.objects.create(user=noor, week_start=week, category="meetings", hours=Decimal(38))
    return noor, week


def test_budget_gauge_figures(team, pmm, logged, make_request):
    noor, week = logged
    request = make_request(RequestStatus.IN_PROGRESS)
    time_entry_add_request_hours(user=pmm, request=request, week_start=week, hours=Decimal(6))
    time_entry_add_request_hours(user=noor, request=request, week_start=week, hours=Decimal(2))

    gauges = {g.user.username: g for g in selectors.budget_gauges(team=team, extra_hours=Decimal(4))}
    priya, noor_gauge = gauges["pmm"], gauges["noor"]
    # Priya: 6 / 36 = 16.7 % → over the 10–15 % band already; +4 h → 10 / 40 = 25 %
    assert (priya.request_hours, priya.total_hours, priya.share_pct) == (
        Decimal(6),
        Decimal(36),
        Decimal("16.7"),
    )
    assert priya.status == "over"
    assert priya.projected_pct == Decimal("25.0")
    assert priya.would_exceed
    # Noor: 2 / 40 = 5 % → under; +4 h → 6 / 44 = 13.6 %, inside the band
    assert noor_gauge.share_pct == Decimal("5.0")
    assert noor_gauge.status == "under"
    assert noor_gauge.projected_pct == Decimal("13.6")
    assert not noor_gauge.would_exceed
    assert services.suggest_assignee(list(gauges.values())).user == noor


def test_projection_for_an_empty_month_uses_a_week_of_work(team, pmm):
    (gauge,) = selectors.budget_gauges(team=team, users=[pmm], extra_hours=Decimal(4))
    # nothing logged: 4 h over at least 40 h → 10 %, not 100 %
    assert gauge.share_pct == 0
    assert gauge.projected_pct == Decimal("10.0")


def test_triage_panel_warns_before_an_assignment_pushes_someone_over(client, pmm, logged, make_request, team):
    _noor, week = logged
    request = make_request(RequestStatus.IN_PROGRESS)
    time_entry_add_request_hours(user=pmm, request=request, week_start=week, hours=Decimal(6))
    new = make_request(RequestStatus.NEW, effort_hours=Decimal(4))
    client.force_login(pmm)
    html = client.get(f"/requests/{new.pk}/").content.decode()
    assert "would take Priya to 25.0 %, over the 15 % band" in html
    assert "Most headroom: <strong>Noor" in html
