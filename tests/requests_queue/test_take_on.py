"""Claim and start in one step, and delivering, from the queue's rows (issue 13's one-step delivery).

``services.request_take_on`` composes triage, accept and start, so each keeps its rules and
its events; the queue's row answers each step with itself, redrawn (HTMX).
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from pmm_portal.core.dates import today_in
from requests_queue import services
from requests_queue.models import Asset, EventKind, RequestStatus
from requests_queue.workflow import RequestError

S = RequestStatus
HX = {"HTTP_HX_REQUEST": "true"}


# --- The service ----------------------------------------------------------------------------------


def test_an_unscored_new_request_is_scored_assigned_and_started_at_once(make_request, pmm):
    request = make_request(S.NEW, reusability=None, educational_value=None, effort_hours=None)
    taken = services.request_take_on(
        request=request, actor=pmm, reusability=4, educational_value=2, effort_hours=Decimal(3)
    )
    taken.refresh_from_db()
    assert (taken.status, taken.assignee, taken.reusability, taken.educational_value) == (
        S.IN_PROGRESS,
        pmm,
        4,
        2,
    )
    assert taken.due_date == taken.needed_by
    assert taken.started_at is not None
    assert taken.acknowledged_at is not None
    kinds = list(taken.events.values_list("kind", "to_status"))
    assert any(kind == EventKind.ASSIGNED for kind, _ in kinds)
    assert ("status_changed", S.IN_PROGRESS) in kinds


def test_a_scored_request_is_taken_on_with_one_click_and_keeps_its_scores(make_request, pmm):
    request = make_request(S.TRIAGED, assignee=None, reusability=5, educational_value=1)
    taken = services.request_take_on(request=request, actor=pmm)
    taken.refresh_from_db()
    assert (taken.status, taken.assignee, taken.reusability, taken.educational_value) == (
        S.IN_PROGRESS,
        pmm,
        5,
        1,
    )


def test_an_unscored_request_asks_for_its_scores_and_nothing_changes(make_request, pmm):
    request = make_request(S.NEW, reusability=None, educational_value=None, effort_hours=None)
    with pytest.raises(RequestError) as refused:
        services.request_take_on(request=request, actor=pmm)
    assert "reusability" in refused.value.message_dict
    request.refresh_from_db()
    assert (request.status, request.assignee) == (S.NEW, None)


def test_a_request_someone_else_has_is_refused_with_their_name(make_request, pmm, other_pmm, team):
    team.members.add(other_pmm)
    request = make_request(S.TRIAGED, assignee=other_pmm)
    with pytest.raises(services.ClaimConflictError, match="Olga Petrova has this request"):
        services.request_take_on(request=request, actor=pmm)
    request.refresh_from_db()
    assert (request.status, request.assignee) == (S.TRIAGED, other_pmm)


def test_a_request_needed_yesterday_is_due_today_and_says_why(make_request, pmm):
    request = make_request(S.TRIAGED, assignee=None, due_date=None)
    today = today_in(request.team)  # the team's today (Paris is a day ahead late at night)
    request.needed_by = today - timedelta(days=1)
    request.save(update_fields=["needed_by"])
    taken = services.request_take_on(request=request, actor=pmm)
    taken.refresh_from_db()
    assert taken.due_date == today
    assert taken.due_date_reason == services.TAKE_ON_LATE_REASON


def test_only_product_marketers_take_on_requests(make_request, cmo):
    with pytest.raises(RequestError, match="Only product marketers"):
        services.request_take_on(request=make_request(S.TRIAGED, assignee=None), actor=cmo)


# --- From the queue's rows ------------------------------------------------------------------------


def test_take_it_on_from_the_queue_answers_with_the_row_redrawn(client, make_request, pmm):
    request = make_request(S.NEW, reusability=None, educational_value=None, effort_hours=None)
    client.force_login(pmm)
    queue = client.get(reverse("requests_queue:index")).content.decode()
    assert reverse("requests_queue:take_on", args=[request.pk]) in queue
    response = client.post(
        reverse("requests_queue:take_on", args=[request.pk]),
        {"in": "queue", "reusability": "4", "educational_value": "3", "effort_hours": "2"},
        **HX,
    )
    assert response.status_code == 200
    row = response.content.decode()
    assert row.lstrip().startswith(f'<tr id="rq-{request.pk}"')
    assert "Yours, started" in row
    assert "In progress" in row
    assert reverse("requests_queue:deliver", args=[request.pk]) in row  # the next step is there
    request.refresh_from_db()
    assert (request.status, request.assignee) == (S.IN_PROGRESS, pmm)
    # No message waits for the next page: the row said it.
    assert "Yours, started" not in client.get(reverse("requests_queue:index")).content.decode()


def test_a_refused_step_says_why_in_the_row_and_changes_nothing(client, make_request, pmm):
    request = make_request(S.NEW, reusability=None, educational_value=None, effort_hours=None)
    client.force_login(pmm)
    response = client.post(
        reverse("requests_queue:take_on", args=[request.pk]), {"in": "queue", "reusability": "9"}, **HX
    )
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    request.refresh_from_db()
    assert request.status == S.NEW


def test_without_javascript_taking_on_opens_the_request_with_a_message(client, make_request, pmm):
    request = make_request(S.TRIAGED, assignee=None)
    client.force_login(pmm)
    response = client.post(reverse("requests_queue:take_on", args=[request.pk]), {"in": "queue"}, follow=True)
    assert response.redirect_chain[-1][0] == request.get_absolute_url()
    assert "Yours, started" in response.content.decode()


def test_delivering_from_the_queue_publishes_reusable_work_by_default(client, make_request, pmm):
    reusable = make_request(S.IN_PROGRESS, reusability=5, title="Northwind objection handling")
    one_off = make_request(S.IN_PROGRESS, reusability=2, title="Numbers for the Initech call")
    client.force_login(pmm)
    queue = client.get(reverse("requests_queue:index")).content.decode()
    assert queue.count('name="publish" id="rq-') == 2
    assert f'id="rq-{reusable.pk}-pub" checked' in queue
    assert f'id="rq-{one_off.pk}-pub" checked' not in queue
    review_by = (timezone.localdate() + timedelta(days=services.REVIEW_AFTER_DAYS)).isoformat()
    response = client.post(
        reverse("requests_queue:deliver", args=[reusable.pk]),
        {
            "in": "queue",
            "link": "https://drive.example.com/objections",
            "publish": "on",
            "review_by": review_by,
        },
        **HX,
    )
    assert "Delivered and published" in response.content.decode()
    reusable.refresh_from_db()
    assert reusable.status == S.DELIVERED
    asset = Asset.objects.get(source_request=reusable)
    assert asset.title == "Northwind objection handling"
    assert asset.review_by.isoformat() == review_by


def test_the_detail_page_ticks_publish_for_work_scored_reusable(client, make_request, pmm):
    client.force_login(pmm)
    reusable = make_request(S.IN_PROGRESS, reusability=4)
    one_off = make_request(S.IN_PROGRESS, reusability=1)
    assert (
        'name="publish" class="form-check-input" id="id_publish" checked'
        in client.get(reusable.get_absolute_url()).content.decode()
    )
    assert (
        'name="publish" class="form-check-input" id="id_publish" checked'
        not in client.get(one_off.get_absolute_url()).content.decode()
    )


def test_the_cmo_sees_the_queue_without_steps_to_take(client, make_request, cmo):
    make_request(S.TRIAGED, assignee=None)
    client.force_login(cmo)
    page = client.get(reverse("requests_queue:index")).content.decode()
    assert 'aria-label="Take it on' not in page
    assert "<kbd>c</kbd>" not in page  # nor its key in the shortcuts


# --- Undo ------------------------------------------------------------------------------------------


def take_on_undoably(request, pmm):
    return services.undoable(
        request,
        pmm,
        lambda: services.request_take_on(
            request=request, actor=pmm, reusability=4, educational_value=3, effort_hours=Decimal(2)
        ),
    )


def test_undo_puts_everything_back_and_tells_nobody(
    make_request, pmm, monkeypatch, django_capture_on_commit_callbacks
):
    from pmm_portal.core import background

    held = []
    monkeypatch.setattr(background, "enqueue_now", lambda name, *args, countdown=None: held.append(countdown))
    request = make_request(S.NEW, reusability=None, educational_value=None, effort_hours=None)
    services.refresh_priority(request)  # as the services leave it (the factory sets no priority)
    request.save()
    before = {f.attname: getattr(request, f.attname) for f in request._meta.concrete_fields}
    with django_capture_on_commit_callbacks(execute=True):
        _, token = take_on_undoably(request, pmm)
    assert held
    assert all(c == services.UNDO_SECONDS + 2 for c in held)
    step_events = list(request.events.values_list("pk", flat=True))

    services.request_undo(actor=pmm, token=token, request_id=request.pk)
    request.refresh_from_db()
    after = {f.attname: getattr(request, f.attname) for f in request._meta.concrete_fields}
    changed = {name for name in before if before[name] != after[name]}
    assert changed <= {"updated_at"}, changed
    assert (request.status, request.assignee, request.reusability) == (S.NEW, None, None)
    # The step's notifications are withdrawn: when their delayed task runs, it sends nothing.
    assert all(services.event_notify(event_id=pk) == 0 for pk in step_events)
    assert request.events.latest("pk").message == "Undone: back to new, unassigned."


def test_a_delivery_undone_removes_the_asset_it_published(make_request, pmm):
    request = make_request(S.IN_PROGRESS, reusability=5)
    _, token = services.undoable(
        request,
        pmm,
        lambda: services.request_deliver(
            request=request,
            actor=pmm,
            link="https://drive.example.com/x",
            publish=services.AssetDraft(
                title="", kind="", description="", review_by=timezone.localdate() + timedelta(days=30)
            ),
        ),
    )
    assert Asset.objects.filter(source_request=request).count() == 1
    services.request_undo(actor=pmm, token=token)
    request.refresh_from_db()
    assert (request.status, request.delivery_link, request.delivered_at) == (S.IN_PROGRESS, "", None)
    assert not Asset.objects.filter(source_request=request).exists()


def test_undo_is_refused_to_others_after_others_acted_and_when_too_late(
    make_request, pmm, other_pmm, sales_rep, monkeypatch
):
    request = make_request(S.TRIAGED, assignee=None)
    _, token = take_on_undoably(request, pmm)
    with pytest.raises(RequestError, match="Only who took a step"):
        services.request_undo(actor=other_pmm, token=token)
    with pytest.raises(RequestError, match="for another request"):
        services.request_undo(actor=pmm, token=token, request_id=request.pk + 1)
    with pytest.raises(RequestError, match="not valid"):
        services.request_undo(actor=pmm, token=token[:-2] + "xx")
    services.request_comment(request=request, actor=sales_rep, body="Thanks! Can it include pricing?")
    with pytest.raises(RequestError, match="Someone else acted"):
        services.request_undo(actor=pmm, token=token)
    other = make_request(S.TRIAGED, assignee=None)
    _, late = take_on_undoably(other, pmm)
    from requests_queue.services import undo

    monkeypatch.setattr(undo, "UNDO_SECONDS", -1)
    with pytest.raises(RequestError, match="Too late to undo"):
        services.request_undo(actor=pmm, token=late)
    request.refresh_from_db()
    assert request.status == S.IN_PROGRESS


def test_undo_from_the_queue_row(client, make_request, pmm):
    request = make_request(S.TRIAGED, assignee=None)
    client.force_login(pmm)
    row = client.post(
        reverse("requests_queue:take_on", args=[request.pk]), {"in": "queue"}, **HX
    ).content.decode()
    assert reverse("requests_queue:undo", args=[request.pk]) in row
    token = row.split('name="token" value="')[1].split('"')[0]
    undone = client.post(
        reverse("requests_queue:undo", args=[request.pk]), {"in": "queue", "token": token}, **HX
    ).content.decode()
    assert "Undone: as it was." in undone
    assert "Take it on" in undone
    request.refresh_from_db()
    assert (request.status, request.assignee) == (S.TRIAGED, None)
