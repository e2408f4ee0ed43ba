"""The gateway contract: requests, gateway-neutral results and the PaymentGateway protocol.

Services see only these types, never Cashfree JSON. Enums carry an UNKNOWN member so a
value Cashfree adds later becomes an explicit "unknown" rather than a crash.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, Self

from pos_app.domain.card import CardDetails
from pos_app.domain.money import Money
from pos_app.gateway.recon_types import ReconGateway  # the day end's calls (recon_types.py)

__all__ = [
    "AuthenticateStatus",
    "CardAction",
    "CardPayResult",
    "Customer",
    "Link",
    "LinkStatus",
    "NewLink",
    "NewOrder",
    "NewRefund",
    "Order",
    "OrderStatus",
    "OtpResult",
    "PayResult",
    "Payment",
    "PaymentError",
    "PaymentGateway",
    "PaymentStatus",
    "ReconGateway",
    "Refund",
    "RefundStatus",
    "UpiChannel",
]


class _Lenient(enum.Enum):
    """An enum whose unknown values map to UNKNOWN instead of raising."""

    @classmethod
    def parse(cls, value: object) -> Self:
        try:
            return cls(value)
        except ValueError:
            return cls["UNKNOWN"]


class OrderStatus(_Lenient):
    ACTIVE = "ACTIVE"
    PAID = "PAID"
    EXPIRED = "EXPIRED"
    TERMINATED = "TERMINATED"
    TERMINATION_REQUESTED = "TERMINATION_REQUESTED"
    UNKNOWN = "UNKNOWN"


class PaymentStatus(_Lenient):
    SUCCESS = "SUCCESS"
    NOT_ATTEMPTED = "NOT_ATTEMPTED"
    FAILED = "FAILED"
    USER_DROPPED = "USER_DROPPED"
    VOID = "VOID"
    CANCELLED = "CANCELLED"
    PENDING = "PENDING"
    UNKNOWN = "UNKNOWN"


class LinkStatus(_Lenient):
    ACTIVE = "ACTIVE"
    PAID = "PAID"
    PARTIALLY_PAID = "PARTIALLY_PAID"
    EXPIRED = "EXPIRED"
    CANCELLED = "CANCELLED"
    UNKNOWN = "UNKNOWN"


class RefundStatus(_Lenient):
    SUCCESS = "SUCCESS"
    PENDING = "PENDING"
    CANCELLED = "CANCELLED"
    ONHOLD = "ONHOLD"
    FAILED = "FAILED"
    UNKNOWN = "UNKNOWN"


class UpiChannel(enum.Enum):
    QRCODE = "qrcode"
    COLLECT = "collect"
    LINK = "link"  # UPI intent deep links


class CardAction(_Lenient):
    """What Order Pay asks the till to do next for a card."""

    POST = "post"  # native OTP: collect the OTP and submit it through the API
    LINK = "link"  # open data.url (the bank's 3-D Secure page)
    FORM = "form"  # auto-submit data.payload to data.url
    CUSTOM = "custom"
    UNKNOWN = "UNKNOWN"


class AuthenticateStatus(_Lenient):
    SUCCESS = "SUCCESS"
    FAILED = "FAILED"
    UNKNOWN = "UNKNOWN"


# ---- requests ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Customer:
    customer_id: str  # 3-50 alphanumeric
    phone: str  # 10 digits
    email: str | None = None
    name: str | None = None


@dataclass(frozen=True, slots=True)
class NewOrder:
    order_id: str  # 3-45 of [A-Za-z0-9_-]
    amount: Money
    customer: Customer
    note: str | None = None
    expires_at: datetime | None = None  # timezone-aware
    tags: Mapping[str, str] = field(default_factory=dict)  # at most 10
    notify_url: str | None = None  # order_meta.notify_url: the store's webhook URL (https)


@dataclass(frozen=True, slots=True)
class NewLink:
    link_id: str  # <= 50 of [A-Za-z0-9_-]
    amount: Money
    purpose: str  # shown to the customer
    customer: Customer
    expires_at: datetime | None = None
    send_sms: bool = False
    send_email: bool = False
    notes: Mapping[str, str] = field(default_factory=dict)  # at most 5


@dataclass(frozen=True, slots=True)
class NewRefund:
    refund_id: str  # 3-40 alphanumeric, '-' and '_'
    amount: Money
    note: str | None = None  # 3-100


# ---- results ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Order:
    order_id: str
    cf_order_id: str | None
    amount: Money
    currency: str
    status: OrderStatus
    payment_session_id: str | None
    expires_at: datetime | None
    created_at: datetime | None
    raw_status: str = ""  # what Cashfree said, for logs when status is UNKNOWN


@dataclass(frozen=True, slots=True)
class PaymentError:
    code: str | None
    description: str | None
    reason: str | None
    source: str | None


@dataclass(frozen=True, slots=True)
class Payment:
    cf_payment_id: str
    order_id: str
    amount: Money
    status: PaymentStatus
    group: str | None  # "upi", "credit_card", "net_banking", "wallet", ...
    bank_reference: str | None  # UTR for UPI
    message: str | None
    error: PaymentError | None
    initiated_at: datetime | None
    completed_at: datetime | None
    payer: str | None  # masked: UPI id or card number as Cashfree gives it, masked further
    raw_status: str = ""
    currency: str | None = None  # payment_currency as Cashfree sent it (None: not sent)


@dataclass(frozen=True, slots=True)
class PayResult:
    """What Order Pay returned for a UPI attempt.

    For QRCODE: `qr_png` (image bytes) and/or `upi_url` (a upi://pay?... string); at least
    one is present. For LINK: `upi_url` is the generic intent and `intents` the per-app
    links. For COLLECT: nothing to show; poll the order.
    """

    cf_payment_id: str | None
    channel: UpiChannel
    amount: Money | None
    qr_png: bytes | None = None
    upi_url: str | None = None
    intents: Mapping[str, str] = field(default_factory=dict)
    redirect_url: str | None = None


@dataclass(frozen=True, slots=True)
class CardPayResult:
    """What Order Pay returned for a card attempt. `url` is the bank page for LINK/FORM;
    `bank_page` is Cashfree's fall-back to the bank page for POST (redirect_to_bank)."""

    cf_payment_id: str | None
    action: CardAction
    amount: Money | None
    url: str | None = None
    bank_page: str | None = None
    raw_action: str = ""


@dataclass(frozen=True, slots=True)
class OtpResult:
    """Cashfree's answer to SUBMIT_OTP / RESEND_OTP (even SUCCESS is confirmed by reading
    the order's payments)."""

    cf_payment_id: str | None
    resend: bool
    status: AuthenticateStatus
    message: str | None


@dataclass(frozen=True, slots=True)
class Link:
    link_id: str
    cf_link_id: str | None
    url: str
    qr_png: bytes | None
    status: LinkStatus
    amount: Money
    amount_paid: Money
    expires_at: datetime | None
    created_at: datetime | None
    raw_status: str = ""


@dataclass(frozen=True, slots=True)
class Refund:
    refund_id: str
    cf_refund_id: str | None
    order_id: str
    cf_payment_id: str | None
    amount: Money
    status: RefundStatus
    arn: str | None  # bank reference of the refund
    note: str | None
    status_description: str | None
    created_at: datetime | None
    processed_at: datetime | None
    raw_status: str = ""


# ---- the protocol -----------------------------------------------------------------------


class PaymentGateway(Protocol):
    """What the services need from a payment gateway. All methods raise GatewayError."""

    async def create_order(self, order: NewOrder, *, idempotency_key: str) -> Order: ...

    async def get_order(self, order_id: str) -> Order: ...

    async def terminate_order(self, order_id: str) -> Order: ...

    async def pay_upi(
        self,
        payment_session_id: str,
        channel: UpiChannel,
        *,
        upi_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> PayResult: ...

    async def pay_card(
        self,
        payment_session_id: str,
        card: CardDetails,
        *,
        idempotency_key: str | None = None,
    ) -> CardPayResult: ...

    async def authenticate_card(
        self, cf_payment_id: str, otp: str | None, *, idempotency_key: str | None = None
    ) -> OtpResult:
        """SUBMIT_OTP with `otp`, or RESEND_OTP when `otp` is None."""
        ...

    async def list_payments(self, order_id: str) -> list[Payment]: ...

    async def create_link(self, link: NewLink, *, idempotency_key: str) -> Link: ...

    async def get_link(self, link_id: str) -> Link: ...

    async def cancel_link(self, link_id: str) -> Link: ...

    async def list_link_orders(self, link_id: str, *, paid_only: bool = False) -> list[Order]: ...

    async def create_refund(
        self, order_id: str, refund: NewRefund, *, idempotency_key: str
    ) -> Refund: ...

    async def get_refund(self, order_id: str, refund_id: str) -> Refund: ...

    async def list_refunds(self, order_id: str) -> list[Refund]: ...
