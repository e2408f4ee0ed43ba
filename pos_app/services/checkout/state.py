"""What the checkout tells its watchers (the Qt desk, the terminal): one immutable
SaleState per change, plus the request that starts a sale.

Widgets render these; they hold no business logic of their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from pos_app.domain.card import CardDetails
from pos_app.domain.money import Money
from pos_app.domain.qr import QrCode
from pos_app.domain.sale import Method, ReasonCode, SaleStatus
from pos_app.services.checkout.card_prompt import CardPrompt

__all__ = ["ChargeRequest", "Offline", "SaleState"]


@dataclass(frozen=True, slots=True)
class ChargeRequest:
    """What the cashier asked for. Fields are already validated and normalised."""

    amount: Money
    method: Method
    bill_number: str | None = None
    note: str | None = None
    phone: str | None = None  # 10 digits; the store's default is used when None
    email: str | None = None
    vpa: str | None = None  # required for Method.COLLECT
    send_sms: bool = False  # payment link only: Cashfree texts the link
    send_email: bool = False  # payment link only: Cashfree e-mails the link
    confirm_duplicate: bool = False  # the cashier confirmed charging a just-paid amount again
    # Method.CARD only: cleared by the checkout right after its Order Pay call.
    card: CardDetails | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class Offline:
    """The gateway could not be reached, or answered only with an error (busy, 5xx:
    `answered`); the next try is at `next_try_at`."""

    since: datetime
    next_try_at: datetime
    reason: str
    answered: bool = False  # Cashfree answered, with an error: the network itself is fine


@dataclass(frozen=True, slots=True)
class SaleState:
    order_id: str
    amount: Money
    method: Method
    status: SaleStatus
    message: str  # one line for the cashier: what is happening, what to do
    qr: QrCode | None = None  # the QR to show the customer, when there is one
    qr_image: bytes | None = None  # Cashfree's own QR picture, only when it could not be read
    qr_text: str | None = None  # what the QR encodes (upi://... or the link URL), if known
    link_url: str | None = None  # payment link, for Copy / SMS / e-mail
    expires_at: datetime | None = None
    attempt_failed: str | None = None  # reason of the latest failed attempt; customer may retry
    offline: Offline | None = None
    error: str | None = None  # cashier-facing wording of a gateway error, with its request id
    link_fallback: bool = False  # UPI QR refused for this account: offer a payment-link QR
    cf_payment_id: str | None = None
    bank_reference: str | None = None  # UTR
    payment_group: str | None = None
    paid_at: datetime | None = None
    late: bool = False  # paid after cancel or expiry
    bill_number: str | None = None
    card: CardPrompt | None = None  # card sales: OTP wanted, bank page, failed card (no card data)
    checkout_session: str | None = None  # Method.CHECKOUT: the session the embedded view opens
    reason_code: ReasonCode | None = None  # why it ended or is uncertain (words: wording.py)

    @property
    def has_qr(self) -> bool:
        """Is there a QR to show the customer (the code, or Cashfree's picture)?"""
        return self.qr is not None or self.qr_image is not None

    @property
    def is_final(self) -> bool:
        return self.status in (
            SaleStatus.PAID,
            SaleStatus.EXPIRED,
            SaleStatus.CANCELLED,
            SaleStatus.FAILED,
        )
