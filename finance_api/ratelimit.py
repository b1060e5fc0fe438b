"""Per-key rate limits: a token bucket for each API key, refused with 429 and Retry-After.

Buckets live in the worker's memory (each worker limits on its own; a deployment behind a
load balancer divides the rate by its workers). A bucket refills at ``rate`` requests a
second up to ``burst``. The clock is injected so the arithmetic is tested without sleeping.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from ledger.core.access import Caller
from ledger.core.errors import LedgerError

_MAX_BUCKETS = 100_000


class RateLimited(LedgerError):
    code = "rate_limited"
    status = 429

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail, field="X-API-Key")
        self.retry_after = retry_after


class RateLimiter:
    def __init__(
        self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be positive and burst at least 1")
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)
        self._lock = threading.Lock()

    def take_for(self, caller: Caller) -> None:
        """Spend one token of the bucket of the key ``caller`` authenticated with (its one
        scope names the key), or raise :class:`RateLimited`."""
        self.take(next(iter(caller.scopes)))

    def take(self, key: str) -> None:
        """Spend one token of ``key``'s bucket, or raise :class:`RateLimited`."""
        now = self._clock()
        with self._lock:
            tokens, at = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - at) * self.rate)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                wait = math.ceil((1.0 - tokens) / self.rate)
                raise RateLimited(
                    f"more than {self.rate:g} requests a second on this key", max(1, wait)
                )
            if len(self._buckets) > _MAX_BUCKETS:
                self._buckets.clear()
            self._buckets[key] = (tokens - 1.0, now)
