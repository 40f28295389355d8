"""Triage decisions taken on a queue row (accept, snooze, duplicate, decline, ask), and undo for
them and for a bulk step (issue 13: each step from the queue without leaving it, undo for a
mistaken decision within a few seconds)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from pmm_portal.core.dates import today_in
from requests_queue import services
from requests_queue.models import Asset, RequestFollower, RequestStatus
from requests_queue.workflow import RequestError
from tests.factories import UserFactory

S = RequestStatus
HX = {"HTTP_HX_REQUEST": "true"}


def decide(client, request, **fields):
    return client.post(
        reverse("requests_queue:triage", args=[request.pk]), {"in": "queue", **fields}, **HX
    ).content.decode()


def token_in(row: str) -> str:
    return row.split('name="token" value="')[1].split('"')[0]


# --- The decide form ------------------------------------------------------------------------------


def test_the_decide_form_opens_on_the_key_s_decision_with_one_key_defaults(client, make_request, pmm):
    request = make_request(S.NEW, assignee=None, due_date=None)
    client.force_login(pmm)
    form = client.get(
        reverse("requests_queue:decide_in_queue", args=[request.pk]) + "?move=snooze", **HX
    ).content.decode()
    assert '<option value="snooze" selected>' in form
    week = today_in(request.team) + timedelta(days=services.SNOOZE_DAYS)
    assert f'value="{week.isoformat()}"' in form  # snoozed a week unless another date is picked
    assert f'value="{request.needed_by.isoformat()}"' in form  # accepting: due when the rep needs it
    assert f'<option value="{pmm.pk}" selected>' in form  # and the PMM deciding takes it
    assert 'value="reuse"' not in form  # answering from the library needs its search: on the page
    assert f'id="rq-{request.pk}-snoozed_until"' in form  # the row's own ids, many rows per page
    assert "hx-get" not in form.split("snoozed_until")[0].split("due_date")[-1]


def test_a_closed_request_has_no_decide_form_and_sales_cannot_open_one(client, make_request, pmm, sales_rep):
    closed = make_request(S.DELIVERED)
    client.force_login(pmm)
    queue = client.get(reverse("requests_queue:index") + "?status=all").content.decode()
    assert reverse("requests_queue:decide_in_queue", args=[closed.pk]) not in queue
    request = make_request(S.NEW)
    client.force_login(sales_rep)
    response = client.get(reverse("requests_queue:decide_in_queue", args=[request.pk]), **HX)
    assert response.status_code == 403


def test_accepting_in_the_row_assigns_and_offers_undo_that_puts_it_back(client, make_request, pmm):
    request = make_request(S.NEW, assignee=None, due_date=None)
    client.force_login(pmm)
    row = decide(client, request, decision="accept", assignee=pmm.pk, due_date=request.needed_by.isoformat())
    assert "Accepted and assigned to Priya Mehta" in row
    assert f'id="rq-{request.pk}"' in row
    assert "<tr" in row
    request.refresh_from_db()
    assert (request.status, request.assignee) == (S.TRIAGED, pmm)
    undone = client.post(
        reverse("requests_queue:undo", args=[request.pk]), {"in": "queue", "token": token_in(row)}, **HX
    ).content.decode()
    assert "Undone: as it was." in undone
    request.refresh_from_db()
    assert (request.status, request.assignee, request.due_date) == (S.NEW, None, None)


def test_an_unscored_request_decided_from_the_queue_asks_for_its_scores_and_keeps_what_was_typed(
    client, make_request, pmm
):
    request = make_request(S.NEW, reusability=None, educational_value=None, effort_hours=None)
    client.force_login(pmm)
    response = client.post(
        reverse("requests_queue:triage", args=[request.pk]),
        {"in": "queue", "decision": "decline", "decline_alternative": "Use the Atlas one-pager"},
        **HX,
    )
    assert response["HX-Retarget"] == "#rq-decide-body"  # the dialog again, not the row
    row = response.content.decode()
    assert "Nothing was changed: fix what is marked below." in row
    assert "Give reusability a score from 1 to 5." in row
    assert "Use the Atlas one-pager" in row  # the form is open again with what was typed
    assert '<option value="decline" selected>' in row
    request.refresh_from_db()
    assert request.status == S.NEW
    row = decide(
        client,
        request,
        decision="decline",
        decline_alternative="Use the Atlas one-pager",
        reusability=1,
        educational_value=1,
        effort_hours="2",
    )
    assert "Declined, with the alternative you offered." in row
    request.refresh_from_db()
    assert (request.status, request.reusability) == (S.DECLINED, 1)


def test_a_snooze_in_the_past_is_refused_in_the_row(client, make_request, pmm):
    request = make_request(S.TRIAGED)
    client.force_login(pmm)
    row = decide(client, request, decision="snooze", snoozed_until=timezone.localdate().isoformat())
    assert "Snooze until a future date." in row
    request.refresh_from_db()
    assert request.status == S.TRIAGED


def test_a_duplicate_marked_in_the_row_and_undone_takes_back_the_followers_it_brought(
    client, make_request, pmm, sales_rep
):
    original = make_request(S.IN_PROGRESS, requester=UserFactory(role="sales"))
    services.refresh_priority(original)
    original.save()
    priority_before = original.priority
    duplicate = make_request(S.NEW, opportunity_value=Decimal("900000"))
    client.force_login(pmm)
    row = decide(client, duplicate, decision="duplicate", duplicate_of=original.pk)
    assert f"Marked as a duplicate of #{original.pk}" in row
    assert RequestFollower.objects.filter(request=original, user=sales_rep).exists()
    original.refresh_from_db()
    assert original.priority > priority_before  # the rep's deal now counts on the original

    services.request_undo(actor=pmm, token=token_in(row), request_id=duplicate.pk)
    duplicate.refresh_from_db()
    original.refresh_from_db()
    assert (duplicate.status, duplicate.duplicate_of_id) == (S.NEW, None)
    assert not RequestFollower.objects.filter(request=original, user=sales_rep).exists()
    assert original.priority == priority_before


def test_an_answer_from_the_library_undone_takes_back_its_reuse(make_request, pmm, asset):
    request = make_request(S.TRIAGED)
    reuses = asset.reuse_count
    _, token = services.undoable(
        request, pmm, lambda: services.request_mark_reused(request=request, actor=pmm, asset=asset)
    )
    assert Asset.objects.get(pk=asset.pk).reuse_count == reuses + 1
    services.request_undo(actor=pmm, token=token)
    assert Asset.objects.get(pk=asset.pk).reuse_count == reuses
    request.refresh_from_db()
    assert (request.status, request.reused_asset) == (S.TRIAGED, None)


# --- Bulk undo ------------------------------------------------------------------------------------


def test_a_bulk_snooze_is_undone_in_one_click_but_not_where_someone_acted_since(
    client, make_request, pmm, sales_rep
):
    requests = [make_request(S.NEW) for _ in range(5)]
    client.force_login(pmm)
    until = timezone.localdate() + timedelta(days=5)
    page = client.post(
        reverse("requests_queue:bulk"),
        {"bulk-ids": [r.pk for r in requests], "bulk-action": "snooze", "bulk-until": until.isoformat()},
        follow=True,
    ).content.decode()
    assert "Undo the step on 5 requests" in page
    undos = [value.split('"')[0] for value in page.split('name="undo" value="')[1:]]
    assert len(undos) == 5
    again = client.get(reverse("requests_queue:index")).content.decode()
    assert "Undo the step on" not in again  # offered once, right after the step

    services.request_comment(request=requests[0], actor=sales_rep, body="It can wait, thanks.")
    page = client.post(reverse("requests_queue:bulk_undo"), {"undo": undos}, follow=True).content.decode()
    assert "Undone: 4 requests as they were" in page
    assert f"#{requests[0].pk} not put back: Someone else acted" in page
    statuses = [
        r.status for r in type(requests[0]).objects.filter(pk__in=[r.pk for r in requests]).order_by("pk")
    ]
    assert statuses == [S.SNOOZED, S.NEW, S.NEW, S.NEW, S.NEW]


def test_a_bulk_product_change_undone_goes_back_to_its_product_and_team(make_request, pmm, product):
    from tests.factories import ProductFactory

    other = ProductFactory(team=product.team)
    request = make_request(S.NEW)
    outcomes = services.request_bulk(actor=pmm, ids=[request.pk], action="product", product=other)
    request.refresh_from_db()
    assert request.product == other
    undone, left = services.request_bulk_undo(actor=pmm, undos=[(o.request_id, o.undo) for o in outcomes])
    assert (undone, left) == ([request.pk], [])
    request.refresh_from_db()
    assert request.product == product


def test_bulk_undo_by_someone_else_or_forged_changes_nothing(make_request, pmm, other_pmm, team):
    team.members.add(other_pmm)
    request = make_request(S.NEW)
    outcomes = services.request_bulk(
        actor=pmm, ids=[request.pk], action="snooze", until=timezone.localdate() + timedelta(days=3)
    )
    undone, left = services.request_bulk_undo(actor=other_pmm, undos=[(request.pk, outcomes[0].undo)])
    assert undone == []
    assert "Only who took a step can undo it." in left[0]
    undone, left = services.request_bulk_undo(actor=pmm, undos=[(request.pk, "forged")])
    assert undone == []
    assert "not valid" in left[0]
    request.refresh_from_db()
    assert request.status == S.SNOOZED


def test_undo_refuses_a_token_of_another_request(make_request, pmm):
    one, two = make_request(S.NEW), make_request(S.NEW)
    outcomes = services.request_bulk(
        actor=pmm, ids=[one.pk], action="snooze", until=timezone.localdate() + timedelta(days=3)
    )
    with pytest.raises(RequestError, match="another request"):
        services.request_undo(actor=pmm, token=outcomes[0].undo, request_id=two.pk)
    one.refresh_from_db()
    assert one.status == S.SNOOZED
