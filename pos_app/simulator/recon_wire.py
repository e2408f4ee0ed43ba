"""The reconciliation endpoints' bodies: filters and cursor paging in, Cashfree JSON out.

- `POST /recon` (PGFetchRecon): `ReconEntity`, flat rows (the 2025-01-01 shape).
- `POST /settlements` (PGFetchSettlements): the spec types the answer as one
  `SettlementEntity`; Cashfree's docs show a page `{cursor, limit, data[]}` of settlements.
  The simulator answers the page (it still fits the spec's schema, which has no required
  keys). The fields of each settlement are REFERENCE §11's, and UNVERIFIED.
- `POST /settlement/recon` (PGSettlementFetchRecon): `SettlementReconEntity`, nested rows.
- `GET /orders/{order_id}/settlements` (PGOrderFetchSettlement): one `SettlementEntity`.

The spec declares no field of these answers nullable, so a value the simulator does not
have is left out, never sent as null. Cursors are opaque: base64 of the position and a
fingerprint of the filters, refused when reused with other filters.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from pos_app.domain.money import Money
from pos_app.simulator.bodies import IST
from pos_app.simulator.errors import bad_request
from pos_app.simulator.settlements import EventKind, ReconEvent, SimSettlement

__all__ = [
    "MAX_LIMIT",
    "MIN_LIMIT",
    "Filters",
    "Page",
    "flat_row",
    "nested_row",
    "order_settlement_entity",
    "page_of",
    "recon_filters",
    "settlement_filters",
    "settlement_item",
]

MIN_LIMIT = 10  # REFERENCE §11: limit 10..1000
MAX_LIMIT = 1000
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Filters:
    start: datetime | None
    end: datetime | None
    settlement_ids: frozenset[str]
    utrs: frozenset[str]
    fingerprint: str


@dataclass(frozen=True, slots=True)
class Page:
    limit: int
    offset: int


def _stamp(moment: datetime) -> str:
    return moment.astimezone(IST).isoformat(timespec="seconds")


def _object(value: Any, name: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise bad_request(f"{name}_invalid", f"{name} : should be a JSON object")
    return value


def _date(filters: dict[str, Any], key: str) -> datetime | None:
    value = filters.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise bad_request(f"filters.{key}_invalid", f"filters.{key} : should be a date-time")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise bad_request(
            f"filters.{key}_invalid",
            f"filters.{key} : should be a date-time like 2022-07-20T00:00:00Z",
        ) from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=IST)


def _strings(filters: dict[str, Any], key: str) -> frozenset[str]:
    value = filters.get(key)
    if value is None:
        return frozenset()
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise bad_request(f"filters.{key}_invalid", f"filters.{key} : should be a list of ids")
    return frozenset(value)


def _page(body: dict[str, Any], fingerprint: str) -> Page:
    paging = _object(body.get("pagination"), "pagination")
    limit = paging.get("limit")
    if limit is None:
        raise bad_request("pagination.limit_missing", "pagination.limit : is missing")
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise bad_request("pagination.limit_invalid", "pagination.limit : should be an integer")
    if not MIN_LIMIT <= limit <= MAX_LIMIT:
        raise bad_request(
            "pagination.limit_invalid",
            f"pagination.limit : should be between {MIN_LIMIT} and {MAX_LIMIT}",
        )
    cursor = paging.get("cursor")
    if cursor is None or cursor == "":
        return Page(limit, 0)
    invalid = bad_request("pagination.cursor_invalid", "pagination.cursor : is not valid")
    if not isinstance(cursor, str):
        raise invalid
    try:
        decoded = json.loads(base64.urlsafe_b64decode(cursor.encode()).decode())
        offset, seen = int(decoded["o"]), str(decoded["f"])
    except (ValueError, KeyError, TypeError):
        raise invalid from None
    if seen != fingerprint or offset < 0:
        raise invalid
    return Page(limit, offset)


def _fingerprint(filters: dict[str, Any]) -> str:
    canonical = json.dumps(filters, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def recon_filters(body: Any) -> tuple[Filters, Page]:
    """`POST /recon`: start_date and end_date are both required."""
    data = _object(body, "request")
    raw = _object(data.get("filters"), "filters")
    start, end = _date(raw, "start_date"), _date(raw, "end_date")
    for key, value in (("start_date", start), ("end_date", end)):
        if value is None:
            raise bad_request(f"filters.{key}_missing", f"filters.{key} : is missing")
    assert start is not None and end is not None
    if end < start:
        raise bad_request("filters.end_date_invalid", "filters.end_date : is before start_date")
    fingerprint = _fingerprint(raw)
    filters = Filters(start, end, frozenset(), frozenset(), fingerprint)
    return filters, _page(data, fingerprint)


def settlement_filters(body: Any) -> tuple[Filters, Page]:
    """`POST /settlements` and `/settlement/recon`: ids, UTRs or a date range (or several)."""
    data = _object(body, "request")
    raw = _object(data.get("filters"), "filters")
    start, end = _date(raw, "start_date"), _date(raw, "end_date")
    if (start is None) != (end is None):
        raise bad_request(
            "filters.date_range_invalid", "filters : give both start_date and end_date"
        )
    if start is not None and end is not None and end < start:
        raise bad_request("filters.end_date_invalid", "filters.end_date : is before start_date")
    ids, utrs = _strings(raw, "cf_settlement_ids"), _strings(raw, "settlement_utrs")
    if start is None and not ids and not utrs:
        raise bad_request(
            "filters_invalid",
            "filters : give cf_settlement_ids, settlement_utrs or start_date and end_date",
        )
    fingerprint = _fingerprint(raw)
    return Filters(start, end, ids, utrs, fingerprint), _page(data, fingerprint)


def settlement_matches(settlement: SimSettlement, filters: Filters) -> bool:
    if filters.settlement_ids and settlement.cf_settlement_id not in filters.settlement_ids:
        return False
    if filters.utrs and settlement.utr not in filters.utrs:
        return False
    if filters.start is not None and settlement.settled_at < filters.start:
        return False
    return filters.end is None or settlement.settled_at <= filters.end


def page_of(items: Sequence[T], page: Page, fingerprint: str) -> tuple[list[T], dict[str, Any]]:
    """This page's items and the envelope keys (`limit`, and `cursor` when more remain)."""
    chosen = list(items[page.offset : page.offset + page.limit])
    envelope: dict[str, Any] = {"limit": page.limit}
    following = page.offset + len(chosen)
    if following < len(items):
        token = json.dumps({"o": following, "f": fingerprint}, separators=(",", ":"))
        envelope["cursor"] = base64.urlsafe_b64encode(token.encode()).decode()
    return chosen, envelope


