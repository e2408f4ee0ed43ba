"""The manager console's Store tab: every till's day and the store's, from the store
database, beside the till's own tabs; it says so when the database is away."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta, timezone
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from store_db.kit import DAY, open_till
from till_fakes import FakeClock, make_till

from pos_app.domain.money import Money
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


def test_store_tab_lists_the_stores_sales_their_refunds_and_refunds_another_tills_sale(
    store_url: str, tmp_path: Path, qtbot: QtBot, qloop: object
) -> None:
    from datetime import UTC, datetime

    from store_db.push_kit import make_push_till

    from pos_app.domain.sale import SaleStatus
    from pos_app.services.refunds.at_other_till import OtherTillRefunds
    from pos_app.services.store_sync.sync import StoreSync
    from pos_app.simulator import Simulator
    from pos_app.store import other_till_refunds
    from pos_app.store_db.push import TillKey
    from pos_app.ui.manager.store_sales import OPEN_OWN, REFUND_OTHER

    def now() -> datetime:
        return datetime.now(UTC)

    def wait(coro: object) -> object:
        task = asyncio.get_event_loop().create_task(coro)  # type: ignore[arg-type]
        qtbot.waitUntil(task.done, timeout=15_000)
        return task.result()

    sim = Simulator(clock=now)
    other = make_push_till(tmp_path, sim, None, till_id="T2")
    own = make_till(tmp_path / "own", sim=sim)  # this console's till: T1
    sync = StoreSync(
        other.journal, TillKey("shop", "T2", "demo"), lambda: connect(store_url), clock=now
    )

    async def paid_sale() -> str:
        order_id, sale = await other.sale_until_awaiting(300)
        sim.customer_pays(order_id)
        other.checkout.check_now(order_id)
        assert (await asyncio.wait_for(sale, 10)).status is SaleStatus.PAID
        await sync.sync_once()
        return order_id

    order_id = str(wait(paid_sale()))
    key = TillKey("shop", "T1", "demo")
    refunds = OtherTillRefunds(own.gateway, own.journal, lambda: connect(store_url), key, clock=now)
    reader = StoreDayReader(
        "shop", "demo", lambda: connect(store_url), this_till="T1", refunds=refunds
    )
    journal_reader = ReportReader.beside(own.journal)
    asked: list[str] = []
    clock = [0.0]

    def pin_gate(_parent: object, what: str, then: object, **_options: object) -> None:
        asked.append(what)
        then()  # type: ignore[operator]

    try:
        context = ManagerContext(
            own.deps,
            journal_reader,
            RefundService(own.gateway, own.journal, clock=own.clock, sleep=own.clock.sleep),
            own.checkout,
            IST,
            pin_set=True,
        )
        console = ManagerConsole(
            context,
            today=now(),
            pin_gate=pin_gate,
            monotonic=lambda: clock[0],
            store_reader=reader,
        )
        qtbot.addWidget(console)
        console.show()
        _open_store_tab(console)
        tab = console.store_tab
        assert tab is not None
        pane = tab.sales_pane
        qtbot.waitUntil(lambda: pane.sales.rowCount() == 1, timeout=10_000)
        assert pane.sales.item(0, 1).text() == "T2" and pane.sales.item(0, 2).text() == order_id
        assert [pane.till_filter.itemText(i) for i in range(pane.till_filter.count())] == [
            "All tills",
            "Till T2",
        ]

        pane.sales.selectRow(0)
        assert pane.refund_button.text() == REFUND_OTHER and pane.refund_button.isEnabled()
        clock[0] += 10_000  # the console was left alone: the PIN is asked again
        qtbot.mouseClick(pane.refund_button, Qt.MouseButton.LeftButton)
        assert asked == ["refund"]
        dialog = console.store_refunds.dialog
        assert dialog is not None and dialog.left == Money.rupees(300)
        dialog.amount.setText("120")
        dialog.reason.setText("SUCCESS")  # the sandbox's "settle now" note
        qtbot.mouseClick(dialog.go, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "SUCCESS" in dialog.status.text(), timeout=15_000)
        assert "left ₹180.00" in dialog.heading.text()

        # Journaled at this till (T1), and listed among the sale's refunds from any till.
        [made] = other_till_refunds.other_till_refunds_for(own.journal, order_id)
        assert (made.till_id, made.amount, made.status) == ("T1", Money.rupees(120), "SUCCESS")
        qtbot.waitUntil(lambda: pane.sales.item(0, 5).text() == "₹120.00", timeout=10_000)
        pane.sales.clearSelection()
        pane.sales.selectRow(0)
        qtbot.waitUntil(lambda: pane.refunds.rowCount() == 1, timeout=10_000)
        assert [pane.refunds.item(0, c).text() for c in range(4)] == [
            made.refund_id,
            "T1",
            "₹120.00",
            "SUCCESS",
        ]

        # Filter by till: T1 took no sale; T2 took this one.
        qtbot.waitUntil(lambda: pane.till_filter.count() == 3, timeout=10_000)  # T1 joined
        pane.till_filter.setCurrentIndex(pane.till_filter.findData("T1"))
        qtbot.waitUntil(lambda: pane.sales.rowCount() == 0, timeout=10_000)
        pane.till_filter.setCurrentIndex(pane.till_filter.findData("T2"))
        qtbot.waitUntil(lambda: pane.sales.rowCount() == 1, timeout=10_000)
        assert pane.refund_button.text() != OPEN_OWN
        console.close()
    finally:
        journal_reader.close()
        wait(sync.aclose())
        wait(other.close())
        own.journal.close()
