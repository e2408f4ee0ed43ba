"""Turning domain values into journal rows and back.

Times are stored as INTEGER milliseconds since the Unix epoch, UTC; they come back as aware
UTC datetimes (so anything finer than a millisecond is dropped on the way in). Money is an
INTEGER number of paise. Booleans are 0/1. Enums are stored by value.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from typing import Any

from pos_app.domain.money import Money
from pos_app.domain.sale import Method, ReasonCode, Sale, SaleEvent, SaleStatus

__all__ = [
    "REFUND_COLUMNS",
    "SALE_COLUMNS",
    "RefundRecord",
    "decode_detail",
    "encode_detail",
    "encode_refund_field",
    "encode_sale_field",
    "event_from_row",
    "from_ms",
    "refund_from_row",
    "refund_to_row",
    "sale_from_row",
    "sale_to_row",
    "to_ms",
]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)


def to_ms(moment: datetime) -> int:
    """An aware datetime -> whole milliseconds since the epoch (floor)."""
    if not isinstance(moment, datetime):
        raise TypeError(f"expected a datetime, got {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("the journal only takes timezone-aware datetimes (use UTC)")
    return (moment - _EPOCH) // _MS


def from_ms(ms: int) -> datetime:
    seconds, millis = divmod(ms, 1000)
    return _EPOCH + timedelta(0, seconds, millis * 1000)


def _opt_ms(moment: datetime | None) -> int | None:
    return None if moment is None else to_ms(moment)


def _opt_dt(ms: int | None) -> datetime | None:
    return None if ms is None else from_ms(ms)


# ---- sales -------------------------------------------------------------------------------


# Sale field -> (column, encoder). Columns are in the order `sale_from_row` expects.
def _money(value: object) -> int:
    if not isinstance(value, Money):
        raise TypeError(f"amount must be Money, got {type(value).__name__}")
    return value.paise


def _method(value: object) -> str:
    if not isinstance(value, Method):
        raise TypeError(f"method must be a Method, got {type(value).__name__}")
    return value.value


def _status(value: object) -> str:
    if not isinstance(value, SaleStatus):
        raise TypeError(f"status must be a SaleStatus, got {type(value).__name__}")
    return value.value


def _opt_reason(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, ReasonCode):
        raise TypeError(f"reason_code must be a ReasonCode, got {type(value).__name__}")
    return value.value


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {type(value).__name__}")
    return value


def _opt_text(value: object) -> str | None:
    return None if value is None else _text(value)


def _time(value: object) -> int:
    if not isinstance(value, datetime):
        raise TypeError(f"expected a datetime, got {type(value).__name__}")
    return to_ms(value)


def _opt_time(value: object) -> int | None:
    return None if value is None else _time(value)


def _flag(value: object) -> int:
    if not isinstance(value, bool):
        raise TypeError(f"expected True or False, got {type(value).__name__}")
    return int(value)


_SALE_CODEC: dict[str, tuple[str, Callable[[object], object]]] = {}
for _f in fields(Sale):
    if _f.name == "amount":
        _SALE_CODEC[_f.name] = ("amount_paise", _money)
    elif _f.name == "method":
        _SALE_CODEC[_f.name] = ("method", _method)
    elif _f.name == "status":
        _SALE_CODEC[_f.name] = ("status", _status)
    elif _f.name in ("created_at", "updated_at"):
        _SALE_CODEC[_f.name] = (_f.name, _time)
    elif _f.name in ("expires_at", "paid_at"):
        _SALE_CODEC[_f.name] = (_f.name, _opt_time)
    elif _f.name in ("late", "duplicate_override"):
        _SALE_CODEC[_f.name] = (_f.name, _flag)
    elif _f.name == "reason_code":
        _SALE_CODEC[_f.name] = (_f.name, _opt_reason)
    elif _f.name in ("order_id", "terminal_id", "environment", "idempotency_key"):
        _SALE_CODEC[_f.name] = (_f.name, _text)
    else:
        _SALE_CODEC[_f.name] = (_f.name, _opt_text)

SALE_FIELDS: tuple[str, ...] = tuple(_SALE_CODEC)
SALE_COLUMNS: tuple[str, ...] = tuple(column for column, _ in _SALE_CODEC.values())
_STATUS_BY_VALUE = {s.value: s for s in SaleStatus}
_METHOD_BY_VALUE = {m.value: m for m in Method}
_REASON_BY_VALUE = {r.value: r for r in ReasonCode}


def _decode_reason(value: str | None) -> ReasonCode | None:
    # A code written by a newer till reads as "no code" rather than failing the read.
    return None if value is None else _REASON_BY_VALUE.get(value)


def sale_to_row(sale: Sale) -> dict[str, object]:
    """Column -> value for every column of `sales`."""
    return {column: encode(getattr(sale, name)) for name, (column, encode) in _SALE_CODEC.items()}


def encode_sale_field(name: str, value: object) -> tuple[str, object]:
    """One Sale field for an UPDATE: (column, value). Unknown names raise TypeError."""
    try:
        column, encode = _SALE_CODEC[name]
    except KeyError:
        raise TypeError(f"Sale has no field named {name!r}") from None
    try:
        return column, encode(value)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"{name}: {exc}") from None


def _decoders() -> tuple[tuple[int, Callable[[Any], object]], ...]:
    """(position, decoder) for the columns that are not stored as they are."""
    special: dict[str, Callable[[Any], object]] = {
        "amount": Money,
        "method": _METHOD_BY_VALUE.__getitem__,
        "status": _STATUS_BY_VALUE.__getitem__,
        "created_at": from_ms,
        "updated_at": from_ms,
        "expires_at": _opt_dt,
        "paid_at": _opt_dt,
        "late": bool,
        "duplicate_override": bool,
        "reason_code": _decode_reason,
    }
    return tuple((i, special[name]) for i, name in enumerate(SALE_FIELDS) if name in special)


_SALE_DECODERS = _decoders()


def sale_from_row(row: tuple[Any, ...]) -> Sale:
    """A row selected as `SELECT <SALE_COLUMNS> FROM sales` -> Sale."""
    values = list(row)
    for position, decode in _SALE_DECODERS:
        values[position] = decode(values[position])
    return Sale(*values)


# ---- events ------------------------------------------------------------------------------


def _plain(value: object) -> object:
    """json.dumps fallback: Money as paise, datetimes as ISO text, enums by value."""
    if isinstance(value, Money):
        return value.paise
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple | set | frozenset):
        return list(value)
    raise TypeError(f"an event detail cannot hold a {type(value).__name__}")


def encode_detail(detail: Mapping[str, object] | None) -> str:
    if detail is None:
        return "{}"
    if not isinstance(detail, Mapping):
        raise TypeError("an event detail is a mapping of names to values")
    return json.dumps(dict(detail), default=_plain, sort_keys=True, separators=(",", ":"))


def decode_detail(text: str) -> dict[str, object]:
    value = json.loads(text)
    return value if isinstance(value, dict) else {"value": value}


def event_from_row(row: tuple[Any, ...]) -> SaleEvent:
    order_id, at, kind, detail = row
    return SaleEvent(order_id=order_id, at=from_ms(at), kind=kind, detail=decode_detail(detail))


# ---- refunds -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class RefundRecord:
    """A refund as the journal knows it. `status` is Cashfree's refund_status, upper case
    (SUCCESS, PENDING, ONHOLD, CANCELLED, FAILED); anything not final counts as pending."""

    refund_id: str
    order_id: str
    amount: Money
    status: str
    idempotency_key: str
    reason: str | None = None
    cf_refund_id: str | None = None
    arn: str | None = None
    status_description: str | None = None
    created_at: datetime
    updated_at: datetime


_REFUND_CODEC: dict[str, tuple[str, Callable[[object], object]]] = {
    "refund_id": ("refund_id", _text),
    "order_id": ("order_id", _text),
    "amount": ("amount_paise", _money),
    "status": ("status", lambda v: _text(v).upper()),
    "idempotency_key": ("idempotency_key", _text),
    "reason": ("reason", _opt_text),
    "cf_refund_id": ("cf_refund_id", _opt_text),
    "arn": ("arn", _opt_text),
    "status_description": ("status_description", _opt_text),
    "created_at": ("created_at", _time),
    "updated_at": ("updated_at", _time),
}
REFUND_COLUMNS: tuple[str, ...] = tuple(column for column, _ in _REFUND_CODEC.values())


def refund_to_row(record: RefundRecord) -> dict[str, object]:
    return {
        column: encode(getattr(record, name)) for name, (column, encode) in _REFUND_CODEC.items()
    }


def encode_refund_field(name: str, value: object) -> tuple[str, object]:
    try:
        column, encode = _REFUND_CODEC[name]
    except KeyError:
        raise TypeError(f"RefundRecord has no field named {name!r}") from None
    try:
        return column, encode(value)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"{name}: {exc}") from None


def refund_from_row(row: tuple[Any, ...]) -> RefundRecord:
    values = dict(zip(_REFUND_CODEC, row, strict=True))
    values["amount"] = Money(values["amount"])
    values["created_at"] = from_ms(values["created_at"])
    values["updated_at"] = from_ms(values["updated_at"])
    return RefundRecord(**values)
