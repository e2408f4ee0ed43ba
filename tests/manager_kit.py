"""A generated day of sales for the manager's tests and benchmark.

`fill_day` writes sales of every status, late payments, duplicate overrides and refunds
(full, partial, pending, on hold, failed) through the journal's public API, and keeps its
own tally of what it wrote (`Expected`), computed here without any of the code under test.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from pos_app.domain.money import Money
from pos_app.domain.sale import Method, Sale, SaleStatus
from pos_app.gateway.base import Customer, NewOrder
from pos_app.store.codec import RefundRecord
from pos_app.store.journal import Journal

DAY = datetime(2026, 11, 25, 18, 30, tzinfo=UTC)  # 26 Nov 2026, 00:00 in India
GROUPS = ["upi", "upi", "upi", "credit_card", "debit_card", "net_banking", "wallet", None]
FAMILY = {
    "upi": "UPI",
    "credit_card": "Card",
    "debit_card": "Card",
    "net_banking": "Net banking",
    "wallet": "Wallet",
    None: "Other",
}


class Clock:
    def __init__(self, now: datetime = DAY) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Expected:
    """What fill_day wrote, tallied independently: counts and paise."""

    by_status: Counter[SaleStatus] = field(default_factory=Counter)
    paise_by_status: Counter[SaleStatus] = field(default_factory=Counter)
    paid_by_method: Counter[Method] = field(default_factory=Counter)
    paid_by_family: Counter[str] = field(default_factory=Counter)
    paid_by_hour: Counter[int] = field(default_factory=Counter)  # local hour -> paise
    refunded: int = 0  # SUCCESS refunds, paise
    refunded_count: int = 0
    pending_refunds: int = 0
    pending_refund_count: int = 0
    late: int = 0
    exceptions: set[tuple[str, str]] = field(default_factory=set)  # (kind value, order id)
    paid_orders: list[str] = field(default_factory=list)


_PLAN = [
    (SaleStatus.PAID, 60),
    (SaleStatus.EXPIRED, 8),
    (SaleStatus.CANCELLED, 8),
    (SaleStatus.FAILED, 4),
    (SaleStatus.UNCERTAIN, 3),
    (SaleStatus.AWAITING_PAYMENT, 3),
    (SaleStatus.CREATED, 2),
]
# Refund plans for paid sales: each a list of (share of the sale in percent, final status).
_REFUND_PLANS = [
    [(100, "SUCCESS")],
    [(40, "SUCCESS")],
    [(30, "SUCCESS"), (20, "PENDING")],
    [(50, "FAILED")],
    [(25, "ONHOLD")],
    [(100, "CANCELLED")],
]


def fill_day(
    journal: Journal,
    clock: Clock,
    *,
    sales: int = 300,
    seed: int = 11,
    day: datetime = DAY,
    zone: tzinfo = UTC,
    terminal_id: str = "T1",
    prefix: str = "T1",
) -> Expected:
    rng = random.Random(seed)
    plan = [s for s, weight in _PLAN for _ in range(weight)]
    expected = Expected()
    moments = sorted(
        day + timedelta(milliseconds=rng.randrange(0, 22 * 3_600_000)) for _ in range(sales)
    )
    for n, created in enumerate(moments):
        status = rng.choice(plan)
        late = status is SaleStatus.PAID and n % 17 == 0
        override = status is SaleStatus.PAID and n % 23 == 0
        sale = Sale(
            order_id=f"{prefix}-{n:06d}",
            terminal_id=terminal_id,
            environment="demo",
            amount=Money(rng.randrange(100, 5_000_00)),
            method=rng.choice(list(Method)),
            status=SaleStatus.CREATED,
            idempotency_key=f"k-{prefix}-{n}",
            created_at=created,
            updated_at=created,
            bill_number=f"B{n}" if n % 3 == 0 else None,
            duplicate_override=override,
        )
        clock.now = created
        journal.create_sale(sale)
        _walk(journal, clock, sale, status, late, rng)
        expected.by_status[status] += 1
        expected.paise_by_status[status] += sale.amount.paise
        if status in (SaleStatus.UNCERTAIN,):
            expected.exceptions.add(("uncertain", sale.order_id))
        if status in (SaleStatus.AWAITING_PAYMENT, SaleStatus.CREATED):
            expected.exceptions.add(("open", sale.order_id))
        if status is not SaleStatus.PAID:
            continue
        group = GROUPS[n % len(GROUPS)]
        journal.update_sale(sale.order_id, event="group", payment_group=group)
        expected.paid_orders.append(sale.order_id)
        expected.paid_by_method[sale.method] += sale.amount.paise
        expected.paid_by_family[FAMILY[group]] += sale.amount.paise
        expected.paid_by_hour[created.astimezone(zone).hour] += sale.amount.paise
        if late:
            expected.late += 1
            expected.exceptions.add(("late_payment", sale.order_id))
        if override:
            expected.exceptions.add(("duplicate_override", sale.order_id))
        if n % 5 == 0:
            _refunds(journal, clock, sale, _REFUND_PLANS[(n // 5) % len(_REFUND_PLANS)], expected)
    return expected


def _walk(
    journal: Journal, clock: Clock, sale: Sale, status: SaleStatus, late: bool, rng: random.Random
) -> None:
    later = sale.created_at + timedelta(seconds=rng.randrange(5, 90))
    if status is SaleStatus.CREATED:
        return
    if status is SaleStatus.FAILED:
        journal.update_sale(sale.order_id, event="refused", status=SaleStatus.FAILED)
        return
    journal.update_sale(sale.order_id, event="order_created", status=SaleStatus.AWAITING_PAYMENT)
    clock.now = later
    if status is SaleStatus.PAID:
        if late:
            journal.update_sale(sale.order_id, event="expired", status=SaleStatus.EXPIRED)
            clock.now = later + timedelta(minutes=3)
        journal.update_sale(
            sale.order_id,
            event="late_payment" if late else "paid",
            status=SaleStatus.PAID,
            late=late,
            bank_reference=f"UTR{rng.randrange(10**11, 10**12)}",
            cf_payment_id=str(rng.randrange(10**9)),
            paid_at=clock.now,
        )
    elif status is not SaleStatus.AWAITING_PAYMENT:
        journal.update_sale(sale.order_id, event=status.value.lower(), status=status)


def _refunds(
    journal: Journal,
    clock: Clock,
    sale: Sale,
    plan: list[tuple[int, str]],
    expected: Expected,
) -> None:
    for k, (share, final) in enumerate(plan):
        clock.now += timedelta(minutes=5)
        amount = Money(max(1, sale.amount.paise * share // 100))
        record = RefundRecord(
            refund_id=f"RF-{sale.order_id}-{k}",
            order_id=sale.order_id,
            amount=amount,
            status="REQUESTED",
            idempotency_key=f"rk-{sale.order_id}-{k}",
            created_at=clock.now,
            updated_at=clock.now,
        )
        journal.create_refund(record, another=True)
        journal.update_refund(record.refund_id, status=final)
        if final == "SUCCESS":
            expected.refunded += amount.paise
            expected.refunded_count += 1
        elif final in ("PENDING", "ONHOLD"):
            expected.pending_refunds += amount.paise
            expected.pending_refund_count += 1
            expected.exceptions.add(("refund_not_final", sale.order_id))


async def sale_at_gateway(till: Any, rupees: int, status: SaleStatus, **kw: object) -> Sale:
    """A sale the till journaled and Cashfree (the simulator) knows, that no watcher follows:
    AWAITING_PAYMENT, or closed as `status` in the journal only."""
    now = till.clock()
    order_id = f"T1-RD-{rupees}"
    sale = Sale(
        order_id=order_id,
        terminal_id="T1",
        environment="demo",
        amount=Money.rupees(rupees),
        method=Method.UPI_QR,
        status=SaleStatus.CREATED,
        idempotency_key=f"k-{order_id}",
        created_at=now,
        updated_at=now,
        expires_at=now + timedelta(minutes=15),
        **kw,  # type: ignore[arg-type]
    )
    till.journal.create_sale(sale)
    await till.gateway.create_order(
        NewOrder(
            order_id, sale.amount, Customer("cust1", "9999999999"), expires_at=sale.expires_at
        ),
        idempotency_key=sale.idempotency_key,
    )
    till.journal.update_sale(order_id, event="order_created", status=SaleStatus.AWAITING_PAYMENT)
    if status is not SaleStatus.AWAITING_PAYMENT:
        till.journal.update_sale(order_id, event="closed", status=status)
    return till.journal.get_sale(order_id)  # type: ignore[no-any-return]
