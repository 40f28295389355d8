"""Redis is an accelerator, never a single point of failure.

Each test starts its own redis-server (``tests.redis_server``), points the cache and
the Celery broker at it, then kills it (down: connections refused) or freezes it
with SIGSTOP (hung: connections accepted, never answered), and does what a user
does: signs in to the API for a token, submits a request through the API and
through the page. Every answer must come within 2 s, say the work was saved, and
the work must be in the database, its notification waiting in the outbox for the
sweep. ``/healthz/`` says which part is degraded and keeps the instance in the
load balancer.
"""

import logging
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from pmm_portal.celery import app
from pmm_portal.core import background
from pmm_portal.core import cache as fallback_cache
from requests_queue.models import Request, RequestEvent
from tests.factories import TEST_PASSWORD
from tests.redis_server import RedisServer, redis_server  # noqa: F401 (fixture)

pytestmark = [
    pytest.mark.redis(reason="starts its own redis-server and points the cache and the broker at it"),
    pytest.mark.django_db(transaction=True),  # commits, so the on-commit publish really runs
]

ANSWER_WITHIN = 2.0
NEEDED_BY = (timezone.localdate() + timedelta(days=5)).isoformat()


def _use_broker(url: str) -> None:
    """Point Celery at ``url``, dropping pooled connections to the previous broker."""
    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None


def _forget_outages() -> None:
    """Each test starts with a process that has not yet seen Redis fail."""
    background._broker_paused_until.clear()
    fallback_cache._outages.clear()


@pytest.fixture
def own_redis(redis_server: RedisServer, settings) -> Iterator[RedisServer]:  # noqa: F811
    """The cache and the broker on the test's own Redis, as the settings build them for REDIS_URL."""
    url = redis_server.url()
    settings.REDIS_URL = url
    settings.CACHES = {
        "default": {
            "BACKEND": "pmm_portal.core.cache.FallbackRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "pmm",
            "OPTIONS": {
                "socket_connect_timeout": settings.REDIS_CONNECT_TIMEOUT,
                "socket_timeout": settings.REDIS_SOCKET_TIMEOUT,
            },
        }
    }
    original_broker = app.conf.broker_url
    _forget_outages()
    _use_broker(url)
    app.conf.task_always_eager = False
    try:
        # A running portal: connections to Redis are open and pooled before it fails.
        cache.set("warm", 1)
        assert background.enqueue_now("core.clear_expired_sessions")
        yield redis_server
    finally:
        redis_server.thaw()
        app.conf.task_always_eager = True
        _use_broker(original_broker)
        _forget_outages()


def _break(server: RedisServer, how: str) -> None:
    if how == "stopped":
        server.stop()
    else:
        server.freeze()


def _timed(call, *args, **kwargs):
    started = time.monotonic()
    response = call(*args, **kwargs)
    return response, time.monotonic() - started


@pytest.mark.parametrize("how", ["stopped", "frozen"])
def test_api_sign_in_and_submission_answer_in_time_and_are_saved(
    how, own_redis, api_client, sales_rep, product
):
    _break(own_redis, how)

    response, took = _timed(
        api_client.post,
        "/api/v1/auth/token/",
        {"username": "sales", "password": TEST_PASSWORD},
        REMOTE_ADDR="10.9.9.9",
    )
    assert response.status_code == 200, response.content
    assert took < ANSWER_WITHIN
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")

    response, took = _timed(
        api_client.post,
        "/api/v1/requests/",
        {"type": "call_script", "title": "CFO call script", "product": product.pk, "needed_by": NEEDED_BY},
        format="json",
    )
    assert response.status_code == 201, response.content  # saved, and the caller is told so
    assert took < ANSWER_WITHIN
    request = Request.objects.get(pk=response.json()["id"], requester=sales_rep)
    assert request.title == "CFO call script"
    # Its notification could not be published: it waits in the outbox for the sweep.
    assert RequestEvent.objects.filter(request=request, kind="submitted", dispatched_at__isnull=True).exists()


@pytest.mark.parametrize("how", ["stopped", "frozen"])
def test_the_request_form_answers_in_time_and_says_saved(how, own_redis, client, sales_rep, product, caplog):
    caplog.set_level(logging.WARNING)
    client.force_login(sales_rep)
    _break(own_redis, how)

    response, took = _timed(
        client.post,
        "/requests/new/",
        {
            "title": "Battlecard against Northwind for Acme",
            "type": "competitive_intel",
            "product": product.pk,
            "needed_by": NEEDED_BY,
            "opportunity_value": "120000",
        },
        follow=True,
    )
    assert took < ANSWER_WITHIN
    assert response.status_code == 200
    assert "sent to the Core Platform team" in response.content.decode()
    request = Request.objects.get(title="Battlecard against Northwind for Acme", requester=sales_rep)
    assert RequestEvent.objects.filter(request=request, kind="submitted", dispatched_at__isnull=True).exists()
    assert "Could not enqueue requests_queue.notify_event" in caplog.text


