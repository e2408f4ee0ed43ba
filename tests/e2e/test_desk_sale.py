"""A real window takes sales through the real checkout and the simulated Cashfree."""

from __future__ import annotations

import time

from desk_drive import LiveDesk, answer, decode_qr, type_amount
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from pos_app.domain.money import Money
from pos_app.domain.sale import Method, SaleStatus


def wait_for_qr(qtbot: QtBot, desk: LiveDesk) -> str:
    window = desk.window
    qtbot.waitUntil(
        lambda: window.stack.currentWidget() is window.waiting and window.waiting.qr.has_code(),
        timeout=3000,
    )
    state = window.waiting.state
    assert state is not None and state.status is SaleStatus.AWAITING_PAYMENT
    return state.order_id


def test_key_press_to_paid_within_three_seconds(qtbot: QtBot, desk: LiveDesk) -> None:
    window = desk.window
    started = time.monotonic()
    type_amount(qtbot, window.amount, "1250.5")
    assert window.amount.amount_text == "₹1,250.50"
    qtbot.keyClick(window.amount, Qt.Key.Key_Return)
    order_id = wait_for_qr(qtbot, desk)

    state = window.waiting.state
    assert state is not None
    qtbot.wait(20)  # let the QR paint
    [payload] = decode_qr(window.waiting)
    assert payload == (state.qr_text or payload)
    assert payload.startswith("upi://pay?")
    assert "am=1250.50" in payload
    assert window.waiting.amount.text() == "₹1,250.50"

    qtbot.mouseClick(window.demo.buttons["customer_pays"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.result, timeout=3000)
    elapsed = time.monotonic() - started
    assert window.result.title.text() == "PAID"
    assert window.result.amount.text() == "₹1,250.50"
    assert "UTR / bank reference:" in window.result.details.text()
    assert elapsed < 3.0, f"key press to PAID took {elapsed:.2f} s"
    sale = desk.runtime.journal.get_sale(order_id)
    assert sale is not None and sale.status is SaleStatus.PAID
    assert sale.amount == Money(125050)

    qtbot.keyClick(window.result, Qt.Key.Key_Return)
    assert window.stack.currentWidget() is window.amount
    assert window.amount.amount_text == "₹0.00"


def test_cancel_asks_then_cancels_at_cashfree(qtbot: QtBot, desk: LiveDesk) -> None:
    window = desk.window
    type_amount(qtbot, window.amount, "99")
    qtbot.keyClick(window.amount, Qt.Key.Key_Return)
    order_id = wait_for_qr(qtbot, desk)
    qtbot.keyClick(window.waiting, Qt.Key.Key_Escape)
    answer(window.waiting.confirm_box, "Cancel the payment")
    assert not window.waiting.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.result, timeout=5000)
    assert window.result.title.text() == "Payment cancelled"
    assert window.result.try_again.isVisible()
    sale = desk.runtime.journal.get_sale(order_id)
    assert sale is not None and sale.status is SaleStatus.CANCELLED

    # Try again: the same amount as a new order.
    qtbot.mouseClick(window.result.try_again, Qt.MouseButton.LeftButton)
    second = wait_for_qr(qtbot, desk)
    assert second != order_id
    assert window.waiting.amount.text() == "₹99.00"


