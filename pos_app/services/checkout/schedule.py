"""When to ask Cashfree again: the adaptive schedule for a sale at the counter, and the
slow, backing-off schedule of the late-payment sweep after cancel or expiry.

Pure functions of elapsed time; the loops that use them live in watch.py and sweep.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pos_app.domain.sale import Method

__all__ = ["PollSchedule", "SweepSchedule", "sustainable_interval"]


def sustainable_interval(
    calls_per_window: int, *, window: float = 60.0, share: float = 1.0
) -> float:
    """The shortest pause between reads that keeps one sale's polling within `share` of an
    endpoint's budget (`calls_per_window` calls per `window` seconds), leaving the rest for
    Check now, a cancel's re-read and a resend."""
    if calls_per_window < 1:
        raise ValueError("a budget allows at least one call")
    return window / (calls_per_window * share)


@dataclass(frozen=True, slots=True)
class PollSchedule:
    """Fast while the customer stands at the counter, slower later.

    Defaults: every 1.6 s for the first 2 minutes, every 3 s until 5 minutes, then every
    10 s. Measured (tests/bench/bench_checkout.py, payment at a random moment within 2
    minutes): shown a median 0.76 s after the money moved, p95 1.51 s, at 38.6 Get
    Order calls a minute, inside sandbox's 45-a-minute budget (60 less 25% headroom).
    Failed-attempt checks (the payments list) run on every `payments_every`-th read.
    """

    fast_interval: float = 1.6
    fast_for: float = 120.0
    medium_interval: float = 3.0
    medium_until: float = 300.0
    slow_interval: float = 10.0
    payments_every: int = 3
    expiry_grace: float = 5.0  # Cashfree may flip the order a little after its expiry time
    # A payment link is read with Get Link, whose budget can be smaller than Get Order's
    # (sandbox: 30 a minute against 60): its reads never come closer than this. Polling
    # faster than the budget ran it dry and stalled every read, out of reach of Check now.
    link_min_interval: float = 0.0

    def min_interval(self, method: Method) -> float:
        """The closest two reads of a sale paid by `method` may come."""
        return self.link_min_interval if method is Method.LINK else 0.0

    # Push hook (issue 17): while Cashfree's webhooks reach the till (services/store_sync/push.py),
    # this returns the slow backstop interval (e.g. 10 s) and polling never runs faster;
    # None (push quiet or absent) keeps the adaptive schedule above.
    backstop: Callable[[], float | None] | None = None

    def interval(self, elapsed: float) -> float:
        if elapsed < self.fast_for:
            base = self.fast_interval
        elif elapsed < self.medium_until:
            base = self.medium_interval
        else:
            base = self.slow_interval
        slow = self.backstop() if self.backstop is not None else None
        return base if slow is None else max(base, slow)

    def calls_per_minute(self, elapsed: float) -> float:
        return 60.0 / self.interval(elapsed)


@dataclass(frozen=True, slots=True)
class SweepSchedule:
    """After CANCELLED or EXPIRED: check again after 30 s, then doubling up to every 30 min,
    for `duration` seconds (24 h by default). Money found then is recorded as a late payment."""

    first: float = 30.0
    factor: float = 2.0
    cap: float = 1800.0
    duration: float = 24 * 3600.0

    def delays(self) -> list[float]:
        """Every pause of the sweep, in order; their sum never exceeds `duration`."""
        out: list[float] = []
        total = 0.0
        delay = self.first
        while total + delay <= self.duration:
            out.append(delay)
            total += delay
            delay = min(delay * self.factor, self.cap)
        return out
