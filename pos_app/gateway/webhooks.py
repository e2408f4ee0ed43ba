"""Cashfree's payment webhooks (version 2025-01-01): signature check and the few facts a
till needs. Pure: no I/O. The store's receiver (services/store_sync/webhook_server.py) uses
it; the simulator signs its deliveries with its own code (simulator/webhooks.py), so this
check is tested against a signer it does not share.

Cashfree signs `x-webhook-timestamp + raw body` with the account's client secret:
x-webhook-signature = base64(HMAC-SHA256(secret, timestamp + body)). The check uses the raw
bytes exactly as received (re-serialised JSON, e.g. 170.00 written as 170, must fail), a
constant-time compare, and a replay window: a timestamp (epoch milliseconds) more than five
minutes away from now is refused. A webhook is only a hint: PAID is still verified by Get
Order and the payments list at the till.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

from pos_app.domain.secret import Secret

__all__ = [
    "REPLAY_WINDOW_MS",
    "WEBHOOK_VERSION",
    "WebhookDelivery",
    "WebhookRejected",
    "sign",
    "verify",
]

WEBHOOK_VERSION = "2025-01-01"
REPLAY_WINDOW_MS = 5 * 60 * 1000
MAX_BODY = 256 * 1024
_DIGITS = re.compile(r"^[0-9]{10,16}$")
_KEY = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")


class WebhookRejected(Exception):
    """Not a webhook from this Cashfree account, or not now: answer 401, record nothing.
    `reason` is a short code for the log (never the secret or the signature)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class WebhookDelivery:
    delivery_key: str  # the same for every retry of one delivery
    type: str
    order_id: str | None
    cf_payment_id: str | None
    payment_status: str | None
    timestamp_ms: int
    attempt: int
    body: dict[str, object]
    link_id: str | None = None  # the payment link the order belongs to, when it says so


def sign(secret: Secret, timestamp: str, body: bytes) -> str:
    digest = hmac.new(
        secret.reveal().encode("utf-8"), timestamp.encode("ascii") + body, hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode("ascii")


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return value.strip()
    return None


def verify(
    secret: Secret,
    headers: Mapping[str, str],
    body: bytes,
    now_ms: int,
    *,
    window_ms: int = REPLAY_WINDOW_MS,
) -> WebhookDelivery:
    """Check one delivery; returns its facts or raises WebhookRejected."""
    if len(body) > MAX_BODY:
        raise WebhookRejected("body_too_large")
    timestamp = _header(headers, "x-webhook-timestamp")
    signature = _header(headers, "x-webhook-signature")
    if not timestamp or not signature:
        raise WebhookRejected("unsigned")
    if not _DIGITS.match(timestamp):
        raise WebhookRejected("bad_timestamp")
    expected = sign(secret, timestamp, body)
    if not hmac.compare_digest(expected.encode("ascii"), signature.encode("utf-8", "replace")):
        raise WebhookRejected("bad_signature")
    stamp = int(timestamp)
    if abs(now_ms - stamp) > window_ms:
        raise WebhookRejected("stale_timestamp")
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise WebhookRejected("not_json") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("type"), str):
        raise WebhookRejected("not_a_webhook")
    data = payload.get("data")
    data = data if isinstance(data, dict) else {}
    order = data.get("order") if isinstance(data.get("order"), dict) else {}
    payment = data.get("payment") if isinstance(data.get("payment"), dict) else {}
    assert isinstance(order, dict) and isinstance(payment, dict)
    order_id = order.get("order_id")
    cf_payment_id = payment.get("cf_payment_id")
    status = payment.get("payment_status")
    link_id = _link_id(data, order)
    key = _header(headers, "x-idempotency-key")
    if not key or not _KEY.match(key):
        key = "sha256:" + hashlib.sha256(body).hexdigest()
    attempt_text = _header(headers, "x-webhook-attempt") or "1"
    attempt = int(attempt_text) if attempt_text.isdigit() else 1
    return WebhookDelivery(
        delivery_key=key,
        type=str(payload["type"])[:64],
        order_id=str(order_id)[:64] if isinstance(order_id, str | int) else None,
        cf_payment_id=str(cf_payment_id)[:64] if isinstance(cf_payment_id, str | int) else None,
        payment_status=str(status)[:32] if isinstance(status, str) else None,
        timestamp_ms=stamp,
        attempt=attempt,
        body=payload,
        link_id=link_id,
    )


def _link_id(data: Mapping[str, object], order: Mapping[str, object]) -> str | None:
    """The merchant's link id of a payment-link payment: `data.link_id` in a payment link
    webhook, or the `link_id` tag Cashfree puts on the orders it makes for a link."""
    tags = order.get("order_tags")
    for value in (data.get("link_id"), tags.get("link_id") if isinstance(tags, dict) else None):
        if isinstance(value, str | int) and str(value):
            return str(value)[:64]
    return None
