"""Cashfree JSON in, gateway-neutral results out; Cashfree error answers -> typed errors.

Parsing is defensive: ids may come as numbers, optional fields may be missing or null,
times may lack an offset, enum values may be new. What the app cannot do without (an
order's id or amount, a link's URL) raises ValueError, which the gateway turns into
BadResponseError.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, TypeVar

from pos_app.domain.money import Money
from pos_app.gateway import errors
from pos_app.gateway.base import (
    AuthenticateStatus,
    CardAction,
    CardPayResult,
    Link,
    LinkStatus,
    Order,
    OrderStatus,
    OtpResult,
    Payment,
    PaymentError,
    PaymentStatus,
    PayResult,
    Refund,
    RefundStatus,
    UpiChannel,
)

__all__ = [
    "Answer",
    "as_list",
    "as_object",
    "each",
    "error_from_response",
    "parse_answer",
    "parse_card_pay_result",
    "parse_link",
    "parse_order",
    "parse_otp_result",
    "parse_pay_result",
    "parse_payment",
    "parse_refund",
]

# Cashfree keeps and shows times in IST; a time without an offset is taken as IST.
IST = timezone(timedelta(hours=5, minutes=30), "IST")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_DATA_URI = re.compile(r"^data:[\w.+/-]*(?:;[\w=.+-]+)*;base64,(.*)$", re.DOTALL)
_MESSAGE_LIMIT = 300
_NOT_JSON = object()
T = TypeVar("T")


# ---- shapes -------------------------------------------------------------------------------


def as_object(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ValueError(f"expected a JSON object, got {type(data).__name__}")
    return data


def as_list(data: Any) -> list[dict[str, Any]]:
    if not isinstance(data, list):
        raise ValueError(f"expected a JSON array, got {type(data).__name__}")
    return [as_object(item) for item in data]


def each(parse_one: Callable[[Any], T]) -> Callable[[Any], list[T]]:
    """A parser for a JSON array whose items `parse_one` reads."""
    return lambda data: [parse_one(item) for item in as_list(data)]


# ---- scalars ------------------------------------------------------------------------------


def _opt_id(value: Any) -> str | None:
    """An id as a string; Cashfree's older versions (and webhooks) send integers."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value or None
    raise ValueError(f"not an id: {type(value).__name__}")


def _req_id(obj: Mapping[str, Any], key: str, fallback: str | None = None) -> str:
    value = _opt_id(obj.get(key)) or fallback
    if value is None:
        raise ValueError(f"missing {key}")
    return value


def _opt_str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _money(obj: Mapping[str, Any], key: str) -> Money:
    if obj.get(key) is None:
        raise ValueError(f"missing {key}")
    return Money.from_api(obj[key])


def _time(value: Any) -> datetime | None:
    """ISO 8601 -> an aware datetime; None when missing or unreadable."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=IST)


# ---- images and UPI payloads --------------------------------------------------------------


def png_from_base64(value: Any) -> bytes | None:
    """A `data:image/png;base64,...` URI or bare base64 -> PNG bytes, if it really is a PNG."""
    if not isinstance(value, str) or not value:
        return None
    text = value.strip()
    match = _DATA_URI.match(text)
    if match:
        text = match.group(1)
    elif text.startswith("data:"):
        return None
    try:
        raw = base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw if raw.startswith(PNG_MAGIC) else None


def _strings(payload: Any) -> dict[str, str]:
    if isinstance(payload, str):
        return {"default": payload}
    if isinstance(payload, Mapping):
        return {str(k): v for k, v in payload.items() if isinstance(v, str) and v}
    return {}


def _is_upi(value: str) -> bool:
    return value.strip().lower().startswith("upi://")


def parse_pay_result(data: Any, channel: UpiChannel) -> PayResult:
    """Order Pay's answer for a UPI attempt (shape in REFERENCE §4.2)."""
    obj = as_object(data)
    raw_amount = obj.get("payment_amount")
    amount = None if raw_amount is None else Money.from_api(raw_amount)
    inner = obj.get("data")
    if not isinstance(inner, Mapping):
        inner = {}
    values = _strings(inner.get("payload"))
    redirect = _opt_str(inner.get("url"))
    upi_urls = [v.strip() for v in values.values() if _is_upi(v)]
    qr_png: bytes | None = None
    upi_url: str | None = None
    intents: dict[str, str] = {}
    if channel is UpiChannel.QRCODE:
        qr_png = png_from_base64(values.get("qrcode"))
        if qr_png is None:  # some answers carry the image under another key
            qr_png = next((p for v in values.values() if (p := png_from_base64(v))), None)
        upi_url = upi_urls[0] if upi_urls else None
        if qr_png is None and upi_url is None:
            raise ValueError("Order Pay (qrcode) returned neither a QR image nor a upi:// link")
    elif channel is UpiChannel.LINK:
        intents = {k: v.strip() for k, v in values.items() if _is_upi(v) or "://" in v}
        default = intents.get("default")
        upi_url = default if default and _is_upi(default) else (upi_urls[0] if upi_urls else None)
        if upi_url is None and redirect is None:
            raise ValueError("Order Pay (link) returned no UPI intent and no URL")
    return PayResult(
        cf_payment_id=_opt_id(obj.get("cf_payment_id")),
        channel=channel,
        amount=amount,
        qr_png=qr_png,
        upi_url=upi_url,
        intents=intents,
        redirect_url=redirect,
    )