# ---- rows -------------------------------------------------------------------------------------


def _settlement_fields(settlement: SimSettlement) -> dict[str, Any]:
    return {
        "cf_settlement_id": settlement.cf_settlement_id,
        "settlement_utr": settlement.utr,
        "settlement_date": _stamp(settlement.settled_at),
    }


def flat_row(event: ReconEvent) -> dict[str, Any]:
    """One `ReconEntity.data[]` row (2025-01-01: flat fields)."""
    row: dict[str, Any] = {
        "event_id": event.event_id,
        "event_type": event.kind.value,
        "event_amount": event.amount.to_api(),
        "event_settlement_amount": event.settlement_amount.to_api(),
        "sale_type": "CREDIT" if event.credit else "DEBIT",
        "event_status": "PAID" if event.kind is EventKind.SETTLEMENT else "SUCCESS",
        "entity": "recon",
        "event_time": _stamp(event.at),
        "event_currency": "INR",
    }
    if event.settlement is not None:
        row.update(_settlement_fields(event.settlement))
    if event.order is not None:
        row["order_id"] = event.order.order_id
        row["order_amount"] = event.order.amount.to_api()
        phone = event.order.customer.get("customer_phone")
        if isinstance(phone, str):
            row["customer_phone"] = phone
    if event.payment is not None:
        row["cf_payment_id"] = event.payment.cf_payment_id
        row["payment_amount"] = event.payment.amount.to_api()
        row["payment_time"] = _stamp(event.payment.created_at)
        row["payment_group"] = "UPI"
        if event.payment.bank_reference:
            row["payment_utr"] = event.payment.bank_reference
    if event.kind is EventKind.PAYMENT:
        row["payment_service_charge"] = event.charge.to_api()
        row["payment_service_tax"] = event.tax.to_api()
    if event.refund is not None:
        row["refund_id"] = event.refund.refund_id
        if event.refund.arn:
            row["refund_arn"] = event.refund.arn
        if event.refund.note:
            row["refund_note"] = event.refund.note
        if event.refund.processed_at is not None:
            row["refund_processed_at"] = _stamp(event.refund.processed_at)
    if event.dispute is not None:
        row["dispute_category"] = event.dispute.category
        row["dispute_note"] = event.dispute.note
        if event.dispute.closed_at is not None:
            row["closed_in_favor_of"] = "MERCHANT" if event.dispute.merchant_won else "CUSTOMER"
            row["dispute_resolved_on"] = _stamp(event.dispute.closed_at)
    if event.of_settlement is not None:
        done = event.of_settlement
        row.update(
            {
                "service_charge": done.charges.to_api(),
                "service_tax": done.tax.to_api(),
                "adjustment": Money(-done.debits.paise).to_api(),
                "amount_settled": done.net.to_api(),
                "settlement_charge": 0,
                "settlement_tax": 0,
                "settlement_type": "STANDARD",
                "settlement_initiated_on": _stamp(done.settled_at),
                "payment_from": f"{done.day.isoformat()}T00:00:00+05:30",
                "payment_till": f"{done.day.isoformat()}T23:59:59+05:30",
                "remarks": "Settled",
            }
        )
    return row


