"""The "What happened" timeline in plain words: one sentence per journal event, without
raw codes, flags or field names (`email: False`, `USER_DROPPED`, `TimeoutError`).

The journal keeps every fact as recorded; this module only says them. An event kind it
does not know is still shown, worded from its name.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import tzinfo

from pos_app.domain.money import Money
from pos_app.domain.sale import Method, SaleEvent
from pos_app.ui.manager.text import local

__all__ = ["event_sentence"]

_KINDS = {
    "created": "Sale started",
    "order_created": "Order created at Cashfree",
    "link_created": "Payment link created",
    "attempt_started": "Payment shown to the customer",
    "attempt_failed": "The customer's attempt failed",
    "attempt_refused": "Cashfree refused to start the payment",
    "paid": "Paid",
    "late_payment": "Paid after the sale was closed (late payment, kept)",
    "expired": "Expired: the time to pay ran out",
    "cancel_requested": "The cashier asked to cancel",
    "cancelled": "Cancelled at Cashfree",
    "cancel_unconfirmed": "Cashfree did not confirm the cancel yet; the till kept checking",
    "not_at_gateway": "Closed: the order never reached Cashfree",
    "offline": "Could not reach Cashfree",
    "online": "Reached Cashfree again",
    "reconnected": "Cashfree says the order is still open",
    "order_found": "Found the order at Cashfree",
    "anomaly": "Something did not add up",
    "demo_restarted": "Closed when the demo restarted",
    "refund_requested": "Refund asked",
    "refund_pending": "Refund accepted by Cashfree, waiting for the bank",
    "refund_success": "Refund done",
    "refund_failed": "Refund failed",
    "refund_cancelled": "Refund cancelled",
    "error": "Something went wrong",
    "attempt_requested": "Asked Cashfree to start the payment",
    "termination_refused": "Cashfree refused to close the payment: the customer could still pay",
    "not_found_at_gateway": "Cashfree no longer knew the order (for the manager to check)",
    "paid_on_evidence": "Recorded paid from the customer's UPI reference, found at Cashfree",
}
_REASONS = {
    "cancelled_by_cashier": "by the cashier",
    "timed_out": "timed out",
    "termination_refused": "Cashfree refused",
    "termination_pending": "Cashfree had not closed it yet",
}
_CHANNELS = {"qrcode": "as a UPI QR", "collect": "as a UPI request", "link": "as a link"}
_ATTEMPTS = {
    "FAILED": "declined",
    "USER_DROPPED": "left unfinished",
    "CANCELLED": "cancelled",
}
_ERRORS = {
    "GatewayTimeout": "no answer in time",
    "GatewayUnreachable": "no connection",
    "TimeoutError": "no answer in time",  # the same two, as older journals name them
    "ConnectError": "no connection",
    "RateLimitedError": "too many requests, waited",
    "ServerError": "Cashfree had a problem",
    "AuthenticationError": "the credentials were refused",
}


def _method(value: object) -> str | None:
    try:
        return f"by {Method(str(value)).label}"
    except ValueError:
        return None


def _details(kind: str, detail: Mapping[str, object]) -> list[str]:
    words: list[str] = []
    amount = detail.get("amount_paise")
    if isinstance(amount, int) and not isinstance(amount, bool):
        words.append(Money(amount).format())
    method = _method(detail["method"]) if "method" in detail else None
    if method:
        words.append(method)
    channel = detail.get("channel")
    if isinstance(channel, str) and channel in _CHANNELS:
        words.append(_CHANNELS[channel])
    status = detail.get("status")
    if kind == "attempt_failed" and isinstance(status, str) and status in _ATTEMPTS:
        words.append(_ATTEMPTS[status])
    for key in ("reason", "what"):
        value = detail.get(key)
        if isinstance(value, str) and value.strip():
            words.append(value.strip().rstrip("."))
    utr = detail.get("utr")
    if isinstance(utr, str) and utr:
        words.append(f"UTR {utr}")
    group = detail.get("group")
    if isinstance(group, str) and group:
        words.append(f"paid with {group.replace('_', ' ')}")
    error = detail.get("error")
    if isinstance(error, str) and error:
        words.append(_ERRORS.get(error, "an error"))
    code = detail.get("reason_code")
    if isinstance(code, str) and code in _REASONS:
        words.append(_REASONS[code])
    if kind.startswith("mcp_"):
        for key, label in (("amount", "amount ₹"), ("outcome", "")):
            value = detail.get(key)
            if isinstance(value, str | int) and str(value):
                words.append(f"{label}{value}")
    sent = [name for key, name in (("sms", "SMS"), ("email", "e-mail")) if detail.get(key) is True]
    if sent:
        words.append("sent by " + " and ".join(sent))
    return words


def _mcp(kind: str) -> str | None:
    """`mcp_request_refund` -> an assistant's call, said as such."""
    if not kind.startswith("mcp_"):
        return None
    return f"An assistant (MCP) called {kind[4:].replace('_', ' ')}"


def event_sentence(event: SaleEvent, zone: tzinfo) -> str:
    """`14:05:09  Paid (UTR 612345678901; paid with upi)`."""
    said = _KINDS.get(event.kind) or _mcp(event.kind) or event.kind.replace("_", " ").capitalize()
    words = _details(event.kind, event.detail)
    detail = f" ({'; '.join(words)})" if words else ""
    return f"{local(event.at, zone, with_date=False)}  {said}{detail}"
