"""Webhooks out, against a real HTTP receiver on 127.0.0.1: signed, retried with backoff, paused after
repeated failures (owner mailed), re-sent from the log, never sent twice by a duplicate task, and
picked up by the sweep when the broker or the worker failed. Retries are driven explicitly
(``delivery_attempt`` with the clock of the next attempt): no test sleeps."""

import datetime as dt
import threading
import uuid

import pytest
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from initiatives import services as initiative_services
from integrations import events, services
from integrations.models import Delivery, DeliveryStatus, Endpoint, EndpointKind, Event
from requests_queue import services as request_services
from requests_queue.models import EventKind, RequestEvent, RequestType
from tests.factories import RequestFactory


def _win(pmm, title="Northwind displaced at Acme"):
    return initiative_services.win_create(
        user=pmm, title=title, impact="A six-figure deal.", date=timezone.localdate()
    )


def _submit(sales_rep, product, title="Battlecard against Northwind"):
    return request_services.request_submit(
        requester=sales_rep,
        product=product,
        type=RequestType.COMPETITIVE_INTEL,
        title=title,
        details="For the Acme deal.",
        needed_by=timezone.localdate() + dt.timedelta(days=5),
    )


def _drive(delivery, *, until=(services.SENT, services.FAILED)):
    """Run attempts at each one's due time until the delivery is sent or has failed."""
    outcomes = []
    while True:
        delivery.refresh_from_db()
        outcome = services.delivery_attempt(delivery_uuid=str(delivery.uuid), now=delivery.next_attempt_at)
        outcomes.append(outcome)
        if outcome in until or outcome == services.SKIPPED:
            return outcomes


