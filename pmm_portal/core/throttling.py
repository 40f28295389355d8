"""API throttles that count atomically: exactly the limit gets through, however many arrive at once.

DRF's ``SimpleRateThrottle`` reads a list of timestamps from the cache, decides and
writes the list back: concurrent calls read the same list and all pass (2,072 calls
got through a limit of 2,000). Here each call increments a counter (in Redis one
atomic round trip that also reads the previous window's counter: ``cache.count_hit``)
and the value it gets back decides: the limit's worth of calls see a value within it, every later one sees
more. A refused call takes its increment back, so only accepted calls count.

The window slides: the count is this window's calls plus the previous window's,
weighted by how much of the previous window still lies within the last period
(the approximation Cloudflare describes), so a client cannot spend twice the limit
across a window's edge. With Redis down the counters live in each process's memory
(``pmm_portal.core.cache``): the limit holds per process.
"""

from contextlib import suppress
from typing import TYPE_CHECKING

from rest_framework import throttling

from .cache import count_hit

if TYPE_CHECKING:  # DRF's views import the throttle classes named in its settings: no import cycle
    from rest_framework.request import Request
    from rest_framework.views import APIView


class AtomicRateThrottle(throttling.SimpleRateThrottle):
    """A sliding-window counter in the cache; ``get_cache_key`` and ``scope`` come from DRF's classes."""

    cache_format = "throttle:%(scope)s:%(ident)s"
    num_requests: int | None
    duration: int | None

    def allow_request(self, request: "Request", view: "APIView") -> bool:
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        num_requests, duration = self.num_requests, self.duration
        if num_requests is None or duration is None:
            return True
        now = self.timer()
        window = int(now // duration)
        self.elapsed = now - window * duration
        current = f"{key}:{window}"
        # Each window's counter is still read as "the previous window" during the next one.
        timeout = 2 * duration + 60
        count, self.previous = count_hit(self.cache, current, timeout, f"{key}:{window - 1}")
        self.estimate = self.previous * (1 - self.elapsed / duration) + count
        self.count = count
        if self.estimate <= num_requests:
            return True
        self._decr(current)
        return False

    def _decr(self, key: str) -> None:
        with suppress(ValueError):  # gone meanwhile: nothing to take back
            self.cache.decr(key)

    def wait(self) -> float | None:
        """Seconds until a call may pass: the previous window fading enough, or this window's end."""
        num_requests, duration = self.num_requests, self.duration
        if num_requests is None or duration is None:
            return None
        to_window_end = duration - self.elapsed
        accepted = self.count - 1  # this call's increment was taken back
        if self.previous and accepted < num_requests:
            # previous * (1 - (elapsed + t) / duration) + accepted + 1 <= num_requests
            excess = self.estimate - num_requests
            return float(min(to_window_end, max(excess / self.previous * duration, 1.0)))
        return float(max(to_window_end, 1.0))


class UserRateThrottle(throttling.UserRateThrottle, AtomicRateThrottle):
    """Per signed-in user (per address for anonymous calls), at ``DEFAULT_THROTTLE_RATES['user']``."""


class AnonRateThrottle(throttling.AnonRateThrottle, AtomicRateThrottle):
    """Anonymous calls per client address, at ``DEFAULT_THROTTLE_RATES['anon']``."""


class ScopedRateThrottle(throttling.ScopedRateThrottle, AtomicRateThrottle):
    """Per view's ``throttle_scope``, at ``DEFAULT_THROTTLE_RATES[<scope>]``."""
