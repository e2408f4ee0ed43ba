"""After a restart the desk follows the sale left open, and counts it in the header."""

from __future__ import annotations

import asyncio

from desk_drive import close_desk, open_desk
from pytestqt.qtbot import QtBot

from pos_app.app import open_runtime
from pos_app.domain.money import Money
from pos_app.domain.sale import Method, SaleStatus
from pos_app.gateway.simulator import Simulator
from pos_app.services.state import ChargeRequest


async def leave_a_sale_open(sim: Simulator) -> str:
    """The first run of the till: a sale reaches the customer, then the till goes away."""
    runtime = open_runtime("demo", simulator=sim)
    stream = runtime.checkout.start(ChargeRequest(amount=Money(43210), method=Method.UPI_QR))
    order_id = ""
    async for state in stream:
        order_id = state.order_id
        if state.status is SaleStatus.AWAITING_PAYMENT:
            break
    await stream.aclose()  # type: ignore[attr-defined]
    await runtime.aclose()
    return order_id


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
