"""Cashfree reconciliation JSON in, recon_types results out.

Lenient like cashfree_parse: ids may be numbers, any optional field may be missing or
null, amounts may carry more than two decimals (rounded half up to the paisa here; a
reconciliation line is a report, not a charge). A row may be flat (`POST /recon` in
2025-01-01) or nested in `*_details` objects (`/settlement/recon`, and `/recon` from
2026-01-01): both are read. What a line cannot do without (its event id, type or amount)
raises ValueError, which the gateway turns into BadResponseError.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from pos_app.domain.money import Money
from pos_app.gateway.cashfree_parse import IST, as_list, as_object
from pos_app.gateway.recon_types import (
    OrderSettlement,
    ReconEvent,
    ReconEventKind,
    ReconPage,
    Settlement,
    SettlementPage,
)

__all__ = [
    "parse_order_settlement",
    "parse_recon_event",
    "parse_recon_page",
    "parse_settlement",
    "parse_settlement_page",
]

_NESTED = (
    "event_details",
    "order_details",
    "customer_details",
    "cutomer_details",  # sic, in the spec's own example
    "payment_details",
    "settlement_details",
    "dispute_details",
    "refund_details",
)


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        cleaned = value.strip().rstrip(",").strip()
        return None if cleaned in ("", "null", "None") else cleaned
    return None


def _amount(value: Any) -> Money | None:
    if value is None or isinstance(value, bool):
        return None
    if not isinstance(value, int | float | str):
        raise ValueError(f"not an amount: {type(value).__name__}")
    try:
        exact = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"not an amount: {value!r}") from None
    if not exact.is_finite():
        raise ValueError(f"not an amount: {value!r}")
    return Money(int((exact * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)))


def _time(value: Any) -> datetime | None:
    text = _text(value)
    if text is None:
        return None
    try:
        parsed = datetime.fromisoformat(text.replace(" ", "T", 1) if "T" not in text else text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=IST)


def _flatten(row: Mapping[str, Any]) -> dict[str, Any]:
    """A nested row's fields lifted to one level, under their flat names."""
    if not any(isinstance(row.get(k), dict) for k in _NESTED):
        return dict(row)
    flat: dict[str, Any] = {}
    for key in _NESTED:
        part = row.get(key)
        if isinstance(part, dict):
            flat.update({k: v for k, v in part.items() if v is not None})
    if "utr" in flat and "settlement_utr" not in flat:
        flat["settlement_utr"] = flat["utr"]
    if "bank_reference" in flat and "payment_utr" not in flat:
        flat["payment_utr"] = flat["bank_reference"]
    if "payment_mode" in flat and "payment_group" not in flat:
        flat["payment_group"] = flat["payment_mode"]
    if "event_service_charge" in flat and "payment_service_charge" not in flat:
        flat["payment_service_charge"] = flat["event_service_charge"]
    if "event_service_tax" in flat and "payment_service_tax" not in flat:
        flat["payment_service_tax"] = flat["event_service_tax"]
    return flat


