"""Bulk triage: one step for many requests, each through its own service, with a report per request."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from requests_queue import services
from requests_queue.models import RequestStatus
from requests_queue.workflow import RequestError
from tests.factories import ProductFactory, RequestFactory, TeamFactory

S = RequestStatus


@pytest.fixture
def soon():
    return timezone.localdate() + timedelta(days=7)


def test_five_requests_snoozed_at_once_and_the_one_refused_says_why(make_request, pmm, soon):
    open_ones = [make_request(S.NEW) for _ in range(4)] + [make_request(S.TRIAGED)]
    declined = make_request(S.DECLINED)
    outcomes = services.request_bulk(
        actor=pmm, ids=[r.pk for r in [*open_ones, declined]], action="snooze", until=soon
    )
    assert [o.done for o in outcomes] == [True] * 5 + [False]
    assert "cannot be snoozed" in outcomes[-1].message
    for request in open_ones:
        request.refresh_from_db()
        assert (request.status, request.snoozed_until) == (S.SNOOZED, soon)
    headline, left = services.bulk_summary("snooze", outcomes, until=soon)
    assert headline.startswith(f"Snoozed until {soon:%d %b}: 5 requests (#")
    assert left == [f"#{declined.pk} not changed: {outcomes[-1].message}"]


def test_assigning_many_gives_each_a_due_date_and_refuses_the_unscored(make_request, pmm, soon):
    scored = make_request(S.NEW, needed_by=soon)
    unscored = make_request(S.NEW, reusability=None, educational_value=None)
    outcomes = services.request_bulk(actor=pmm, ids=[scored.pk, unscored.pk], action="assign", assignee=pmm)
    assert [o.done for o in outcomes] == [True, False]
    assert "Score reusability and educational value first" in outcomes[1].message
    scored.refresh_from_db()
    assert (scored.status, scored.assignee, scored.due_date) == (S.TRIAGED, pmm, soon)


def test_declining_many_needs_an_alternative_and_then_sends_it_to_each(make_request, pmm):
    requests = [make_request(S.NEW) for _ in range(2)]
    with pytest.raises(RequestError) as refused:
        services.request_bulk(actor=pmm, ids=[r.pk for r in requests], action="decline", alternative=" ")
    assert "no hard no" in refused.value.message_dict["alternative"][0]
    services.request_bulk(
        actor=pmm, ids=[r.pk for r in requests], action="decline", alternative="Use the Northwind battlecard."
    )
    for request in requests:
        request.refresh_from_db()
        assert (request.status, request.decline_alternative) == (S.DECLINED, "Use the Northwind battlecard.")


def test_requests_of_another_team_are_not_touched(make_request, pmm, sales_rep, soon):
    elsewhere = TeamFactory(name="Data", slug="data")
    theirs = RequestFactory(
        requester=sales_rep,
        product=ProductFactory(team=elsewhere, name="Beacon", slug="beacon"),
        team=elsewhere,
    )
    outcomes = services.request_bulk(actor=pmm, ids=[theirs.pk], action="snooze", until=soon)
    assert outcomes[0].message == "Not found, or not yours to see."
    theirs.refresh_from_db()
    assert theirs.status == S.NEW


def test_type_and_product_are_corrected_and_a_move_to_another_team_frees_the_assignee(
    make_request, pmm, cmo, product
):
    request = make_request(S.TRIAGED)
    services.request_bulk(actor=pmm, ids=[request.pk], action="type", type="pricing_proposal")
    request.refresh_from_db()
    assert request.type == "pricing_proposal"
    assert request.events.latest("pk").message == "Type set to pricing or proposal help."
    elsewhere = TeamFactory(name="Data", slug="data", lead=cmo)
    beacon = ProductFactory(team=elsewhere, name="Beacon", slug="beacon")
    services.request_bulk(actor=pmm, ids=[request.pk], action="product", product=beacon)
    request.refresh_from_db()
    assert (request.product, request.team, request.assignee) == (beacon, elsewhere, None)
    assert "in the Data team's queue" in request.events.latest("pk").message


def test_nothing_selected_or_too_many_is_refused(pmm, soon):
    with pytest.raises(RequestError, match="Select at least one"):
        services.request_bulk(actor=pmm, ids=[], action="snooze", until=soon)
    with pytest.raises(RequestError, match="at most 100"):
        services.request_bulk(actor=pmm, ids=range(1, 102), action="snooze", until=soon)


def test_the_bulk_form_returns_to_the_filtered_queue_with_a_report(client, make_request, pmm, soon):
    requests = [make_request(S.NEW) for _ in range(2)] + [make_request(S.DECLINED)]
    client.force_login(pmm)
    page = client.get(reverse("requests_queue:index") + "?status=all").content.decode()
    assert 'id="bulk-form"' in page
    assert page.count('name="bulk-ids"') >= 3
    response = client.post(
        reverse("requests_queue:bulk"),
        {
            "bulk-ids": [r.pk for r in requests],
            "bulk-action": "snooze",
            "bulk-until": soon.isoformat(),
            "next": "/requests/?status=new",
        },
        follow=True,
    )
    assert response.redirect_chain[0][0] == "/requests/?status=new"
    text = response.content.decode()
    assert "Snoozed until" in text
    assert f"#{requests[2].pk} not changed" in text


def test_a_bulk_step_without_its_field_changes_nothing_and_says_what_is_missing(client, make_request, pmm):
    request = make_request(S.NEW)
    client.force_login(pmm)
    response = client.post(
        reverse("requests_queue:bulk"), {"bulk-ids": [request.pk], "bulk-action": "snooze"}, follow=True
    )
    assert "Nothing was changed: Pick the date they come back." in response.content.decode()
    request.refresh_from_db()
    assert request.status == S.NEW
