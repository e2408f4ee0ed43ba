"""The amount screen: keypad and keyboard entry, refusals, and the ChargeRequest it emits."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from pos_app.domain.money import Money
from pos_app.domain.sale import Method
from pos_app.services.checkout.state import ChargeRequest
from pos_app.ui.options import DeskOptions
from pos_app.ui.screens.amount import AmountScreen


@pytest.fixture
def screen(qtbot: QtBot, options: DeskOptions) -> AmountScreen:
    widget = AmountScreen(options)
    qtbot.addWidget(widget)
    show_active(qtbot, widget)
    return widget


def show_active(qtbot: QtBot, widget: AmountScreen) -> None:
    widget.show()
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow, timeout=2000)
    widget.setFocus()


def type_keys(qtbot: QtBot, screen: AmountScreen, keys: str) -> None:
    for key in keys:
        qtbot.keyClicks(screen, key)


def emitted(qtbot: QtBot, screen: AmountScreen, key: Qt.Key = Qt.Key.Key_Return) -> ChargeRequest:
    with qtbot.waitSignal(screen.charge_requested, timeout=1000) as blocker:
        qtbot.keyClick(screen, key)
    request = blocker.args[0]
    assert isinstance(request, ChargeRequest)
    return request


def test_typing_shows_indian_grouping(qtbot: QtBot, screen: AmountScreen) -> None:
    type_keys(qtbot, screen, "1250.5")
    assert screen.amount_text == "₹1,250.50"
    type_keys(qtbot, screen, "0")
    assert screen.amount_text == "₹1,250.50"
    screen.reset()
    type_keys(qtbot, screen, "12345678")
    assert screen.amount_text == "₹1,23,45,678.00"


def test_backspace_and_escape(qtbot: QtBot, screen: AmountScreen) -> None:
    type_keys(qtbot, screen, "1250.5")
    qtbot.keyClick(screen, Qt.Key.Key_Backspace)
    qtbot.keyClick(screen, Qt.Key.Key_Backspace)
    assert screen.amount_text == "₹1,250.00"
    qtbot.keyClick(screen, Qt.Key.Key_Escape)
    assert screen.amount_text == "₹0.00"


def test_keypad_buttons_type_too(qtbot: QtBot, screen: AmountScreen) -> None:
    for key in ("7", "00", ".", "2", "5"):
        qtbot.mouseClick(screen.keypad.buttons[key], Qt.MouseButton.LeftButton)
    assert screen.amount_text == "₹700.25"
    qtbot.mouseClick(screen.keypad.buttons["back"], Qt.MouseButton.LeftButton)
    assert screen.amount_text == "₹700.20"
    qtbot.mouseClick(screen.keypad.buttons["clear"], Qt.MouseButton.LeftButton)
    assert screen.amount_text == "₹0.00"


def test_third_decimal_is_refused_on_the_spot(qtbot: QtBot, screen: AmountScreen) -> None:
    type_keys(qtbot, screen, "10.255")
    assert screen.amount_text == "₹10.25"
    assert screen.refusal.isVisible()
    assert "two decimals" in screen.refusal.text()
    type_keys(qtbot, screen, "")
    qtbot.keyClick(screen, Qt.Key.Key_Backspace)
    assert not screen.refusal.isVisible()


def test_enter_charges_with_the_default_method(qtbot: QtBot, screen: AmountScreen) -> None:
    type_keys(qtbot, screen, "1250.5")
    request = emitted(qtbot, screen)
    assert request == ChargeRequest(amount=Money(125050), method=Method.UPI_QR)


def test_keypad_enter_key_charges_too(qtbot: QtBot, screen: AmountScreen) -> None:
    type_keys(qtbot, screen, "99")
    assert emitted(qtbot, screen, Qt.Key.Key_Enter).amount == Money(9900)


@pytest.mark.parametrize(
    ("keys", "refusal"),
    [
        ("", "Enter an amount."),
        ("0.99", "The smallest amount is ₹1.00."),
        ("100001", "The largest amount allowed is ₹1,00,000.00."),
    ],
)
def test_bad_amounts_are_refused_and_nothing_is_emitted(
    qtbot: QtBot, screen: AmountScreen, keys: str, refusal: str
) -> None:
    type_keys(qtbot, screen, keys)
    with qtbot.assertNotEmitted(screen.charge_requested):
        qtbot.keyClick(screen, Qt.Key.Key_Return)
    assert screen.refusal.isVisible()
    assert screen.refusal.text() == refusal


def test_configured_maximum_is_used(qtbot: QtBot) -> None:
    screen = AmountScreen(DeskOptions(maximum=Money(500000)))
    qtbot.addWidget(screen)
    screen.show()
    type_keys(qtbot, screen, "5000.01")
    with qtbot.assertNotEmitted(screen.charge_requested):
        qtbot.keyClick(screen, Qt.Key.Key_Return)
    assert screen.refusal.text() == "The largest amount allowed is ₹5,000.00."
    qtbot.keyClick(screen, Qt.Key.Key_Backspace)
    assert emitted(qtbot, screen).amount == Money(500000)


def test_f2_picks_the_payment_link(qtbot: QtBot, screen: AmountScreen) -> None:
    type_keys(qtbot, screen, "300")
    qtbot.keyClick(screen, Qt.Key.Key_F2)
    assert screen.selected_method is Method.LINK
    assert screen.send_sms.isVisible() and not screen.vpa.isVisible()
    assert emitted(qtbot, screen).method is Method.LINK


def test_f3_is_ignored_when_upi_request_is_off(qtbot: QtBot, screen: AmountScreen) -> None:
    assert Method.COLLECT not in screen.method_buttons
    qtbot.keyClick(screen, Qt.Key.Key_F3)
    assert screen.selected_method is Method.UPI_QR
    assert not screen.collect_warning.isVisible()


def collect_screen(qtbot: QtBot) -> AmountScreen:
    options = DeskOptions(methods=(Method.UPI_QR, Method.LINK, Method.COLLECT))
    screen = AmountScreen(options)
    qtbot.addWidget(screen)
    show_active(qtbot, screen)
    return screen


def test_f3_shows_the_vpa_field_and_the_npci_warning(qtbot: QtBot) -> None:
    screen = collect_screen(qtbot)
    assert not screen.vpa.isVisible()
    type_keys(qtbot, screen, "499")
    qtbot.keyClick(screen, Qt.Key.Key_F3)
    assert screen.selected_method is Method.COLLECT
    assert screen.vpa.isVisible()
    assert screen.collect_warning.isVisible()
    assert "NPCI" in screen.collect_warning.text()
    # The VPA field took focus; typing goes there, Enter (propagated) charges.
    assert screen.vpa.hasFocus()
    qtbot.keyClicks(screen.vpa, "Ravi.K@OKAXIS")
    with qtbot.waitSignal(screen.charge_requested, timeout=1000) as blocker:
        qtbot.keyClick(screen.vpa, Qt.Key.Key_Return)
    request = blocker.args[0]
    assert request.method is Method.COLLECT
    assert request.vpa == "ravi.k@okaxis"
    assert request.amount == Money(49900)


def test_upi_request_without_vpa_is_refused(qtbot: QtBot) -> None:
    screen = collect_screen(qtbot)
    type_keys(qtbot, screen, "499")
    with qtbot.assertNotEmitted(screen.charge_requested):
        qtbot.mouseClick(screen.method_buttons[Method.COLLECT], Qt.MouseButton.LeftButton)
    assert "UPI id" in screen.refusal.text()
    assert screen.vpa.property("invalid") is True


def test_details_are_validated_and_normalised(qtbot: QtBot, screen: AmountScreen) -> None:
    type_keys(qtbot, screen, "250")
    screen.bill.setText(" INV-1042 ")
    screen.note.setText("two   shirts")
    screen.phone.setText("+91 98765-43210")
    screen.email.setText("asha@example.in")
    request = emitted(qtbot, screen)
    assert request == ChargeRequest(
        amount=Money(25000),
        method=Method.UPI_QR,
        bill_number="INV-1042",
        note="two shirts",
        phone="9876543210",
        email="asha@example.in",
    )


def test_bad_phone_is_refused_in_plain_words(qtbot: QtBot, screen: AmountScreen) -> None:
    type_keys(qtbot, screen, "250")
    screen.phone.setText("12345")
    with qtbot.assertNotEmitted(screen.charge_requested):
        qtbot.keyClick(screen, Qt.Key.Key_Return)
    assert screen.refusal.text() == "A mobile number has 10 digits; this one has 5."
    assert screen.phone.property("invalid") is True


def test_link_sms_needs_a_phone(qtbot: QtBot, screen: AmountScreen) -> None:
    type_keys(qtbot, screen, "250")
    screen.select_method(Method.LINK)
    screen.send_sms.setChecked(True)
    with qtbot.assertNotEmitted(screen.charge_requested):
        qtbot.keyClick(screen, Qt.Key.Key_Return)
    assert "mobile number" in screen.refusal.text()
    screen.phone.setText("9876543210")
    request = emitted(qtbot, screen)
    assert request.send_sms and not request.send_email
    assert request.phone == "9876543210"


def test_method_button_click_charges_with_that_method(qtbot: QtBot, screen: AmountScreen) -> None:
    type_keys(qtbot, screen, "42")
    with qtbot.waitSignal(screen.charge_requested, timeout=1000) as blocker:
        qtbot.mouseClick(screen.method_buttons[Method.LINK], Qt.MouseButton.LeftButton)
    assert blocker.args[0].method is Method.LINK


def test_reset_clears_everything(qtbot: QtBot, screen: AmountScreen) -> None:
    type_keys(qtbot, screen, "42")
    screen.bill.setText("X1")
    screen.select_method(Method.LINK)
    screen.reset()
    assert screen.amount_text == "₹0.00"
    assert screen.bill.text() == ""
    assert screen.selected_method is Method.UPI_QR


def test_every_control_has_an_accessible_name(screen: AmountScreen) -> None:
    from PySide6.QtWidgets import QAbstractButton, QLineEdit

    controls = screen.findChildren(QAbstractButton) + screen.findChildren(QLineEdit)
    assert len(controls) >= 20
    assert all(c.accessibleName() for c in controls)