def parse_recon_event(data: Any) -> ReconEvent:
    row = _flatten(as_object(data))
    event_id = _text(row.get("event_id"))
    raw_kind = _text(row.get("event_type"))
    amount = _amount(row.get("event_amount"))
    if event_id is None or raw_kind is None or amount is None:
        raise ValueError("a reconciliation line needs event_id, event_type and event_amount")
    kind = ReconEventKind.parse(raw_kind.upper())
    sale_type = (_text(row.get("sale_type")) or "").upper()
    charge = _amount(row.get("payment_service_charge"))
    tax = _amount(row.get("payment_service_tax"))
    if kind is ReconEventKind.SETTLEMENT:
        charge = _amount(row.get("service_charge"))
        tax = _amount(row.get("service_tax"))
    return ReconEvent(
        event_id=event_id,
        kind=kind,
        raw_kind=raw_kind,
        status=(_text(row.get("event_status")) or "").upper(),
        credit=sale_type != "DEBIT",
        amount=amount,
        settlement_amount=_amount(row.get("event_settlement_amount")),
        at=_time(row.get("event_time")),
        order_id=_text(row.get("order_id")),
        order_amount=_amount(row.get("order_amount")),
        cf_payment_id=_text(row.get("cf_payment_id")),
        payment_amount=_amount(row.get("payment_amount")),
        payment_utr=_text(row.get("payment_utr")),
        payment_group=_text(row.get("payment_group")),
        service_charge=charge,
        service_tax=tax,
        refund_id=_text(row.get("refund_id")),
        refund_arn=_text(row.get("refund_arn")),
        cf_settlement_id=_text(row.get("cf_settlement_id")),
        settlement_utr=_text(row.get("settlement_utr")),
        settled_at=_time(row.get("settlement_date")),
        dispute_category=_text(row.get("dispute_category")),
        remarks=_text(row.get("remarks")) or _text(row.get("adjustment_remarks")),
        adjustment=_amount(row.get("adjustment")),
        amount_settled=_amount(row.get("amount_settled")),
    )


def _cursor(envelope: Mapping[str, Any]) -> str | None:
    return _text(envelope.get("cursor"))


def _rows(envelope: Mapping[str, Any]) -> list[dict[str, Any]]:
    data = envelope.get("data")
    return [] if data is None else as_list(data)


def parse_recon_page(data: Any) -> ReconPage:
    envelope = as_object(data)
    events = tuple(parse_recon_event(row) for row in _rows(envelope))
    return ReconPage(events, _cursor(envelope) if events else None)


def parse_settlement(data: Any) -> Settlement:
    row = _flatten(as_object(data))
    settlement_id = _text(row.get("cf_settlement_id")) or _text(row.get("settlement_id"))
    if settlement_id is None:
        raise ValueError("a settlement needs cf_settlement_id")
    zero = Money(0)
    return Settlement(
        cf_settlement_id=settlement_id,
        utr=_text(row.get("settlement_utr")) or _text(row.get("transfer_utr")),
        settled_at=_time(row.get("settlement_date")) or _time(row.get("transfer_time")),
        gross=_amount(row.get("payment_amount")),
        service_charge=_amount(row.get("service_charge")) or zero,
        service_tax=_amount(row.get("service_tax")) or zero,
        settlement_charge=_amount(row.get("settlement_charge")) or zero,
        settlement_tax=_amount(row.get("settlement_tax")) or zero,
        adjustment=_amount(row.get("adjustment")) or zero,
        amount_settled=_amount(row.get("amount_settled")) or _amount(row.get("settlement_amount")),
        payment_from=_time(row.get("payment_from")),
        payment_till=_time(row.get("payment_till")),
        remarks=_text(row.get("remarks")),
    )


def parse_settlement_page(data: Any) -> SettlementPage:
    """A page `{cursor, limit, data[]}` (the docs), or one bare settlement (the spec's type)."""
    envelope = as_object(data)
    if "data" not in envelope:
        if _text(envelope.get("cf_settlement_id")) is None:
            return SettlementPage((), None)
        return SettlementPage((parse_settlement(envelope),), None)
    found = tuple(parse_settlement(row) for row in _rows(envelope))
    return SettlementPage(found, _cursor(envelope) if found else None)


def parse_order_settlement(data: Any, *, order_id: str) -> OrderSettlement:
    row = as_object(data)
    return OrderSettlement(
        order_id=_text(row.get("order_id")) or order_id,
        cf_payment_id=_text(row.get("cf_payment_id")),
        order_amount=_amount(row.get("order_amount")),
        service_charge=_amount(row.get("service_charge")),
        service_tax=_amount(row.get("service_tax")),
        settlement_amount=_amount(row.get("settlement_amount")),
        cf_settlement_id=_text(row.get("cf_settlement_id")),
        transfer_utr=_text(row.get("transfer_utr")),
        transfer_time=_time(row.get("transfer_time")),
    )
