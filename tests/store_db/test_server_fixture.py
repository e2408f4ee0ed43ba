"""The test server itself: reachable, PostgreSQL >= 14, each test's database is empty."""

from __future__ import annotations

import psycopg


def test_server_answers_and_is_recent_enough(pg_url: str) -> None:
    with psycopg.connect(pg_url) as conn:
        version = conn.execute("SHOW server_version_num").fetchone()
        assert version is not None and int(version[0]) >= 140000
        tables = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()
        assert tables == (0,)
