"""Send SMS / e-mail on the waiting screen: the dialog's validation and keyboard paths, and
the calm background-payment line (sync pytest-qt, no event loop)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from desk_kit import NOW, final_state, link_state, waiting_state
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from pos_app.domain.money import Money
from pos_app.domain.sale import SaleStatus
from pos_app.domain.validate import ValidationError
from pos_app.ui.screens.waiting import WaitingScreen
from pos_app.ui.widgets.background_notice import BackgroundNotice, paid_in_background
from pos_app.ui.widgets.send_link import (
    NEED_ONE,
    RESENDING,
    SEND_LINK,
    LinkRecipients,
    SendLinkDialog,
    read_recipients,
)


@pytest.fixture
def screen(qtbot: QtBot) -> WaitingScreen:
    widget = WaitingScreen(clock=lambda: NOW)
    qtbot.addWidget(widget)
    widget.resize(1024, 520)
    widget.show()
    return widget


def open_dialog(qtbot: QtBot, screen: WaitingScreen) -> SendLinkDialog:
    qtbot.mouseClick(screen.send_button, Qt.MouseButton.LeftButton)
    dialog = screen.send_dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


# ---- reading what the cashier typed ----------------------------------------------------------
def test_read_recipients_normalises_and_needs_one() -> None:
    assert read_recipients("+91 98765-43210", "") == LinkRecipients(phone="9876543210")
    assert read_recipients("", " asha@example.in ") == LinkRecipients(email="asha@example.in")
    both = read_recipients("09876543210", "asha@example.in")
    assert both == LinkRecipients(phone="9876543210", email="asha@example.in")
    with pytest.raises(ValidationError) as nothing:
        read_recipients("  ", "")
    assert nothing.value.message == NEED_ONE
    with pytest.raises(ValidationError) as short:
        read_recipients("98765", "")
    assert short.value.field == "phone" and "10 digits" in short.value.message
    with pytest.raises(ValidationError) as mail:
        read_recipients("", "asha@")
    assert mail.value.field == "email"


# ---- the button ----------------------------------------------------------------------------
def test_send_is_offered_for_payment_links_only(screen: WaitingScreen) -> None:
    screen.show_state(waiting_state())
    assert not screen.send_button.isVisible()
    screen.show_state(link_state())
    assert screen.send_button.isVisible() and screen.send_button.isEnabled()
    assert screen.send_button.text() == SEND_LINK
    assert screen.send_button.accessibleName() == SEND_LINK


def test_after_the_cashier_chose_to_resend_nothing_more_is_offered(
    qtbot: QtBot, screen: WaitingScreen
) -> None:
    screen.show_state(link_state())
    screen.mark_cancelling(RESENDING)
    assert not screen.send_button.isEnabled() and not screen.cancel_button.isEnabled()
    assert screen.status.text() == RESENDING
    screen.show_state(link_state(message="Still waiting"))  # the poller reports again
    assert screen.status.text() == RESENDING
    qtbot.mouseClick(screen.send_button, Qt.MouseButton.LeftButton)
    assert screen.send_dialog is None


# ---- the dialog ----------------------------------------------------------------------------
def test_dialog_is_prefilled_and_refuses_bad_input_inline(
    qtbot: QtBot, screen: WaitingScreen
) -> None:
    screen.show_state(link_state())
    screen.prefill_recipients("9876543210", None)
    dialog = open_dialog(qtbot, screen)
    assert dialog.phone.text() == "9876543210" and dialog.email.text() == ""
    assert not dialog.refusal.isVisible()

    dialog.phone.setText("12345")
    with qtbot.assertNotEmitted(screen.send_link_requested):
        qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert dialog.refusal.isVisible() and "10 digits" in dialog.refusal.text()
    assert dialog.phone.property("invalid") is True

    dialog.phone.clear()
    with qtbot.assertNotEmitted(screen.send_link_requested):
        qtbot.keyClick(dialog.phone, Qt.Key.Key_Return)
    assert dialog.refusal.text() == NEED_ONE

    dialog.email.setText("not-an-address")
    qtbot.keyClick(dialog.email, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.email.property("invalid") is True
    assert "e-mail" in dialog.refusal.text()


def test_valid_input_is_sent_once_and_the_dialog_closes(
    qtbot: QtBot, screen: WaitingScreen
) -> None:
    screen.show_state(link_state())
    dialog = open_dialog(qtbot, screen)
    qtbot.keyClicks(dialog.phone, "+91 91234 56789")
    qtbot.keyClicks(dialog.email, "ravi@example.com")
    with qtbot.waitSignal(screen.send_link_requested, timeout=1000) as sent:
        qtbot.keyClick(dialog.email, Qt.Key.Key_Return)
    assert sent.args == [LinkRecipients(phone="9123456789", email="ravi@example.com")]
    assert not dialog.isVisible()
    assert screen.send_dialog is None
    # Asked again, the dialog offers what was sent last time.
    again = open_dialog(qtbot, screen)
    assert again.phone.text() == "9123456789" and again.email.text() == "ravi@example.com"


def test_escape_in_the_dialog_keeps_waiting_and_does_not_ask_to_cancel(
    qtbot: QtBot, screen: WaitingScreen
) -> None:
    screen.show_state(link_state())
    dialog = open_dialog(qtbot, screen)
    with qtbot.assertNotEmitted(screen.send_link_requested):
        qtbot.keyClick(dialog.phone, Qt.Key.Key_Escape)
    assert not dialog.isVisible() and screen.send_dialog is None
    assert screen.confirm_box is None
    assert screen.cancel_button.isEnabled()


def test_a_sale_leaving_the_screen_closes_the_dialog(qtbot: QtBot, screen: WaitingScreen) -> None:
    screen.show_state(link_state())
    dialog = open_dialog(qtbot, screen)
    screen.stop()
    assert not dialog.isVisible()
    qtbot.waitUntil(lambda: screen.send_dialog is None, timeout=1000)


def test_the_dialog_has_names_and_a_tab_order(qtbot: QtBot, screen: WaitingScreen) -> None:
    screen.show_state(link_state())
    dialog = open_dialog(qtbot, screen)
    assert dialog.phone.accessibleName() == "Customer mobile"
    assert dialog.email.accessibleName() == "Customer e-mail"
    assert dialog.send_button.accessibleName() and dialog.keep_button.accessibleName()
    assert dialog.phone.nextInFocusChain() is dialog.email


# ---- background payments -------------------------------------------------------------------
def test_background_payment_line_counts_and_names_the_latest(qtbot: QtBot) -> None:
    notice = BackgroundNotice()
    qtbot.addWidget(notice)
    assert notice.isHidden()
    first = final_state(SaleStatus.PAID, order_id="T1-A", bill_number="INV-7")
    notice.announce(first, NOW)
    assert not notice.isHidden()
    assert notice.text().startswith("✓ Paid in the background: ₹1,250.50 at ")
    assert "order T1-A (bill INV-7)" in notice.toolTip()
    assert "UTR / bank reference: 612345678901" in notice.toolTip()
    assert notice.accessibleDescription() == notice.toolTip()
    second = final_state(SaleStatus.PAID, order_id="T1-B", amount=Money(9900))
    notice.announce(second, NOW)
    assert notice.text().startswith("✓ 2 paid in the background · latest ₹99.00 at ")
    assert notice.latest is second


def test_background_wording_uses_now_when_the_payment_time_is_unknown() -> None:
    state = final_state(SaleStatus.PAID, paid_at=None)
    moment = datetime(2026, 3, 2, 4, 5, 6, tzinfo=UTC)
    expected = moment.astimezone().strftime("%H:%M:%S")
    assert paid_in_background(state, 1, moment).endswith(f"₹1,250.50 at {expected}")
