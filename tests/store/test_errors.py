"""Driver errors become sentences a shop owner can act on."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from store.kit import Clock, MakeSale

from pos_app.store.errors import JournalError, from_sqlite
from pos_app.store.journal import Journal

WHERE = Path("/srv/till/journal-production.sqlite3")


@pytest.mark.parametrize(
    ("message", "kind", "words"),
    [
        ("database or disk is full", "disk_full", "The disk is full: free some space"),
        ("attempt to write a readonly database", "read_only", "is read-only"),
        ("database disk image is malformed", "corrupt", "is damaged"),
        ("file is not a database", "corrupt", "contact support"),
        ("unable to open database file", "cannot_open", "cannot be opened"),
        ("database is locked", "busy", "close any other copy of pos-app"),
        ("disk I/O error", "io", "could not be read or written"),
        ("something new", "other", "unexpected problem"),
    ],
)
def test_messages_map_to_sentences(message: str, kind: str, words: str) -> None:
    error = from_sqlite(sqlite3.OperationalError(message), WHERE)
    assert isinstance(error, JournalError)
    assert error.kind == kind
    assert words in error.message
    assert error.path == WHERE
    assert str(error) == error.message
    if kind in ("read_only", "corrupt", "cannot_open"):
        assert str(WHERE) in error.message
    if kind in ("disk_full", "read_only", "busy", "io"):
        assert "the last change was not saved" in error.message


def test_second_writer_is_told_the_journal_is_busy(
    journal: Journal, journal_file: Path, make_sale: MakeSale, clock: Clock
) -> None:
    other = sqlite3.connect(journal_file, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    try:
        with Journal.open(journal_file, clock=clock, busy_timeout=0.1) as second:
            sale = make_sale()
            with pytest.raises(JournalError) as caught:
                second.create_sale(sale)
            assert caught.value.kind == "busy"
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert journal.get_sale(sale.order_id) is None
    assert journal.create_sale(sale) == sale
