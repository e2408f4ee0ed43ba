"""Every word the till says about a sale's status and why it is there: the one table.

Status and reason code -> title, short name, sentence and style, for the desk, the
manager's console, the CLI and the reports. Code branches on the codes (SaleStatus,
ReasonCode); people read the words looked up here, so changing a word never changes what
an old journal means. A style is a plain name; the desk turns it into colours in one place
(the stylesheet's `[kind="<style>"]` rules).

Also the cashier-facing wording for gateway failures: every sentence says what happened
and what to do, and ends with Cashfree's request id (when there is one) so support can
find the call.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from pos_app.domain.sale import Method, ReasonCode, Sale, SaleStatus
from pos_app.gateway import errors as e

__all__ = [
    "REASON_SENTENCES",
    "STATUS_WORDS",
    "StatusWords",
    "Style",
    "Words",
    "attempt_failed",
    "describe_error",
    "is_s2s_refusal",
    "reason_text",
    "sale_message",
    "status_name",
    "status_style",
    "status_title",
    "words",
]


class Style(enum.Enum):
    """How a status looks, by name only (Qt-free): the desk maps each to colours."""

    PAID = "paid"  # the money arrived
    FAILED = "failed"  # Cashfree refused the sale: no money can arrive
    ENDED = "ended"  # closed without money (cancelled, expired): neutral
    UNCERTAIN = "uncertain"  # not confirmed: a warning, the till keeps checking
    WORKING = "working"  # still going: starting, or waiting for the customer


@dataclass(frozen=True, slots=True)
class StatusWords:
    title: str  # the desk's big heading
    name: str  # short, for lists, filters, receipts and totals
    sentence: str  # why a sale is in this status when no reason code says more
    style: Style


S = SaleStatus
STATUS_WORDS: dict[SaleStatus, StatusWords] = {
    S.CREATED: StatusWords(
        "Starting the payment…", "Starting", "Creating the order at Cashfree…", Style.WORKING
    ),
    S.AWAITING_PAYMENT: StatusWords(
        "Waiting for the customer", "Waiting", "Waiting for the customer to pay.", Style.WORKING
    ),
    S.PAID: StatusWords("PAID", "Paid", "The customer has paid.", Style.PAID),
    S.EXPIRED: StatusWords(
        "Payment expired",
        "Expired",
        "The customer did not pay before the order expired. No money was taken.",
        Style.ENDED,
    ),
    S.CANCELLED: StatusWords(
        "Payment cancelled",
        "Cancelled",
        "The payment was cancelled. No money was taken.",
        Style.ENDED,
    ),
    S.FAILED: StatusWords(
        "Payment failed", "Failed", "Cashfree refused this sale. No money was taken.", Style.FAILED
    ),
    S.UNCERTAIN: StatusWords(
        "Not confirmed yet",
        "Not confirmed",
        "The till could not confirm this sale with Cashfree. It keeps checking in the "
        "background; do not charge the customer again until it is settled.",
        Style.UNCERTAIN,
    ),
}

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


@dataclass(frozen=True, slots=True)
class Words:
    """The words for one status and reason code."""

    title: str
    name: str
    sentence: str
    style: Style


def words(status: SaleStatus, reason_code: ReasonCode | None = None) -> Words:
    """Title, short name, sentence and style of a status; the reason code's sentence, when
    there is one, says why more exactly than the status's own."""
    said = STATUS_WORDS[status]
    sentence = REASON_SENTENCES[reason_code] if reason_code is not None else said.sentence
    return Words(said.title, said.name, sentence, said.style)


def status_title(status: SaleStatus) -> str:
    return STATUS_WORDS[status].title


def status_name(status: SaleStatus, late: bool = False) -> str:
    name = STATUS_WORDS[status].name
    return f"{name} (late)" if late else name


def status_style(status: SaleStatus) -> Style:
    return STATUS_WORDS[status].style


def sale_message(sale: Sale) -> str:
    """The one line the counter (desk, `pos-app charge`, MCP) shows for a sale: what is
    happening and what to do."""
    status = sale.status
    code = sale.reason_code
    if status is SaleStatus.AWAITING_PAYMENT:
        return _awaiting(sale)
    if status is SaleStatus.PAID:
        ref = f" UTR {sale.bank_reference}." if sale.bank_reference else ""
        late = " (arrived after the sale was closed)" if sale.late else ""
        return f"Paid {sale.amount.format()}{late}.{ref}"
    if status is SaleStatus.CREATED or (
        status is SaleStatus.UNCERTAIN and code in (None, ReasonCode.CANCEL_UNCONFIRMED)
    ):
        # An unconfirmed cancel, at the counter: money may still come, so the status's own
        # sentence (do not charge again) says more than the reason's.
        return STATUS_WORDS[status].sentence
    return reason_text(sale) or STATUS_WORDS[status].sentence


def _awaiting(sale: Sale) -> str:
    amount = sale.amount.format()
    if sale.method is Method.COLLECT:
        return (
            f"A payment request for {amount} was sent to {sale.vpa}. "
            "Ask the customer to approve it in their UPI app."
        )
    if sale.method is Method.LINK:
        return f"Scan to open the payment page for {amount}, or send the link."
    if sale.method is Method.CARD:
        return f"Card payment of {amount}: follow the steps on the screen."
    if sale.method is Method.CHECKOUT:
        return (
            f"The customer pays {amount} on the customer screen "
            "(card, netbanking or UPI in Cashfree's checkout)."
        )
    return f"Scan with any UPI app to pay {amount}."


def attempt_failed(reason: str) -> str:
    """A failed attempt by the customer: the sale stays open, they may try again."""
    return f"The customer's attempt failed: {reason.rstrip('.')}. They can try again."


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
