"""The API throttle counts atomically: under concurrency exactly the limit gets through.

DRF's own throttle read a list of timestamps and wrote it back, so concurrent calls
all passed (2,072 through a limit of 2,000). ``pmm_portal.core.throttling`` counts
with ``cache.add`` + ``cache.incr``, one atomic command each in Redis.
"""

import threading
import uuid
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings

from pmm_portal.core import cache as fallback_cache
from pmm_portal.core.throttling import UserRateThrottle
from tests.redis_server import RedisServer, redis_server  # noqa: F401 (fixture)


def caller(user_id: int) -> SimpleNamespace:
    """What the throttle reads of a request: the signed-in user."""
    return SimpleNamespace(user=SimpleNamespace(pk=user_id, is_authenticated=True), META={}, headers={})


def throttle_at(rate: str, clock: list[float] | None = None) -> UserRateThrottle:
    throttle = type("Throttle", (UserRateThrottle,), {"rate": rate})()
    if clock is not None:
        throttle.timer = lambda: clock[0]
    return throttle


def redis_cache(settings, location: str) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "pmm_portal.core.cache.FallbackRedisCache",
            "LOCATION": location,
            "KEY_PREFIX": f"throttle-test-{uuid.uuid4().hex}",  # counters of this test only
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        }
    }
    fallback_cache._outages.clear()


def concurrent_calls(rate: str, callers: int, user_id: int) -> list[bool]:
    """``callers`` threads ask at the same moment (a barrier); each answer, allowed or not."""
    gate = threading.Barrier(callers)
    answers: list[bool] = []
    lock = threading.Lock()

    def call() -> None:
        throttle = throttle_at(rate)
        gate.wait()
        allowed = throttle.allow_request(caller(user_id), None)
        with lock:
            answers.append(allowed)

    threads = [threading.Thread(target=call) for _ in range(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


@pytest.mark.redis(reason="counts in the real Redis at REDIS_URL, from many threads at once")
def test_concurrent_calls_beyond_the_limit_are_refused_exactly(settings):
    redis_cache(settings, django_settings.REDIS_URL)
    for _ in range(3):  # three rounds, each a new user: the count is exact every time
        answers = concurrent_calls("25/hour", callers=80, user_id=uuid.uuid4().int % 10**9)
        assert len(answers) == 80
        assert answers.count(True) == 25


def test_the_window_slides_so_the_limit_holds_across_its_edge(settings):
    """10 a minute: 10 at the end of one minute leave 5 for the first half of the next."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    clock = [6000.0 + 59]  # the last second of a minute
    throttle = throttle_at("10/minute", clock)
    assert [throttle.allow_request(caller(1), None) for _ in range(11)] == [True] * 10 + [False]
    clock[0] = 6000.0 + 60 + 30  # half-way through the next minute: the last one weighs half
    assert [throttle.allow_request(caller(1), None) for _ in range(6)] == [True] * 5 + [False]
    # Refused calls did not count: a little later the previous minute weighs less, one more passes.
    assert 0 < throttle.wait() <= 30
    clock[0] = 6000.0 + 60 + 36
    assert throttle.allow_request(caller(1), None) is True
    assert throttle.allow_request(caller(2), None) is True  # each user has their own count


def test_the_api_answers_429_with_retry_after_beyond_the_limit(api_client, pmm, monkeypatch, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    monkeypatch.setattr(UserRateThrottle, "rate", "3/minute", raising=False)
    api_client.force_authenticate(pmm)
    codes = [api_client.get("/api/v1/me/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    response = api_client.get("/api/v1/me/")
    assert 1 <= int(response["Retry-After"]) <= 60


@pytest.mark.redis(reason="starts its own redis-server and stops it")
def test_with_redis_down_the_throttle_keeps_counting_in_memory(settings, redis_server):  # noqa: F811
    redis_cache(settings, redis_server.url())
    throttle = throttle_at("5/minute")
    assert throttle.allow_request(caller(7), None) is True  # counted in Redis
    redis_server.stop()
    answers = [throttle.allow_request(caller(7), None) for _ in range(6)]
    # In memory the count starts again (per process): the limit holds there too.
    assert answers == [True] * 5 + [False]
