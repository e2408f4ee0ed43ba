"""The till's outbox to the store database: which journal events are still to be pushed.

Every event has a globally unique id (``event_uid``, a UUID made when the event is written)
and a position in the outbox: its row id in ``sale_events``, which only grows. The cursor
``outbox_cursor.pushed_through`` is the last position the store database has acknowledged;
everything after it is waiting. A batch carries, besides its events in order, the current
row of every sale and refund those events touch, so the store database can show them
without replaying events.

Nothing here talks to PostgreSQL: services/store_sync/sync.py takes a batch, writes it there, and only
then moves the cursor (so a crash between the two re-sends a batch, which the store
database ignores by event id).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pos_app.store.codec import from_ms, to_ms
from pos_app.store.journal import Journal

__all__ = [
    "REFUND_SYNC_COLUMNS",
    "SALE_SYNC_COLUMNS",
    "STORE_TARGET",
    "OutboxBatch",
    "OutboxEvent",
    "OutboxStatus",
    "mark_pushed",
    "next_batch",
    "note_failure",
    "outbox_status",
    "waiting_count",
]

STORE_TARGET = "store"

# What a sale and a refund look like in the store database (no idempotency keys, no
# payment session ids: the store database needs none of them).
SALE_SYNC_COLUMNS: tuple[str, ...] = (
    "order_id",
    "terminal_id",
    "environment",
    "amount_paise",
    "method",
    "status",
    "created_at",
    "updated_at",
    "bill_number",
    "note",
    "customer_phone",
    "link_id",
    "cf_order_id",
    "gateway_order_id",
    "cf_payment_id",
    "bank_reference",
    "payment_group",
    "paid_at",
    "late",
    "reason",
)
REFUND_SYNC_COLUMNS: tuple[str, ...] = (
    "refund_id",
    "order_id",
    "amount_paise",
    "status",
    "reason",
    "cf_refund_id",
    "arn",
    "created_at",
    "updated_at",
)


@dataclass(frozen=True, slots=True)
class OutboxEvent:
    position: int
    event_uid: str
    order_id: str
    at_ms: int
    kind: str
    status: str
    detail: str  # the journal's JSON text, unchanged


@dataclass(frozen=True, slots=True)
class OutboxBatch:
    events: tuple[OutboxEvent, ...]
    sales: tuple[dict[str, Any], ...]
    refunds: tuple[dict[str, Any], ...]

    @property
    def last_position(self) -> int:
        return self.events[-1].position if self.events else 0


@dataclass(frozen=True, slots=True)
class OutboxStatus:
    waiting: int
    pushed_through: int
    pushed_at: datetime | None
    failures: int
    last_error: str | None


def _cursor(conn: Any, target: str) -> tuple[int, int | None, int, str | None]:
    row = conn.execute(
        "SELECT pushed_through, pushed_at, failures, last_error FROM outbox_cursor"
        " WHERE target = ?",
        (target,),
    ).fetchone()
    return (0, None, 0, None) if row is None else (row[0], row[1], row[2], row[3])


def waiting_count(journal: Journal, target: str = STORE_TARGET) -> int:
    """How many events the store database has not acknowledged yet."""
    with journal._reading() as conn:
        through = _cursor(conn, target)[0]
        row = conn.execute("SELECT count(*) FROM sale_events WHERE id > ?", (through,)).fetchone()
    return int(row[0])


def outbox_status(journal: Journal, target: str = STORE_TARGET) -> OutboxStatus:
    with journal._reading() as conn:
        through, at, failures, error = _cursor(conn, target)
        row = conn.execute("SELECT count(*) FROM sale_events WHERE id > ?", (through,)).fetchone()
    return OutboxStatus(
        waiting=int(row[0]),
        pushed_through=through,
        pushed_at=None if at is None else from_ms(at),
        failures=failures,
        last_error=error,
    )


def next_batch(journal: Journal, limit: int = 500, target: str = STORE_TARGET) -> OutboxBatch:
    """The next `limit` waiting events in outbox order, with their sales and refunds as
    they are now, read in one snapshot."""
    if limit <= 0:
        raise ValueError("a batch holds at least one event")
    sale_columns = ", ".join(SALE_SYNC_COLUMNS)
    refund_columns = ", ".join(REFUND_SYNC_COLUMNS)
    with journal.snapshot(), journal._reading() as conn:
        through = _cursor(conn, target)[0]
        rows = conn.execute(
            "SELECT id, event_uid, order_id, at, kind, status, detail FROM sale_events"
            " WHERE id > ? ORDER BY id LIMIT ?",
            (through, limit),
        ).fetchall()
        events = tuple(OutboxEvent(*row) for row in rows)
        order_ids = sorted({e.order_id for e in events})
        sales: list[dict[str, Any]] = []
        refunds: list[dict[str, Any]] = []
        for start in range(0, len(order_ids), 400):
            chunk = order_ids[start : start + 400]
            marks = ", ".join("?" for _ in chunk)
            for row in conn.execute(
                f"SELECT {sale_columns} FROM sales WHERE order_id IN ({marks})",  # noqa: S608
                chunk,
            ):
                sales.append(dict(zip(SALE_SYNC_COLUMNS, row, strict=True)))
            for row in conn.execute(
                f"SELECT {refund_columns} FROM refunds WHERE order_id IN ({marks})",  # noqa: S608
                chunk,
            ):
                refunds.append(dict(zip(REFUND_SYNC_COLUMNS, row, strict=True)))
    return OutboxBatch(events, tuple(sales), tuple(refunds))


def mark_pushed(journal: Journal, through: int, at: datetime, target: str = STORE_TARGET) -> None:
    """The store database holds every event up to position `through`: move the cursor
    (never backwards) and clear the failure count."""
    with journal._writing() as conn:
        conn.execute(
            "INSERT INTO outbox_cursor (target, pushed_through, pushed_at, failures)"
            " VALUES (?, ?, ?, 0)"
            " ON CONFLICT (target) DO UPDATE SET"
            " pushed_through = max(pushed_through, excluded.pushed_through),"
            " pushed_at = excluded.pushed_at, failures = 0, last_error = NULL",
            (target, through, to_ms(at)),
        )


def note_failure(journal: Journal, error: str, target: str = STORE_TARGET) -> int:
    """Count a failed push (the message must hold no secret); returns the failures in a
    row."""
    with journal._writing() as conn:
        conn.execute(
            "INSERT INTO outbox_cursor (target, failures, last_error) VALUES (?, 1, ?)"
            " ON CONFLICT (target) DO UPDATE SET failures = failures + 1,"
            " last_error = excluded.last_error",
            (target, error[:500]),
        )
        row = conn.execute(
            "SELECT failures FROM outbox_cursor WHERE target = ?", (target,)
        ).fetchone()
    return int(row[0])
