"""A sale at the till: its states, methods, and the transitions allowed between states.

Transitions are pure: `transition(current, new)` returns `new` or raises
InvalidTransition. The journal calls it before every status change.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from datetime import datetime

from pos_app.domain.money import Money

__all__ = [
    "ALLOWED",
    "CLOSED_UNPAID",
    "OPEN_STATUSES",
    "InvalidTransition",
    "Method",
    "ReasonCode",
    "Sale",
    "SaleEvent",
    "SaleStatus",
    "can_transition",
    "is_final",
    "transition",
]


class SaleStatus(enum.Enum):
    CREATED = "CREATED"  # journaled, nothing sent yet (or the reply was lost)
    AWAITING_PAYMENT = "AWAITING_PAYMENT"  # order exists at the gateway, customer is paying
    PAID = "PAID"
    EXPIRED = "EXPIRED"
    CANCELLED = "CANCELLED"
    FAILED = "FAILED"  # the gateway refused to create the order: no money can arrive
    UNCERTAIN = "UNCERTAIN"  # the gateway could not be reached when it mattered


class Method(enum.Enum):
    UPI_QR = "upi-qr"
    LINK = "link"
    COLLECT = "collect"
    CARD = "card"  # card number + OTP at the till (Cashfree native OTP); off by default
    CHECKOUT = "checkout"  # Cashfree's checkout on the customer screen (kiosk extra); off

    @property
    def label(self) -> str:
        return _METHOD_LABELS[self]


_METHOD_LABELS = {
    Method.UPI_QR: "UPI QR",
    Method.LINK: "Payment link",
    Method.COLLECT: "UPI request",
    Method.CARD: "Card",
    Method.CHECKOUT: "Kiosk",  # Cashfree checkout on the customer screen
}


class ReasonCode(enum.Enum):
    """Why a sale ended where it did (or why it is UNCERTAIN). Code branches on these; the
    sentences a person reads are looked up from them (services/wording.py), so editing the
    wording never changes what an old journal means."""

    CANCELLED_BY_CASHIER = "cancelled_by_cashier"
    TIMED_OUT = "timed_out"  # closed by the till because the time to pay ran out
    EXPIRED_AT_CASHFREE = "expired_at_cashfree"
    CANCELLED_AT_CASHFREE = "cancelled_at_cashfree"  # terminated by someone else
    TERMINATION_REFUSED = "termination_refused"  # Cashfree refused to close an open order
    TERMINATION_PENDING = "termination_pending"  # asked to close, Cashfree has not yet
    CANCEL_UNCONFIRMED = "cancel_unconfirmed"  # Cashfree could not be reached to close it
    NEVER_REACHED = "never_reached"  # proven: Cashfree has no such order, none was confirmed
    STOPPED_BEFORE_ORDER = "stopped_before_order"  # the till stopped before creating it
    NOT_FOUND_AT_CASHFREE = "not_found_at_cashfree"  # an order Cashfree had is gone: a look
    DEMO_RESTARTED = "demo_restarted"
    REFUSED_BY_CASHFREE = "refused_by_cashfree"  # FAILED; `reason` holds Cashfree's words


S = SaleStatus
ALLOWED: dict[SaleStatus, frozenset[SaleStatus]] = {
    S.CREATED: frozenset(
        {S.AWAITING_PAYMENT, S.PAID, S.FAILED, S.UNCERTAIN, S.CANCELLED, S.EXPIRED}
    ),
    S.AWAITING_PAYMENT: frozenset({S.PAID, S.EXPIRED, S.CANCELLED, S.FAILED, S.UNCERTAIN}),
    S.UNCERTAIN: frozenset({S.AWAITING_PAYMENT, S.PAID, S.EXPIRED, S.CANCELLED, S.FAILED}),
    # Money that arrives after cancel or expiry is recorded, never dropped.
    S.EXPIRED: frozenset({S.PAID}),
    S.CANCELLED: frozenset({S.PAID}),
    S.PAID: frozenset(),
    S.FAILED: frozenset(),
}

OPEN_STATUSES = frozenset({S.CREATED, S.AWAITING_PAYMENT, S.UNCERTAIN})
# Closed without money, on Cashfree's word: money can still arrive late, so the late sweep
# keeps reading these, a late payment turns them PAID, and the desk may replace them.
CLOSED_UNPAID = frozenset({S.CANCELLED, S.EXPIRED})


class InvalidTransition(ValueError):
    def __init__(self, current: SaleStatus, new: SaleStatus) -> None:
        super().__init__(f"a sale cannot go from {current.value} to {new.value}")
        self.current = current
        self.new = new


def can_transition(current: SaleStatus, new: SaleStatus) -> bool:
    return new in ALLOWED[current]


def transition(current: SaleStatus, new: SaleStatus) -> SaleStatus:
    if not can_transition(current, new):
        raise InvalidTransition(current, new)
    return new


def is_final(status: SaleStatus) -> bool:
    """No more polling for the customer at the counter (a late sweep may still run)."""
    return status not in OPEN_STATUSES


@dataclass(frozen=True, slots=True)
class Sale:
    """One sale as the journal knows it. Times are timezone-aware (UTC)."""

    order_id: str
    terminal_id: str
    environment: str  # "demo", "sandbox" or "production"
    amount: Money
    method: Method
    status: SaleStatus
    idempotency_key: str
    created_at: datetime
    updated_at: datetime
    bill_number: str | None = None
    note: str | None = None
    customer_phone: str | None = None
    customer_email: str | None = None
    vpa: str | None = None
    link_id: str | None = None
    cf_order_id: str | None = None
    # The Cashfree order holding the payment when it is not order_id (payment links).
    gateway_order_id: str | None = None
    payment_session_id: str | None = None
    expires_at: datetime | None = None
    cf_payment_id: str | None = None
    bank_reference: str | None = None
    payment_group: str | None = None
    paid_at: datetime | None = None
    payer: str | None = None
    late: bool = False
    duplicate_override: bool = False
    reason: str | None = None  # Cashfree's own words (and request id) when it refused
    reason_code: ReasonCode | None = None  # why it ended here (see ReasonCode)
    attempt_key: str | None = None  # idempotency key of the current Order Pay attempt

    def with_changes(self, **changes: object) -> Sale:
        return replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class SaleEvent:
    """An append-only fact about a sale: ``kind`` is a short snake_case word."""

    order_id: str
    at: datetime
    kind: str
    detail: dict[str, object] = field(default_factory=dict)