def test_customer_failure_is_shown_and_they_can_retry(qtbot: QtBot, desk: LiveDesk) -> None:
    window = desk.window
    type_amount(qtbot, window.amount, "10")
    qtbot.keyClick(window.amount, Qt.Key.Key_Return)
    wait_for_qr(qtbot, desk)
    qtbot.mouseClick(window.demo.buttons["customer_fails"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(window.waiting.attempt.isVisible, timeout=5000)
    assert window.waiting.attempt.text().startswith("The customer's attempt failed:")
    assert window.waiting.attempt.text().endswith("They can try again.")
    assert window.stack.currentWidget() is window.waiting


def test_offline_banner_and_header(qtbot: QtBot, desk: LiveDesk) -> None:
    window = desk.window
    sim = desk.runtime.simulator
    assert sim is not None
    type_amount(qtbot, window.amount, "250")
    qtbot.keyClick(window.amount, Qt.Key.Key_Return)
    wait_for_qr(qtbot, desk)
    sim.set_faults(down=True)
    qtbot.mouseClick(window.waiting.check_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(window.waiting.offline.isVisible, timeout=8000)
    assert "No connection to Cashfree" in window.waiting.offline.text()
    assert "Next try at" in window.waiting.offline.text()
    assert window.header.connection.text().startswith("Offline · next try")
    sim.set_faults(down=False)
    qtbot.waitUntil(lambda: not window.waiting.offline.isVisible(), timeout=15000)
    assert window.header.connection.text() == "Online"


def test_a_cashfree_error_answer_is_not_called_no_connection(qtbot: QtBot, desk: LiveDesk) -> None:
    """One try per step at the counter: a 500 from Cashfree shows at once, and the banner
    says Cashfree answered with an error (the shop's network is fine), not "no connection"."""
    window = desk.window
    sim = desk.runtime.simulator
    assert sim is not None
    type_amount(qtbot, window.amount, "260")
    qtbot.keyClick(window.amount, Qt.Key.Key_Return)
    wait_for_qr(qtbot, desk)
    sim.set_faults(error_rate=1.0)
    qtbot.mouseClick(window.waiting.check_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(window.waiting.offline.isVisible, timeout=8000)
    banner = window.waiting.offline.text()
    assert banner.startswith("Cashfree answers only with errors since"), banner
    assert "No connection" not in banner
    assert window.header.connection.text().startswith("Cashfree error · next try")
    sim.set_faults(error_rate=0.0)
    qtbot.waitUntil(lambda: not window.waiting.offline.isVisible(), timeout=15000)
    assert window.header.connection.text() == "Online"


def test_same_amount_again_asks_first(qtbot: QtBot, desk: LiveDesk) -> None:
    window = desk.window
    type_amount(qtbot, window.amount, "75")
    qtbot.keyClick(window.amount, Qt.Key.Key_Return)
    wait_for_qr(qtbot, desk)
    qtbot.mouseClick(window.demo.buttons["customer_pays"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.result.title.text() == "PAID", timeout=3000)
    qtbot.keyClick(window.result, Qt.Key.Key_Return)

    type_amount(qtbot, window.amount, "75")
    qtbot.keyClick(window.amount, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.announcer.duplicate_box is not None, timeout=3000)
    box = window.announcer.duplicate_box
    assert box is not None
    assert box.text().startswith("₹75.00 was paid at this till")
    assert window.stack.currentWidget() is window.amount
    answer(box, "Charge again")
    wait_for_qr(qtbot, desk)


def test_payment_link_sale(qtbot: QtBot, desk: LiveDesk) -> None:
    window = desk.window
    type_amount(qtbot, window.amount, "500")
    qtbot.keyClick(window.amount, Qt.Key.Key_F2)
    qtbot.keyClick(window.amount, Qt.Key.Key_Return)
    wait_for_qr(qtbot, desk)
    state = window.waiting.state
    assert state is not None and state.method is Method.LINK and state.link_url
    assert window.waiting.link.text() == state.link_url
    qtbot.wait(20)
    assert decode_qr(window.waiting) == [state.link_url]
    qtbot.mouseClick(window.demo.buttons["customer_pays"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.result.title.text() == "PAID", timeout=5000)


def test_a_refused_cancel_keeps_the_qr_and_says_the_customer_can_still_pay(
    qtbot: QtBot, desk: LiveDesk
) -> None:
    window = desk.window
    sim = desk.runtime.simulator
    assert sim is not None
    type_amount(qtbot, window.amount, "77")
    qtbot.keyClick(window.amount, Qt.Key.Key_Return)
    order_id = wait_for_qr(qtbot, desk)
    sim.set_faults(refuse_terminate=True)
    qtbot.keyClick(window.waiting, Qt.Key.Key_Escape)
    answer(window.waiting.confirm_box, "Cancel the payment")
    qtbot.waitUntil(lambda: "can still pay" in window.waiting.status.text(), timeout=5000)
    assert window.stack.currentWidget() is window.waiting
    assert window.waiting.qr.has_code()
    assert window.waiting.cancel_button.isEnabled()
    assert "No money was taken" not in window.waiting.status.text()
    sale = desk.runtime.journal.get_sale(order_id)
    assert sale is not None and sale.status is SaleStatus.AWAITING_PAYMENT
    # The customer pays the QR that is still on screen: the till says so.
    qtbot.mouseClick(window.demo.buttons["customer_pays"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.result, timeout=5000)
    assert window.result.title.text() == "PAID"