def test_a_new_request_is_posted_signed_to_the_webhook(
    webhook, receiver, sales_rep, product, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = _submit(sales_rep, product)

    [post] = receiver.posts()
    delivery = Delivery.objects.get(endpoint=webhook)
    assert post.signed is True  # the receiver checked HMAC-SHA256 of the raw body with the secret
    assert post.headers["x-pmm-signature"] == services.sign(webhook.secret, post.body)
    assert post.headers["x-pmm-event"] == "request.created"
    assert post.headers["x-pmm-delivery"] == str(delivery.uuid)
    assert abs(int(post.headers["x-pmm-timestamp"]) - timezone.now().timestamp()) < 60
    assert post.headers["content-type"] == "application/json"
    assert post.json["event"] == "request.created"
    assert post.json["data"]["request"]["id"] == request.pk
    assert post.json["data"]["request"]["team"] == "core-platform"
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert (delivery.response_code, delivery.response_excerpt, delivery.attempts) == (200, "ok", 1)


def test_a_state_change_and_a_delivery_are_posted(webhook, receiver, sales_rep, pmm, product):
    request = RequestFactory(
        requester=sales_rep,
        product=product,
        team=product.team,
        status="in_progress",
        assignee=pmm,
        reusability=3,
        educational_value=3,
        effort_hours=4,
    )
    event = RequestEvent.objects.create(
        request=request,
        kind=EventKind.STATUS_CHANGED,
        actor=pmm,
        from_status="in_progress",
        to_status="delivered",
    )
    assert events.request_event_publish(event_id=event.pk) == 2
    assert set(Delivery.objects.values_list("event", flat=True)) == {
        "request.state_changed",
        "request.delivered",
    }


def test_retry_after_the_receiver_fails_twice_then_succeeds(webhook, receiver, pmm, team):
    receiver.fail_next = 2
    _win(pmm)
    delivery = Delivery.objects.get(endpoint=webhook, event=Event.WIN_RECORDED)
    start = delivery.next_attempt_at

    assert services.delivery_attempt(delivery_uuid=str(delivery.uuid), now=start) == services.RETRY
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("pending", 1, 500)
    assert delivery.response_excerpt == "receiver failing on purpose"
    assert delivery.next_attempt_at == start + dt.timedelta(seconds=30)
    # Not due yet: a task arriving early leaves it alone.
    assert services.delivery_attempt(
        delivery_uuid=str(delivery.uuid), now=start + dt.timedelta(seconds=5)
    ) == (services.SKIPPED)

    assert _drive(delivery) == [services.RETRY, services.SENT]
    delivery.refresh_from_db()
    assert delivery.next_attempt_at is None
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("succeeded", 3, 200)
    posts = receiver.posts()
    assert len(posts) == 3
    assert {p.headers["x-pmm-delivery"] for p in posts} == {str(delivery.uuid)}
    assert all(p.signed for p in posts)
    webhook.refresh_from_db()
    assert webhook.failure_streak == 0


def test_the_waits_grow(webhook):
    assert [services.backoff(n).total_seconds() for n in range(1, 6)] == [30, 60, 120, 240, 480]


def test_paused_after_repeated_failures_and_its_owner_is_mailed(webhook, receiver, pmm, cmo):
    receiver.fail_next = 10_000
    for n in range(services.PAUSE_AFTER):
        _win(pmm, title=f"Win {n}")
    deliveries = list(Delivery.objects.filter(endpoint=webhook).order_by("id"))
    assert len(deliveries) == services.PAUSE_AFTER

    for n, delivery in enumerate(deliveries, start=1):
        outcomes = _drive(delivery)
        assert outcomes == [services.RETRY] * (services.MAX_ATTEMPTS - 1) + [services.FAILED]
        webhook.refresh_from_db()
        assert webhook.failure_streak == n
        assert webhook.is_active == (n < services.PAUSE_AFTER)

    assert len(receiver.posts()) == services.PAUSE_AFTER * services.MAX_ATTEMPTS
    assert "5 failed deliveries in a row" in webhook.pause_reason
    [message] = mail.outbox
    assert message.to == [cmo.email]
    assert "CRM sync" in message.subject
    assert "paused" in message.subject
    assert webhook.get_absolute_url() in message.body

    # Paused: new events are not recorded for it; resuming starts the count over.
    _win(pmm, title="While paused")
    assert Delivery.objects.filter(endpoint=webhook).count() == services.PAUSE_AFTER
    services.endpoint_resume(actor=cmo, endpoint=webhook)
    webhook.refresh_from_db()
    assert (webhook.is_active, webhook.failure_streak) == (True, 0)


def test_a_waiting_delivery_of_a_paused_endpoint_waits(webhook, receiver, pmm, cmo):
    _win(pmm)
    delivery = Delivery.objects.get(endpoint=webhook)
    services.endpoint_pause(actor=cmo, endpoint=webhook)
    assert services.delivery_attempt(delivery_uuid=str(delivery.uuid)) == services.SKIPPED
    assert receiver.posts() == []
    assert services.endpoint_resume(actor=cmo, endpoint=webhook) == 1
    assert services.delivery_attempt(delivery_uuid=str(delivery.uuid)) == services.SENT


def test_resend_from_the_log_page(
    webhook, receiver, pmm, cmo, client, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "MAX_ATTEMPTS", 1)
    receiver.fail_next = 1
    _win(pmm)
    failed = Delivery.objects.get(endpoint=webhook)
    assert _drive(failed) == [services.FAILED]

    client.force_login(cmo)
    log = client.get("/integrations/deliveries/?status=failed")
    assert log.status_code == 200
    assert f"/integrations/deliveries/{failed.pk}/resend/" in log.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/integrations/deliveries/{failed.pk}/resend/")
    again = Delivery.objects.get(resend_of=failed)
    assert response.status_code == 302
    assert response["Location"] == again.get_absolute_url()
    again.refresh_from_db()
    assert again.status == DeliveryStatus.SUCCEEDED
    first, second = receiver.posts()
    assert first.body == second.body  # the same event (same id) ...
    assert first.headers["x-pmm-delivery"] != second.headers["x-pmm-delivery"]  # ... as a new delivery
    assert second.signed


def test_resend_through_the_api(webhook, receiver, pmm, cmo, api_client, monkeypatch):
    monkeypatch.setattr(services, "MAX_ATTEMPTS", 1)
    receiver.fail_next = 1
    _win(pmm)
    failed = Delivery.objects.get(endpoint=webhook)
    _drive(failed)
    api_client.force_login(cmo)
    response = api_client.post(f"/api/v1/integration-deliveries/{failed.pk}/resend/")
    assert response.status_code == 201
    assert response.json()["resend_of"] == failed.pk
    assert response.json()["status"] == "pending"
    # Still sending: the log refuses a second re-send of the pending one with a 400, not a 500.
    pending = response.json()["id"]
    assert api_client.post(f"/api/v1/integration-deliveries/{pending}/resend/").status_code == 400


def test_a_duplicate_task_sends_once(webhook, receiver, pmm):
    _win(pmm)
    delivery = Delivery.objects.get(endpoint=webhook)
    assert services.delivery_attempt(delivery_uuid=str(delivery.uuid)) == services.SENT
    assert services.delivery_attempt(delivery_uuid=str(delivery.uuid)) == services.SKIPPED
    assert services.delivery_attempt(delivery_uuid="not-a-uuid") == services.SKIPPED
    assert services.delivery_attempt(delivery_uuid=str(uuid.uuid4())) == services.SKIPPED
    assert len(receiver.posts()) == 1


def test_the_same_event_published_twice_is_delivered_once(webhook, receiver, sales_rep, product):
    request = _submit(sales_rep, product)
    event = RequestEvent.objects.get(request=request, kind=EventKind.SUBMITTED)
    events.request_event_publish(event_id=event.pk)
    events.request_event_publish(event_id=event.pk)  # the notification task ran twice
    assert Delivery.objects.filter(endpoint=webhook, event=Event.REQUEST_CREATED).count() == 1


@pytest.mark.postgres(reason="row locks with SKIP LOCKED")
@pytest.mark.django_db(transaction=True)
def test_a_task_finding_the_row_locked_by_another_sends_nothing(cmo, pmm, team):
    # A receiver of our own here: this test commits, so it cannot share the fixtures' rollback.
    from http.server import ThreadingHTTPServer

    from tests.integrations.conftest import Receiver, _handler

    state = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        endpoint = services.endpoint_create(
            actor=cmo, kind="webhook", name="Locked", url=f"{state.url}/x", events=["win.recorded"], team=team
        )
        _win(pmm)  # this test commits: its task ran at once; send it again, as a redelivered message would
        delivery = Delivery.objects.get(endpoint=endpoint)
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.PENDING, next_attempt_at=timezone.now(), delivered_at=None
        )
        state.received.clear()
        locked, release = threading.Event(), threading.Event()

        def other_worker():
            with transaction.atomic():
                Delivery.objects.select_for_update().get(pk=delivery.pk)
                locked.set()
                release.wait(10)
            connection.close()

        thread = threading.Thread(target=other_worker)
        thread.start()
        assert locked.wait(10)
        assert services.delivery_attempt(delivery_uuid=str(delivery.uuid)) == services.SKIPPED
        release.set()
        thread.join(10)
        assert services.delivery_attempt(delivery_uuid=str(delivery.uuid)) == services.SENT
        assert len(state.posts()) == 1
    finally:
        server.shutdown()
        server.server_close()
        Endpoint.objects.all().delete()


