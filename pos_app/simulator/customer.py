"""The pretend customer and what each payment outcome looks like.

Demo mode lets the cashier make the customer pay, fail or walk away; the Simulation API
and the sandbox test VPAs reach the same outcomes. This module says which payment status
an action leads to and which `error_details` / `payment_message` Cashfree would show.
The failure table follows the examples in REFERENCE §5 (TRANSACTION_DECLINED /
bank_rejected / bank and "01::REJECTED"); other codes are the simulator's own guesses.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from pos_app.simulator.models import PayState

__all__ = [
    "FAILING_VPA",
    "INVALID_VPA",
    "SUCCEEDING_VPA",
    "CustomerAction",
    "Outcome",
    "error_details",
    "outcome_for",
    "payment_message",
]

SUCCEEDING_VPA = "testsuccess@gocash"
FAILING_VPA = "testfailure@gocash"
INVALID_VPA = "testinvalid@gocash"
PAYER_VPA = "customer@simbank"  # who "paid" a QR or intent attempt

DEFAULT_FAILURE = "TRANSACTION_DECLINED"


class CustomerAction(enum.StrEnum):
    PAY = "pay"
    FAIL = "fail"
    WALK_AWAY = "walk_away"


@dataclass(frozen=True, slots=True)
class Outcome:
    status: PayState
    error_code: str | None = None


def outcome_for(action: CustomerAction, error_code: str | None = None) -> Outcome:
    if action is CustomerAction.PAY:
        return Outcome(PayState.SUCCESS)
    if action is CustomerAction.FAIL:
        return Outcome(PayState.FAILED, error_code or DEFAULT_FAILURE)
    return Outcome(PayState.USER_DROPPED, "USER_DROPPED")


# code -> (description, reason, source, payment_message)
_FAILURES: dict[str, tuple[str, str, str, str]] = {
    "TRANSACTION_DECLINED": (
        "issuer bank or payment service provider declined the transaction",
        "bank_rejected",
        "bank",
        "01::REJECTED",
    ),
    "ISSUER_NOT_AVAILABLE": (
        "the customer's bank is not available right now",
        "issuer_not_available",
        "bank",
        "U68::ISSUER NOT AVAILABLE",
    ),
    "INSUFFICIENT_FUNDS": (
        "the customer's account does not have enough balance",
        "insufficient_funds",
        "customer",
        "Z9::INSUFFICIENT FUNDS",
    ),
    "INVALID_MPIN": (
        "the customer entered a wrong UPI PIN",
        "invalid_pin",
        "customer",
        "ZM::INVALID MPIN",
    ),
    "TRANSACTION_TIMED_OUT": (
        "the customer did not approve the request in time",
        "timed_out",
        "customer",
        "U69::COLLECT EXPIRED",
    ),
    "CARD_DECLINED": (
        "the card issuer declined the transaction",
        "card_declined",
        "bank",
        "05::DO NOT HONOUR",
    ),
    "AUTHENTICATION_FAILED": (
        "the customer could not complete the card authentication (OTP)",
        "authentication_failed",
        "customer",
        "OTP attempts exhausted",
    ),
    "USER_DROPPED": (
        "user dropped and did not complete the payment",
        "user_dropped",
        "customer",
        "User dropped",
    ),
}


def error_details(status: PayState, code: str | None) -> dict[str, Any] | None:
    """Cashfree's `error_details` for a failed or dropped attempt, else None."""
    if status not in (PayState.FAILED, PayState.USER_DROPPED):
        return None
    name = code or ("USER_DROPPED" if status is PayState.USER_DROPPED else DEFAULT_FAILURE)
    description, reason, source, _ = _FAILURES.get(
        name, (f"payment failed ({name.lower()})", name.lower(), "bank", "")
    )
    return {
        "error_code": name,
        "error_description": description,
        "error_reason": reason,
        "error_source": source,
        "error_code_raw": "",
        "error_description_raw": "",
        "error_subcode_raw": "",
    }


def payment_message(status: PayState, code: str | None) -> str:
    if status is PayState.SUCCESS:
        return "00::Transaction success"
    if status is PayState.PENDING:
        return "Transaction pending"
    if status is PayState.CANCELLED:
        return "Transaction cancelled"
    if status is PayState.NOT_ATTEMPTED:
        return "Transaction not attempted"
    name = code or ("USER_DROPPED" if status is PayState.USER_DROPPED else DEFAULT_FAILURE)
    entry = _FAILURES.get(name)
    return entry[3] if entry else f"{name}::FAILED"
