"""What time it is, in one place: `utc_now`, and the `Clock` type that code takes instead
of calling it directly, so tests can hand in a fake clock.

A `Clock` tells wall-clock time, aware and in UTC: deadlines, journal stamps, what the
screens count down. (The gateway's retry pauses and the shared rate budget count plain
seconds instead and keep their own `Callable[[], float]`.)
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

__all__ = ["Clock", "utc_now"]

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)
