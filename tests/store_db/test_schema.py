"""The store database's schema: created from empty, upgraded idempotently, unique keys."""

from __future__ import annotations

import psycopg
import pytest

from pos_app.store_db.connect import StoreDbError, connect
from pos_app.store_db.schema import LATEST, STORE_MIGRATIONS, StoreMigration, migrate


@pytest.mark.asyncio
async def test_init_creates_every_table_and_is_idempotent(pg_url: str) -> None:
    conn = await connect(pg_url)
    try:
        assert await migrate(conn) == (0, LATEST)
        assert await migrate(conn) == (LATEST, LATEST)
        cur = await conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        )
        tables = {r[0] for r in await cur.fetchall()}
    finally:
        await conn.close()
    assert {
        "stores",
        "tills",
        "till_outboxes",
        "sales",
        "events",
        "refunds",
        "refund_requests",
        "webhook_deliveries",
        "store_schema",
    } <= tables


@pytest.mark.asyncio
async def test_a_newer_schema_is_refused_and_left_alone(store_url: str) -> None:
    conn = await connect(store_url)
    try:
        await conn.execute("INSERT INTO store_schema (version, name) VALUES (99, 'future')")
        with pytest.raises(ValueError, match="newer pos-app"):
            await migrate(conn)
    finally:
        await conn.close()


@pytest.mark.asyncio
async def test_a_failing_step_is_rolled_back_whole(store_url: str) -> None:
    broken = (
        *STORE_MIGRATIONS,
        StoreMigration(LATEST + 1, "broken", "CREATE TABLE extra (x int); SELECT 1/0;"),
    )
    conn = await connect(store_url)
    try:
        with pytest.raises(psycopg.Error):
            await migrate(conn, broken)
        cur = await conn.execute("SELECT to_regclass('extra'), max(version) FROM store_schema")
        assert await cur.fetchone() == (None, LATEST)
    finally:
        await conn.close()


@pytest.mark.asyncio
async def test_unique_constraints_live_in_the_database(store_url: str) -> None:
    conn = await connect(store_url)
    try:
        await conn.execute("INSERT INTO stores (store_id) VALUES ('shop')")
        await conn.execute("INSERT INTO tills (store_id, till_id) VALUES ('shop', 'T1')")
        sale = (
            "INSERT INTO sales (store_id, till_id, environment, order_id, terminal_id,"
            " amount_paise, method, status, created_at, updated_at)"
            " VALUES ('shop', 'T1', 'demo', 'O-1', 'T1', 100, 'upi_qr', 'PAID', 1, 1)"
        )
        await conn.execute(sale)
        with pytest.raises(psycopg.errors.UniqueViolation):
            await conn.execute(sale)
        with pytest.raises(psycopg.errors.CheckViolation):
            await conn.execute(sale.replace("'O-1'", "'O-2'").replace(" 100,", " 0,"))
        with pytest.raises(psycopg.errors.ForeignKeyViolation):
            await conn.execute(
                sale.replace("'O-1'", "'O-3'").replace("'T1', 'demo'", "'T9', 'demo'")
            )
    finally:
        await conn.close()


@pytest.mark.asyncio
async def test_an_unreachable_database_is_one_clear_error_without_the_password() -> None:
    from pos_app.secrets import Secret

    with pytest.raises(StoreDbError) as caught:
        await connect("postgresql://till@127.0.0.1:1/store", Secret("hunter2-very-secret"))
    assert "did not answer" in caught.value.message
    assert "hunter2" not in str(caught.value)
