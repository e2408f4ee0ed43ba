"""The card step of a sale, as the checkout tracks it (CardFlow) and as watchers see it
(CardPrompt, part of SaleState). Neither ever holds card data: only the network and the
last four digits, the payment id, and where the OTP step stands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

__all__ = ["OTP_TRIES", "RESEND_COOLDOWN", "CardFlow", "CardPrompt"]

OTP_TRIES = 3  # Cashfree's native OTP allows three tries per payment
RESEND_COOLDOWN = 30.0  # seconds between "send the OTP again" requests


@dataclass(frozen=True, slots=True)
class CardPrompt:
    """What the till shows for a card sale right now."""

    label: str  # "Visa •••• 1111"
    needs_otp: bool  # ask for the OTP (the bank sent it to the customer's phone)
    bank_page: bool  # the customer finishes on the bank's 3-D Secure page (QR shown)
    otp_message: str | None  # Cashfree's word on the last OTP (wrong OTP, resent, ...)
    tries_left: int
    resend_at: datetime | None  # "Send the OTP again" is allowed from this moment
    failed: str | None  # this card did not work: another card may be tried
    checking: bool  # OTP accepted: confirming the payment with Cashfree
    bank_page_offered: bool = False  # the OTP step may switch to the bank's own page


@dataclass(slots=True)
class CardFlow:
    label: str
    attempt: int = 1
    cf_payment_id: str | None = None
    needs_otp: bool = False
    bank_page: bool = False
    otp_message: str | None = None
    tries_left: int = OTP_TRIES
    resend_at: datetime | None = None
    failed: str | None = None
    checking: bool = False
    message: str | None = None  # the line for the cashier while the sale awaits payment
    bank_page_url: str | None = None  # Cashfree's fall-back to the bank page (redirect_to_bank)

    def prompt(self) -> CardPrompt:
        return CardPrompt(
            label=self.label,
            needs_otp=self.needs_otp,
            bank_page=self.bank_page,
            otp_message=self.otp_message,
            tries_left=self.tries_left,
            resend_at=self.resend_at,
            failed=self.failed,
            checking=self.checking,
            bank_page_offered=self.needs_otp and self.bank_page_url is not None,
        )
