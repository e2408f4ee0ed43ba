"""Money after the sale: a daily settlement with Cashfree's charges, disputes, and the
reconciliation events that describe it all (PG Reconciliation and Settlement APIs).

Everything is derived from the ledger on every call, so it can never disagree with the
orders, payments and refunds the other endpoints show:

- every SUCCESS payment carries a service charge (`charge_bp` basis points of the amount)
  and GST on that charge (`tax_bp`, 18% by default);
- all payments completed, refunds processed and disputes opened on one IST calendar day
  are settled together the next day at `SETTLE_AT` IST (UPI's usual T+1): gross payments,
  less charges, tax and the day's debits (refunds, disputes, chargebacks: "adjustment");
- a settlement exists only once its time has come on the clock.

Not thread-safe by itself: the Simulator holds its lock around every call.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from pos_app.domain.money import Money
from pos_app.simulator.bodies import IST
from pos_app.simulator.errors import bad_request, not_found
from pos_app.simulator.models import (
    OrderState,
    PayState,
    RefundState,
    SimOrder,
    SimPayment,
    SimRefund,
)
from pos_app.simulator.refunds import RefundDesk
from pos_app.simulator.state import SimState

__all__ = [
    "SETTLE_AT",
    "DisputeKind",
    "EventKind",
    "ReconEvent",
    "SettlementDesk",
    "SimDispute",
    "SimSettlement",
]

SETTLE_AT = time(11, 0)  # IST, the day after
_ZERO = Money(0)


class DisputeKind(enum.StrEnum):
    DISPUTE = "DISPUTE"
    CHARGEBACK = "CHARGEBACK"


class EventKind(enum.StrEnum):
    PAYMENT = "PAYMENT"
    REFUND = "REFUND"
    DISPUTE = "DISPUTE"
    CHARGEBACK = "CHARGEBACK"
    DISPUTE_REVERSAL = "DISPUTE_REVERSAL"
    CHARGEBACK_REVERSAL = "CHARGEBACK_REVERSAL"
    SETTLEMENT = "SETTLEMENT"


@dataclass(slots=True)
class SimDispute:
    dispute_id: str
    kind: DisputeKind
    order_id: str
    cf_payment_id: str
    amount: Money
    category: str
    note: str
    opened_at: datetime
    closed_at: datetime | None = None
    merchant_won: bool = False


@dataclass(slots=True)
class SimSettlement:
    cf_settlement_id: str
    utr: str
    day: date  # the IST day whose events it settles
    settled_at: datetime
    gross: Money = _ZERO
    charges: Money = _ZERO
    tax: Money = _ZERO
    debits: Money = _ZERO  # refunds, disputes and chargebacks (a negative adjustment)
    payments: int = 0

    @property
    def net(self) -> Money:
        return self.gross - self.charges - self.tax - self.debits


@dataclass(slots=True)
class ReconEvent:
    """One line of Cashfree's reconciliation: what happened, and which settlement holds it."""

    kind: EventKind
    event_id: str
    at: datetime
    amount: Money
    credit: bool
    order: SimOrder | None = None
    payment: SimPayment | None = None
    refund: SimRefund | None = None
    dispute: SimDispute | None = None
    charge: Money = _ZERO
    tax: Money = _ZERO
    settlement: SimSettlement | None = None
    of_settlement: SimSettlement | None = field(default=None, repr=False)  # SETTLEMENT rows

    @property
    def settlement_amount(self) -> Money:
        if self.of_settlement is not None:
            return self.of_settlement.net
        return self.amount - self.charge - self.tax


