"""The waiting screen renders each waiting variant; its QR is crisp and decodes exactly."""

from __future__ import annotations

import pytest
import qrcode
import shiboken6
import zxingcpp
from desk_kit import LINK_URL, NOW, UPI_TEXT, link_state, offline, waiting_state
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from pos_app.domain.qr import QUIET_ZONE, QrCode
from pos_app.domain.sale import Method, SaleStatus
from pos_app.ui.screens.waiting import WaitingScreen


@pytest.fixture
def screen(qtbot: QtBot) -> WaitingScreen:
    widget = WaitingScreen(clock=lambda: NOW)
    qtbot.addWidget(widget)
    widget.resize(1024, 560)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def to_pil(image: QImage) -> Image.Image:
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    width, height, stride = rgb.width(), rgb.height(), rgb.bytesPerLine()
    raw = bytes(rgb.constBits())
    rows = [raw[y * stride : y * stride + width * 3] for y in range(height)]
    return Image.frombytes("RGB", (width, height), b"".join(rows))


def decode_screen(screen: WaitingScreen) -> list[str]:
    grabbed = screen.grab().toImage()
    return [r.text for r in zxingcpp.read_barcodes(to_pil(grabbed))]


def real_qr_png(payload: str, box_size: int) -> bytes:
    """A QR picture as Cashfree might send one."""
    import io

    code = qrcode.QRCode(box_size=box_size, border=4)
    code.add_data(payload)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize("size", [(1024, 560), (1280, 800), (1920, 1080), (700, 480)])
def test_grabbed_qr_decodes_to_the_exact_payload(
    qtbot: QtBot, screen: WaitingScreen, size: tuple[int, int]
) -> None:
    screen.resize(*size)
    screen.show_state(waiting_state(qr=QrCode.encode(UPI_TEXT), qr_text=UPI_TEXT))
    qtbot.wait(10)
    assert decode_screen(screen) == [UPI_TEXT]


