"""Issue 13, wrong or stuck 1: a comma typed on the keyboard is digit grouping, never a
decimal point. Typed key by key, the screen regroups, and the QR the customer scans asks
for exactly the amount typed."""

from __future__ import annotations

from desk_drive import LiveDesk, decode_qr, type_amount
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from pos_app.domain.sale import SaleStatus


def test_typed_grouping_commas_give_the_amount_typed(qtbot: QtBot, desk: LiveDesk) -> None:
    window = desk.window
    shown: list[str] = []
    for key in "1,234.50":
        type_amount(qtbot, window.amount, key)
        shown.append(window.amount.amount_text)
    assert shown[-1] == "₹1,234.50"
    assert shown[1] == "₹1.00", "the comma must not start the paise"
    assert window.amount.refusal.text() == ""

    qtbot.keyClick(window.amount, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: window.stack.currentWidget() is window.waiting and window.waiting.qr.has_code(),
        timeout=3000,
    )
    state = window.waiting.state
    assert state is not None and state.status is SaleStatus.AWAITING_PAYMENT
    qtbot.wait(20)  # let the QR paint
    [payload] = decode_qr(window.waiting)
    assert "am=1234.50" in payload, payload
    assert window.waiting.amount.text() == "₹1,234.50"
    sale = desk.runtime.journal.get_sale(state.order_id)
    assert sale is not None and sale.amount.paise == 123450


def test_indian_grouping_typed_as_the_customer_reads_it(qtbot: QtBot, desk: LiveDesk) -> None:
    window = desk.window
    type_amount(qtbot, window.amount, "1,23,456")
    assert window.amount.amount_text == "₹1,23,456.00"
    type_amount(qtbot, window.amount, ".5")
    assert window.amount.amount_text == "₹1,23,456.50"