@pytest.mark.parametrize("how", ["stopped", "frozen"])
def test_a_password_reset_answers_in_time_and_its_mail_waits_in_the_outbox(how, own_redis, client, sales_rep):
    from pmm_portal.core.models import PasswordResetMail
    from pmm_portal.core.services import password_reset_send

    _break(own_redis, how)
    response, took = _timed(client.post, "/accounts/password_reset/", {"email": sales_rep.email})
    assert took < ANSWER_WITHIN
    assert response.status_code == 302
    row = PasswordResetMail.objects.get(email=sales_rep.email)
    assert row.sent_at is None  # the broker never got it: the sweep sends it once Redis is back
    assert password_reset_send(mail_id=row.pk) == 1


@pytest.mark.parametrize("how", ["stopped", "frozen"])
def test_the_form_rate_limit_keeps_counting_in_memory(
    how, own_redis, client, sales_rep, product, monkeypatch
):
    """django-ratelimit counts on the fallback: the limit still holds, per process."""
    monkeypatch.setattr("requests_queue.views.REQUEST_FORM_RATE", "2/h")
    client.force_login(sales_rep)
    _break(own_redis, how)
    codes = []
    for number in range(3):
        response = client.post(
            "/requests/new/",
            {"title": f"Deck {number}", "type": "slides", "product": product.pk, "needed_by": NEEDED_BY},
        )
        codes.append(response.status_code)
    assert codes == [302, 302, 429]
    assert Request.objects.filter(requester=sales_rep).count() == 2


def test_healthz_names_the_degraded_parts_and_keeps_the_load_balancer_happy(own_redis, client):
    response = client.get("/healthz/")
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok", "broker": "ok"}}

    own_redis.freeze()
    response, took = _timed(client.get, "/healthz/")
    assert took < ANSWER_WITHIN
    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "checks": {"database": "ok", "cache": "degraded", "broker": "error"},
    }

    own_redis.stop()
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "cache": "degraded", "broker": "error"}


def test_the_cache_logs_an_outage_once_and_never_serves_a_stale_entry_after_it(own_redis, settings, caplog):
    """Written in memory during the outage, the key is deleted from Redis when it answers again."""
    caplog.set_level(logging.WARNING, logger="pmm_portal.core.cache")
    default = settings.CACHES["default"]
    # Try Redis again on every call, instead of after 10 s in memory.
    settings.CACHES = {"default": {**default, "OPTIONS": {**default["OPTIONS"], "fallback_seconds": 0}}}
    cache.set("figures", "before")
    own_redis.freeze()
    cache.set("figures", "after")  # a write during the outage: in memory only
    assert cache.get("figures") == "after"
    cache.get("other")
    own_redis.thaw()
    # Redis still holds "before"; the first call after it answers forgets it there.
    assert cache.get("figures") is None
    outages = [record for record in caplog.records if "failed" in record.getMessage()]
    assert len(outages) == 1
    assert "answers again" in caplog.text


def test_counters_count_in_one_trip_and_the_kept_client_outlives_a_redis_restart(own_redis, settings):
    """The cache keeps one redis-py client per pool (not one per call): counting still refuses a
    missing key as Django's does, and after Redis restarts the same client reconnects."""
    default = settings.CACHES["default"]
    settings.CACHES = {"default": {**default, "OPTIONS": {**default["OPTIONS"], "fallback_seconds": 0}}}
    backend = cache._cache  # type: ignore[attr-defined]  # the connection's FallbackRedisCache
    client = backend.get_client(None, write=True)
    assert backend.get_client("any", write=True) is client
    cache.set("hits", 1)
    assert cache.incr("hits") == 2
    assert cache.decr("hits", 2) == 0
    with pytest.raises(ValueError, match="not found"):
        cache.incr("never-set")
    assert cache.get("never-set") is None  # refusing created nothing
    own_redis.restart()
    cache.set("hits", 5)  # the first call after the restart may fall back once; the next reach Redis
    cache.set("hits", 5)
    assert cache.incr("hits") == 6
    assert backend.get_client(None, write=True) is client
