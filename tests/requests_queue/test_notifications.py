"""Notifications: in-app and by email, enqueued on commit, idempotent, and never lost when Redis is down."""

import logging
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.utils import timezone

from pmm_portal.celery import app
from pmm_portal.core.dates import today_in
from requests_queue import services, tasks
from requests_queue.models import Notification, NotificationDelivery, Request, RequestEvent, RequestStatus

S = RequestStatus
CLOSED_PORT = "redis://127.0.0.1:1/0"


def _use_broker(url: str) -> None:
    """Point Celery at ``url``, dropping pooled connections to the previous broker."""
    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None


def test_a_status_change_tells_the_requester_in_the_app_and_by_email(
    make_request, pmm, sales_rep, django_capture_on_commit_callbacks
):
    request = make_request(S.NEW)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_snooze(request=request, actor=pmm, until=timezone.localdate() + timedelta(days=3))
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [sales_rep.email]
    assert "is now snoozed" in mail.outbox[0].subject
    note = Notification.objects.get(recipient=sales_rep)
    assert note.request_id == request.pk
    assert note.read_at is None


def test_nothing_is_sent_before_the_transaction_commits(
    make_request, pmm, django_capture_on_commit_callbacks
):
    request = make_request(S.NEW)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.request_decline(request=request, actor=pmm, alternative="Use the deck in the library.")
    assert len(callbacks) == 1
    assert mail.outbox == []


def test_a_task_that_runs_twice_sends_one_mail(
    make_request, pmm, sales_rep, django_capture_on_commit_callbacks
):
    request = make_request(S.NEW)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_decline(request=request, actor=pmm, alternative="Use the deck in the library.")
    event = RequestEvent.objects.filter(request=request, to_status=S.DECLINED).get()
    tasks.notify_event(event.pk)
    tasks.notify_event.delay(event.pk)
    assert len(mail.outbox) == 1
    assert NotificationDelivery.objects.filter(event=event).count() == 1
    assert Notification.objects.filter(event=event).count() == 1


