"""Cashier-facing wording for gateway failures: the one place these sentences live.

Every sentence says what happened and what to do, and ends with Cashfree's request id
(when there is one) so support can find the call.
"""

from __future__ import annotations

from pos_app.domain.sale import ReasonCode, Sale
from pos_app.gateway import errors as e

__all__ = ["REASON_SENTENCES", "describe_error", "is_s2s_refusal", "reason_text"]

R = ReasonCode
# Why a sale ended (or is uncertain), for people. Looked up from the journal's reason code.
REASON_SENTENCES: dict[ReasonCode, str] = {
    R.CANCELLED_BY_CASHIER: "Cancelled by the cashier. No money was taken.",
    R.TIMED_OUT: "Timed out: nobody paid in time, so the till closed the payment. "
    "No money was taken.",
    R.EXPIRED_AT_CASHFREE: "The time to pay ran out. No money was taken.",
    R.CANCELLED_AT_CASHFREE: "Cancelled at Cashfree. No money was taken.",
    R.TERMINATION_REFUSED: "Cashfree refused to close this payment; the customer can still "
    "pay. Keep the QR away from the customer and watch it: the till keeps following it.",
    R.TERMINATION_PENDING: "Cashfree has not closed this payment yet; the customer may still "
    "be able to pay. The till keeps following it.",
    R.CANCEL_UNCONFIRMED: "Cancel could not be confirmed with Cashfree yet; the till keeps trying.",
    R.NEVER_REACHED: "The order never reached Cashfree. No money was taken.",
    R.STOPPED_BEFORE_ORDER: "The till stopped before the order reached Cashfree. "
    "No money was taken.",
    R.NOT_FOUND_AT_CASHFREE: "Cashfree no longer knows this order although it had it. "
    "The manager should check it with Cashfree; do not treat it as unpaid.",
    R.DEMO_RESTARTED: "The demo's pretend Cashfree started afresh and no longer knows this "
    "training sale, so it was closed. No money was involved.",
    R.REFUSED_BY_CASHFREE: "Cashfree refused this sale. No money was taken.",
}


def reason_text(sale: Sale) -> str | None:
    """Why the sale is where it is, in words: Cashfree's own words when it refused, else
    the sentence for the reason code, else None."""
    if sale.reason:
        return sale.reason
    if sale.reason_code is not None:
        return REASON_SENTENCES[sale.reason_code]
    return None


_S2S_HINTS = ("s2s", "seamless", "not enabled", "not activated", "not allowed", "feature")


def describe_error(error: e.GatewayError) -> str:
    """One or two plain sentences for the cashier, with the request id."""
    text = _sentence(error)
    if error.request_id:
        text += f" (Cashfree request id: {error.request_id})"
    return text


def _sentence(error: e.GatewayError) -> str:
    if isinstance(error, e.AuthenticationError):
        return (
            "Cashfree did not accept this till's App ID or secret. "
            "Ask the manager to check the credentials in Settings."
        )
    if isinstance(error, e.DuplicateOrderError):
        return "Cashfree already has an order with this number. Start a new sale."
    if isinstance(error, e.IdempotencyConflictError):
        return "Cashfree saw two different requests for the same sale. Start a new sale."
    if isinstance(error, e.RateLimitedError):
        wait = f" in {error.retry_after:.0f} seconds" if error.retry_after else " shortly"
        return f"Cashfree asked the till to slow down. It will try again{wait}."
    if isinstance(error, e.BankError):
        return "The customer's bank is not responding. The till keeps trying; ask the customer to wait."
    if isinstance(error, e.ServerError):
        return "Cashfree is having trouble right now. The till keeps trying."
    if isinstance(error, e.GatewayTimeout):
        return "Cashfree did not answer in time. The till keeps trying."
    if isinstance(error, e.GatewayUnreachable):
        return (
            "The till cannot reach Cashfree. Check the internet connection; the till keeps trying."
        )
    if isinstance(error, e.BadResponseError):
        return "Cashfree sent an answer the till could not read. The till keeps trying."
    if isinstance(error, e.NotFoundError):
        return "Cashfree does not know this order."
    if isinstance(error, e.InvalidRequestError):
        reason = error.message.rstrip(".")
        return f"Cashfree refused the request: {reason}."
    return f"Cashfree reported a problem: {error.message}"


def is_s2s_refusal(error: e.GatewayError) -> bool:
    """Did Order Pay fail because the account may not show a UPI QR itself (the "S2S" flag)?

    Cashfree's exact code for this is not documented, so look for the words it uses.
    """
    if not isinstance(error, e.InvalidRequestError | e.AuthenticationError):
        return False
    text = f"{error.code or ''} {error.message}".lower()
    return any(hint in text for hint in _S2S_HINTS)
