"""The manager's console on the qasync loop against the in-process simulated Cashfree:
refund through the dialog, cancel an open sale, day end and its refresh, receipts as PDF,
and the desk's entry point behind the manager PIN."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterator
from datetime import timedelta, timezone
from pathlib import Path
from typing import Any, TypeVar

import pytest
from manager_kit import DAY, sale_at_gateway
from manager_pdf import pdf_text, squeeze
from pytestqt.qtbot import QtBot
from till_fakes import FakeClock, Till, desk_services, make_till

from pos_app.config import Settings, paths, save_settings
from pos_app.domain.money import Money
from pos_app.domain.sale import SaleStatus
from pos_app.services.checkout.reconcile import refresh_sale
from pos_app.services.manager.pin import hash_pin
from pos_app.services.refunds.service import RefundService
from pos_app.services.reporting.queries import ReportReader
from pos_app.ui.controller import SaleController
from pos_app.ui.main_window import MainWindow
from pos_app.ui.manager import text
from pos_app.ui.manager.console import ManagerConsole
from pos_app.ui.manager.controller import ManagerContext
from pos_app.ui.manager.entry import ManagerEntry
from pos_app.ui.options import DeskOptions
from pos_app.ui.setup.pin_dialog import PinDialog

IST = timezone(timedelta(hours=5, minutes=30))
T = TypeVar("T")


@pytest.fixture
def till(tmp_path: Path, qloop: asyncio.AbstractEventLoop, qtbot: QtBot) -> Iterator[Till]:
    t = make_till(tmp_path, clock=FakeClock(DAY + timedelta(hours=10)))
    yield t
    run(qtbot, t.checkout.shutdown())
    run(qtbot, t.client.aclose())
    t.journal.close()


def run(qtbot: QtBot, work: Coroutine[Any, Any, T]) -> T:
    task = asyncio.ensure_future(work)
    qtbot.waitUntil(task.done, timeout=10_000)
    return task.result()


def paid(qtbot: QtBot, till: Till, rupees: int) -> str:
    sale = run(qtbot, sale_at_gateway(till, rupees, SaleStatus.AWAITING_PAYMENT))
    till.sim.customer_pays(sale.order_id)
    settled = run(qtbot, refresh_sale(till.deps, sale))
    assert settled.sale.status is SaleStatus.PAID
    return sale.order_id


@pytest.fixture
def console(qtbot: QtBot, till: Till) -> Iterator[ManagerConsole]:
    reader = ReportReader.beside(till.journal)
    refunds = RefundService(till.gateway, till.journal, clock=till.clock, sleep=till.clock.sleep)
    context = ManagerContext(till.deps, reader, refunds, till.checkout, IST, pin_set=False)
    window = ManagerConsole(context)
    qtbot.addWidget(window)
    window.show()
    yield window
    window.close()
    reader.close()


def test_refund_through_the_dialog(qtbot: QtBot, till: Till, console: ManagerConsole) -> None:
    order_id = paid(qtbot, till, 250)
    console.transactions.load()
    console.transactions.select_row(0)
    assert console.transactions.current_order() == order_id
    assert console.notice.label.text() == text.NO_PIN_SET
    console.transactions.detail.buttons["refund"].click()
    dialog = console.refund_dialog
    assert dialog is not None and dialog.amount.text() == "250.00"
    dialog.amount.setText("100")
    dialog.reason.setText("SUCCESS")  # the simulator's note for an immediate success
    dialog.submit()
    qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=10_000)
    assert dialog.outcome is not None and dialog.outcome.succeeded
    assert "Refunded ₹100.00" in dialog.status.text()
    [record] = till.journal.refunds_for(order_id)
    assert record.status == "SUCCESS" and record.amount == Money.rupees(100)
    qtbot.waitUntil(lambda: "left ₹150.00" in console.transactions.detail.refundable.text())
    refunds = console.transactions.detail.refunds
    assert record.refund_id in refunds.item(0).text()


def test_refund_failure_is_shown_in_the_dialog(
    qtbot: QtBot, till: Till, console: ManagerConsole
) -> None:
    order_id = paid(qtbot, till, 90)
    dialog = console.open_refund(order_id)
    assert dialog is not None
    dialog.reason.setText("FAILED")
    dialog.submit()
    qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=10_000)
    assert "failed" in dialog.status.text() and "refund again" in dialog.status.text()
    assert till.journal.refunds_for(order_id)[0].status == "FAILED"


def test_cancel_an_open_sale(qtbot: QtBot, till: Till, console: ManagerConsole) -> None:
    sale = run(qtbot, sale_at_gateway(till, 75, SaleStatus.AWAITING_PAYMENT))
    console.controller.cancel_sale(sale.order_id)
    qtbot.waitUntil(lambda: till.journal.get_sale(sale.order_id).status is SaleStatus.CANCELLED)  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: console.notice.isVisible() and "ancel" in console.notice.label.text())
    assert till.transport.count("PATCH", f"/pg/orders/{sale.order_id}") == 1


def test_day_end_loads_refreshes_and_saves_a_pdf(
    qtbot: QtBot, till: Till, console: ManagerConsole, tmp_path: Path
) -> None:
    first = paid(qtbot, till, 300)
    open_sale = run(qtbot, sale_at_gateway(till, 120, SaleStatus.AWAITING_PAYMENT))
    console.tabs.setCurrentWidget(console.day_end)  # the first visit loads the day
    view = console.day_end
    view.days.set_days(DAY.astimezone(IST).date())
    view.request_load()
    qtbot.waitUntil(lambda: view.report is not None and view.report.collected.count == 1)
    assert view.values[text.COLLECTED].text().startswith("₹300.00")
    assert view.exceptions.item(0, 1).text() == open_sale.order_id
    till.sim.customer_pays(open_sale.order_id)
    view.refresh_button.click()
    qtbot.waitUntil(
        lambda: view.report is not None and view.report.collected.count == 2, timeout=10_000
    )
    assert view.values[text.COLLECTED].text().startswith("₹420.00")
    assert view.exceptions.isHidden()
    saved = console.save_day_pdf(tmp_path / "day.pdf")
    assert saved is not None
    inside = squeeze(pdf_text(saved.read_bytes()))
    assert "₹420.00" in inside
    receipt = console.save_receipt_pdf(first, tmp_path / "receipt.pdf")
    assert receipt is not None
    inside = squeeze(pdf_text(receipt.read_bytes()))
    assert "₹300.00" in inside and first in inside
    console.export_day_sales(tmp_path / "sales.csv")
    qtbot.waitUntil(lambda: (tmp_path / "sales.csv").exists())
    lines = (tmp_path / "sales.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("created_local,order_id") and len(lines) == 3


# ---- the desk's entry point -------------------------------------------------------------------
def _desk(qtbot: QtBot, till: Till) -> MainWindow:
    """The desk over `till`, with the services the composition root builds for it."""
    options = DeskOptions(store_name="Sharma Store", terminal_id="T1", environment="demo")
    services = desk_services(till)
    window = MainWindow(SaleController(till.checkout), options, services=services)
    qtbot.addWidget(window)
    window.show()
    return window


def test_desk_opens_the_console_behind_the_pin(qtbot: QtBot, till: Till) -> None:
    save_settings(paths(), Settings(manager_pin_hash=hash_pin("2580")))
    window = _desk(qtbot, till)
    entry = window.manager_entry
    assert isinstance(entry, ManagerEntry)
    assert entry.action.shortcut().toString() == "F9"
    entry.action.trigger()
    qtbot.waitUntil(lambda: isinstance(entry.dialog, PinDialog))  # decided off the GUI thread
    pin = entry.dialog
    assert isinstance(pin, PinDialog) and pin.isVisible() and entry.console is None
    pin.pin.setText("1111")
    pin.submit()
    qtbot.waitUntil(lambda: pin.problem.isVisible())
    assert entry.console is None
    pin.pin.setText("2580")
    pin.submit()
    qtbot.waitUntil(lambda: entry.console is not None and entry.console.isVisible())
    console = entry.console
    assert console is not None and console.notice.isHidden()  # a PIN is set
    entry.action.trigger()  # already open: brought forward, no second PIN
    assert entry.console is console
    console.close()
    assert entry.console is None and entry.reader is None


def test_without_a_pin_the_console_opens_and_says_so(qtbot: QtBot, till: Till) -> None:
    window = _desk(qtbot, till)
    entry = window.manager_entry
    assert entry is not None
    entry.open_console()
    qtbot.waitUntil(lambda: entry.console is not None)
    assert entry.console is not None
    assert entry.console.notice.label.text() == text.NO_PIN_SET
    window.close()  # closing the desk closes the console
    assert entry.console is None


def test_refresh_of_a_sale_at_the_counter_asks_its_follower_and_writes_nothing(
    qtbot: QtBot, till: Till, console: ManagerConsole
) -> None:
    from till_fakes import qr_request

    shown = run(qtbot, till.run(qr_request(321), until_awaiting=True))
    before = [e.kind for e in till.journal.events(shown.order_id)]
    run(qtbot, console.controller.refresh_sale(shown.order_id))
    qtbot.waitUntil(lambda: "being followed right now" in console.notice.label.text())
    assert [e.kind for e in till.journal.events(shown.order_id)] == before
    run(qtbot, till.stream.aclose())
