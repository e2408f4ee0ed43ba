"""The manager console's Store tab: every till's day and the store's, from the store
database, beside the till's own tabs; it says so when the database is away."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta, timezone
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from store_db.kit import DAY, open_till
from till_fakes import FakeClock, make_till

from pos_app.services.refunds.service import RefundService
from pos_app.services.reporting.queries import ReportReader
from pos_app.services.reporting.store_views import StoreDayReader
from pos_app.store_db.connect import connect
from pos_app.ui.manager.console import ManagerConsole
from pos_app.ui.manager.controller import ManagerContext
from pos_app.ui.manager.store_tab import STORE_TAB

IST = timezone(timedelta(hours=5, minutes=30))


@pytest.fixture
def console_for(qtbot: QtBot, qloop: object, tmp_path: Path) -> Iterator[object]:
    made: list[tuple[ManagerConsole, ReportReader]] = []
    till = make_till(tmp_path / "own", clock=FakeClock(DAY))

    def build(reader: StoreDayReader) -> ManagerConsole:
        journal_reader = ReportReader.beside(till.journal)
        refunds = RefundService(
            till.gateway, till.journal, clock=till.clock, sleep=till.clock.sleep
        )
        context = ManagerContext(
            till.deps, journal_reader, refunds, till.checkout, IST, pin_set=False
        )
        window = ManagerConsole(context, today=DAY, store_reader=reader)
        qtbot.addWidget(window)
        window.show()
        made.append((window, journal_reader))
        return window

    yield build
    for window, journal_reader in made:
        window.close()
        journal_reader.close()
    till.journal.close()


def _open_store_tab(console: ManagerConsole) -> None:
    tabs = console.tabs
    index = next(i for i in range(tabs.count()) if tabs.tabText(i) == STORE_TAB)
    tabs.setCurrentIndex(index)


def test_store_tab_shows_each_till_and_the_sum(
    store_url: str, tmp_path: Path, qtbot: QtBot, console_for: object
) -> None:
    tills = [open_till(tmp_path, t, store_url) for t in ("T1", "T2", "T3")]
    loop = asyncio.get_event_loop()
    for n, till in enumerate(tills, start=1):
        sales = [till.sell(10_000 * n) for _ in range(n)]
        till.refund(sales[0], 1_000)
        task = loop.create_task(till.syncer().sync_once())
        qtbot.waitUntil(task.done, timeout=10_000)
        task.result()
    console = console_for(StoreDayReader("shop", "demo", lambda: connect(store_url)))  # type: ignore[operator]
    _open_store_tab(console)
    tab = console.store_tab
    assert tab is not None
    qtbot.waitUntil(lambda: tab.table.rowCount() == 4, timeout=10_000)
    cells = [[tab.table.item(r, c).text() for c in range(6)] for r in range(4)]
    assert [row[0] for row in cells] == ["T1", "T2", "T3", "All tills"]
    assert cells[0][1:] == ["1", "₹100.00", "₹10.00", "₹0.00", "₹90.00"]
    assert cells[3][1:] == ["6", "₹1,400.00", "₹30.00", "₹0.00", "₹1,370.00"]
    assert tab.status.text() == "3 tills in the store database"
    console.resize(1180, 520)
    console.grab().save(str(tmp_path.parent / "console_store_tab.png"))
    for till in tills:
        till.journal.close()


def test_store_tab_says_when_the_database_is_away(qtbot: QtBot, console_for: object) -> None:
    console = console_for(  # type: ignore[operator]
        StoreDayReader("shop", "demo", lambda: connect("postgresql://postgres@127.0.0.1:1/x"))
    )
    _open_store_tab(console)
    tab = console.store_tab
    assert tab is not None
    qtbot.waitUntil(lambda: "could not be read" in tab.status.text(), timeout=10_000)
    assert tab.table.rowCount() == 0
    assert [console.tabs.tabText(i) for i in range(console.tabs.count())][:2] == [
        "Transactions",
        "Day end",
    ]


def test_no_store_database_no_store_tab(qtbot: QtBot, qloop: object, tmp_path: Path) -> None:
    till = make_till(tmp_path, clock=FakeClock(DAY))
    reader = ReportReader.beside(till.journal)
    try:
        refunds = RefundService(
            till.gateway, till.journal, clock=till.clock, sleep=till.clock.sleep
        )
        context = ManagerContext(till.deps, reader, refunds, till.checkout, IST, pin_set=False)
        console = ManagerConsole(context, today=DAY)
        qtbot.addWidget(console)
        assert console.store_tab is None
        assert STORE_TAB not in [console.tabs.tabText(i) for i in range(console.tabs.count())]
        console.close()
    finally:
        reader.close()
        till.journal.close()
