"""The journal's records that belong to the till rather than to one sale's checkout:
till events (a manager PIN set, replaced, or found not to match) and refunds made outside
this till (found at Cashfree, never asked for by this journal).

Both are written in one transaction each, like everything in the journal. An outside
refund goes into the refunds table (origin "outside"), so totals, what is left to refund
and the "refund on its way" rule all count the money that really left, and a
"refund_outside" event is appended to the sale.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from pos_app.domain.money import Money
from pos_app.store.codec import REFUND_COLUMNS, decode_detail, encode_detail, from_ms, to_ms
from pos_app.store.connection import JournalConnection

__all__ = [
    "OutsideRefund",
    "TillEvent",
    "add_till_event",
    "known_refund_ids",
    "outside_refunds",
    "record_outside_refund",
    "refunded_by_order",
    "till_events",
]


@dataclass(frozen=True, slots=True)
class TillEvent:
    at: datetime
    kind: str
    detail: dict[str, object]


@dataclass(frozen=True, slots=True)
class OutsideRefund:
    order_id: str
    refund_id: str
    amount: Money
    status: str
    made_at: datetime  # when Cashfree says it was made
    seen_at: datetime  # when this till found it
    cf_refund_id: str | None = None


def add_till_event(
    journal: JournalConnection, kind: str, detail: Mapping[str, object] | None = None
) -> None:
    from pos_app.store.journal import _check_kind

    _check_kind(kind)
    with journal._writing() as conn:
        conn.execute(
            "INSERT INTO till_events (at, kind, detail) VALUES (?, ?, ?)",
            (journal._now_ms(), kind, encode_detail(detail)),
        )


def till_events(journal: JournalConnection, kinds: tuple[str, ...] = ()) -> list[TillEvent]:
    sql = "SELECT at, kind, detail FROM till_events"
    args: list[object] = []
    if kinds:
        sql += f" WHERE kind IN ({', '.join('?' for _ in kinds)})"
        args.extend(kinds)
    with journal._reading() as conn:
        rows = conn.execute(sql + " ORDER BY id", args).fetchall()
    return [TillEvent(from_ms(at), kind, decode_detail(detail)) for at, kind, detail in rows]


def known_refund_ids(journal: JournalConnection, order_id: str) -> set[str]:
    with journal._reading() as conn:
        rows = conn.execute("SELECT refund_id FROM refunds WHERE order_id = ?", (order_id,))
        return {str(row[0]) for row in rows.fetchall()}


def record_outside_refund(journal: JournalConnection, found: OutsideRefund) -> bool:
    """Journal a refund Cashfree has and this journal never made; False when it is known."""
    values = {
        "refund_id": found.refund_id,
        "order_id": found.order_id,
        "amount_paise": found.amount.paise,
        "status": found.status,
        "idempotency_key": "outside",
        "reason": None,
        "cf_refund_id": found.cf_refund_id,
        "arn": None,
        "status_description": "refund made outside this till",
        "created_at": to_ms(found.made_at),
        "updated_at": to_ms(found.seen_at),
    }
    columns = [*REFUND_COLUMNS, "origin", "seen_at"]
    row = [values[name] for name in REFUND_COLUMNS] + ["outside", to_ms(found.seen_at)]
    detail = encode_detail(
        {
            "refund_id": found.refund_id,
            "amount_paise": found.amount.paise,
            "status": found.status,
            "made_at": found.made_at.isoformat(),
        }
    )
    with journal._writing() as conn:
        exists = conn.execute(
            "SELECT 1 FROM refunds WHERE refund_id = ?", (found.refund_id,)
        ).fetchone()
        if exists is not None:
            return False
        sale = conn.execute(
            "SELECT status FROM sales WHERE order_id = ?", (found.order_id,)
        ).fetchone()
        if sale is None:
            return False
        conn.execute(
            f"INSERT INTO refunds ({', '.join(columns)})"  # noqa: S608 (fixed column list)
            f" VALUES ({', '.join('?' for _ in columns)})",
            row,
        )
        conn.execute(
            "INSERT INTO sale_events (order_id, at, kind, status, detail) VALUES (?, ?, ?, ?, ?)",
            (found.order_id, to_ms(found.seen_at), "refund_outside", sale[0], detail),
        )
    return True


def outside_refunds(
    journal: JournalConnection, start: datetime | None = None, end: datetime | None = None
) -> list[OutsideRefund]:
    """Outside refunds made or found in [start, end), newest first; all when no bounds."""
    sql = (
        "SELECT order_id, refund_id, amount_paise, status, created_at, seen_at, cf_refund_id"
        " FROM refunds WHERE origin = 'outside'"
    )
    args: list[object] = []
    if start is not None and end is not None:
        sql += " AND ((seen_at >= ? AND seen_at < ?) OR (created_at >= ? AND created_at < ?))"
        args.extend([to_ms(start), to_ms(end), to_ms(start), to_ms(end)])
    with journal._reading() as conn:
        rows = conn.execute(sql + " ORDER BY seen_at DESC, refund_id", args).fetchall()
    # seen_at is set for every outside refund (the column is NULL only for the till's own)
    return [
        OutsideRefund(
            order_id=row[0],
            refund_id=row[1],
            amount=Money(int(row[2])),
            status=str(row[3]),
            made_at=from_ms(int(row[4])),
            seen_at=from_ms(int(row[5])),
            cf_refund_id=row[6],
        )
        for row in rows
    ]


def refunded_by_order(journal: JournalConnection, order_ids: list[str]) -> dict[str, Money]:
    """SUCCESS refunds per sale (only sales with some), in chunks of 500 ids."""
    out: dict[str, Money] = {}
    with journal._reading() as conn:
        for first in range(0, len(order_ids), 500):
            chunk = order_ids[first : first + 500]
            marks = ", ".join("?" for _ in chunk)
            rows = conn.execute(
                "SELECT order_id, sum(amount_paise) FROM refunds"  # noqa: S608 (placeholders)
                f" WHERE status = 'SUCCESS' AND order_id IN ({marks}) GROUP BY order_id",
                chunk,
            ).fetchall()
            out.update({str(order_id): Money(int(total)) for order_id, total in rows})
    return out
