"""Issue 13, the cashier: what the screens say when there is no QR yet, who is paid, and
that a till without a sound player says so."""

from __future__ import annotations

from desk_kit import FakeCheckout, offline, waiting_state
from pytestqt.qtbot import QtBot

from pos_app.domain.sale import SaleStatus
from pos_app.ui import text
from pos_app.ui.controller import SaleController
from pos_app.ui.main_window import MainWindow
from pos_app.ui.options import DeskOptions
from pos_app.ui.screens.waiting import WaitingScreen
from pos_app.ui.sound import SilentSound
from pos_app.ui.sound_failed import NO_PLAYER, sound_notice


def test_no_scan_instruction_without_a_qr(qtbot: QtBot) -> None:
    screen = WaitingScreen()
    qtbot.addWidget(screen)
    screen.show_state(waiting_state(status=SaleStatus.CREATED, qr=None, qr_text=None))
    assert not screen.instruction.text().startswith("Scan")
    assert screen.instruction.text() == text.WAITING_FOR_CODE
    screen.show_state(waiting_state(qr=None, qr_text=None, offline=offline()))
    assert screen.instruction.text() == text.WAITING_FOR_CODE_OFFLINE
    screen.show_state(waiting_state())
    assert screen.instruction.text() == text.SCAN_INSTRUCTION


def test_the_status_line_does_not_repeat_the_instruction(qtbot: QtBot) -> None:
    screen = WaitingScreen()
    qtbot.addWidget(screen)
    screen.show_state(waiting_state(message="Scan with any UPI app to pay ₹1,250.50."))
    assert screen.status.text() == text.WAITING_FOR_CUSTOMER


def test_payee_line_reads_the_upi_payload() -> None:
    upi = "upi://pay?pa=sharma.store@okhdfc&pn=Sharma%20Store&am=10.00&cu=INR"
    assert text.payee_line("Sharma General Store", upi) == (
        "Pay to Sharma General Store · sharma.store@okhdfc"
    )
    assert text.payee_line("", upi) == "Pay to Sharma Store · sharma.store@okhdfc"
    assert text.payee_line("Sharma", "https://payments.cashfree.com/links/x") == "Pay to Sharma"


def test_a_till_without_a_sound_player_says_so_in_the_header(qtbot: QtBot) -> None:
    silent = SilentSound()
    silent.missing_player = True
    assert sound_notice(silent, enabled=True) == NO_PLAYER
    assert sound_notice(silent, enabled=False) == ""
    assert sound_notice(SilentSound(), enabled=True) == ""
    options = DeskOptions(store_name="Sharma", terminal_id="T1", environment="sandbox")
    window = MainWindow(SaleController(FakeCheckout()), options, sound=silent)
    qtbot.addWidget(window)
    window.show()
    assert window.header.sound_notice.isVisible()
    assert window.header.sound_notice.text() == "No sound"
    assert "no sound player was found" in window.header.sound_notice.toolTip()


def test_about_repeats_the_sound_notice(qtbot: QtBot, qloop: object) -> None:
    from setup_kit import services

    from pos_app.ui.setup.about import AboutDialog

    dialog = AboutDialog(services(sound_notice=NO_PLAYER))
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.sound_notice.isVisible() and dialog.sound_notice.text() == NO_PLAYER
    qtbot.waitUntil(lambda: not dialog.jobs.busy, timeout=5000)


def test_the_customer_display_never_says_scan_without_a_code(qtbot: QtBot) -> None:
    from pos_app.ui.customer_display import CustomerDisplay

    display = CustomerDisplay("Sharma")
    qtbot.addWidget(display)
    display.show_state(waiting_state(status=SaleStatus.CREATED, qr=None, qr_text=None))
    assert display.instruction.text() == text.CUSTOMER_WAIT
    display.show_state(waiting_state())
    assert display.instruction.text() == text.CUSTOMER_SCAN
