"""The simulator's records: orders, payment attempts, links, refunds and simulations.

Plain mutable dataclasses, guarded by the Simulator's one lock. Amounts are Money
(integer paise); times are timezone-aware datetimes from the injected clock.
"""

from __future__ import annotations

import enum
import random
import secrets
import string
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pos_app.domain.money import Money

__all__ = [
    "IdMint",
    "LinkState",
    "OrderState",
    "PayState",
    "RefundState",
    "Scheduled",
    "SimCard",
    "SimLink",
    "SimOrder",
    "SimPayment",
    "SimRefund",
    "SimSimulation",
]


class OrderState(enum.StrEnum):
    ACTIVE = "ACTIVE"
    PAID = "PAID"
    EXPIRED = "EXPIRED"
    TERMINATED = "TERMINATED"


class PayState(enum.StrEnum):
    SUCCESS = "SUCCESS"
    NOT_ATTEMPTED = "NOT_ATTEMPTED"
    FAILED = "FAILED"
    USER_DROPPED = "USER_DROPPED"
    CANCELLED = "CANCELLED"
    PENDING = "PENDING"


class LinkState(enum.StrEnum):
    ACTIVE = "ACTIVE"
    PAID = "PAID"
    PARTIALLY_PAID = "PARTIALLY_PAID"
    EXPIRED = "EXPIRED"
    CANCELLED = "CANCELLED"


class RefundState(enum.StrEnum):
    SUCCESS = "SUCCESS"
    PENDING = "PENDING"
    FAILED = "FAILED"


@dataclass(frozen=True, slots=True)
class Scheduled:
    """An outcome an attempt reaches by itself at `at` (read lazily on the clock).

    `by_customer` marks the pretend customer's own action: a scheduled pay survives a
    terminate or expiry (the money arrives late); automatic outcomes do not.
    """

    at: datetime
    status: PayState
    error_code: str | None = None
    by_customer: bool = False


@dataclass(slots=True)
class SimCard:
    """What the simulated Cashfree keeps of a card attempt: never the number, expiry or CVV
    (only the masked number), plus the native-OTP bookkeeping."""

    masked: str  # "411111xxxxxx1111", as Cashfree shows it
    network: str  # "visa", "mastercard", "rupay", ...
    card_type: str  # "credit_card" | "debit_card"
    bank: str
    flow: str  # "post" (OTP through the API) | "link" (the bank's 3-D Secure page)
    otp_tries_left: int = 3
    resends: int = 0


@dataclass(slots=True)
class SimPayment:
    cf_payment_id: str
    order_id: str
    amount: Money
    channel: str  # "qrcode" | "collect" | "link" (UPI); "post" | "link" (card)
    created_at: datetime
    status: PayState = PayState.PENDING
    upi_id: str | None = None
    completed_at: datetime | None = None
    bank_reference: str | None = None
    error_code: str | None = None
    scheduled: Scheduled | None = None
    card: SimCard | None = None  # card attempts only


@dataclass(slots=True)
class SimRefund:
    refund_id: str
    cf_refund_id: str
    order_id: str
    cf_payment_id: str
    amount: Money
    note: str | None
    speed: str
    created_at: datetime
    status: RefundState = RefundState.PENDING
    settle_at: datetime | None = None
    processed_at: datetime | None = None
    arn: str | None = None


@dataclass(slots=True)
class SimOrder:
    order_id: str
    cf_order_id: str
    amount: Money
    currency: str
    customer: dict[str, Any]
    created_at: datetime
    expires_at: datetime
    session_id: str
    note: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    status: OrderState = OrderState.ACTIVE
    payments: list[SimPayment] = field(default_factory=list)
    refunds: list[SimRefund] = field(default_factory=list)
    link_id: str | None = None

    def paid_amount(self) -> Money:
        total = 0
        for payment in self.payments:
            if payment.status is PayState.SUCCESS:
                total += payment.amount.paise
        return Money(total)

    def latest_payment(self) -> SimPayment | None:
        return self.payments[-1] if self.payments else None


@dataclass(slots=True)
class SimLink:
    link_id: str
    cf_link_id: str
    amount: Money
    currency: str
    purpose: str
    customer: dict[str, Any]
    created_at: datetime
    expires_at: datetime
    url: str
    qrcode: str  # data-URI PNG of url
    partial_payments: bool = False
    minimum_partial: Money | None = None
    notify: dict[str, bool] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    meta: dict[str, str] = field(default_factory=dict)
    auto_reminders: bool = False
    status: LinkState = LinkState.ACTIVE
    order_ids: list[str] = field(default_factory=list)
    notifications: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class SimSimulation:
    simulation_id: str
    entity: str
    entity_id: str
    payment_status: str
    payment_error_code: str | None


class IdMint:
    """Makes Cashfree-looking identifiers; reproducible when given a seed."""

    def __init__(self, seed: int | None) -> None:
        self._rng: random.Random | None = None if seed is None else random.Random(seed)
        self._serial = 0

    def _choice(self, alphabet: str, length: int) -> str:
        if self._rng is None:
            return "".join(secrets.choice(alphabet) for _ in range(length))
        return "".join(self._rng.choice(alphabet) for _ in range(length))

    def serial(self, base: int) -> str:
        """A numeric id like Cashfree's cf_* ids (strings since 2023-08-01)."""
        self._serial += 1
        return str(base + self._serial)

    def digits(self, length: int) -> str:
        first = self._choice("123456789", 1)
        return first + self._choice(string.digits, length - 1)

    def token(self, prefix: str, length: int) -> str:
        return prefix + self._choice(string.ascii_letters + string.digits, length)