def parse_card_pay_result(data: Any) -> CardPayResult:
    """Order Pay's answer for a card (REFERENCE §4.2, §4.3): what to do next."""
    obj = as_object(data)
    raw_amount = obj.get("payment_amount")
    inner = obj.get("data")
    if not isinstance(inner, Mapping):
        inner = {}
    raw_action = _opt_str(obj.get("action")) or ""
    action = CardAction.parse(raw_action)
    url = _opt_str(inner.get("url"))
    if action in (CardAction.LINK, CardAction.FORM) and url is None:
        raise ValueError(f"Order Pay (card) answered action {raw_action!r} without data.url")
    return CardPayResult(
        cf_payment_id=_opt_id(obj.get("cf_payment_id")),
        action=action,
        amount=None if raw_amount is None else Money.from_api(raw_amount),
        url=url,
        bank_page=_opt_str(inner.get("redirect_to_bank")),
        raw_action=raw_action,
    )


def parse_otp_result(data: Any, *, resend: bool) -> OtpResult:
    """OrderAuthenticateEntity."""
    obj = as_object(data)
    message = _opt_str(obj.get("payment_message"))
    if message is not None and len(message) > _MESSAGE_LIMIT:
        message = message[: _MESSAGE_LIMIT - 1] + "…"
    return OtpResult(
        cf_payment_id=_opt_id(obj.get("cf_payment_id")),
        resend=resend,
        status=AuthenticateStatus.parse(_opt_str(obj.get("authenticate_status")) or ""),
        message=message,
    )


# ---- entities -----------------------------------------------------------------------------


def parse_order(data: Any) -> Order:
    """OrderEntity (and PaymentLinkOrderEntity, which has the same order fields)."""
    obj = as_object(data)
    raw_status = _opt_str(obj.get("order_status")) or ""
    return Order(
        order_id=_req_id(obj, "order_id"),
        cf_order_id=_opt_id(obj.get("cf_order_id")),
        amount=_money(obj, "order_amount"),
        currency=_opt_str(obj.get("order_currency")) or "",  # checked by whoever needs it
        status=OrderStatus.parse(raw_status),
        payment_session_id=_opt_str(obj.get("payment_session_id")),
        expires_at=_time(obj.get("order_expiry_time")),
        created_at=_time(obj.get("created_at")),
        raw_status=raw_status,
    )


def mask_vpa(vpa: str) -> str:
    """'rohit@okaxis' -> 'ro***@okaxis': enough for the cashier to recognise, no more."""
    handle, at, psp = vpa.strip().partition("@")
    return f"{handle[:2]}***{at}{psp}"


def _payer(method: Any) -> str | None:
    if not isinstance(method, Mapping):
        return None
    upi = method.get("upi")
    if isinstance(upi, Mapping) and _opt_str(upi.get("upi_id")):
        return mask_vpa(upi["upi_id"])
    card = method.get("card")
    if isinstance(card, Mapping):
        return mask_card(card.get("card_number"))
    return None


def mask_card(value: Any) -> str | None:
    """Cashfree's masked card number ('411111xxxxxx1111') -> 'xxxx1111': the till keeps the
    last four digits only, whatever Cashfree sends."""
    text = _opt_str(value)
    if text is None:
        return None
    digits = [c for c in text if c.isdigit()]
    if len(digits) < 4:
        return None
    return "xxxx" + "".join(digits[-4:])
    return None


def _payment_error(details: Any) -> PaymentError | None:
    if not isinstance(details, Mapping):
        return None
    found = PaymentError(
        code=_opt_str(details.get("error_code")),
        description=_opt_str(details.get("error_description")),
        reason=_opt_str(details.get("error_reason")),
        source=_opt_str(details.get("error_source")),
    )
    return found if any((found.code, found.description, found.reason, found.source)) else None


def parse_payment(data: Any, *, order_id: str | None = None) -> Payment:
    """PaymentEntity; `order_id` is used when Cashfree leaves it out."""
    obj = as_object(data)
    raw_status = _opt_str(obj.get("payment_status")) or ""
    return Payment(
        cf_payment_id=_req_id(obj, "cf_payment_id"),
        order_id=_req_id(obj, "order_id", order_id),
        amount=_money(obj, "payment_amount"),
        status=PaymentStatus.parse(raw_status),
        group=_opt_str(obj.get("payment_group")),
        bank_reference=_opt_id(obj.get("bank_reference")),
        message=_opt_str(obj.get("payment_message")),
        error=_payment_error(obj.get("error_details")),
        initiated_at=_time(obj.get("payment_time")),
        completed_at=_time(obj.get("payment_completion_time")),
        payer=_payer(obj.get("payment_method")),
        raw_status=raw_status,
        currency=_opt_str(obj.get("payment_currency")),
    )


