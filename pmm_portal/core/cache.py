"""The cache: Redis when it answers, this process's memory while it does not.

Redis is an accelerator, never a single point of failure. ``FallbackRedisCache`` is
Django's Redis cache with short socket timeouts (``OPTIONS`` in settings) that, when
Redis refuses or stays silent, serves every call from a per-process ``LocMemCache``
for ``fallback_seconds`` (logged once per outage), then tries Redis again. Throttle
counters (DRF, django-ratelimit) keep counting in memory meanwhile: per process, so
a little more lenient, never closed.

An entry written or deleted during an outage may be older in Redis than in memory.
So when Redis answers again each process first deletes from Redis every key it
touched while cut off (or, past ``TOUCHED_KEYS_LIMIT`` keys, every key of this
cache's prefix), then empties its memory: a value invalidated during the outage is
never served stale afterwards.
"""

import logging
import re
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar
from urllib.parse import urlsplit

import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger(__name__)

T = TypeVar("T")

# What says "Redis is not there", as opposed to a programming error (a wrong type, a bad key).
REDIS_DOWN_ERRORS: tuple[type[BaseException], ...] = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    redis.exceptions.ReadOnlyError,
    redis.exceptions.OutOfMemoryError,
    OSError,
)
DEFAULT_FALLBACK_SECONDS = 10.0
TOUCHED_KEYS_LIMIT = 10_000
FALLBACK_MAX_ENTRIES = 10_000


class Outage:
    """One process's view of one Redis cache: up, or down until ``retry_at`` (shared by its threads)."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.lock = threading.Lock()
        self.down_since: float | None = None
        self.retry_at = 0.0
        self.touched: set[str] = set()
        self.overflow = False

    @property
    def down(self) -> bool:
        return self.down_since is not None

    def waiting(self) -> bool:
        """Down, and not yet time to try Redis again."""
        return self.down and time.monotonic() < self.retry_at

    def begin(self, error: BaseException, seconds: float) -> None:
        with self.lock:
            now = time.monotonic()
            first = self.down_since is None
            if first:
                self.down_since = now
            self.retry_at = now + seconds
        if first:
            logger.warning(
                "Cache: Redis at %s failed (%s: %s); serving this process's memory, retrying every %.0f s",
                self.label,
                type(error).__name__,
                error,
                seconds,
            )

    def touch(self, keys: Iterable[str]) -> None:
        with self.lock:
            if self.overflow:
                return
            self.touched.update(keys)
            if len(self.touched) > TOUCHED_KEYS_LIMIT:
                self.overflow = True
                self.touched.clear()

    def end(self) -> None:
        with self.lock:
            since, self.down_since = self.down_since, None
            self.touched, self.overflow = set(), False
        if since is not None:
            logger.warning(
                "Cache: Redis at %s answers again after %.0f s", self.label, time.monotonic() - since
            )


# One outage record per Redis location and key prefix, per process: Django builds a cache
# object per thread, and every thread must see that Redis is down without paying a timeout.
_outages: dict[str, Outage] = {}
_outages_lock = threading.Lock()


def _label(servers: list[str]) -> str:
    """Where the cache is, for logs: host, port and database, never a password."""
    parts = []
    for server in servers:
        url = urlsplit(server)
        parts.append(f"{url.hostname}:{url.port or 6379}{url.path or ''}")
    return ",".join(parts)


# ``incr`` in one round trip: Django's client asks EXISTS, then INCRBY.
INCR_IF_EXISTS = """
if redis.call('exists', KEYS[1]) == 1 then
    return redis.call('incrby', KEYS[1], ARGV[1])
