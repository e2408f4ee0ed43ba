"""A sale left open by an earlier run is followed in the background; when the customer pays
it, the header says so calmly while the cashier serves the next customer undisturbed."""

from __future__ import annotations

import asyncio

from desk_drive import close_desk, leave_a_sale_open, open_desk, type_amount
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from pos_app.app import open_runtime
from pos_app.domain.sale import SaleStatus
from pos_app.simulator import Simulator


def test_a_background_sale_paid_is_announced_in_the_header(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    sim = Simulator()
    first = asyncio.ensure_future(leave_a_sale_open(sim, "INV-77"))
    qtbot.waitUntil(first.done, timeout=5000)
    old_id = first.result()

    desk = open_desk(qtbot, open_runtime("demo", simulator=sim))
    window = desk.window
    try:
        assert window.background.isHidden()
        assert desk.controller.resume_open_sales() == 1
        qtbot.waitUntil(lambda: window.header.open_count.text() == "1 open payment", timeout=3000)
        window._open_timer.stop()  # from here only the announcement may recount

        # The cashier is serving someone else when the old customer pays.
        type_amount(qtbot, window.amount, "99")
        qtbot.keyClick(window.amount, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: window.stack.currentWidget() is window.waiting, timeout=3000)
        counter = window.waiting.state
        assert counter is not None

        sim.customer_pays(old_id)
        qtbot.waitUntil(window.background.isVisible, timeout=8000)
        line = window.background.text()
        assert line.startswith("✓ Paid in the background: ₹432.10 at ")
        assert f"order {old_id} (bill INV-77)" in window.background.toolTip()
        assert "UTR / bank reference:" in window.background.toolTip()
        # Only the payment at the counter is still open, and the header counts it.
        qtbot.waitUntil(lambda: window.header.open_count.text() == "1 open payment", timeout=500)
        sale = desk.runtime.journal.get_sale(old_id)
        assert sale is not None and sale.status is SaleStatus.PAID

        # Calm: no question pops up, the sale at the counter is untouched.
        assert window.announcer.late_box is None and window.announcer.duplicate_box is None
        assert window.stack.currentWidget() is window.waiting
        now = window.waiting.state
        assert now is not None and now.order_id == counter.order_id
        assert now.status is SaleStatus.AWAITING_PAYMENT
        assert window.header.layout().indexOf(window.background) >= 0  # type: ignore[union-attr]
    finally:
        close_desk(qtbot, desk)