def parse_link(data: Any) -> Link:
    """LinkEntity."""
    obj = as_object(data)
    raw_status = _opt_str(obj.get("link_status")) or ""
    url = _opt_str(obj.get("link_url"))
    if url is None:
        raise ValueError("missing link_url")
    paid = obj.get("link_amount_paid")
    return Link(
        link_id=_req_id(obj, "link_id"),
        cf_link_id=_opt_id(obj.get("cf_link_id")),
        url=url,
        qr_png=png_from_base64(obj.get("link_qrcode")),
        status=LinkStatus.parse(raw_status),
        amount=_money(obj, "link_amount"),
        amount_paid=Money(0) if paid is None else Money.from_api(paid),
        expires_at=_time(obj.get("link_expiry_time")),
        created_at=_time(obj.get("link_created_at")),
        raw_status=raw_status,
    )


def parse_refund(data: Any, *, order_id: str | None = None) -> Refund:
    """RefundEntity; `order_id` is used when Cashfree leaves it out.

    The spec's own Create Refund example is a one-item array, so that shape is read too.
    """
    if isinstance(data, list) and len(data) == 1:
        data = data[0]
    obj = as_object(data)
    raw_status = _opt_str(obj.get("refund_status")) or ""
    return Refund(
        refund_id=_req_id(obj, "refund_id"),
        cf_refund_id=_opt_id(obj.get("cf_refund_id")),
        order_id=_req_id(obj, "order_id", order_id),
        cf_payment_id=_opt_id(obj.get("cf_payment_id")),
        amount=_money(obj, "refund_amount"),
        status=RefundStatus.parse(raw_status),
        arn=_opt_id(obj.get("refund_arn")),
        note=_opt_str(obj.get("refund_note")),
        status_description=_opt_str(obj.get("status_description")),
        created_at=_time(obj.get("created_at")),
        processed_at=_time(obj.get("processed_at")),
        raw_status=raw_status,
    )


# ---- errors -------------------------------------------------------------------------------

_BY_STATUS: dict[int, type[errors.GatewayError]] = {
    400: errors.InvalidRequestError,
    401: errors.AuthenticationError,
    404: errors.NotFoundError,
    409: errors.DuplicateOrderError,
    422: errors.IdempotencyConflictError,
    429: errors.RateLimitedError,
    502: errors.BankError,
}


def _retry_after(value: str | None) -> float | None:
    """`x-ratelimit-retry`: whole seconds to wait (1-59 when breached)."""
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    if seconds != seconds or seconds < 0:  # NaN or negative
        return None
    return min(seconds, 300.0)


def error_from_response(
    status: int, body: Any, *, request_id: str, retry_after_header: str | None
) -> errors.GatewayError:
    """The typed error for a non-200 answer. `body` is the decoded JSON, or None."""
    fields = body if isinstance(body, Mapping) else {}
    message = _opt_str(fields.get("message")) or f"Cashfree answered HTTP {status}"
    if len(message) > _MESSAGE_LIMIT:
        message = message[: _MESSAGE_LIMIT - 1] + "…"
    common: dict[str, Any] = {
        "code": _opt_str(fields.get("code")),
        "http_status": status,
        "request_id": request_id,
        "error_type": _opt_str(fields.get("type")),
    }
    kind = _BY_STATUS.get(status)
    if kind is None:
        if 400 <= status < 500:
            kind = errors.InvalidRequestError
        elif 500 <= status < 600:
            kind = errors.ServerError
        else:
            kind = errors.BadResponseError
            if not fields.get("message"):
                message = f"Cashfree answered with unexpected HTTP {status}"
    if kind is errors.RateLimitedError:
        return errors.RateLimitedError(
            message, retry_after=_retry_after(retry_after_header), **common
        )
    return kind(message, **common)


@dataclass(frozen=True, slots=True)
class Answer:
    """One HTTP answer, reduced to what parsing needs (no request headers, no secret)."""

    status: int
    content: bytes = field(repr=False)
    request_id: str  # Cashfree's x-request-id, or ours when it sent none
    retry_after: str | None  # the x-ratelimit-retry header


def parse_answer(answer: Answer, parse: Callable[[Any], T]) -> T:
    """200 with the promised JSON -> `parse(json)`; anything else -> a typed GatewayError."""
    try:
        data: Any = json.loads(answer.content)
    except ValueError:  # not JSON, or not text at all
        data = _NOT_JSON
    if answer.status != 200:
        raise error_from_response(
            answer.status,
            None if data is _NOT_JSON else data,
            request_id=answer.request_id,
            retry_after_header=answer.retry_after,
        )
    if data is _NOT_JSON:
        raise errors.BadResponseError(
            "Cashfree's answer was not JSON", http_status=200, request_id=answer.request_id
        )
    try:
        return parse(data)
    except (ValueError, KeyError, TypeError) as exc:
        raise errors.BadResponseError(
            f"Cashfree's answer did not have the expected shape: {exc}",
            http_status=200,
            request_id=answer.request_id,
        ) from None
