"""Refunds on paid orders, with the sandbox's `refund_note` switch for the outcome.

As in Cashfree's sandbox, a refund_note of exactly "SUCCESS", "FAILED" or "PENDING"
(case-sensitive) fixes the refund's status; any other note gives PENDING that turns
SUCCESS a few seconds later on the clock. A refund never takes more than was paid less
what is already refunded or pending.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pos_app.domain.money import Money
from pos_app.simulator.bodies import RefundInput
from pos_app.simulator.errors import bad_request, conflict, not_found
from pos_app.simulator.models import OrderState, PayState, RefundState, SimRefund
from pos_app.simulator.state import SimState

__all__ = ["REFUND_SETTLE", "RefundDesk"]

REFUND_SETTLE = timedelta(seconds=5)
_FIXED = {"SUCCESS": RefundState.SUCCESS, "FAILED": RefundState.FAILED, "PENDING": None}


class RefundDesk:
    def __init__(self, state: SimState) -> None:
        self.state = state
        self._owner: dict[str, str] = {}  # refund_id -> order_id (unique per merchant)

    def create(self, order_id: str, spec: RefundInput, now: datetime) -> SimRefund:
        order = self.state.order(order_id, now)
        if spec.refund_id in self._owner:
            raise conflict("refund_already_exists", "refund with same refund_id is already present")
        if order.status is not OrderState.PAID:
            raise bad_request("order_not_paid", "refund can be initiated only on a paid order")
        for refund in order.refunds:
            self._advance(refund, now)
        taken = sum(
            r.amount.paise
            for r in order.refunds
            if r.status in (RefundState.SUCCESS, RefundState.PENDING)
        )
        left = Money(order.paid_amount().paise - taken)
        if spec.amount > left:
            raise bad_request(
                "refund_amount_invalid",
                f"refund_amount : should not exceed the refundable amount {left.decimal_text()}",
            )
        paid = next(p for p in order.payments if p.status is PayState.SUCCESS)
        refund = SimRefund(
            refund_id=spec.refund_id,
            cf_refund_id=self.state.ids.serial(1_553_000),
            order_id=order.order_id,
            cf_payment_id=paid.cf_payment_id,
            amount=spec.amount,
            note=spec.note,
            speed=spec.speed,
            created_at=now,
        )
        if spec.note in _FIXED:
            fixed = _FIXED[spec.note]
            if fixed is not None:
                self._finish(refund, fixed, now)
        else:
            refund.settle_at = now + REFUND_SETTLE
        order.refunds.append(refund)
        self._owner[refund.refund_id] = order.order_id
        return refund

    def list(self, order_id: str, now: datetime) -> list[SimRefund]:
        order = self.state.order(order_id, now)
        for refund in order.refunds:
            self._advance(refund, now)
        return list(order.refunds)

    def get(self, order_id: str, refund_id: str, now: datetime) -> SimRefund:
        for refund in self.list(order_id, now):
            if refund.refund_id == refund_id:
                return refund
        raise not_found("refund_not_found", "refund does not exist")

    def _advance(self, refund: SimRefund, now: datetime) -> None:
        if refund.status is RefundState.PENDING and refund.settle_at and refund.settle_at <= now:
            self._finish(refund, RefundState.SUCCESS, refund.settle_at)

    def _finish(self, refund: SimRefund, status: RefundState, at: datetime) -> None:
        refund.status = status
        refund.settle_at = None
        refund.processed_at = at
        if status is RefundState.SUCCESS:
            refund.arn = "RF" + self.state.ids.digits(10)