def test_the_sweep_sends_what_the_broker_never_got(webhook, receiver, pmm):
    _win(pmm)  # its on-commit enqueue never runs here: as if the broker had refused it
    delivery = Delivery.objects.get(endpoint=webhook)
    assert services.deliveries_sweep() == 0  # just published: its own task may still come
    overdue = timezone.now() - services.SWEEP_GRACE - dt.timedelta(seconds=1)
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=overdue)
    assert services.deliveries_sweep() == 1  # tasks run in-process in tests
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert len(receiver.posts()) == 1


def test_the_sweep_drops_old_finished_rows(webhook, receiver, pmm):
    _win(pmm)
    delivery = Delivery.objects.get(endpoint=webhook)
    services.delivery_attempt(delivery_uuid=str(delivery.uuid))
    services.deliveries_sweep(now=timezone.now() + services.KEEP_LOG + dt.timedelta(days=1))
    assert not Delivery.objects.filter(pk=delivery.pk).exists()


def test_a_test_ping_goes_through_the_same_machinery(
    webhook, receiver, cmo, client, django_capture_on_commit_callbacks
):
    client.force_login(cmo)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/integrations/{webhook.pk}/ping/")
    assert response.status_code == 302
    [post] = receiver.posts()
    assert post.json["event"] == "ping"
    assert post.signed
    assert Delivery.objects.get(event=Event.PING).status == DeliveryStatus.SUCCEEDED


def test_a_redirect_or_an_unreachable_host_is_a_failure(webhook, receiver, pmm):
    Endpoint.objects.filter(pk=webhook.pk).update(url="http://127.0.0.1:9/closed")
    _win(pmm)
    delivery = Delivery.objects.get(endpoint=webhook)
    assert services.delivery_attempt(delivery_uuid=str(delivery.uuid)) == services.RETRY
    delivery.refresh_from_db()
    assert delivery.response_code is None
    assert delivery.error


def test_emitting_costs_no_query_when_nothing_listens(pmm, team, django_assert_num_queries):
    win = _win(pmm)
    events.subscribers()  # warm, as every process is after its first event
    with django_assert_num_queries(0):
        assert events.win_recorded(win) == 0


def test_emitting_is_one_insert_when_something_listens(webhook, pmm, team, django_assert_num_queries):
    win = _win(pmm)
    Delivery.objects.all().delete()
    events.subscribers()
    with django_assert_num_queries(1):  # the INSERT of the delivery row
        assert events.win_recorded(win) == 1


def test_another_teams_events_do_not_reach_the_team_endpoint(webhook, other_pmm, other_team):
    initiative_services.win_create(user=other_pmm, title="Theirs", impact="", date=timezone.localdate())
    assert not Delivery.objects.exists()


def test_the_admins_endpoint_for_every_team_hears_every_team(admin_user, receiver, other_pmm, other_team):
    services.endpoint_create(
        actor=admin_user,
        kind=EndpointKind.WEBHOOK,
        name="Warehouse",
        url=receiver.url,
        events=["win.recorded"],
        team=None,
    )
    initiative_services.win_create(user=other_pmm, title="Theirs", impact="", date=timezone.localdate())
    assert Delivery.objects.get().team == other_team


def test_a_cache_outage_does_not_stop_publishing(webhook, pmm, settings):
    # The cache is an accelerator: without it, who hears what is read from the database.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
        }
    }
    _win(pmm)
    assert Delivery.objects.filter(endpoint=webhook).count() == 1
