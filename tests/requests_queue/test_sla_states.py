"""A truthful queue: each open request's SLA state (overdue, due soon, on track, paused) in business days,
in its team's time zone, the same on each row, in the header's counters, behind their links and in the API.

Time is frozen by replacing ``django.utils.timezone.now`` (as in ``test_time_zones``). The team works
in Paris (the factories' zone) unless a test moves it.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from requests_queue import selectors, services
from requests_queue.models import Request, RequestStatus
from requests_queue.services.sla import SlaState

S = RequestStatus
# 09:00 UTC on Wednesday 11 March 2026 (10:00 in Paris).
WEDNESDAY = datetime(2026, 3, 11, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock(monkeypatch):
    """``clock.at(moment)`` freezes time there (``clock.at`` again moves it)."""

    class Clock:
        def at(self, moment: datetime) -> None:
            monkeypatch.setattr(timezone, "now", lambda: moment)

    frozen = Clock()
    frozen.at(WEDNESDAY)
    return frozen


def created(request: Request, moment: datetime) -> Request:
    """The request as if submitted at ``moment`` (``created_at`` is set on insert)."""
    Request.objects.filter(pk=request.pk).update(created_at=moment)
    return Request.objects.select_related("team").get(pk=request.pk)


def sla(request: Request):
    (clocked,) = selectors.attach_sla([Request.objects.select_related("team").get(pk=request.pk)])
    return clocked.sla


# --- Each state, in business days ------------------------------------------------------------------


def test_a_snoozed_request_is_paused_never_late(clock, make_request, pmm):
    # Submitted three weeks ago and needed last week: without the pause it would be long overdue.
    request = created(make_request(S.NEW, needed_by=date(2026, 3, 4)), WEDNESDAY - timedelta(days=21))
    services.request_snooze(request=request, actor=pmm, until=date(2026, 3, 16))
    state = sla(request)
    assert state.state == SlaState.PAUSED
    assert state.label == "Paused (snoozed until 16 Mar)"
    assert state.days_left is None
    assert not state.overdue


def test_a_waiting_request_is_paused_and_says_since_when(clock, make_request, pmm):
    request = created(make_request(S.NEW), WEDNESDAY - timedelta(days=14))
    services.request_ask_info(request=request, actor=pmm, question="Which competitor is it?")
    clock.at(WEDNESDAY + timedelta(days=6))  # a week on, still no answer: paused, not late
    state = sla(request)
    assert state.state == SlaState.PAUSED
    assert state.label == "Waiting on requester since 11 Mar"


def test_a_request_due_next_week_is_on_track_not_late(clock, make_request, pmm):
    request = make_request(S.NEW, needed_by=date(2026, 3, 20))
    services.request_accept(request=request, actor=pmm, assignee=pmm, due_date=date(2026, 3, 18))
    state = sla(request)
    assert state.state == SlaState.ON_TRACK
    assert state.label == "Due 18 Mar, in 5 business days"


@pytest.mark.parametrize(
    ("due", "expected", "label"),
    [
        (date(2026, 3, 11), SlaState.DUE_SOON, "Due today"),
        (date(2026, 3, 13), SlaState.DUE_SOON, "Due 13 Mar, in 2 business days"),
        (
            date(2026, 3, 16),
            SlaState.ON_TRACK,
            "Due 16 Mar, in 3 business days",
        ),  # the weekend is not counted
        (date(2026, 3, 10), SlaState.OVERDUE, "Due 10 Mar: 1 business day late"),
        (date(2026, 3, 6), SlaState.OVERDUE, "Due 06 Mar: 3 business days late"),
    ],
)
def test_the_state_follows_the_business_days_to_the_due_date(clock, make_request, pmm, due, expected, label):
    request = make_request(S.TRIAGED, due_date=due)
    state = sla(request)
    assert (state.state, state.label) == (expected, label)


def test_a_truly_late_request_is_overdue_and_only_it_is_red_in_the_queue(client, clock, make_request, pmm):
    make_request(S.TRIAGED, title="Late deck", due_date=date(2026, 3, 9))
    make_request(S.TRIAGED, title="Next week's deck", due_date=date(2026, 3, 18))
    make_request(S.SNOOZED, title="Snoozed deck", snoozed_until=date(2026, 3, 20))
    client.force_login(pmm)
    html = client.get("/requests/").content.decode()
    rows = {title: html[html.index(title) - 700 : html.index(title)] for title in ("Late deck", "Next week")}
    assert "rq-row-overdue" in rows["Late deck"]
    assert "rq-row-overdue" not in rows["Next week"]
    assert html.count("rq-row-overdue") == 1
    assert "Due 09 Mar: 2 business days late" in html
    assert "Due 18 Mar, in 5 business days" in html
    assert "Paused (snoozed until 20 Mar)" in html
    assert html.count("text-bg-danger") == 1  # one red badge: the late one's


def test_business_days_count_in_the_teams_time_zone(clock, make_request, team):
    team.time_zone = "Pacific/Auckland"  # UTC+13 in March
    team.save(update_fields=["time_zone"])
    # 10:30 UTC on Friday 13 March is 23:30 that Friday in Auckland: acknowledge within one business
    # day is Monday 16 there (on the server's date it would already be Saturday, and Tuesday).
    request = created(make_request(S.NEW, type="slides"), datetime(2026, 3, 13, 10, 30, tzinfo=UTC))
    clock.at(datetime(2026, 3, 15, 20, 0, tzinfo=UTC))  # Sunday evening in UTC, Monday 09:00 in Auckland
    state = sla(request)
    assert state.acknowledge_by == date(2026, 3, 16)
    assert (state.state, state.label) == (SlaState.DUE_SOON, "Acknowledge today")
    clock.at(datetime(2026, 3, 16, 20, 0, tzinfo=UTC))  # Tuesday 09:00 in Auckland
    state = sla(request)
    assert (state.state, state.label) == (SlaState.OVERDUE, "Acknowledge: 1 business day late")


# --- Pauses do not count once the request resumes ------------------------------------------------


def test_the_days_waiting_on_the_requester_move_the_due_date_back(clock, make_request, pmm, sales_rep):
    request = make_request(S.NEW, needed_by=date(2026, 3, 20))
    services.request_accept(request=request, actor=pmm, assignee=pmm, due_date=date(2026, 3, 13))
    services.request_ask_info(request=request, actor=pmm, question="Is it for the CFO or for IT?")
    clock.at(WEDNESDAY + timedelta(days=7))  # five business days later the rep answers
    services.request_comment(request=request, actor=sales_rep, body="For the CFO.")
    request.refresh_from_db()
    assert request.status == S.TRIAGED
    assert request.paused_business_days == 5
    assert request.due_date == date(2026, 3, 20)  # Friday 13 + the five business days paused
    state = sla(request)
    # Without the pause it would be "3 business days late"; the pause does not count against it.
    assert (state.state, state.label) == (SlaState.DUE_SOON, "Due 20 Mar, in 2 business days")
    assert "the 5 business days paused do not count" in request.events.last().message


def test_the_days_snoozed_push_the_teams_targets_back(clock, make_request, pmm):
    # Submitted Monday 9 March; slides: acknowledge within 1, deliver within 5 business days.
    request = created(
        make_request(S.NEW, type="slides", reusability=None, educational_value=None),
        datetime(2026, 3, 9, 9, 0, tzinfo=UTC),
    )
    clock.at(datetime(2026, 3, 9, 10, 0, tzinfo=UTC))
    services.request_snooze(request=request, actor=pmm, until=date(2026, 3, 16))
    clock.at(datetime(2026, 3, 16, 6, 0, tzinfo=UTC))  # Monday 16 March, 07:00 in Paris
    assert services.request_wake_snoozed() == 1
    state = sla(request)
    assert state.paused_business_days == 5
    assert state.deliver_by == date(2026, 3, 23)  # 9 March + 5 + the 5 paused
    # Counting the snooze it would be "Deliver today"; it is not counted.
    assert (state.state, state.label) == (SlaState.ON_TRACK, "Deliver in 5 business days")


# --- The counters equal the rows their links list (page and API) -----------------------------------


@pytest.fixture
def mixed_queue(clock, make_request, pmm, other_product):
    """Two overdue, one due soon, three on track, two paused, and closed ones (no state)."""
    for title, due in (("Late A", date(2026, 3, 2)), ("Late B", date(2026, 3, 10))):
        make_request(S.TRIAGED, title=title, due_date=due)
    make_request(S.IN_PROGRESS, title="Soon", due_date=date(2026, 3, 12))
    for n in range(3):
        make_request(S.TRIAGED, title=f"Calm {n}", due_date=date(2026, 3, 25))
    make_request(S.SNOOZED, title="Snoozed", snoozed_until=date(2026, 3, 18))
    make_request(S.WAITING, title="Waiting")
    make_request(S.DELIVERED, title="Done", due_date=date(2026, 3, 2))
    make_request(S.DECLINED, title="No")
    # Another team's late request: not in this PMM's queue or counters.
    Request.objects.create(
        requester=pmm,
        product=other_product,
        team=other_product.team,
        title="Elsewhere",
        needed_by=date(2026, 3, 2),
        status=S.TRIAGED,
        due_date=date(2026, 3, 2),
    )
    return {"overdue": 2, "due_soon": 1, "on_track": 3, "paused": 2}


def test_each_counter_equals_the_rows_its_link_lists_on_the_page(client, pmm, mixed_queue):
    client.force_login(pmm)
    page = client.get("/requests/")
    summary = page.context["summary"]
    assert {state: summary[state] for state in SlaState.values} == mixed_queue
    html = page.content.decode()
    for state in SlaState.values:
        assert f'href="?sla={state}"' in html
        listed = client.get("/requests/", {"sla": state}).context
        rows = list(listed["object_list"])
        assert listed["page_obj"].paginator.count == summary[state] == len(rows), state
        assert {row.sla.state for row in rows} == {state}, state


def test_each_counter_equals_what_the_api_lists_with_the_same_filter(api_client, pmm, mixed_queue):
    api_client.force_authenticate(pmm)
    everything = api_client.get("/api/v1/requests/").json()["results"]
    by_state = {state: sum(1 for r in everything if r["sla_state"] == state) for state in SlaState.values}
    assert by_state == mixed_queue
    for state, expected in mixed_queue.items():
        body = api_client.get("/api/v1/requests/", {"sla": state}).json()
        assert body["count"] == expected, state
        assert {r["sla_state"] for r in body["results"]} == {state}
    closed = next(r for r in everything if r["title"] == "Done")
    assert (closed["sla_state"], closed["sla_label"], closed["is_overdue"]) == (None, None, False)
    late = next(r for r in everything if r["title"] == "Late A")
    assert (late["sla_state"], late["sla_label"], late["is_overdue"]) == (
        "overdue",
        "Due 02 Mar: 7 business days late",
        True,
    )


def test_an_unknown_sla_state_is_flagged_and_ignored(client, pmm, mixed_queue):
    client.force_login(pmm)
    response = client.get("/requests/", {"sla": "late-ish"})
    assert response.status_code == 200
    assert "Some filters were not understood" in response.content.decode()
    assert response.context["page_obj"].paginator.count == 8  # every open request of the team


def test_the_pmm_home_card_links_to_the_overdue_filter(client, pmm, mixed_queue):
    client.force_login(pmm)
    html = client.get("/").content.decode()
    assert "/requests/?sla=overdue" in html
