"""After a restart the desk follows the sale left open, and counts it in the header."""

from __future__ import annotations

import asyncio

from desk_drive import close_desk, leave_a_sale_open, open_desk
from pytestqt.qtbot import QtBot

from pos_app.app import open_runtime
from pos_app.domain.sale import SaleStatus
from pos_app.simulator import Simulator


def test_a_resumed_sale_is_followed_until_paid(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    sim = Simulator()
    first = asyncio.ensure_future(leave_a_sale_open(sim))
    qtbot.waitUntil(first.done, timeout=5000)
    order_id = first.result()

    desk = open_desk(qtbot, open_runtime("demo", simulator=sim))
    try:
        sale = desk.runtime.journal.get_sale(order_id)
        assert sale is not None and sale.status is SaleStatus.AWAITING_PAYMENT
        assert desk.controller.resume_open_sales() == 1
        header = desk.window.header
        qtbot.waitUntil(lambda: header.open_count.text() == "1 open payment", timeout=3000)

        sim.customer_pays(order_id)
        qtbot.waitUntil(lambda: header.open_count.text() == "No open payments", timeout=8000)
        sale = desk.runtime.journal.get_sale(order_id)
        assert sale is not None and sale.status is SaleStatus.PAID
        assert sale.bank_reference
    finally:
        close_desk(qtbot, desk)
