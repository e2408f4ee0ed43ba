"""The header's store-sync line: a real pusher on a real journal, its database unreachable,
then the journal's backlog shown; the line sits in the header beside the connection."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from desk_kit import FakeCheckout
from pytestqt.qtbot import QtBot
from test_main_window import make_window

from pos_app.domain.money import Money
from pos_app.domain.sale import Method, Sale, SaleStatus
from pos_app.services.store_sync.sync import StoreSync
from pos_app.store.journal import Journal
from pos_app.store_db.connect import connect
from pos_app.store_db.push import TillKey
from pos_app.ui.widgets.store_sync_label import attach_store_sync, stop_store_sync, sync_text

NOW = datetime(2026, 3, 14, 4, 30, tzinfo=UTC)


def _journal(tmp_path: Path, sales: int) -> Journal:
    journal = Journal.open(tmp_path / "journal-demo.sqlite3", clock=lambda: NOW)
    for n in range(sales):
        journal.create_sale(
            Sale(
                order_id=f"T1-{n}",
                terminal_id="T1",
                environment="demo",
                amount=Money(1000),
                method=Method.UPI_QR,
                status=SaleStatus.CREATED,
                idempotency_key=f"k{n}",
                created_at=NOW,
                updated_at=NOW,
            )
        )
    return journal


def test_words() -> None:
    assert sync_text(0) == "store sync: up to date"
    assert sync_text(1) == "store sync: 1 event waiting"
    assert sync_text(42) == "store sync: 42 events waiting"


def test_header_shows_the_backlog_while_the_database_is_away(
    qtbot: QtBot, qloop: object, checkout: FakeCheckout, tmp_path: Path
) -> None:
    journal = _journal(tmp_path, 3)
    try:
        sync = StoreSync(
            journal,
            TillKey("shop", "T1", "demo"),
            lambda: connect("postgresql://postgres@127.0.0.1:1/nowhere"),
            clock=lambda: NOW,
            backoff=(0.05,),
        )
        window = make_window(qtbot, checkout)
        label = attach_store_sync(window.header, sync)
        assert label.text() == "store sync: 3 events waiting"
        assert window.header.layout().indexOf(label) < window.header.layout().indexOf(
            window.header.connection
        )
        qtbot.waitUntil(lambda: sync.last_error is not None, timeout=5000)
        journal.create_sale(
            Sale(
                order_id="T1-late",
                terminal_id="T1",
                environment="demo",
                amount=Money(1000),
                method=Method.UPI_QR,
                status=SaleStatus.CREATED,
                idempotency_key="late",
                created_at=NOW,
                updated_at=NOW,
            )
        )
        qtbot.waitUntil(lambda: label.text() == "store sync: 4 events waiting", timeout=5000)
        window.grab().save(str(tmp_path.parent / "store_sync_header.png"))
        task = label.task
        stop_store_sync(label)
        assert label.task is None and task is not None
        qtbot.waitUntil(task.done, timeout=5000)
    finally:
        journal.close()