def nested_row(event: ReconEvent) -> dict[str, Any]:
    """One `SettlementReconEntity.data[]` row (nested objects)."""
    flat = flat_row(event)
    details: dict[str, Any] = {
        "event_details": {
            key: flat[key]
            for key in (
                "event_id",
                "event_type",
                "event_settlement_amount",
                "event_amount",
                "sale_type",
                "event_status",
                "entity",
                "event_time",
                "event_currency",
            )
        },
    }
    if event.kind is EventKind.PAYMENT:
        details["event_details"]["event_service_charge"] = event.charge.to_api()
        details["event_details"]["event_service_tax"] = event.tax.to_api()
    if event.order is not None:
        details["order_details"] = {
            "order_id": event.order.order_id,
            "order_amount": event.order.amount.to_api(),
            "order_currency": event.order.currency,
        }
        if "customer_phone" in flat:
            details["customer_details"] = {"customer_phone": flat["customer_phone"]}
    if event.payment is not None:
        payment = {
            "cf_payment_id": flat["cf_payment_id"],
            "payment_amount": flat["payment_amount"],
            "payment_currency": "INR",
            "payment_time": flat["payment_time"],
            "payment_mode": "UPI",
            "status": event.payment.status.value,
        }
        if "payment_utr" in flat:
            payment["bank_reference"] = flat["payment_utr"]
        if event.kind is EventKind.PAYMENT:
            payment["payment_service_charge"] = event.charge.to_api()
            payment["payment_service_tax"] = event.tax.to_api()
        details["payment_details"] = payment
    if event.settlement is not None:
        details["settlement_details"] = {
            "cf_settlement_id": event.settlement.cf_settlement_id,
            "utr": event.settlement.utr,
            "settlement_date": flat["settlement_date"],
        }
    if event.refund is not None:
        details["refund_details"] = {
            k: flat[k]
            for k in ("refund_id", "refund_arn", "refund_note", "refund_processed_at")
            if k in flat
        }
    if event.dispute is not None:
        details["dispute_details"] = {
            k: flat[k]
            for k in (
                "dispute_category",
                "dispute_note",
                "closed_in_favor_of",
                "dispute_resolved_on",
            )
            if k in flat
        }
    return details


def settlement_item(settlement: SimSettlement) -> dict[str, Any]:
    """One settlement of `POST /settlements` (field names as REFERENCE §11; UNVERIFIED)."""
    return {
        **_settlement_fields(settlement),
        "payment_amount": settlement.gross.to_api(),
        "service_charge": settlement.charges.to_api(),
        "service_tax": settlement.tax.to_api(),
        "adjustment": Money(-settlement.debits.paise).to_api(),
        "settlement_charge": 0,
        "settlement_tax": 0,
        "amount_settled": settlement.net.to_api(),
        "settlement_type": "STANDARD",
        "settlement_initiated_on": _stamp(settlement.settled_at),
        "payment_from": f"{settlement.day.isoformat()}T00:00:00+05:30",
        "payment_till": f"{settlement.day.isoformat()}T23:59:59+05:30",
        "remarks": "Settled",
    }


def order_settlement_entity(event: ReconEvent) -> dict[str, Any]:
    """`GET /orders/{order_id}/settlements` for a paid order; settlement keys only once settled."""
    assert event.order is not None and event.payment is not None
    entity: dict[str, Any] = {
        "cf_payment_id": event.payment.cf_payment_id,
        "order_id": event.order.order_id,
        "entity": "settlement",
        "order_amount": event.order.amount.to_api(),
        "order_currency": event.order.currency,
        "payment_time": _stamp(event.payment.created_at),
        "service_charge": event.charge.to_api(),
        "service_tax": event.tax.to_api(),
        "settlement_amount": event.settlement_amount.to_api(),
        "settlement_currency": "INR",
    }
    if event.settlement is not None:
        entity.update(
            {
                "cf_settlement_id": event.settlement.cf_settlement_id,
                "settlement_id": int(event.settlement.cf_settlement_id),
                "transfer_id": int(event.settlement.cf_settlement_id),
                "transfer_time": _stamp(event.settlement.settled_at),
                "transfer_utr": event.settlement.utr,
            }
        )
    return entity
