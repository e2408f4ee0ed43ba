"""Schema migrations: from empty, user_version, backup before upgrading, rollback, re-open."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path

import pytest
from store.kit import MakeSale

from pos_app.domain.sale import Sale
from pos_app.store.codec import SALE_COLUMNS
from pos_app.store.errors import JournalError
from pos_app.store.journal import Journal
from pos_app.store.migrations import LATEST, MIGRATIONS, Migration, backup_path, migrate

TIP = Migration(LATEST + 1, "tips", ("ALTER TABLE sales ADD COLUMN tip_paise INTEGER",))


@pytest.fixture
def raw(journal_file: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(journal_file, isolation_level=None)
    yield conn
    conn.close()


def _version(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]


def test_new_journal_is_migrated_from_empty(journal_file: Path) -> None:
    with Journal.open(journal_file):
        pass
    assert _version(journal_file) == LATEST
    conn = sqlite3.connect(journal_file)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    conn.close()
    assert {"sales", "sale_events", "refunds"} <= tables
    assert {
        "sales_created",
        "sales_terminal_created",
        "sales_status",
        "sales_bank_reference",
        "sales_customer_phone",
        "sales_bill_number",
    } <= indexes
    assert mode == "wal"
    assert not list(journal_file.parent.glob("*.bak-v*")), "an empty file needs no backup"


def test_schema_has_a_column_for_every_sale_field(
    journal: Journal, raw: sqlite3.Connection
) -> None:
    # If Sale grows a field, a migration must add its column.
    assert len(SALE_COLUMNS) == len(fields(Sale))
    assert set(SALE_COLUMNS) <= set(_columns(raw, "sales"))


def test_reopen_is_idempotent(journal_file: Path, make_sale: MakeSale) -> None:
    with Journal.open(journal_file) as journal:
        sale = journal.create_sale(make_sale())
    for _ in range(3):
        with Journal.open(journal_file) as journal:
            assert journal.get_sale(sale.order_id) == sale
    assert _version(journal_file) == LATEST
    assert not list(journal_file.parent.glob("*.bak-v*"))


def test_existing_database_is_backed_up_before_migrating(
    journal_file: Path, make_sale: MakeSale, raw: sqlite3.Connection
) -> None:
    with Journal.open(journal_file) as journal:
        sale = journal.create_sale(make_sale())

    old = migrate(raw, journal_file, [*MIGRATIONS, TIP])

    assert old == LATEST
    assert _version(journal_file) == LATEST + 1
    assert "tip_paise" in _columns(raw, "sales")
    backup = backup_path(journal_file, LATEST)
    assert backup.name == f"{journal_file.name}.bak-v{LATEST}"
    assert backup.exists()
    assert _version(backup) == LATEST
    copy = sqlite3.connect(backup)
    try:
        assert "tip_paise" not in _columns(copy, "sales")
        assert copy.execute("SELECT order_id FROM sales").fetchall() == [(sale.order_id,)]
    finally:
        copy.close()
    assert not list(journal_file.parent.glob("*.partial"))


def test_failed_migration_leaves_the_previous_version(
    journal_file: Path, make_sale: MakeSale, raw: sqlite3.Connection
) -> None:
    with Journal.open(journal_file) as journal:
        sale = journal.create_sale(make_sale())
    broken = Migration(
        LATEST + 1,
        "half a change",
        ("CREATE TABLE tips (order_id TEXT)", "ALTER TABLE no_such_table ADD COLUMN x INTEGER"),
    )
    with pytest.raises(JournalError, match="left unchanged"):
        migrate(raw, journal_file, [*MIGRATIONS, broken])
    assert _version(journal_file) == LATEST
    tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "tips" not in tables
    with Journal.open(journal_file) as journal:
        assert journal.get_sale(sale.order_id) == sale


def test_older_version_set_by_hand_is_backed_up_and_upgraded(
    journal_file: Path, make_sale: MakeSale, raw: sqlite3.Connection
) -> None:
    with Journal.open(journal_file) as journal:
        journal.create_sale(make_sale())
    raw.execute("PRAGMA user_version = 0")  # pretend the schema predates numbering
    # The upgrade re-runs migration 1 against existing tables, which fails: nothing changes,
    # but the backup of the untouched file was made first.
    with pytest.raises(JournalError):
        Journal.open(journal_file)
    assert backup_path(journal_file, 0).exists()
    assert _version(journal_file) == 0


def test_newer_journal_is_refused(journal_file: Path, raw: sqlite3.Connection) -> None:
    with Journal.open(journal_file):
        pass
    raw.execute(f"PRAGMA user_version = {LATEST + 5}")
    with pytest.raises(JournalError) as caught:
        Journal.open(journal_file)
    assert caught.value.kind == "too_new"
    assert "newer version of pos-app" in caught.value.message
    assert _version(journal_file) == LATEST + 5


def test_migrations_must_be_numbered_in_order(journal_file: Path, raw: sqlite3.Connection) -> None:
    with pytest.raises(ValueError, match="numbered"):
        migrate(raw, journal_file, [TIP])
