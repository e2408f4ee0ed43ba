"""Writing a till's outbox batch into the store database: one transaction per batch.

Idempotent by construction: events are inserted with ON CONFLICT DO NOTHING on their
globally unique id (and the (till, position) pair is unique too), sales and refunds are
upserted only forward in time and only by the till that owns them. The till's outbox row
is locked FOR UPDATE first, so two pushes from one till (two processes) never interleave.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from psycopg import AsyncConnection

from pos_app.store.outbox import REFUND_SYNC_COLUMNS, SALE_SYNC_COLUMNS, OutboxBatch

__all__ = [
    "PushResult",
    "TillKey",
    "lock_sync",
    "push_batch",
    "push_refund_rows",
    "register_till",
    "unlock_sync",
]


@dataclass(frozen=True, slots=True)
class TillKey:
    store_id: str
    till_id: str
    environment: str


@dataclass(frozen=True, slots=True)
class PushResult:
    inserted: int  # events new to the store database
    pushed_through: int  # the till's position the store database now holds


def _upsert(table: str, columns: tuple[str, ...], key: str) -> str:
    names = ("store_id", "till_id", *columns)
    values = ", ".join("%s" for _ in names)
    updates = ", ".join(
        f"{c} = excluded.{c}" for c in columns if c not in ("order_id", "refund_id", "environment")
    )
    return (
        f"INSERT INTO {table} ({', '.join(names)}) VALUES ({values})"  # noqa: S608 (fixed names)
        f" ON CONFLICT ({key}) DO UPDATE SET {updates}"
        f" WHERE {table}.till_id = excluded.till_id"
        f" AND {table}.updated_at <= excluded.updated_at"
    )


_UPSERT_SALE = _upsert("sales", SALE_SYNC_COLUMNS, "store_id, environment, order_id")
_REFUND_COLUMNS = (*REFUND_SYNC_COLUMNS, "environment")
_UPSERT_REFUND = _upsert("refunds", _REFUND_COLUMNS, "store_id, environment, refund_id")
_INSERT_EVENT = (
    "INSERT INTO events (event_uid, store_id, till_id, environment, position, order_id, at,"
    " kind, status, detail) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb)"
    " ON CONFLICT DO NOTHING"
)


async def register_till(conn: AsyncConnection[tuple[object, ...]], till: TillKey) -> None:
    """Make sure the store, the till and its outbox row exist (idempotent)."""
    async with conn.transaction():
        await conn.execute(
            "INSERT INTO stores (store_id) VALUES (%s) ON CONFLICT DO NOTHING", (till.store_id,)
        )
        await conn.execute(
            "INSERT INTO tills (store_id, till_id) VALUES (%s, %s) ON CONFLICT DO NOTHING",
            (till.store_id, till.till_id),
        )
        await conn.execute(
            "INSERT INTO till_outboxes (store_id, till_id, environment) VALUES (%s, %s, %s)"
            " ON CONFLICT DO NOTHING",
            (till.store_id, till.till_id, till.environment),
        )


async def push_batch(
    conn: AsyncConnection[tuple[object, ...]], till: TillKey, batch: OutboxBatch, waiting: int
) -> PushResult:
    """Store one batch in one transaction; `waiting` is what the till has left after it."""
    async with conn.transaction():
        cur = await conn.execute(
            "SELECT pushed_through FROM till_outboxes"
            " WHERE store_id = %s AND till_id = %s AND environment = %s FOR UPDATE",
            (till.store_id, till.till_id, till.environment),
        )
        if await cur.fetchone() is None:
            raise LookupError("the till is not registered in this store database")
        async with conn.cursor() as cur:
            if batch.sales:
                await cur.executemany(
                    _UPSERT_SALE,
                    [
                        (till.store_id, till.till_id, *(s[c] for c in SALE_SYNC_COLUMNS))
                        for s in batch.sales
                    ],
                )
            inserted = 0
            if batch.events:
                await cur.executemany(
                    _INSERT_EVENT,
                    [
                        (
                            e.event_uid,
                            till.store_id,
                            till.till_id,
                            till.environment,
                            e.position,
                            e.order_id,
                            e.at_ms,
                            e.kind,
                            e.status,
                            e.detail,
                        )
                        for e in batch.events
                    ],
                    returning=False,
                )
                inserted = max(cur.rowcount, 0)
            if batch.refunds:
                await cur.executemany(
                    _UPSERT_REFUND,
                    [
                        (
                            till.store_id,
                            till.till_id,
                            *(r[c] for c in REFUND_SYNC_COLUMNS),
                            till.environment,
                        )
                        for r in batch.refunds
                    ],
                )
        cur2 = await conn.execute(
            "UPDATE till_outboxes SET pushed_through = greatest(pushed_through, %s),"
            " waiting = %s, last_sync_at = now()"
            " WHERE store_id = %s AND till_id = %s AND environment = %s"
            " RETURNING pushed_through",
            (batch.last_position, waiting, till.store_id, till.till_id, till.environment),
        )
        row = await cur2.fetchone()
    assert row is not None
    return PushResult(inserted=inserted, pushed_through=int(row[0]))  # type: ignore[call-overload]


async def push_refund_rows(
    conn: AsyncConnection[tuple[object, ...]],
    till: TillKey,
    rows: Sequence[Mapping[str, Any]],
) -> None:
    """Store refunds this till made for sales of other tills (store/other_till_refunds.py),
    in one transaction; forward in time only, like every synced row."""
    if not rows:
        return
    async with conn.transaction(), conn.cursor() as cur:
        await cur.executemany(
            _UPSERT_REFUND,
            [
                (
                    till.store_id,
                    till.till_id,
                    *(r[c] for c in REFUND_SYNC_COLUMNS),
                    till.environment,
                )
                for r in rows
            ],
        )


# One sync cycle at a time per till, across processes and machines: a session-level
# advisory lock on the till's key (released by unlock_sync, or when the connection ends).
_LOCK_SPACE = 17_017


def _sync_key(till: TillKey) -> str:
    return f"{till.store_id}/{till.till_id}/{till.environment}"


async def lock_sync(conn: AsyncConnection[Any], till: TillKey) -> bool:
    """Take the till's sync lock if nobody holds it; False when another cycle runs."""
    cur = await conn.execute(
        "SELECT pg_try_advisory_lock(%s, hashtext(%s))", (_LOCK_SPACE, _sync_key(till))
    )
    row = await cur.fetchone()
    return bool(row and row[0])


async def unlock_sync(conn: AsyncConnection[Any], till: TillKey) -> None:
    await conn.execute(
        "SELECT pg_advisory_unlock(%s, hashtext(%s))", (_LOCK_SPACE, _sync_key(till))
    )
