"""Issue 13, the cashier: a real window, the real checkout, the simulated Cashfree."""

from __future__ import annotations

from desk_drive import LiveDesk, type_amount
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from pos_app.domain.sale import SaleStatus
from pos_app.ui.closing import CLOSE_ANYWAY, KEEP_OPEN


class Recorder:
    def __init__(self) -> None:
        self.sounds: list[str] = []

    def paid(self) -> None:
        self.sounds.append("paid")

    def failed(self) -> None:
        self.sounds.append("failed")


def start_qr_sale(qtbot: QtBot, desk: LiveDesk, rupees: str) -> str:
    window = desk.window
    type_amount(qtbot, window.amount, rupees)
    qtbot.keyClick(window.amount, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: window.stack.currentWidget() is window.waiting and window.waiting.qr.has_code(),
        timeout=3000,
    )
    assert window.waiting.state is not None
    return window.waiting.state.order_id


def global_rect(widget: QWidget) -> QRect:
    return QRect(widget.mapToGlobal(widget.rect().topLeft()), widget.size())


def test_paid_stays_until_the_next_amount_is_typed(qtbot: QtBot, desk: LiveDesk) -> None:
    window = desk.window
    start_qr_sale(qtbot, desk, "1250")
    assert window.header.open_count.text() == "1 open payment"  # the one on screen
    qtbot.mouseClick(window.demo.buttons["customer_pays"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.result.title.text() == "PAID", timeout=3000)
    qtbot.wait(400)
    assert window.stack.currentWidget() is window.result
    assert window.header.open_count.text() == "No open payments"

    qtbot.keyClicks(window.result, "3")  # the next customer's amount
    assert window.stack.currentWidget() is window.amount
    assert window.amount.amount_text == "₹3.00"
    assert window.amount.last_sale.isVisible()
    assert window.amount.last_sale.text().startswith("Last sale ₹1,250.00 PAID at ")


def test_a_failed_attempt_is_red_and_sounds_different(qtbot: QtBot, desk: LiveDesk) -> None:
    window = desk.window
    recorder = Recorder()
    window.sound = recorder
    start_qr_sale(qtbot, desk, "40")
    qtbot.mouseClick(window.demo.buttons["customer_fails"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(window.waiting.attempt.isVisible, timeout=5000)
    assert recorder.sounds == ["failed"]
    color = window.waiting.attempt.palette().color(window.waiting.attempt.backgroundRole())
    image = window.waiting.attempt.grab().toImage()
    pixel = image.pixelColor(3, image.height() // 2)
    assert pixel.red() > 150 and pixel.green() < 80, (pixel.name(), color.name())
    qtbot.mouseClick(window.demo.buttons["customer_pays"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.result.title.text() == "PAID", timeout=3000)
    assert recorder.sounds == ["failed", "paid"]


def test_the_screen_never_repeats_the_instruction_and_names_the_payee(
    qtbot: QtBot, desk: LiveDesk
) -> None:
    window = desk.window
    start_qr_sale(qtbot, desk, "60")
    waiting = window.waiting
    assert waiting.instruction.text() == "Scan with any UPI app"
    assert "Scan" not in waiting.status.text()
    state = waiting.state
    assert state is not None and state.qr_text
    assert waiting.payee.isVisible()
    assert waiting.payee.text().startswith(f"Pay to {desk.runtime.settings.store_name}")
    assert "@" in waiting.payee.text()  # the UPI id the customer's app will show


def test_the_cancel_question_leaves_the_qr_in_view(qtbot: QtBot, desk: LiveDesk) -> None:
    window = desk.window
    start_qr_sale(qtbot, desk, "70")
    qtbot.keyClick(window.waiting, Qt.Key.Key_Escape)
    box = window.waiting.confirm_box
    assert box is not None
    qtbot.waitUntil(box.isVisible, timeout=2000)
    assert not global_rect(box).intersects(global_rect(window.waiting.qr))
    assert box.defaultButton() is not None
    assert box.defaultButton().text() == "Keep waiting" or "Keep" in box.defaultButton().text()


def test_refusals_never_move_the_keypad_and_esc_returns_to_the_amount(
    qtbot: QtBot, desk: LiveDesk
) -> None:
    window = desk.window
    amount = window.amount
    before = amount.keypad.geometry()
    type_amount(qtbot, amount, "0.5")
    qtbot.keyClick(amount, Qt.Key.Key_Return)  # below the minimum: refused
    assert amount.refusal.isVisible()
    QApplication.processEvents()
    assert amount.keypad.geometry() == before
    amount.note.setFocus()
    qtbot.keyClicks(amount.note, "two bags")
    qtbot.keyClick(amount.note, Qt.Key.Key_Escape)
    assert QApplication.focusWidget() is amount
    assert amount.amount_text == "₹0.50"  # Esc in a field clears nothing
    assert amount.note.text() == "two bags"


def test_closing_with_a_payment_open_asks_first(qtbot: QtBot, desk: LiveDesk) -> None:
    window = desk.window
    order_id = start_qr_sale(qtbot, desk, "80")
    window.close()
    box = window.close_box
    assert isinstance(box, QMessageBox)
    assert window.isVisible()
    assert "nothing is lost" in box.informativeText()
    [keep] = [b for b in box.buttons() if b.text() == KEEP_OPEN]
    keep.click()
    qtbot.waitUntil(lambda: window.close_box is None, timeout=1000)
    assert window.isVisible() and window.stack.currentWidget() is window.waiting

    window.close()
    box = window.close_box
    assert box is not None
    closed: list[bool] = []
    window.closed.connect(lambda: closed.append(True))
    [leave] = [b for b in box.buttons() if b.text() == CLOSE_ANYWAY]
    leave.click()
    qtbot.waitUntil(lambda: bool(closed), timeout=1000)
    sale = desk.runtime.journal.get_sale(order_id)
    assert sale is not None and sale.status is SaleStatus.AWAITING_PAYMENT  # kept, not lost


def test_customer_walks_away_ends_the_sale(qtbot: QtBot, desk: LiveDesk) -> None:
    window = desk.window
    order_id = start_qr_sale(qtbot, desk, "90")
    qtbot.mouseClick(window.demo.buttons["customer_walks_away"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.result, timeout=5000)
    assert window.result.title.text() == "Payment expired"
    sale = desk.runtime.journal.get_sale(order_id)
    assert sale is not None and sale.status is SaleStatus.EXPIRED


def test_customer_walks_away_from_a_link_too(qtbot: QtBot, desk: LiveDesk) -> None:
    window = desk.window
    type_amount(qtbot, window.amount, "95")
    qtbot.keyClick(window.amount, Qt.Key.Key_F2)
    qtbot.keyClick(window.amount, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.waiting.qr.has_code(), timeout=3000)
    qtbot.mouseClick(window.demo.buttons["customer_walks_away"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.result, timeout=5000)
    assert window.result.title.text() == "Payment expired"


def test_a_problem_banner_never_moves_the_screen(qtbot: QtBot, desk: LiveDesk) -> None:
    window = desk.window
    QApplication.processEvents()
    before = window.stack.geometry()
    window.problem.show_message("Cashfree could not be reached.")
    QApplication.processEvents()
    assert window.stack.geometry() == before
    window.problem.hide()
    QApplication.processEvents()
    assert window.stack.geometry() == before


def test_enter_on_the_cancel_question_means_the_highlighted_choice(
    qtbot: QtBot, desk: LiveDesk
) -> None:
    window = desk.window
    order_id = start_qr_sale(qtbot, desk, "65")
    qtbot.keyClick(window.waiting, Qt.Key.Key_Escape)
    box = window.waiting.confirm_box
    assert box is not None
    qtbot.waitUntil(box.isVisible, timeout=2000)
    keep = box.defaultButton()
    assert keep is not None
    qtbot.waitUntil(lambda: QApplication.focusWidget() is keep, timeout=2000)
    qtbot.keyClick(box, Qt.Key.Key_Tab)  # the cashier moves to "Cancel the payment"
    focused = QApplication.focusWidget()
    assert focused is not None and focused is not keep
    qtbot.keyClick(focused, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.result, timeout=5000)
    sale = desk.runtime.journal.get_sale(order_id)
    assert sale is not None and sale.status is SaleStatus.CANCELLED