@pytest.mark.parametrize("size", [(1024, 560), (1280, 800), (1920, 1080), (700, 480)])
def test_qr_modules_are_whole_pixels_and_at_least_300px(
    qtbot: QtBot, screen: WaitingScreen, size: tuple[int, int]
) -> None:
    screen.resize(*size)
    code = QrCode.encode(UPI_TEXT)
    screen.show_state(waiting_state(qr=code))
    qtbot.wait(10)
    view = screen.qr
    shown, factor = view.shown_size(), view.factor
    assert shown >= 300
    assert factor >= 1 and shown == factor * (code.size + 2 * QUIET_ZONE)
    # Every module on screen is exactly `factor` pixels: sample each module's centre and
    # its corner pixels, they match the module.
    rect = view.shown_rect()
    image = view.grab(rect).toImage().convertToFormat(QImage.Format.Format_Grayscale8)
    quiet = QUIET_ZONE * factor
    for row in range(code.size):
        for col in range(code.size):
            want = 0 if code.modules[row][col] else 255
            x, y = quiet + col * factor, quiet + row * factor
            for dx, dy in ((0, 0), (factor - 1, factor - 1), (factor // 2, factor // 2)):
                assert image.pixelColor(x + dx, y + dy).value() == want, (row, col)


def test_qr_pixels_stay_pure_black_and_white(qtbot: QtBot, screen: WaitingScreen) -> None:
    """Whole-pixel squares only: any smoothing would leave grey pixels on module edges."""
    screen.show_state(waiting_state(qr=QrCode.encode(UPI_TEXT)))
    rect = screen.qr.shown_rect()
    image = screen.qr.grab(rect).toImage().convertToFormat(QImage.Format.Format_Grayscale8)
    raw, stride = bytes(image.constBits()), image.bytesPerLine()
    values = set()
    for y in range(image.height()):
        values |= set(raw[y * stride : y * stride + image.width()])
    assert values == {0, 255}


@pytest.mark.parametrize("box_size", [1, 3, 10])
def test_cashfrees_picture_is_shown_when_it_is_all_there_is(
    qtbot: QtBot, screen: WaitingScreen, box_size: int
) -> None:
    """The fallback: a picture the till could not read is still shown, crisp and whole."""
    png = real_qr_png(UPI_TEXT, box_size)
    screen.show_state(waiting_state(qr=None, qr_image=png, qr_text=None))
    qtbot.wait(10)
    assert screen.qr.has_code() and screen.qr.code is None
    assert screen.qr.shown_size() >= 300
    assert screen.qr.shown_size() == screen.qr.source_size() * screen.qr.factor
    assert decode_screen(screen) == [UPI_TEXT]


def test_awaiting_payment_shows_amount_instruction_countdown(screen: WaitingScreen) -> None:
    screen.show_state(waiting_state())
    assert screen.amount.text() == "₹1,250.50"
    assert screen.instruction.text() == "Scan with any UPI app"
    assert screen.countdown.text() == "Expires in 14:32"
    assert screen.status.text() == "Waiting for the customer to pay."
    assert screen.qr.isVisible() and screen.qr.has_code()
    assert not screen.attempt.isVisible()
    assert not screen.offline.isVisible()
    assert not screen.link.isVisible() and not screen.copy_button.isVisible()
    assert not screen.fallback_button.isVisible()
    assert screen.cancel_button.isEnabled() and screen.check_button.isVisible()


def test_countdown_ticks_with_the_clock(qtbot: QtBot) -> None:
    now = [NOW]
    screen = WaitingScreen(clock=lambda: now[0])
    qtbot.addWidget(screen)
    screen.show_state(waiting_state())
    from datetime import timedelta

    now[0] = NOW + timedelta(minutes=14, seconds=31)
    qtbot.waitUntil(lambda: screen.countdown.text() == "Expires in 0:01", timeout=2500)
    now[0] = NOW + timedelta(minutes=20)
    qtbot.waitUntil(lambda: screen.countdown.text() == "Expiring now…", timeout=2500)


def test_failed_attempt_is_explained(screen: WaitingScreen) -> None:
    screen.show_state(waiting_state(attempt_failed="The bank declined the payment."))
    assert screen.attempt.isVisible()
    assert (
        screen.attempt.text()
        == "The customer's attempt failed: The bank declined the payment. They can try again."
    )


def test_offline_banner_says_when_the_next_try_is(screen: WaitingScreen) -> None:
    screen.show_state(waiting_state(offline=offline()))
    assert screen.offline.isVisible()
    text = screen.offline.text()
    assert "No connection to Cashfree" in text
    assert "the connection timed out" in text
    next_try = offline().next_try_at.astimezone().strftime("%H:%M:%S")
    assert f"Next try at {next_try}" in text


def test_payment_link_shows_url_copy_and_its_qr(qtbot: QtBot, screen: WaitingScreen) -> None:
    screen.show_state(link_state())
    assert screen.link.isVisible() and screen.link.text() == LINK_URL
    assert screen.instruction.text().startswith("Scan to open the payment page")
    qtbot.mouseClick(screen.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == LINK_URL
    assert screen.copy_button.text() == "Link copied"
    qtbot.wait(10)
    assert decode_screen(screen) == [LINK_URL]


def test_upi_request_has_no_qr(screen: WaitingScreen) -> None:
    screen.show_state(waiting_state(method=Method.COLLECT, qr=None))
    assert not screen.qr.isVisible()
    assert screen.instruction.text() == "Ask the customer to approve the request in their UPI app"


def test_created_state_has_no_code_yet(screen: WaitingScreen) -> None:
    screen.show_state(waiting_state(status=SaleStatus.CREATED, qr=None, message="Creating…"))
    assert not screen.qr.has_code()
    assert screen.status.text() == "Creating…"


def test_broken_png_is_refused_before_painting(screen: WaitingScreen) -> None:
    screen.show_state(waiting_state(qr=None, qr_image=b"\x89PNG not really"))
    assert not screen.qr.has_code()
    assert screen.qr.shown_size() == 0


def test_link_fallback_offers_the_link_qr(qtbot: QtBot, screen: WaitingScreen) -> None:
    screen.show_state(waiting_state(link_fallback=True, qr=None))
    assert screen.fallback_button.isVisible()
    assert screen.fallback_button.text() == "Show a payment-link QR instead"
    with qtbot.waitSignal(screen.fallback_requested, timeout=1000):
        qtbot.mouseClick(screen.fallback_button, Qt.MouseButton.LeftButton)


def test_check_now_emits(qtbot: QtBot, screen: WaitingScreen) -> None:
    screen.show_state(waiting_state())
    with qtbot.waitSignal(screen.check_now_requested, timeout=1000):
        qtbot.mouseClick(screen.check_button, Qt.MouseButton.LeftButton)


def answer(box: QMessageBox, caption: str) -> None:
    [button] = [b for b in box.findChildren(QPushButton) if b.text() == caption]
    button.click()


def test_escape_asks_before_cancelling_without_blocking(
    qtbot: QtBot, screen: WaitingScreen
) -> None:
    screen.show_state(waiting_state())
    with qtbot.assertNotEmitted(screen.cancel_requested):
        qtbot.keyClick(screen, Qt.Key.Key_Escape)  # returns at once: open(), not exec()
    box = screen.confirm_box
    assert box is not None and box.isVisible()
    assert box.text() == "Cancel this payment?"
    with qtbot.assertNotEmitted(screen.cancel_requested):
        answer(box, "Keep waiting")
    assert screen.confirm_box is None

    qtbot.mouseClick(screen.cancel_button, Qt.MouseButton.LeftButton)
    box = screen.confirm_box
    assert box is not None
    with qtbot.waitSignal(screen.cancel_requested, timeout=1000):
        answer(box, "Cancel the payment")


def test_cancelling_disables_cancel_and_says_so(screen: WaitingScreen) -> None:
    screen.show_state(waiting_state())
    screen.mark_cancelling()
    assert not screen.cancel_button.isEnabled()
    assert screen.status.text().startswith("Cancelling")
    screen.show_state(waiting_state(message="Still waiting."))
    assert not screen.cancel_button.isEnabled()
    screen.ask_cancel()
    assert screen.confirm_box is None
    screen.show_state(waiting_state(order_id="T1-OTHER"))
    assert screen.cancel_button.isEnabled()


def test_stop_closes_an_open_question(qtbot: QtBot, screen: WaitingScreen) -> None:
    screen.show_state(waiting_state())
    screen.ask_cancel()
    box = screen.confirm_box
    assert box is not None
    screen.stop()
    assert screen.confirm_box is None
    QApplication.processEvents()
    assert not shiboken6.isValid(box) or not box.isVisible()


def test_a_problem_the_cashier_must_act_on_stands_out(screen: WaitingScreen) -> None:
    from dataclasses import replace

    screen.show_state(waiting_state())
    assert screen.status.property("tone") == "plain"
    refused = replace(waiting_state(), error="Cashfree refused to close this payment.")
    screen.show_state(refused)
    assert screen.status.text() == "Cashfree refused to close this payment."
    assert screen.status.property("tone") == "warning"
    screen.show_state(waiting_state())
    assert screen.status.property("tone") == "plain"
