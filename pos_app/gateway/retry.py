"""When to try a call again, and how fast we may call Cashfree at all.

Both pieces are pure policy: the clock, the sleep and the jitter are injected, so tests
and benchmarks drive them with virtual time and get exact answers.

- `RetryPolicy` says how long to wait before the next attempt of a failed call, or that
  there is no next attempt. It serves one-off calls; a loop that owns its cadence (the
  sale at the counter) uses a single-attempt gateway view and retries on its own clock,
  so there is one retry owner per call, never a policy nested under a loop.
- `RateBudget` keeps our call rate under Cashfree's published per-minute limits (minus a
  headroom), one bucket per endpoint, and lets the counter (foreground) go before
  background work. Which calls are background is said by the caller (the gateway's
  `background()` view passes `background=True`), never by ambient state. It counts for
  one process.
- `CallBudget` is what the gateway needs from any budget: RateBudget, or the till-wide one
  shared by every process of a till (store/rate_budget.py), since Cashfree's limits are
  per account, not per process.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from pos_app.gateway.errors import GatewayError, RateLimitedError

__all__ = [
    "ENDPOINTS",
    "CallBudget",
    "RateBudget",
    "RetryPolicy",
    "full_jitter",
    "published_limits",
]

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


def full_jitter(delay: float) -> float:
    """'Full jitter': a uniformly random wait between nothing and the backoff."""
    return random.uniform(0.0, delay)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with jitter, for errors that say they are safe to retry.

    `attempt` counts from 1 (the first try). The backoff before attempt n+1 is
    `base_delay * 2**(n-1)`, capped at `max_delay`, passed through `jitter`. A 429 waits at
    least what Cashfree asked for in `x-ratelimit-retry`.
    """

    max_attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0
    jitter: Callable[[float], float] = full_jitter

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.base_delay < 0 or self.max_delay < 0:
            raise ValueError("delays cannot be negative")

    def delay_for(self, attempt: int, error: GatewayError) -> float | None:
        """Seconds to wait before trying again after `attempt` failed with `error`.

        None means: do not retry (the error is not retryable, or attempts are used up).
        """
        if attempt < 1:
            raise ValueError("attempts count from 1")
        if not error.retryable or attempt >= self.max_attempts:
            return None
        exponent = min(attempt - 1, 30)  # keeps 2**n finite for absurd attempt counts
        backoff = max(0.0, self.jitter(min(self.max_delay, self.base_delay * 2**exponent)))
        if isinstance(error, RateLimitedError) and error.retry_after is not None:
            return max(error.retry_after, backoff)
        return backoff


# ---- rate budget ------------------------------------------------------------------------

ENDPOINTS: tuple[str, ...] = (
    "create_order",
    "get_order",
    "terminate_order",
    "pay_order",
    "list_payments",
    "create_link",
    "get_link",
    "cancel_link",
    "link_orders",
    "create_refund",
    "get_refund",
    "list_refunds",
    "recon",
    "settlements",
    "settlement_recon",
    "order_settlements",
    "authenticate_payment",  # card OTP submit / resend
)


def _limits(default: int, **specific: int) -> dict[str, int]:
    return {name: specific.get(name, default) for name in ENDPOINTS}


# Calls per minute, Cashfree's published defaults (REFERENCE §8.3); "others" take the default.
_PUBLISHED_LIMITS: dict[str, dict[str, int]] = {
    # The reconciliation calls count as "Get Settlements" (20 sandbox, 30 production); the
    # limit of /recon itself is not published (UNVERIFIED): it gets the same, to be safe.
    "sandbox": _limits(
        30,
        get_order=60,
        recon=20,
        settlements=20,
        settlement_recon=20,
        order_settlements=20,
    ),
    "production": _limits(
        100,
        create_order=200,
        get_order=400,
        list_payments=100,
        pay_order=100,
        get_refund=30,
        recon=30,
        settlements=30,
        settlement_recon=30,
        order_settlements=30,
    ),
}
_PUBLISHED_LIMITS["demo"] = _PUBLISHED_LIMITS["sandbox"]


def published_limits(environment: str) -> dict[str, int]:
    """Cashfree's calls-per-minute limits for "sandbox", "production" or "demo" (demo uses
    sandbox's), one per endpoint."""
    try:
        return dict(_PUBLISHED_LIMITS[environment])
    except KeyError:
        raise ValueError(f"unknown environment: {environment!r}") from None


class CallBudget(Protocol):
    """What the gateway asks of a rate budget, before every HTTP attempt and after a 429.

    `background` is True for calls made through the gateway's background view (sweeps,
    refreshes, reports): they keep a reserve for the counter and let a waiting
    foreground call go first.
    """

    async def acquire(self, endpoint: str, *, background: bool = False) -> None: ...

    def penalise(self, endpoint: str, seconds: float) -> None: ...

    def capacity(self, endpoint: str) -> int:
        """Calls allowed to this till in one window (the poller paces itself by it)."""
        ...


