"""The manager's console at the small till screens (issue 13, the manager): no growth when
a sale is selected, Amount fully visible and right-aligned, every action reachable, the
detail pane scrolls, the timeline in plain words, the totals above the list."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from manager_kit import DAY, Clock, fill_day
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from pos_app.app import make_deps
from pos_app.config import Settings
from pos_app.domain.sale import SaleEvent
from pos_app.services.reporting.queries import ReportReader
from pos_app.store.journal import Journal
from pos_app.ui.manager.console import ManagerConsole
from pos_app.ui.manager.controller import ManagerContext
from pos_app.ui.manager.timeline import event_sentence
from pos_app.ui.manager.transactions import AMOUNT_COLUMN

IST = timezone(timedelta(hours=5, minutes=30))


@pytest.fixture
def context(tmp_path: Path, qloop: object) -> Iterator[ManagerContext]:
    clock = Clock(DAY + timedelta(hours=20))
    journal = Journal.open(tmp_path / "journal.sqlite3", clock=clock)
    fill_day(journal, clock, sales=60, zone=IST)
    deps = make_deps(
        Settings(store_name="Sharma General Store"), "sandbox", None, journal, clock=clock
    )
    reader = ReportReader.beside(journal)
    yield ManagerContext(deps, reader, None, None, IST)  # type: ignore[arg-type]
    reader.close()
    journal.close()


@pytest.mark.parametrize("size", [(1024, 600), (1280, 800)])
def test_the_console_fits_and_keeps_its_size(
    qtbot: QtBot, context: ManagerContext, size: tuple[int, int]
) -> None:
    console = ManagerConsole(context, today=DAY + timedelta(hours=12))
    qtbot.addWidget(console)
    console.resize(*size)
    console.show()
    QApplication.processEvents()
    assert (console.width(), console.height()) == size
    view = console.transactions
    view.select_row(2)
    QApplication.processEvents()
    assert (console.width(), console.height()) == size, "selecting a sale grew the window"

    table = view.table
    rect = table.visualRect(view.model.index(0, AMOUNT_COLUMN))
    assert table.viewport().rect().contains(rect), "the Amount column is out of view"
    shown = view.model.index(0, AMOUNT_COLUMN).data()
    assert table.fontMetrics().horizontalAdvance(shown) < rect.width() - 4  # never elided
    alignment = view.model.index(0, AMOUNT_COLUMN).data(Qt.ItemDataRole.TextAlignmentRole)
    assert int(alignment) & int(Qt.AlignmentFlag.AlignRight)

    scroll = view.detail_scroll
    for button in view.detail.buttons.values():
        top_left = button.mapTo(scroll.widget(), button.rect().topLeft())
        assert QRect(top_left, button.size()).right() <= scroll.viewport().width()
    assert scroll.verticalScrollBar().maximum() >= 0  # the pane scrolls instead of growing

    assert view.count.text().startswith("60 sales · collected ₹")
    assert view.count.y() < table.y()  # totals above the list


def test_the_timeline_speaks_plain_words() -> None:
    at = datetime(2026, 11, 26, 8, 30, tzinfo=UTC)
    events = [
        SaleEvent("T1-1", at, "created", {"amount_paise": 125050, "method": "upi-qr"}),
        SaleEvent("T1-1", at, "attempt_failed", {"status": "USER_DROPPED", "code": "U30"}),
        SaleEvent("T1-1", at, "offline", {"error": "TimeoutError"}),
        SaleEvent("T1-1", at, "link_created", {"sms": False, "email": True}),
        SaleEvent(
            "T1-1", at, "paid", {"utr": "612345678901", "group": "upi", "cf_payment_id": "1"}
        ),
    ]
    lines = [event_sentence(e, IST) for e in events]
    assert lines[0] == "14:00:00  Sale started (₹1,250.50; by UPI QR)"
    assert lines[1] == "14:00:00  The customer's attempt failed (left unfinished)"
    assert lines[2] == "14:00:00  Could not reach Cashfree (no answer in time)"
    assert lines[3] == "14:00:00  Payment link created (sent by e-mail)"
    assert lines[4] == "14:00:00  Paid (UTR 612345678901; paid with upi)"
    for line in lines:
        assert "False" not in line and "USER_DROPPED" not in line and "U30" not in line
        assert "TimeoutError" not in line and ":" not in line.split("  ", 1)[1]


def test_save_dialogs_start_in_documents(
    qtbot: QtBot, context: ManagerContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pos_app.ui.manager import save_folder

    documents = tmp_path / "Documents"
    documents.mkdir()
    monkeypatch.setattr(save_folder, "documents_folder", lambda: documents)
    console = ManagerConsole(context, today=DAY + timedelta(hours=12))
    qtbot.addWidget(console)
    console.show()
    day_end = console.day_end
    day_end._ask_path("CSV files (*.csv)", "sales", lambda _p: None)
    dialog = day_end.dialog
    assert dialog is not None
    assert Path(dialog.directory().absolutePath()) == documents
    dialog.close()