def test_a_failed_mail_is_retried_and_then_sent_once(make_request, pmm, monkeypatch):
    request = make_request(S.NEW)
    services.request_decline(request=request, actor=pmm, alternative="Try the Northwind battlecard.")
    event = RequestEvent.objects.filter(request=request, to_status=S.DECLINED).get()
    calls = {"n": 0}
    real_send = EmailMessage.send

    def flaky(message, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise ConnectionError("SMTP down")
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", flaky)
    with pytest.raises(ConnectionError):
        services.event_notify(event_id=event.pk)
    assert not NotificationDelivery.objects.filter(event=event).exists()  # rolled back with the failed send
    assert services.event_notify(event_id=event.pk) == 1
    assert services.event_notify(event_id=event.pk) == 0
    assert len(mail.outbox) == 1


def test_the_task_retries_with_backoff():
    assert tasks.notify_event.autoretry_for == (Exception,)
    assert tasks.notify_event.retry_backoff is True
    assert tasks.notify_event.max_retries >= 3


def test_a_new_request_tells_the_team_pmms(sales_rep, product, pmm, pm, django_capture_on_commit_callbacks):
    services.preferences_save(user=pmm, channels={"new_request": "email"}, hour=8)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_submit(
            requester=sales_rep,
            product=product,
            type="slides",
            title="Deck for Globex",
            needed_by=today_in(product.team),  # the team's today (Paris is a day ahead late at night)
        )
    assert [m.to for m in mail.outbox] == [[pmm.email]]  # the PMM, not the PM, not the requester


def test_by_default_a_new_request_waits_for_the_pmms_digest(
    sales_rep, product, pmm, pm, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.request_submit(
            requester=sales_rep,
            product=product,
            type="slides",
            title="Deck for Globex",
            needed_by=today_in(product.team),  # the team's today (Paris is a day ahead late at night)
        )
    assert mail.outbox == []  # no triager today, and the PMM chose nothing: the digest
    assert Notification.objects.get(recipient=pmm).channel == "digest"
    assert not Notification.objects.filter(recipient=pm).exists()


def test_the_actor_is_not_told_about_their_own_move(
    make_request, sales_rep, django_capture_on_commit_callbacks
):
    request = make_request(S.NEW)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_cancel(request=request, actor=sales_rep)
    assert mail.outbox == []


def test_followers_of_an_original_are_told_when_it_is_delivered(
    make_request, pmm, django_capture_on_commit_callbacks
):
    from tests.factories import UserFactory

    follower = UserFactory(role="sales", email="follower@example.com")
    original = make_request(S.IN_PROGRESS)
    services.request_mark_duplicate(
        request=make_request(S.NEW, requester=follower), actor=pmm, original=original
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.request_deliver(request=original, actor=pmm, link="https://drive.example.com/a")
    assert sorted(m.to[0] for m in mail.outbox) == sorted(["follower@example.com", original.requester.email])


def test_the_outbox_leaves_fresh_events_to_their_own_enqueue(make_request, pmm):
    request = make_request(S.NEW)
    services.request_snooze(request=request, actor=pmm, until=timezone.localdate() + timedelta(days=2))
    assert services.outbox_dispatch() == 0  # just created: its on-commit enqueue has it
    assert services.outbox_dispatch(older_than=timedelta(0)) == 1
    assert len(mail.outbox) == 1
    assert services.outbox_dispatch(older_than=timedelta(0)) == 0


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_with_redis_down_a_submission_is_saved_and_its_notification_follows_when_redis_returns(
    client, sales_rep, product, pmm, settings, caplog
):
    # A real worker started earlier in the run (celery.contrib.testing) leaves the root
    # logger at ERROR; the warnings this test reads need WARNING.
    caplog.set_level(logging.WARNING)
    # Redis is both the broker and the cache (the rate-limit counter): both are unreachable.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CLOSED_PORT}
    }
    original_broker = app.conf.broker_url
    services.preferences_save(user=pmm, channels={"new_request": "email"}, hour=8)
    client.force_login(sales_rep)
    app.conf.task_always_eager = False
    _use_broker(CLOSED_PORT)
    try:
        response = client.post(
            "/requests/new/",
            {
                "title": "Battlecard against Northwind for Acme",
                "type": "competitive_intel",
                "product": product.pk,
                "needed_by": (timezone.localdate() + timedelta(days=3)).isoformat(),
                "opportunity_value": "120000",
            },
            follow=True,
        )
    finally:
        app.conf.task_always_eager = True
        _use_broker(original_broker)

    assert response.status_code == 200
    assert "sent to the Core Platform team" in response.content.decode()
    assert "Rate-limit counter unavailable" in caplog.text
    assert "Could not enqueue requests_queue.notify_event" in caplog.text
    request = Request.objects.get(title="Battlecard against Northwind for Acme")
    assert request.status == S.NEW
    pending = RequestEvent.objects.get(request=request, kind="submitted")
    assert pending.dispatched_at is None
    assert mail.outbox == []

    # Redis is back: the beat task re-enqueues what is pending, and the mail goes out once.
    assert services.outbox_dispatch(older_than=timedelta(0)) == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [pmm.email]
    assert services.outbox_dispatch(older_than=timedelta(0)) == 0
    assert len(mail.outbox) == 1
    pending.refresh_from_db()
    assert pending.dispatched_at is not None


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_on_redis_delivers_the_notification(make_request, pmm, sales_rep):
    """Enqueue through the real broker and let a real worker send the mail."""
    from celery.contrib.testing.worker import start_worker

    request = make_request(S.NEW)
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            services.request_snooze(
                request=request, actor=pmm, until=timezone.localdate() + timedelta(days=4)
            )
            event = RequestEvent.objects.filter(request=request).latest("id")
            tasks.notify_event.apply_async(args=(event.pk,), ignore_result=False).get(timeout=30)
    finally:
        app.conf.task_always_eager = True
    assert Notification.objects.filter(recipient=sales_rep, event=event).count() == 1
    assert NotificationDelivery.objects.filter(event=event).count() == 1


def test_mark_all_read(client, make_request, pmm, sales_rep, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.request_decline(request=make_request(S.NEW), actor=pmm, alternative="Self-serve deck.")
    client.force_login(sales_rep)
    assert "1 new" in client.get("/requests/mine/").content.decode()
    client.post("/requests/notifications/read/")
    assert Notification.objects.get(recipient=sales_rep).read_at is not None
    assert Decimal(1)  # keep Decimal import meaningful for readers of the module


def test_the_periodic_tasks_call_their_services(make_request, pmm):
    snoozed = make_request(S.SNOOZED, snoozed_until=timezone.localdate())
    assert tasks.wake_snoozed() == 1
    assert Request.objects.get(pk=snoozed.pk).status == S.TRIAGED
    assert tasks.dispatch_outbox() == 0  # the wake-up event is fresh: its own enqueue handles it
    assert tasks.refresh_priorities() >= 0


def test_the_beat_schedule_runs_the_outbox_every_minute():
    schedule = app.conf.beat_schedule
    assert schedule["requests-dispatch-outbox"]["task"] == "requests_queue.dispatch_outbox"
    assert schedule["requests-dispatch-outbox"]["schedule"] == 60.0
    assert schedule["requests-wake-snoozed"]["task"] == "requests_queue.wake_snoozed"
