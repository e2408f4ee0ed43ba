"""The console's Reconciliation tab and "the customer says they paid", on the qasync loop
against the in-process simulated Cashfree: exceptions first, settlements once Cashfree
pays out, the evidence dialog from the sale's detail, and the day PDF's section."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Coroutine, Iterator
from datetime import timedelta, timezone
from pathlib import Path
from typing import Any, TypeVar

import pytest
from manager_kit import DAY, sale_at_gateway
from manager_pdf import pdf_text, squeeze
from pytestqt.qtbot import QtBot
from till_fakes import FakeClock, Till, make_till

from pos_app.domain.money import Money
from pos_app.domain.sale import SaleStatus
from pos_app.gateway.base import Customer, NewOrder
from pos_app.services.checkout.reconcile import refresh_sale
from pos_app.services.refunds.service import RefundService
from pos_app.services.reporting.queries import ReportReader
from pos_app.ui.manager import text
from pos_app.ui.manager.console import ManagerConsole
from pos_app.ui.manager.controller import ManagerContext
from pos_app.ui.manager.recon_view import ALL_AGREE

IST = timezone(timedelta(hours=5, minutes=30))
T = TypeVar("T")


def run(qtbot: QtBot, work: Coroutine[Any, Any, T]) -> T:
    task = asyncio.ensure_future(work)
    qtbot.waitUntil(task.done, timeout=10_000)
    return task.result()


@pytest.fixture
def till(tmp_path: Path, qloop: asyncio.AbstractEventLoop, qtbot: QtBot) -> Iterator[Till]:
    t = make_till(tmp_path, clock=FakeClock(DAY + timedelta(hours=10)))
    yield t
    run(qtbot, t.checkout.shutdown())
    run(qtbot, t.client.aclose())
    t.journal.close()


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


def _paid(qtbot: QtBot, till: Till, rupees: int) -> str:
    sale = run(qtbot, sale_at_gateway(till, rupees, SaleStatus.AWAITING_PAYMENT))
    till.sim.customer_pays(sale.order_id)
    assert run(qtbot, refresh_sale(till.deps, sale)).sale.status is SaleStatus.PAID
    return sale.order_id


def _look(widget: Any, name: str) -> None:
    """Render offscreen to a PNG (POS_SCREENSHOTS=folder keeps it for a human to look at)."""
    folder = os.environ.get("POS_SCREENSHOTS")
    if folder:
        widget.grab().save(str(Path(folder) / f"{name}.png"))


def test_exceptions_first_then_settlements(
    qtbot: QtBot, till: Till, console: ManagerConsole
) -> None:
    _paid(qtbot, till, 300)
    run(
        qtbot,
        till.gateway.create_order(
            NewOrder("DASH-9", Money.rupees(450), Customer("cust1", "9999999999")),
            idempotency_key="k-dash",
        ),
    )
    till.sim.customer_pays("DASH-9")
    view = console.recon
    console.tabs.setCurrentWidget(view)  # the first visit compares the day
    qtbot.waitUntil(lambda: view.report is not None, timeout=10_000)
    assert view.report is not None and view.report.complete
    assert view.issues.isVisible() and view.issues.rowCount() == 1
    assert view.issues.item(0, 0).text() == "Paid at Cashfree, not in the till"
    assert view.issues.item(0, 1).text() == "DASH-9"
    assert view.issues.item(0, 2).text() == "₹450.00"
    assert "Cashfree received ₹750.00 (2)" in view.summary.text()
    assert "the till recorded ₹300.00 (1)" in view.summary.text()
    assert view.settlements.rowCount() == 0
    assert "Not settled yet: 2 payments, ₹750.00 (expected 27 Nov 2026" in view.unsettled.text()
    _look(console, "recon-before-settlement")

    till.clock.now += timedelta(days=1, hours=3)  # Cashfree settled at 11:00 IST next day
    view.compare.click()
    qtbot.waitUntil(lambda: view.settlements.rowCount() == 1, timeout=10_000)
    assert view.settlements.item(0, 0).text() == "CFSIM26112601"
    assert view.settlements.item(0, 3).text() == "₹750.00"  # gross
    assert view.settlements.item(0, 4).text() == "₹13.13"  # 1.75% of 300 and of 450
    assert view.settlements.item(0, 7).text() == "₹734.50"  # net to bank
    assert "Not settled" not in view.unsettled.text()
    _look(console, "recon-settled")


def test_nothing_to_look_at_when_all_agree(
    qtbot: QtBot, till: Till, console: ManagerConsole
) -> None:
    _paid(qtbot, till, 120)
    console.recon.request_load()
    qtbot.waitUntil(lambda: console.recon.report is not None, timeout=10_000)
    assert console.recon.issues_title.text() == ALL_AGREE
    assert console.recon.issues.isHidden()


def test_customer_says_they_paid_from_the_sale_detail(
    qtbot: QtBot, till: Till, console: ManagerConsole
) -> None:
    sale = run(qtbot, sale_at_gateway(till, 450, SaleStatus.EXPIRED))
    till.sim.customer_pays(sale.order_id)
    (payment,) = till.sim.payments(sale.order_id)
    utr = str(payment["bank_reference"])
    console.transactions.load()
    console.transactions.select_row(0)
    detail = console.transactions.detail
    assert detail.buttons["evidence"].isEnabled()
    assert detail.buttons["evidence"].text() == text.CUSTOMER_PAID
    detail.buttons["evidence"].click()
    dialog = console.evidence_dialog
    assert dialog is not None and dialog.amount.text() == ""  # never filled in for the manager
    dialog.utr.setText(utr[-4:])
    dialog.amount.setText("451")
    assert dialog.submit()
    qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=10_000)
    assert dialog.outcome is not None and not dialog.outcome.recorded
    assert "Nothing was changed" in dialog.status.text()
    assert till.journal.get_sale(sale.order_id).status is SaleStatus.EXPIRED  # type: ignore[union-attr]
    _look(dialog, "evidence-mismatch")

    dialog.amount.setText("450")
    dialog.outcome = None
    assert dialog.submit()
    qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=10_000)
    assert dialog.outcome is not None and dialog.outcome.recorded
    assert utr in dialog.status.text()
    assert not dialog.look.isEnabled()
    assert till.journal.get_sale(sale.order_id).status is SaleStatus.PAID  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: not detail.buttons["evidence"].isEnabled(), timeout=5_000)
    _look(dialog, "evidence-recorded")


def test_bad_input_in_the_dialog_is_refused_before_asking(
    qtbot: QtBot, till: Till, console: ManagerConsole
) -> None:
    sale = run(qtbot, sale_at_gateway(till, 80, SaleStatus.CANCELLED))
    dialog = console.open_evidence(sale.order_id)
    assert dialog is not None
    calls_before = len(till.transport.calls)
    dialog.utr.setText("12")
    assert not dialog.submit()
    assert "UPI reference" in dialog.status.text()
    dialog.utr.setText("123456789012")
    dialog.amount.setText("abc")
    assert not dialog.submit()
    assert len(till.transport.calls) == calls_before


def test_day_pdf_has_the_reconciliation_section(
    qtbot: QtBot, till: Till, console: ManagerConsole, tmp_path: Path
) -> None:
    _paid(qtbot, till, 300)
    till.clock.now += timedelta(days=1, hours=3)
    day = DAY.astimezone(IST).date()
    console.tabs.setCurrentWidget(console.day_end)
    console.day_end.days.set_days(day)
    console.day_end.request_load()
    qtbot.waitUntil(lambda: console.day_end.report is not None, timeout=10_000)
    before = console.save_day_pdf(tmp_path / "before.pdf")
    assert before is not None
    assert squeeze("Not compared with Cashfree") in squeeze(pdf_text(before.read_bytes()))
    console.recon.days.set_days(day)
    console.recon.request_load()
    qtbot.waitUntil(lambda: console.recon.report is not None, timeout=10_000)
    saved = console.save_day_pdf(tmp_path / "day.pdf")
    assert saved is not None
    inside = squeeze(pdf_text(saved.read_bytes()))
    assert "Reconciliation" in inside
    assert "CFSIM26112601" in inside
    assert squeeze("Nothing needs a look: the till and Cashfree agree.") in inside


def test_an_issue_opens_its_sale_where_the_manager_can_act(
    qtbot: QtBot, till: Till, console: ManagerConsole
) -> None:
    _paid(qtbot, till, 55)
    expired = run(qtbot, sale_at_gateway(till, 60, SaleStatus.EXPIRED))
    till.sim.customer_pays(expired.order_id)  # Cashfree has the money; the till gave up
    view = console.recon
    view.request_load()
    qtbot.waitUntil(lambda: view.report is not None, timeout=10_000)
    assert view.issues.rowCount() == 1
    assert view.issues.item(0, 0).text() == "Paid at Cashfree, unpaid in the till"
    view.open_issue(0)
    assert console.tabs.currentWidget() is console.transactions
    assert console.transactions.current_order() == expired.order_id
    assert console.transactions.detail.buttons["evidence"].isEnabled()
    qtbot.wait(600)  # the search box's pause must not reload the list behind the manager
    assert console.transactions.current_order() == expired.order_id


def test_demo_says_its_cashfree_only_remembers_this_session(console: ManagerConsole) -> None:
    from pos_app.ui.manager.recon_view import DEMO_NOTE

    assert console.context.deps.environment == "demo"
    assert console.recon.note.text() == DEMO_NOTE
    assert not console.recon.note.isHidden()
