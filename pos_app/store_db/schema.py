"""The store database's schema: numbered migrations of plain SQL, in one transaction each.

Every row is keyed by store and till; unique constraints (not only code) keep a pushed
event, sale or refund from being stored twice. Times are milliseconds since the epoch (UTC),
as in the till's journal, so a store-wide day uses exactly the bounds a till uses; money is
whole paise (bigint).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from psycopg import AsyncConnection

__all__ = ["LATEST", "STORE_MIGRATIONS", "StoreMigration", "migrate", "schema_version"]


@dataclass(frozen=True, slots=True)
class StoreMigration:
    version: int
    name: str
    sql: str


_V1 = StoreMigration(
    1,
    "stores, tills, sales, events, refunds, refund requests, webhook deliveries",
    """
    CREATE TABLE stores (
        store_id text PRIMARY KEY CHECK (store_id ~ '^[A-Za-z0-9_.-]{1,64}$'),
        name text NOT NULL DEFAULT '',
        created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE tills (
        store_id text NOT NULL REFERENCES stores,
        till_id text NOT NULL CHECK (till_id ~ '^[A-Za-z0-9_.-]{1,64}$'),
        joined_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (store_id, till_id)
    );
    -- One outbox per till and environment (a till keeps one journal per environment).
    CREATE TABLE till_outboxes (
        store_id text NOT NULL,
        till_id text NOT NULL,
        environment text NOT NULL CHECK (environment IN ('demo', 'sandbox', 'production')),
        pushed_through bigint NOT NULL DEFAULT 0 CHECK (pushed_through >= 0),
        waiting integer NOT NULL DEFAULT 0,
        last_sync_at timestamptz,
        PRIMARY KEY (store_id, till_id, environment),
        FOREIGN KEY (store_id, till_id) REFERENCES tills
    );
    CREATE TABLE sales (
        store_id text NOT NULL,
        till_id text NOT NULL,
        environment text NOT NULL,
        order_id text NOT NULL,
        terminal_id text NOT NULL,
        amount_paise bigint NOT NULL CHECK (amount_paise > 0),
        method text NOT NULL,
        status text NOT NULL,
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL,
        bill_number text,
        note text,
        customer_phone text,
        link_id text,
        cf_order_id text,
        gateway_order_id text,
        cf_payment_id text,
        bank_reference text,
        payment_group text,
        paid_at bigint,
        late integer NOT NULL DEFAULT 0 CHECK (late IN (0, 1)),
        reason text,
        PRIMARY KEY (store_id, environment, order_id),
        FOREIGN KEY (store_id, till_id) REFERENCES tills
    );
    CREATE INDEX sales_created ON sales (store_id, environment, created_at);
    CREATE INDEX sales_till_created ON sales (store_id, till_id, created_at);
    CREATE TABLE events (
        event_uid uuid PRIMARY KEY,
        store_id text NOT NULL,
        till_id text NOT NULL,
        environment text NOT NULL,
        position bigint NOT NULL CHECK (position > 0),
        order_id text NOT NULL,
        at bigint NOT NULL,
        kind text NOT NULL,
        status text NOT NULL,
        detail jsonb NOT NULL DEFAULT '{}',
        received_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (store_id, till_id, environment, position),
        FOREIGN KEY (store_id, till_id) REFERENCES tills
    );
    CREATE INDEX events_order ON events (store_id, environment, order_id, at);
    CREATE TABLE refunds (
        store_id text NOT NULL,
        till_id text NOT NULL,
        environment text NOT NULL,
        refund_id text NOT NULL,
        order_id text NOT NULL,
        amount_paise bigint NOT NULL CHECK (amount_paise > 0),
        status text NOT NULL,
        reason text,
        cf_refund_id text,
        arn text,
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL,
        PRIMARY KEY (store_id, environment, refund_id),
        FOREIGN KEY (store_id, environment, order_id) REFERENCES sales,
        FOREIGN KEY (store_id, till_id) REFERENCES tills
    );
    CREATE INDEX refunds_order ON refunds (store_id, environment, order_id);
    -- A refund asked for at any till: the "never above paid" rule is checked here, inside
    -- one transaction that locks the sale's row (store_db/refunds.py).
    CREATE TABLE refund_requests (
        request_id uuid PRIMARY KEY,
        store_id text NOT NULL,
        till_id text NOT NULL,
        environment text NOT NULL,
        order_id text NOT NULL,
        amount_paise bigint NOT NULL CHECK (amount_paise > 0),
        status text NOT NULL DEFAULT 'RESERVED'
            CHECK (status IN ('RESERVED', 'PENDING', 'SUCCESS', 'FAILED', 'CANCELLED')),
        refund_id text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (store_id, environment, refund_id),
        FOREIGN KEY (store_id, environment, order_id) REFERENCES sales,
        FOREIGN KEY (store_id, till_id) REFERENCES tills
    );
    CREATE INDEX refund_requests_order ON refund_requests (store_id, environment, order_id);
    -- Cashfree's webhooks, verified, each delivery once (retries only count attempts).
    CREATE TABLE webhook_deliveries (
        store_id text NOT NULL REFERENCES stores,
        delivery_key text NOT NULL,
        type text NOT NULL,
        order_id text,
        cf_payment_id text,
        payment_status text,
        webhook_timestamp bigint NOT NULL,
        attempts integer NOT NULL DEFAULT 1,
        body jsonb NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (store_id, delivery_key)
    );
    CREATE INDEX webhook_deliveries_order ON webhook_deliveries (store_id, order_id);
    """,
)

STORE_MIGRATIONS: tuple[StoreMigration, ...] = (_V1,)
LATEST = STORE_MIGRATIONS[-1].version


async def schema_version(conn: AsyncConnection[object]) -> int:
    cur = await conn.execute(
        "SELECT 1 FROM information_schema.tables"
        " WHERE table_schema = current_schema() AND table_name = 'store_schema'"
    )
    if await cur.fetchone() is None:
        return 0
    cur = await conn.execute("SELECT coalesce(max(version), 0) FROM store_schema")
    row = await cur.fetchone()
    return int(row[0]) if row else 0  # type: ignore[index]


async def migrate(
    conn: AsyncConnection[object], migrations: Sequence[StoreMigration] = STORE_MIGRATIONS
) -> tuple[int, int]:
    """Create or upgrade the schema; returns (version before, version after).

    Each step runs in its own transaction with its bookkeeping row; an advisory lock keeps
    two `store init` runs from upgrading at once. A database written by a newer pos-app is
    refused (ValueError) and left alone.
    """
    numbers = [m.version for m in migrations]
    if numbers != list(range(1, len(numbers) + 1)):
        raise ValueError(f"store migrations must be numbered 1, 2, 3, ...; got {numbers}")
    latest = numbers[-1] if numbers else 0
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(7017017)")
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS store_schema ("
            " version integer PRIMARY KEY, name text NOT NULL,"
            " applied_at timestamptz NOT NULL DEFAULT now())"
        )
    before = await schema_version(conn)
    if before > latest:
        raise ValueError(
            f"This store database was prepared by a newer pos-app (schema {before}); "
            "update this till's pos-app first."
        )
    for step in migrations:
        if step.version <= before:
            continue
        async with conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock(7017017)")
            cur = await conn.execute(
                "SELECT 1 FROM store_schema WHERE version = %s", (step.version,)
            )
            if await cur.fetchone() is not None:
                continue  # another till upgraded it meanwhile
            await conn.execute(step.sql.encode())
            await conn.execute(
                "INSERT INTO store_schema (version, name) VALUES (%s, %s)",
                (step.version, step.name),
            )
    return before, await schema_version(conn)
