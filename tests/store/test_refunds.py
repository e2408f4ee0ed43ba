"""Refunds beside a sale: request, status changes, totals, and the events they leave."""

from __future__ import annotations

from datetime import timedelta

import pytest
from store.kit import Clock, MakeSale

from pos_app.domain.money import Money
from pos_app.domain.sale import Sale, SaleStatus
from pos_app.store.codec import RefundRecord
from pos_app.store.errors import (
    DuplicateRefundError,
    RefundTooLargeError,
    UnknownRefundError,
    UnknownSaleError,
)
from pos_app.store.journal import Journal


@pytest.fixture
def paid(journal: Journal, make_sale: MakeSale, clock: Clock) -> Sale:
    return journal.create_sale(
        make_sale(status=SaleStatus.PAID, amount=Money(100000), paid_at=clock.now)
    )


def _refund(
    sale: Sale, clock: Clock, refund_id: str, paise: int, status: str = "PENDING"
) -> RefundRecord:
    return RefundRecord(
        refund_id=refund_id,
        order_id=sale.order_id,
        amount=Money(paise),
        status=status,
        idempotency_key=f"idem-{refund_id}",
        reason="customer returned the item",
        created_at=clock.now,
        updated_at=clock.now,
    )


def test_create_refund_with_its_event(journal: Journal, paid: Sale, clock: Clock) -> None:
    clock.advance(minutes=3)
    record = _refund(paid, clock, "RF1", 2500)
    assert journal.create_refund(record) == record
    assert journal.refunds_for(paid.order_id) == [record]
    last = journal.events(paid.order_id)[-1]
    assert last.kind == "refund_requested"
    assert last.detail == {"refund_id": "RF1", "amount_paise": 2500, "status": "PENDING"}
    assert last.at == clock.now
    assert journal.get_sale(paid.order_id) == paid  # the sale row itself is untouched


def test_update_refund_status_and_details(journal: Journal, paid: Sale, clock: Clock) -> None:
    journal.create_refund(_refund(paid, clock, "RF1", 2500))
    clock.advance(minutes=1)
    done = journal.update_refund(
        "RF1", status="success", cf_refund_id="41805719", arn="ARN77", status_description="ok"
    )
    assert (done.status, done.cf_refund_id, done.arn, done.updated_at) == (
        "SUCCESS",
        "41805719",
        "ARN77",
        clock.now,
    )
    assert journal.refunds_for(paid.order_id) == [done]
    event = journal.events(paid.order_id)[-1]
    assert event.kind == "refund_success"
    assert event.detail["refund_id"] == "RF1" and event.detail["arn"] == "ARN77"

    again = journal.update_refund("RF1", status_description="settled")
    assert journal.events(paid.order_id)[-1].kind == "refund_updated"
    assert again.status == "SUCCESS"


def test_refunded_total_with_and_without_pending(
    journal: Journal, paid: Sale, clock: Clock
) -> None:
    assert journal.refunded_total(paid.order_id) == Money(0)
    journal.create_refund(_refund(paid, clock, "A", 1000, "SUCCESS"), another=True)
    journal.create_refund(_refund(paid, clock, "B", 2000, "PENDING"), another=True)
    journal.create_refund(_refund(paid, clock, "C", 4000, "ONHOLD"), another=True)
    journal.create_refund(_refund(paid, clock, "D", 8000, "PENDING"), another=True)
    journal.update_refund("D", status="FAILED")
    assert journal.refunded_total(paid.order_id) == Money(7000)
    assert journal.refunded_total(paid.order_id, include_pending=False) == Money(1000)
    assert [r.refund_id for r in journal.refunds_for(paid.order_id)] == ["A", "B", "C", "D"]


def test_refunds_cannot_exceed_the_sale(journal: Journal, paid: Sale, clock: Clock) -> None:
    journal.create_refund(_refund(paid, clock, "A", 60000, "SUCCESS"), another=True)
    journal.create_refund(_refund(paid, clock, "B", 30000, "PENDING"), another=True)
    events_before = journal.events(paid.order_id)
    with pytest.raises(RefundTooLargeError, match=r"₹100.01.*₹100.00"):
        journal.create_refund(_refund(paid, clock, "C", 10001), another=True)
    assert journal.events(paid.order_id) == events_before
    assert [r.refund_id for r in journal.refunds_for(paid.order_id)] == ["A", "B"]
    # once the pending one fails, its amount can be refunded again
    journal.update_refund("B", status="FAILED")
    journal.create_refund(_refund(paid, clock, "C", 40000), another=True)
    assert journal.refunded_total(paid.order_id) == Money(100000)


def test_refund_refusals(journal: Journal, paid: Sale, clock: Clock, make_sale: MakeSale) -> None:
    journal.create_refund(_refund(paid, clock, "A", 100), another=True)
    with pytest.raises(DuplicateRefundError):
        journal.create_refund(_refund(paid, clock, "A", 100), another=True)
    ghost = make_sale(order_id="NOT-THERE")
    with pytest.raises(UnknownSaleError):
        journal.create_refund(_refund(ghost, clock, "G", 100), another=True)
    with pytest.raises(ValueError, match="more than zero"):
        journal.create_refund(_refund(paid, clock, "Z", 0), another=True)
    with pytest.raises(UnknownRefundError):
        journal.update_refund("missing", status="SUCCESS")
    with pytest.raises(TypeError):
        journal.update_refund("A", amount=Money(1))
    with pytest.raises(TypeError):
        journal.update_refund("A")
    assert [r.refund_id for r in journal.refunds_for(paid.order_id)] == ["A"]
    assert journal.refunds_for(paid.order_id)[0].status == "PENDING"


def test_day_totals_count_refunds_by_the_day_they_were_made(
    journal: Journal, paid: Sale, clock: Clock
) -> None:
    day = (clock.now - timedelta(hours=1), clock.now + timedelta(hours=1))
    journal.create_refund(_refund(paid, clock, "A", 1000, "SUCCESS"), another=True)
    journal.create_refund(_refund(paid, clock, "B", 2000, "PENDING"), another=True)
    clock.advance(days=1)
    journal.create_refund(_refund(paid, clock, "C", 3000, "SUCCESS"), another=True)
    totals = journal.day_totals(*day)
    assert (totals.refunded.count, totals.refunded.amount) == (1, Money(1000))
    assert (totals.pending_refunds.count, totals.pending_refunds.amount) == (1, Money(2000))
    assert totals.net == Money(99000)
    other_till = journal.day_totals(*day, terminal_id="T2")
    assert other_till.refunded.count == 0
