"""Request-body checks, as strict as Cashfree's, turning JSON into typed inputs.

Each function takes the decoded JSON body and returns a frozen input value, or raises
SimulatorError(400) with a Cashfree-shaped code (`<field>_missing` / `<field>_invalid`)
and a message naming the field. Amounts become Money; no float is ever kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from pos_app.domain.money import Money
from pos_app.simulator.errors import bad_request

__all__ = [
    "IST",
    "LinkInput",
    "OrderInput",
    "PayInput",
    "RefundInput",
    "SimulateInput",
    "card_session",
    "link_input",
    "order_input",
    "pay_input",
    "refund_input",
    "simulate_input",
    "terminate_input",
]

IST = timezone(timedelta(hours=5, minutes=30))
_ID = re.compile(r"^[A-Za-z0-9_-]+$")
_PHONE = re.compile(r"^[0-9]{10}$")
_VPA = re.compile(r"^[A-Za-z0-9._-]{2,256}@[A-Za-z][A-Za-z0-9.-]{1,63}$")


@dataclass(frozen=True, slots=True)
class OrderInput:
    order_id: str | None
    amount: Money
    currency: str
    customer: dict[str, Any]
    note: str | None
    tags: dict[str, str]
    meta: dict[str, Any]
    expires_at: datetime | None


@dataclass(frozen=True, slots=True)
class PayInput:
    session_id: str
    channel: str
    upi_id: str | None
    redirect: bool


@dataclass(frozen=True, slots=True)
class LinkInput:
    link_id: str
    amount: Money
    currency: str
    purpose: str
    customer: dict[str, Any]
    partial_payments: bool
    minimum_partial: Money | None
    expires_at: datetime | None
    notify: dict[str, bool]
    notes: dict[str, str]
    meta: dict[str, str]
    auto_reminders: bool


@dataclass(frozen=True, slots=True)
class RefundInput:
    refund_id: str
    amount: Money
    note: str | None
    speed: str


@dataclass(frozen=True, slots=True)
class SimulateInput:
    entity: str
    entity_id: str
    payment_status: str
    payment_error_code: str | None


# ---- small field readers ------------------------------------------------------------------


def _object(value: Any, name: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise bad_request(f"{name}_invalid", f"{name} : should be a JSON object")
    return value


def _text(
    body: dict[str, Any],
    key: str,
    *,
    prefix: str = "",
    required: bool = False,
    low: int = 1,
    high: int = 10_000,
    pattern: re.Pattern[str] | None = None,
) -> str | None:
    name = prefix + key
    value = body.get(key)
    if value is None:
        if required:
            raise bad_request(f"{name}_missing", f"{name} : is missing in the request")
        return None
    if not isinstance(value, str):
        raise bad_request(f"{name}_invalid", f"{name} : should be a string")
    if not low <= len(value) <= high:
        raise bad_request(
            f"{name}_invalid", f"{name} : should be between {low} and {high} characters"
        )
    if pattern is not None and not pattern.match(value):
        raise bad_request(f"{name}_invalid", f"{name} : contains characters that are not allowed")
    return value


def _required_text(body: dict[str, Any], key: str, **kw: Any) -> str:
    value = _text(body, key, required=True, **kw)
    assert value is not None
    return value


def _amount(body: dict[str, Any], key: str, *, minimum: Money, required: bool = True) -> Money:
    value = body.get(key)
    if value is None and required:
        raise bad_request(f"{key}_missing", f"{key} : is missing in the request")
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise bad_request(f"{key}_invalid", f"{key} : should be a number")
    try:
        amount = Money.from_api(value)
    except ValueError as exc:
        raise bad_request(f"{key}_invalid", f"{key} : provide up to two decimals") from exc
    if amount < minimum:
        raise bad_request(
            f"{key}_invalid", f"{key} : should be greater than or equal to {minimum.decimal_text()}"
        )
    return amount


def _time(body: dict[str, Any], key: str) -> datetime | None:
    value = _text(body, key)
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise bad_request(f"{key}_invalid", f"{key} : should be an ISO 8601 time") from exc
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=IST)


def _string_map(value: Any, name: str, *, most: int, high: int = 255) -> dict[str, str]:
    if value is None:
        return {}
    mapping = _object(value, name)
    if len(mapping) > most:
        raise bad_request(f"{name}_invalid", f"{name} : at most {most} entries")
    for item in mapping.values():
        if not isinstance(item, str) or not 1 <= len(item) <= high:
            raise bad_request(f"{name}_invalid", f"{name} : values are strings of 1-{high}")
    return dict(mapping)


def _flag(body: dict[str, Any], key: str) -> bool:
    value = body.get(key, False)
    if not isinstance(value, bool):
        raise bad_request(f"{key}_invalid", f"{key} : should be a boolean")
    return value


def _currency(body: dict[str, Any], key: str) -> str:
    currency = _required_text(body, key)
    if currency != "INR":
        raise bad_request(f"{key}_invalid", f"{key} : only INR is enabled for this account")
    return currency


# ---- bodies --------------------------------------------------------------------------------


def order_input(body: Any) -> OrderInput:
    data = _object(body, "request")
    order_id = _text(data, "order_id", low=3, high=45, pattern=_ID)
    amount = _amount(data, "order_amount", minimum=Money(100))
    currency = _currency(data, "order_currency")
    if data.get("customer_details") is None:
        raise bad_request(
            "customer_details_missing", "customer_details : is missing in the request"
        )
    raw = _object(data["customer_details"], "customer_details")
    p = "customer_details."
    customer: dict[str, Any] = {
        "customer_id": _required_text(raw, "customer_id", prefix=p, low=3, high=50),
        "customer_phone": _required_text(raw, "customer_phone", prefix=p, pattern=_PHONE),
    }
    for key in ("customer_email", "customer_name"):
        value = _text(raw, key, prefix=p, low=3, high=100)
        if value is not None:
            customer[key] = value
    meta: dict[str, Any] = {}
    if data.get("order_meta") is not None:
        raw_meta = _object(data["order_meta"], "order_meta")
        for key in ("return_url", "notify_url", "payment_methods"):
            value = _text(raw_meta, key, prefix="order_meta.", high=250)
            if value is not None:
                meta[key] = value
    return OrderInput(
        order_id=order_id,
        amount=amount,
        currency=currency,
        customer=customer,
        note=_text(data, "order_note", low=3, high=200),
        tags=_string_map(data.get("order_tags"), "order_tags", most=15),
        meta=meta,
        expires_at=_time(data, "order_expiry_time"),
    )


def terminate_input(body: Any) -> None:
    data = _object(body, "request")
    if data.get("order_status") != "TERMINATED":
        raise bad_request("order_status_invalid", 'order_status : should be "TERMINATED"')


def card_session(body: Any) -> str | None:
    """The payment session of an Order Pay body that pays by card; None for any other body
    (pay_input then checks it)."""
    if not isinstance(body, dict):
        return None
    method = body.get("payment_method")
    if not isinstance(method, dict) or set(method) != {"card"}:
        return None
    return _required_text(body, "payment_session_id")


def pay_input(body: Any) -> PayInput:
    data = _object(body, "request")
    session = _required_text(data, "payment_session_id")
    method = _object(data.get("payment_method"), "payment_method")
    if set(method) != {"upi"}:
        raise bad_request(
            "payment_method_invalid",
            "payment_method : the simulator takes upi or card payments only",
        )
    upi = _object(method["upi"], "payment_method.upi")
    channel = _required_text(upi, "channel", prefix="payment_method.upi.")
    if channel not in ("qrcode", "collect", "link"):
        raise bad_request(
            "payment_method.upi.channel_invalid",
            "payment_method.upi.channel : should be one of link, collect, qrcode",
        )
    upi_id = _text(upi, "upi_id", prefix="payment_method.upi.")
    if channel == "collect":
        if upi_id is None:
            raise bad_request(
                "payment_method.upi.upi_id_missing",
                "payment_method.upi.upi_id : is required for the collect channel",
            )
        if not _VPA.match(upi_id):
            raise bad_request("upi_id_invalid", "upi_id : is not a valid VPA")
    redirect = upi.get("upi_redirect_url") is True
    return PayInput(session, channel, upi_id, redirect)


def link_input(body: Any) -> LinkInput:
    data = _object(body, "request")
    link_id = _required_text(data, "link_id", high=50, pattern=_ID)
    amount = _amount(data, "link_amount", minimum=Money(100))
    currency = _currency(data, "link_currency")
    purpose = _required_text(data, "link_purpose", high=500)
    if data.get("customer_details") is None:
        raise bad_request(
            "customer_details_missing", "customer_details : is missing in the request"
        )
    raw = _object(data["customer_details"], "customer_details")
    p = "customer_details."
    customer: dict[str, Any] = {
        "customer_phone": _required_text(raw, "customer_phone", prefix=p, pattern=_PHONE)
    }
    for key in ("customer_email", "customer_name"):
        value = _text(raw, key, prefix=p, low=3, high=100)
        if value is not None:
            customer[key] = value
    partial = _flag(data, "link_partial_payments")
    minimum = None
    if partial and data.get("link_minimum_partial_amount") is not None:
        minimum = _amount(data, "link_minimum_partial_amount", minimum=Money(100))
        if minimum >= amount:
            raise bad_request(
                "link_minimum_partial_amount_invalid",
                "link_minimum_partial_amount : should be less than link_amount",
            )
    notify_raw = _object(data.get("link_notify") or {}, "link_notify")
    notify = {key: _flag(notify_raw, key) for key in ("send_sms", "send_email")}
    meta_raw = _object(data.get("link_meta") or {}, "link_meta")
    meta = {
        key: str(meta_raw[key]).lower() if isinstance(meta_raw[key], bool) else str(meta_raw[key])
        for key in ("notify_url", "upi_intent", "return_url", "payment_methods")
        if meta_raw.get(key) is not None
    }
    return LinkInput(
        link_id=link_id,
        amount=amount,
        currency=currency,
        purpose=purpose,
        customer=customer,
        partial_payments=partial,
        minimum_partial=minimum,
        expires_at=_time(data, "link_expiry_time"),
        notify=notify,
        notes=_string_map(data.get("link_notes"), "link_notes", most=5, high=500),
        meta=meta,
        auto_reminders=_flag(data, "link_auto_reminders"),
    )


def refund_input(body: Any) -> RefundInput:
    data = _object(body, "request")
    refund_id = _required_text(data, "refund_id", low=3, high=40, pattern=_ID)
    amount = _amount(data, "refund_amount", minimum=Money(1))
    note = _text(data, "refund_note", low=3, high=100)
    speed = _text(data, "refund_speed") or "STANDARD"
    if speed not in ("STANDARD", "INSTANT"):
        raise bad_request("refund_speed_invalid", "refund_speed : should be STANDARD or INSTANT")
    return RefundInput(refund_id, amount, note, speed)


def simulate_input(body: Any) -> SimulateInput:
    data = _object(body, "request")
    entity = _required_text(data, "entity")
    if entity != "PAYMENTS":
        raise bad_request("entity_invalid", "entity : the simulator supports PAYMENTS only")
    entity_id = _required_text(data, "entity_id")
    sim = _object(data.get("entity_simulation"), "entity_simulation")
    status = _required_text(sim, "payment_status", prefix="entity_simulation.")
    if status not in ("SUCCESS", "FAILED", "PENDING", "USER_DROPPED"):
        raise bad_request(
            "entity_simulation.payment_status_invalid",
            "entity_simulation.payment_status : should be SUCCESS, FAILED, PENDING or USER_DROPPED",
        )
    code = _text(sim, "payment_error_code", prefix="entity_simulation.", high=100)
    return SimulateInput(entity, entity_id, status, code)
