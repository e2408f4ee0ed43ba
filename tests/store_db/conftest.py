"""PostgreSQL for the store-database tests: one server per session, one database per test.

Every test in this folder is marked `postgres`. Without server binaries they skip on a
developer's machine, but in CI (CI=true) they fail: CI must never pass by skipping them.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator

import psycopg
import pytest
from pg_server import PgServer, PgUnavailable, start_server

_counter = itertools.count(1)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "store_db" in item.path.parts:
            item.add_marker(pytest.mark.postgres)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    try:
        server = start_server()
    except PgUnavailable as exc:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"CI needs PostgreSQL for the store-database tests: {exc}")
        pytest.skip(str(exc))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg_server: PgServer) -> str:
    """A fresh, empty database on the session's server; its URL."""
    name = f"store_{os.getpid()}_{next(_counter)}"
    with psycopg.connect(pg_server.url(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return pg_server.url(name)


@pytest.fixture
def store_url(pg_url: str) -> str:
    """A fresh database prepared as a store database (schema at the latest version)."""
    import asyncio

    from pos_app.store_db.connect import connect
    from pos_app.store_db.schema import migrate

    async def prepare() -> None:
        conn = await connect(pg_url)
        try:
            await migrate(conn)
        finally:
            await conn.close()

    asyncio.run(prepare())
    return pg_url