end
return false
"""


class ReusingRedisCacheClient(RedisCacheClient):
    """Django's Redis cache client, keeping one redis-py client per connection pool (Django builds
    a new one, with its table of response callbacks, on every call), and counting in one trip."""

    def __init__(self, servers: Any, **options: Any) -> None:
        super().__init__(servers, **options)
        self._clients: dict[int, Any] = {}
        self._incr_if_exists: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        # Django's own members, which its type stubs leave out.
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients.setdefault(id(pool), self._client(connection_pool=pool))  # type: ignore[attr-defined]
        return client

    def incr(self, key: Any, delta: int) -> int:
        client = self.get_client(key, write=True)
        script = self._incr_if_exists.get(id(client))
        if script is None:
            script = self._incr_if_exists.setdefault(id(client), client.register_script(INCR_IF_EXISTS))
        value = script(keys=[key], args=[delta])
        if value is None:
            raise ValueError(f"Key '{key}' not found.")
        return int(value)


class FallbackRedisCache(RedisCache):
    """Django's Redis cache that falls back to this process's memory while Redis fails.

    ``OPTIONS`` go to redis-py (``socket_connect_timeout``, ``socket_timeout``), except
    ``fallback_seconds``: how long to serve from memory before trying Redis again.
    """

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = dict(params.get("OPTIONS") or {})
        self.fallback_seconds = float(options.pop("fallback_seconds", DEFAULT_FALLBACK_SECONDS))
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = ReusingRedisCacheClient
        servers = re.split("[;,]", server) if isinstance(server, str) else list(server)
        label = _label(servers)
        name = f"{','.join(servers)}|{self.key_prefix}"
        with _outages_lock:
            self.outage = _outages.setdefault(name, Outage(label))
        self.local = LocMemCache(
            f"redis-fallback|{name}",
            {
                "TIMEOUT": params.get("TIMEOUT", 300),
                "KEY_PREFIX": self.key_prefix,
                "VERSION": self.version,
                "OPTIONS": {"MAX_ENTRIES": FALLBACK_MAX_ENTRIES},
            },
        )

    # --- The one path every call takes ----------------------------------------------------

    def _either(
        self,
        remote: Callable[[], T],
        local: Callable[[], T],
        keys: Callable[[], Iterable[str]] | None = None,
    ) -> T:
        """``remote()`` on Redis; ``local()`` in memory while Redis is down (``keys()``: the keys it writes)."""
        outage = self.outage
        if outage.waiting():
            if keys:
                outage.touch(keys())
            return local()
        try:
            if outage.down:
                self._recover()
            return remote()
        except REDIS_DOWN_ERRORS as error:
            outage.begin(error, self.fallback_seconds)
            if keys:
                outage.touch(keys())
            return local()

    def _recover(self) -> None:
        """Redis may be back: forget in Redis what changed in memory meanwhile, then empty the memory."""
        outage = self.outage
        with outage.lock:
            touched, overflow = list(outage.touched), outage.overflow
        client = self._cache.get_client(None, write=True)
        if overflow:
            for batch in _batches(client.scan_iter(match=f"{self.key_prefix}:*", count=1000)):
                client.delete(*batch)
        else:
            for batch in _batches(iter(touched)):
                client.delete(*batch)
        self.local.clear()
        outage.end()

    def _keys(self, keys: Iterable[Any], version: int | None) -> Callable[[], list[str]]:
        return lambda: [self.make_key(key, version=version) for key in keys]

    # --- Django's cache API -------------------------------------------------------------------

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._either(
            lambda: super(FallbackRedisCache, self).add(key, value, timeout, version),
            lambda: self.local.add(key, value, timeout, version),
            self._keys([key], version),
        )

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._either(
            lambda: super(FallbackRedisCache, self).get(key, default, version),
            lambda: self.local.get(key, default, version),
        )

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        self._either(
            lambda: super(FallbackRedisCache, self).set(key, value, timeout, version),
            lambda: self.local.set(key, value, timeout, version),
            self._keys([key], version),
        )

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._either(
            lambda: super(FallbackRedisCache, self).touch(key, timeout, version),
            lambda: self.local.touch(key, timeout, version),
            self._keys([key], version),
        )

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._either(
            lambda: super(FallbackRedisCache, self).delete(key, version),
            lambda: self.local.delete(key, version),
            self._keys([key], version),
        )

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        keys = list(keys)
        return self._either(
            lambda: super(FallbackRedisCache, self).get_many(keys, version),
            lambda: self.local.get_many(keys, version),
        )

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._either(
            lambda: super(FallbackRedisCache, self).has_key(key, version),
            lambda: self.local.has_key(key, version),
        )

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        return self._either(
            lambda: super(FallbackRedisCache, self).incr(key, delta, version),
            lambda: self.local.incr(key, delta, version),
            self._keys([key], version),
        )

    def set_many(self, data: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> list[Any]:
        data = dict(data)
        return self._either(
            lambda: super(FallbackRedisCache, self).set_many(data, timeout, version),
            lambda: self.local.set_many(data, timeout, version),
            self._keys(data, version),
        )

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        keys = list(keys)
        self._either(
            lambda: super(FallbackRedisCache, self).delete_many(keys, version),
            lambda: self.local.delete_many(keys, version),
            self._keys(keys, version),
        )

    def count_hit(self, key: str, timeout: int, also_read: str) -> tuple[int, int]:
        """Add one to the counter ``key`` (kept ``timeout`` seconds after its last hit) and read the
        counter ``also_read``: both in one atomic round trip to Redis (a throttle's every call)."""
        return self._either(
            lambda: self._count_hit_in_redis(key, timeout, also_read),
            lambda: count_hit(self.local, key, timeout, also_read),
            self._keys([key], None),
        )

    def _count_hit_in_redis(self, key: str, timeout: int, also_read: str) -> tuple[int, int]:
        redis_key = self.make_and_validate_key(key)
        client = self._cache.get_client(redis_key, write=True)
        pipe = client.pipeline(transaction=True)
        pipe.incr(redis_key)
        pipe.expire(redis_key, timeout)
        pipe.get(self.make_and_validate_key(also_read))
        count, _, other = pipe.execute()
        return int(count), int(other or 0)

    def clear(self) -> None:
        """Empty the memory; and Redis's database, when it answers (never while it is down)."""
        self.local.clear()
        self._either(lambda: super(FallbackRedisCache, self).clear(), lambda: None)

    # --- For /healthz/ ------------------------------------------------------------------------

    def health(self) -> str:
        """``ok`` when Redis answers a ping now; ``degraded`` while this process serves from memory."""
        return self._either(
            lambda: "ok" if self._cache.get_client(None).ping() else "degraded", lambda: "degraded"
        )


def _batches(keys: Iterable[Any], size: int = 500) -> Iterable[list[Any]]:
    batch: list[Any] = []
    for key in keys:
        batch.append(key)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def count_hit(cache: Any, key: str, timeout: int, also_read: str) -> tuple[int, int]:
    """``FallbackRedisCache.count_hit`` on any Django cache: ``add`` then ``incr`` (each atomic), then a read."""
    in_one_trip = getattr(cache, "count_hit", None)  # ``django.core.cache.cache`` is a proxy
    if in_one_trip is not None:
        return in_one_trip(key, timeout, also_read)  # type: ignore[no-any-return]
    if cache.add(key, 1, timeout):
        count = 1
    else:
        try:
            count = int(cache.incr(key))
        except ValueError:  # expired or evicted between add and incr: this hit starts it again
            cache.set(key, 1, timeout)
            count = 1
    return count, int(cache.get(also_read, 0) or 0)
