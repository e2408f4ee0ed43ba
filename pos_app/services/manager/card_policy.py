"""Switching card payments on: what the manager must acknowledge first.

Card payments at the till (Cashfree "native OTP", server-to-server card payments) are off
by default. Turning them on takes the manager PIN and this explicit acknowledgement, in
the desk's Settings and in `pos-app config set card_payments_enabled on`.
"""

from __future__ import annotations

__all__ = ["CARD_ACKNOWLEDGEMENT", "CARD_HELP_URL", "CONFIRM_WORD"]

CARD_HELP_URL = "https://www.cashfree.com/docs/payments/features/native-otp"
CONFIRM_WORD = "YES"

CARD_ACKNOWLEDGEMENT = (
    "Card payments at this till send the card number, expiry and CVV from this computer to "
    "Cashfree. Switch them on only if Cashfree has enabled native OTP and server-to-server "
    "(S2S) card payments for this account, and know that the shop's PCI DSS obligations "
    f"then apply to this till. Cashfree explains native OTP here: {CARD_HELP_URL}"
)
