"""Helpers for the store-database tests: tills as journals in their own data folders."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pos_app.domain.money import Money
from pos_app.domain.sale import Method, Sale, SaleStatus
from pos_app.services.store_sync.sync import StoreSync
from pos_app.store.codec import RefundRecord
from pos_app.store.journal import Journal
from pos_app.store_db.connect import connect
from pos_app.store_db.push import TillKey

DAY = datetime(2026, 3, 14, 4, 30, tzinfo=UTC)
_serial = itertools.count(1)


class Clock:
    def __init__(self, now: datetime = DAY) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class Till:
    till_id: str
    folder: Path
    journal: Journal
    clock: Clock
    url: str

    @property
    def key(self) -> TillKey:
        return TillKey("shop", self.till_id, "demo")

    def syncer(self, url: str | None = None, batch_size: int = 500) -> StoreSync:
        target = url or self.url
        return StoreSync(
            self.journal,
            self.key,
            lambda: connect(target),
            clock=self.clock,
            batch_size=batch_size,
        )

    def sell(self, paise: int, *, paid: bool = True, method: Method = Method.UPI_QR) -> Sale:
        n = next(_serial)
        order_id = f"{self.till_id}-{n:06d}"
        sale = self.journal.create_sale(
            Sale(
                order_id=order_id,
                terminal_id=self.till_id,
                environment="demo",
                amount=Money(paise),
                method=method,
                status=SaleStatus.CREATED,
                idempotency_key=f"idem-{order_id}",
                created_at=self.clock.now,
                updated_at=self.clock.now,
            )
        )
        self.journal.update_sale(
            order_id, event="order_created", status=SaleStatus.AWAITING_PAYMENT
        )
        if paid:
            self.clock.advance(1)
            sale = self.journal.update_sale(
                order_id,
                event="paid",
                status=SaleStatus.PAID,
                paid_at=self.clock.now,
                payment_group="upi",
                cf_payment_id=f"cf-{n}",
            )
        self.clock.advance(1)
        return sale

    def refund(self, sale: Sale, paise: int, status: str = "SUCCESS") -> RefundRecord:
        n = next(_serial)
        record = self.journal.create_refund(
            RefundRecord(
                refund_id=f"R-{self.till_id}-{n}",
                order_id=sale.order_id,
                amount=Money(paise),
                status="PENDING",
                idempotency_key=f"rk-{n}",
                created_at=self.clock.now,
                updated_at=self.clock.now,
            )
        )
        if status != "PENDING":
            record = self.journal.update_refund(record.refund_id, status=status)
        return record


def open_till(root: Path, till_id: str, url: str, clock: Clock | None = None) -> Till:
    folder = root / f"till-{till_id}"
    folder.mkdir(parents=True, exist_ok=True)
    clock = clock or Clock()
    journal = Journal.open(folder / "journal-demo.sqlite3", clock=clock)
    return Till(till_id, folder, journal, clock, url)
