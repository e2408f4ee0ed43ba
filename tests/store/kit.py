"""Helpers shared by the journal tests (imported as ``store.kit``; tests/ is on sys.path)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from pos_app.domain.money import Money
from pos_app.domain.sale import Method, Sale, SaleStatus

START = datetime(2026, 3, 14, 4, 30, tzinfo=UTC)

MakeSale = Callable[..., Sale]


class Clock:
    """Aware UTC time that only moves when a test moves it."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def sale_factory(clock: Clock) -> MakeSale:
    """make(**changes) -> a CREATED ₹250.00 UPI QR sale at T1 with a fresh order id."""
    counter = iter(range(1, 10**9))

    def make(**changes: object) -> Sale:
        n = next(counter)
        values: dict[str, object] = {
            "order_id": f"T1-{n:06d}",
            "terminal_id": "T1",
            "environment": "demo",
            "amount": Money(25000),
            "method": Method.UPI_QR,
            "status": SaleStatus.CREATED,
            "idempotency_key": f"idem-{n}",
            "created_at": clock.now,
            "updated_at": clock.now,
        }
        values.update(changes)
        return Sale(**values)  # type: ignore[arg-type]

    return make