# How long a background caller that must yield to a foreground waiter sleeps before it
# looks again (the foreground caller takes the free token as soon as it wakes).
_RECHECK = 0.05


@dataclass(slots=True)
class _Bucket:
    capacity: int
    reserve: float
    spent: deque[float] = field(default_factory=deque)  # grant times inside the window
    blocked_until: float = -math.inf
    foreground_waiting: int = 0
    granted: int = 0


class RateBudget:
    """One bucket per endpoint; at most `capacity` calls in any window of `window` seconds.

    capacity = floor(limit * (1 - headroom)), at least 1. A spent token comes back exactly
    one window after it was spent. (A bucket that refills continuously would let twice
    its capacity through in the minute after a quiet spell, which breaks the per-minute
    promise; this one never does.)

    Background calls (`acquire(..., background=True)`) only take a token while more than `reserve`
    (a fraction of capacity) remain, and never while a foreground caller waits.
    """

    def __init__(
        self,
        limits: Mapping[str, int],
        *,
        headroom: float = 0.25,
        reserve: float = 0.30,
        window: float = 60.0,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if not 0.0 <= headroom < 1.0:
            raise ValueError("headroom is a fraction in [0, 1)")
        if not 0.0 <= reserve < 1.0:
            raise ValueError("reserve is a fraction in [0, 1)")
        if window <= 0:
            raise ValueError("window must be positive")
        self._clock = clock
        self._sleep = sleep
        self._window = window
        self._buckets: dict[str, _Bucket] = {}
        for name, per_window in limits.items():
            if per_window < 1:
                raise ValueError(f"limit for {name} must be at least 1")
            capacity = max(1, math.floor(per_window * (1.0 - headroom)))
            self._buckets[name] = _Bucket(capacity=capacity, reserve=capacity * reserve)

    @classmethod
    def for_environment(
        cls,
        environment: str,
        *,
        headroom: float = 0.25,
        reserve: float = 0.30,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> RateBudget:
        """The budget for "sandbox", "production" or "demo" (demo uses sandbox's limits)."""
        limits = published_limits(environment)
        return cls(limits, headroom=headroom, reserve=reserve, clock=clock, sleep=sleep)

    # ---- inspection (tests, benchmarks, diagnostics) ------------------------------------
    def capacity(self, endpoint: str) -> int:
        return self._bucket(endpoint).capacity

    def available(self, endpoint: str) -> int:
        """Tokens free right now (0 while the endpoint is penalised)."""
        bucket = self._bucket(endpoint)
        now = self._clock()
        self._expire(bucket, now)
        if now < bucket.blocked_until:
            return 0
        return bucket.capacity - len(bucket.spent)

    @property
    def granted(self) -> dict[str, int]:
        """Calls granted so far, per endpoint."""
        return {name: bucket.granted for name, bucket in self._buckets.items()}

    # ---- use ----------------------------------------------------------------------------
    async def acquire(self, endpoint: str, *, background: bool = False) -> None:
        """Wait until a call to `endpoint` fits the budget, then count it. A background
        call keeps the reserve for the counter and yields to a waiting foreground call."""
        bucket = self._bucket(endpoint)
        if background:
            while (wait := self._try_take(bucket, background=True)) is not None:
                await self._sleep(wait)
            return
        bucket.foreground_waiting += 1
        try:
            while (wait := self._try_take(bucket, background=False)) is not None:
                await self._sleep(wait)
        finally:
            bucket.foreground_waiting -= 1

    def penalise(self, endpoint: str, seconds: float) -> None:
        """Cashfree said 429: grant nothing on this endpoint for `seconds`."""
        bucket = self._bucket(endpoint)
        bucket.blocked_until = max(bucket.blocked_until, self._clock() + max(0.0, seconds))

    # ---- internals ----------------------------------------------------------------------
    def _bucket(self, endpoint: str) -> _Bucket:
        try:
            return self._buckets[endpoint]
        except KeyError:
            raise ValueError(f"no rate budget for endpoint {endpoint!r}") from None

    def _expire(self, bucket: _Bucket, now: float) -> None:
        horizon = now - self._window
        while bucket.spent and bucket.spent[0] <= horizon:
            bucket.spent.popleft()

    def _try_take(self, bucket: _Bucket, *, background: bool) -> float | None:
        """Take a token and return None, or return how long to wait before asking again."""
        now = self._clock()
        self._expire(bucket, now)
        if now < bucket.blocked_until:
            return bucket.blocked_until - now
        free = bucket.capacity - len(bucket.spent)
        next_return = bucket.spent[0] + self._window - now if bucket.spent else _RECHECK
        if background:
            if bucket.foreground_waiting > 0:
                return max(_RECHECK, next_return if free == 0 else _RECHECK)
            if free <= bucket.reserve:
                return next_return
        elif free <= 0:
            return next_return
        bucket.spent.append(now)
        bucket.granted += 1
        return None
