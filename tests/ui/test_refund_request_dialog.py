"""Refund requests from the MCP server in the manager's console: the detail pane offers
them, the manager approves (the refund is made) or rejects (nothing moves), behind the PIN."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Coroutine, Iterator
from datetime import timedelta, timezone
from pathlib import Path
from typing import Any, TypeVar

import pytest
from manager_kit import DAY, sale_at_gateway
from pytestqt.qtbot import QtBot
from till_fakes import FakeClock, Till, make_till

from pos_app.domain.money import Money
from pos_app.domain.sale import SaleStatus
from pos_app.services.checkout.reconcile import refresh_sale
from pos_app.services.refunds.requests import RefundRequestService
from pos_app.services.refunds.service import RefundService
from pos_app.services.reporting.queries import ReportReader
from pos_app.store import mcp_records
from pos_app.ui.manager import text
from pos_app.ui.manager.console import ManagerConsole
from pos_app.ui.manager.controller import ManagerContext

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


class Setup:
    def __init__(self, till: Till, console: ManagerConsole, requests: RefundRequestService):
        self.till = till
        self.console = console
        self.requests = requests
        self.gates: list[str] = []


@pytest.fixture
def setup(qtbot: QtBot, till: Till) -> Iterator[Setup]:
    reader = ReportReader.beside(till.journal)
    refunds = RefundService(till.gateway, till.journal, clock=till.clock, sleep=till.clock.sleep)
    requests = RefundRequestService(till.journal, refunds, clock=till.clock)
    context = ManagerContext(
        till.deps, reader, refunds, till.checkout, IST, pin_set=True, requests=requests
    )
    gates: list[str] = []

    def gate(_parent: object, what: str, then: Any) -> None:
        gates.append(what)  # the PIN was given
        then()

    window = ManagerConsole(context, pin_gate=gate)
    qtbot.addWidget(window)
    window.show()
    made = Setup(till, window, requests)
    made.gates = gates
    yield made
    window.close()
    reader.close()


def paid(qtbot: QtBot, till: Till, rupees: int) -> str:
    sale = run(qtbot, sale_at_gateway(till, rupees, SaleStatus.AWAITING_PAYMENT))
    till.sim.customer_pays(sale.order_id)
    settled = run(qtbot, refresh_sale(till.deps, sale))
    assert settled.sale.status is SaleStatus.PAID
    return sale.order_id


def _select(setup: Setup, order_id: str) -> None:
    setup.console.transactions.load()
    setup.console.transactions.select_row(0)
    assert setup.console.transactions.current_order() == order_id


def test_manager_approves_a_request_and_the_refund_is_made(qtbot: QtBot, setup: Setup) -> None:
    order_id = paid(qtbot, setup.till, 400)
    _select(setup, order_id)
    button = setup.console.transactions.detail.buttons["refund_request"]
    assert not button.isEnabled()
    mcp_records.record_tool_call(
        setup.till.journal,
        "request_refund",
        arguments={"order_id": order_id, "amount": "150", "reason": "given"},
        outcome="ok",
        order_id=order_id,
    )
    request = setup.requests.ask(order_id, Money.rupees(150), "SUCCESS", source="mcp")
    setup.console.transactions.refresh_order(order_id)
    if os.environ.get("POS_SHOT_DIR"):
        setup.console.grab().save(str(Path(os.environ["POS_SHOT_DIR"]) / "console.png"))
    assert button.isEnabled()
    timeline = setup.console.transactions.detail.timeline
    lines = [timeline.item(i).text() for i in range(timeline.count())]
    assert any("refund request" in line.lower() for line in lines)
    assert any("An assistant (MCP) called request refund (" in line for line in lines)
    assert any("amount ₹150" in line and "ok" in line for line in lines)

    button.click()
    assert setup.gates == [text.PIN_TO_DECIDE]
    dialog = setup.console.request_dialog
    assert dialog is not None and dialog.request.request_id == request.request_id
    if os.environ.get("POS_SHOT_DIR"):
        dialog.grab().save(str(Path(os.environ["POS_SHOT_DIR"]) / "refund-request.png"))
    assert setup.till.journal.refunds_for(order_id) == []  # nothing moved before approval
    dialog.approve_button.click()
    qtbot.waitUntil(lambda: dialog.decided is not None, timeout=10_000)
    assert "Refunded ₹150.00" in dialog.status.text()
    [refund] = setup.till.journal.refunds_for(order_id)
    assert (refund.amount, refund.status) == (Money.rupees(150), "SUCCESS")
    decided = setup.requests.get(request.request_id)
    assert decided is not None and decided.status == "APPROVED"
    assert decided.refund_id == refund.refund_id
    qtbot.waitUntil(lambda: not button.isEnabled())


def test_manager_rejects_a_request_and_nothing_moves(qtbot: QtBot, setup: Setup) -> None:
    order_id = paid(qtbot, setup.till, 90)
    request = setup.requests.ask(order_id, Money.rupees(90), "changed my mind", source="mcp")
    _select(setup, order_id)
    dialog = setup.console.open_refund_request(order_id)
    assert dialog is not None
    dialog.note.setText("  the food was eaten ")
    dialog.reject_button.click()
    qtbot.waitUntil(lambda: dialog.decided is not None, timeout=10_000)
    assert "rejected" in dialog.status.text() and "No money moved" in dialog.status.text()
    assert setup.till.journal.refunds_for(order_id) == []
    assert setup.till.transport.count("POST", "/refunds") == 0
    decided = setup.requests.get(request.request_id)
    assert decided is not None and decided.status == "REJECTED"
    assert decided.decision_note == "the food was eaten"


def test_a_request_that_can_no_longer_be_made_is_refused_in_the_dialog(
    qtbot: QtBot, setup: Setup
) -> None:
    order_id = paid(qtbot, setup.till, 100)
    request = setup.requests.ask(order_id, Money.rupees(100), "whole bill", source="mcp")
    # Meanwhile the manager refunded part of it at the till.
    run(qtbot, setup.console.context.refunds.refund(order_id, Money.rupees(30), "SUCCESS"))
    _select(setup, order_id)
    dialog = setup.console.open_refund_request(order_id)
    assert dialog is not None
    dialog.approve_button.click()
    qtbot.waitUntil(lambda: "more than is left" in dialog.status.text(), timeout=10_000)
    assert dialog.approve_button.isEnabled()
    assert len(setup.till.journal.refunds_for(order_id)) == 1
    still = setup.requests.get(request.request_id)
    assert still is not None and still.status == "PENDING_APPROVAL"


def test_the_mcp_calls_tab_lists_every_call_even_without_a_sale(qtbot: QtBot, setup: Setup) -> None:
    order_id = paid(qtbot, setup.till, 60)
    journal = setup.till.journal
    mcp_records.record_tool_call(
        journal,
        "initiate_cashfree_payment",
        arguments={"amount": "abc", "phone_number": "given"},
        outcome="refused",
        detail={"field": "amount"},
    )
    setup.till.clock.now += timedelta(seconds=5)
    mcp_records.record_tool_call(
        journal, "get_sale", arguments={"order_id": order_id}, outcome="ok", order_id=order_id
    )
    console = setup.console
    console.tabs.setCurrentWidget(console.mcp_calls)
    table = console.mcp_calls.table
    assert table.rowCount() == 2
    rows = [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(2)]
    assert rows[0][1:4] == ["get_sale", "ok", order_id]
    assert rows[1][1:3] == ["initiate_cashfree_payment", "refused (amount)"]
    assert rows[1][4] == "amount=abc, phone_number=given"
    if os.environ.get("POS_SHOT_DIR"):
        console.grab().save(str(Path(os.environ["POS_SHOT_DIR"]) / "mcp-calls.png"))
