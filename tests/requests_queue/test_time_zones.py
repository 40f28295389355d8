"""Request dates are the team's dates: near midnight UTC, Auckland is already tomorrow and Los Angeles still yesterday.

The server runs on UTC. Time is frozen by replacing ``django.utils.timezone.now``.
"""

from datetime import UTC, date, datetime

import pytest
from django.utils import timezone

from pmm_portal.core.dates import today_in
from requests_queue import selectors, services
from requests_queue.models import Request, RequestStatus

S = RequestStatus
# 11:30 UTC on Tuesday 10 March 2026: 00:30 on Wednesday 11 March in Auckland (UTC+13).
AUCKLAND_NOW = datetime(2026, 3, 10, 11, 30, tzinfo=UTC)
# 03:00 UTC on Tuesday 10 March 2026: 20:00 on Monday 9 March in Los Angeles (UTC-7).
LOS_ANGELES_NOW = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)


@pytest.fixture
def freeze(monkeypatch):
    def at(moment: datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return at


@pytest.fixture
def in_zone(team):
    def move(zone: str):
        team.time_zone = zone
        team.save(update_fields=["time_zone"])
        return team

    return move


def test_a_team_far_east_is_already_on_tomorrow(freeze, in_zone):
    freeze(AUCKLAND_NOW)
    team = in_zone("Pacific/Auckland")
    assert timezone.localdate() == date(2026, 3, 10)  # the server's date
    assert today_in(team) == date(2026, 3, 11)


def test_needed_by_is_judged_on_the_teams_date(freeze, in_zone, sales_rep, product):
    freeze(AUCKLAND_NOW)
    in_zone("Pacific/Auckland")
    with pytest.raises(services.RequestError, match="in the past"):
        services.request_submit(
            requester=sales_rep, product=product, type="slides", title="Deck", needed_by=date(2026, 3, 10)
        )
    assert not Request.objects.exists()
    services.request_submit(
        requester=sales_rep, product=product, type="slides", title="Deck", needed_by=date(2026, 3, 11)
    )


def test_a_team_far_west_may_still_ask_for_its_today(freeze, in_zone, sales_rep, product):
    freeze(LOS_ANGELES_NOW)
    in_zone("America/Los_Angeles")
    request = services.request_submit(
        requester=sales_rep, product=product, type="slides", title="Deck", needed_by=date(2026, 3, 9)
    )
    assert request.needed_by == date(2026, 3, 9)


def test_snoozed_requests_wake_on_their_teams_date(freeze, in_zone, make_request):
    freeze(AUCKLAND_NOW)
    in_zone("Pacific/Auckland")
    snoozed = make_request(S.SNOOZED, snoozed_until=date(2026, 3, 11))
    assert services.request_wake_snoozed() == 1
    assert Request.objects.get(pk=snoozed.pk).status == S.TRIAGED


def test_a_request_of_a_team_behind_the_server_sleeps_until_its_own_morning(freeze, in_zone, make_request):
    freeze(LOS_ANGELES_NOW)
    in_zone("America/Los_Angeles")
    snoozed = make_request(S.SNOOZED, snoozed_until=date(2026, 3, 10))
    assert services.request_wake_snoozed() == 0
    assert Request.objects.get(pk=snoozed.pk).status == S.SNOOZED


def test_snoozing_until_the_teams_today_is_refused(freeze, in_zone, make_request, pmm):
    freeze(AUCKLAND_NOW)
    in_zone("Pacific/Auckland")
    with pytest.raises(services.RequestError, match="future"):
        services.request_snooze(request=make_request(S.NEW), actor=pmm, until=date(2026, 3, 11))


def test_the_sla_clock_counts_from_the_teams_date(freeze, in_zone, make_request):
    freeze(AUCKLAND_NOW)
    team = in_zone("Pacific/Auckland")
    request = make_request(S.NEW, type="slides")  # acknowledge within 1 business day
    Request.objects.filter(pk=request.pk).update(created_at=AUCKLAND_NOW)
    request = Request.objects.select_related("team").get(pk=request.pk)
    (clocked,) = selectors.attach_sla([request])
    # Created on Wednesday 11 March in Auckland: acknowledge by Thursday 12, one business day left.
    assert clocked.sla.acknowledge_by == date(2026, 3, 12)
    assert clocked.sla.days_left == 1
    assert team.time_zone == "Pacific/Auckland"