def _share(amount: Money, basis_points: int) -> Money:
    """amount * bp / 10000, rounded half up to the paisa."""
    return Money((amount.paise * basis_points + 5_000) // 10_000)


class SettlementDesk:
    def __init__(
        self, state: SimState, refunds: RefundDesk, *, charge_bp: int = 175, tax_bp: int = 1800
    ) -> None:
        self.state = state
        self.refunds = refunds
        self.charge_bp = charge_bp
        self.tax_bp = tax_bp
        self.disputes: list[SimDispute] = []

    # ---- disputes (the pretend customer's bank) ------------------------------------------
    def open_dispute(
        self,
        order_id: str,
        kind: DisputeKind,
        now: datetime,
        *,
        amount: Money | None = None,
        category: str = "1401-Goods or services not provided",
    ) -> SimDispute:
        order = self.state.order(order_id, now)
        paid = next((p for p in order.payments if p.status is PayState.SUCCESS), None)
        if order.status is not OrderState.PAID or paid is None:
            raise bad_request("order_not_paid", "a dispute needs a paid order")
        dispute = SimDispute(
            dispute_id=self.state.ids.serial(880_000),
            kind=kind,
            order_id=order_id,
            cf_payment_id=paid.cf_payment_id,
            amount=amount or paid.amount,
            category=category,
            note="raised by the customer's bank",
            opened_at=now,
        )
        self.disputes.append(dispute)
        return dispute

    def close_dispute(self, dispute_id: str, now: datetime, *, merchant_won: bool) -> SimDispute:
        """Close a dispute; when the merchant wins, the money comes back (a *_REVERSAL)."""
        dispute = next((d for d in self.disputes if d.dispute_id == dispute_id), None)
        if dispute is None:
            raise not_found("dispute_not_found", "dispute does not exist")
        if dispute.closed_at is not None:
            raise bad_request("dispute_closed", "dispute is already closed")
        dispute.closed_at = now
        dispute.merchant_won = merchant_won
        dispute.note = "closed in favour of the " + ("merchant" if merchant_won else "customer")
        return dispute

    # ---- the ledger, as events --------------------------------------------------------------
    def events(self, now: datetime) -> list[ReconEvent]:
        """Every event up to `now`, oldest first, each tied to its settlement when settled."""
        found: list[ReconEvent] = []
        for order_id in list(self.state.orders):
            order = self.state.order(order_id, now)
            for payment in order.payments:
                if payment.status is PayState.SUCCESS and payment.completed_at is not None:
                    charge = _share(payment.amount, self.charge_bp)
                    found.append(
                        ReconEvent(
                            EventKind.PAYMENT,
                            payment.cf_payment_id,
                            payment.completed_at,
                            payment.amount,
                            True,
                            order=order,
                            payment=payment,
                            charge=charge,
                            tax=_share(charge, self.tax_bp),
                        )
                    )
            if order.refunds:
                for refund in self.refunds.list(order_id, now):
                    if refund.status is RefundState.SUCCESS and refund.processed_at is not None:
                        found.append(
                            ReconEvent(
                                EventKind.REFUND,
                                refund.cf_refund_id,
                                refund.processed_at,
                                refund.amount,
                                False,
                                order=order,
                                payment=_payment(order, refund.cf_payment_id),
                                refund=refund,
                            )
                        )
        for dispute in self.disputes:
            if dispute.opened_at <= now:
                order = self.state.orders[dispute.order_id]
                found.append(
                    ReconEvent(
                        EventKind(dispute.kind.value),
                        dispute.dispute_id,
                        dispute.opened_at,
                        dispute.amount,
                        False,
                        order=order,
                        payment=_payment(order, dispute.cf_payment_id),
                        dispute=dispute,
                    )
                )
            closed = dispute.closed_at
            if dispute.merchant_won and closed is not None and closed <= now:
                order = self.state.orders[dispute.order_id]
                found.append(
                    ReconEvent(
                        EventKind(f"{dispute.kind.value}_REVERSAL"),
                        dispute.dispute_id,
                        closed,
                        dispute.amount,
                        True,
                        order=order,
                        payment=_payment(order, dispute.cf_payment_id),
                        dispute=dispute,
                    )
                )
        found.sort(key=lambda e: (e.at, e.event_id))
        settlements: dict[date, SimSettlement] = {}
        for event in found:
            day = event.at.astimezone(IST).date()
            settled_at = datetime.combine(day + timedelta(days=1), SETTLE_AT, IST)
            if settled_at > now:
                continue
            settlement = settlements.get(day)
            if settlement is None:
                settlement = settlements[day] = SimSettlement(
                    cf_settlement_id=f"{day:%Y%m%d}01",
                    utr=f"CFSIM{day:%y%m%d}01",
                    day=day,
                    settled_at=settled_at,
                )
            event.settlement = settlement
            if event.kind is EventKind.PAYMENT:
                settlement.gross += event.amount
                settlement.charges += event.charge
                settlement.tax += event.tax
                settlement.payments += 1
            elif event.credit:  # money given back (a dispute won): less taken out
                settlement.debits -= event.amount
            else:
                settlement.debits += event.amount
        for settlement in settlements.values():
            found.append(
                ReconEvent(
                    EventKind.SETTLEMENT,
                    settlement.cf_settlement_id,
                    settlement.settled_at,
                    settlement.gross,
                    True,
                    settlement=settlement,
                    of_settlement=settlement,
                )
            )
        found.sort(key=lambda e: (e.at, e.event_id))
        return found

    def settlements(self, now: datetime) -> list[SimSettlement]:
        """Every settlement made by `now`, oldest first."""
        return [e.of_settlement for e in self.events(now) if e.of_settlement is not None]

    def order_settlement(self, order_id: str, now: datetime) -> ReconEvent:
        """The PAYMENT event of a paid order (settled or not yet)."""
        order = self.state.order(order_id, now)
        if order.status is not OrderState.PAID:
            raise not_found("settlement_not_found", "no settlement exists for this order")
        for event in self.events(now):
            if event.kind is EventKind.PAYMENT and event.order is order:
                return event
        raise not_found("settlement_not_found", "no settlement exists for this order")


def _payment(order: SimOrder, cf_payment_id: str) -> SimPayment | None:
    return next((p for p in order.payments if p.cf_payment_id == cf_payment_id), None)
