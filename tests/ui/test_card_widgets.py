"""Card widgets on their own: the Settings switch (PIN + acknowledgement), the card form
(checks, then empties itself), the OTP panel (resend cool-down, digits only), the amount
screen's F4 and the waiting screen's bank-page QR."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from pos_app.config import Settings
from pos_app.domain.money import Money
from pos_app.domain.qr import QrCode
from pos_app.domain.sale import Method, SaleStatus
from pos_app.domain.validate import ValidationError
from pos_app.services.checkout.card_prompt import CardPrompt
from pos_app.services.checkout.state import SaleState
from pos_app.services.manager.card_policy import CARD_HELP_URL
from pos_app.services.manager.pin import hash_pin
from pos_app.ui.options import DeskOptions
from pos_app.ui.screens.amount import AmountScreen
from pos_app.ui.screens.waiting import WaitingScreen
from pos_app.ui.setup.pages import PageProblem, TillPage
from pos_app.ui.widgets.card_form import CardForm
from pos_app.ui.widgets.card_panel import CardPanel

NOW = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)
WITH_PIN = dataclasses.replace(Settings(), manager_pin_hash=hash_pin("2580"))


def _prompt(**kw: object) -> CardPrompt:
    values: dict[str, object] = {
        "label": "Visa •••• 1111",
        "needs_otp": True,
        "bank_page": False,
        "otp_message": None,
        "tries_left": 3,
        "resend_at": NOW + timedelta(seconds=30),
        "failed": None,
        "checking": False,
    }
    values.update(kw)
    return CardPrompt(**values)  # type: ignore[arg-type]


# ---- Settings ---------------------------------------------------------------------------------
def test_card_switch_is_off_and_asks_for_the_acknowledgement(qtbot: QtBot) -> None:
    page = TillPage()
    qtbot.addWidget(page)
    page.show()
    page.load(WITH_PIN)
    switch = page.card
    assert not switch.enable.isChecked() and not switch.notice.isVisible()
    assert page.apply(WITH_PIN).card_payments_enabled is False
    switch.enable.click()
    assert switch.notice.isVisible() and switch.confirm.isVisible()
    assert "PCI DSS" in switch.notice.text() and CARD_HELP_URL in switch.notice.text()
    with pytest.raises(PageProblem) as caught:
        page.apply(WITH_PIN)
    assert caught.value.widget is switch.confirm
    switch.confirm.click()
    assert page.apply(WITH_PIN).card_payments_enabled is True


def test_card_switch_needs_a_manager_pin(qtbot: QtBot) -> None:
    page = TillPage()
    qtbot.addWidget(page)
    page.load(Settings())
    page.card.enable.click()
    page.card.confirm.click()
    with pytest.raises(PageProblem) as caught:
        page.apply(Settings())
    assert "manager PIN" in caught.value.message


def test_card_switch_already_on_asks_nothing_and_goes_off_freely(qtbot: QtBot) -> None:
    page = TillPage()
    qtbot.addWidget(page)
    page.show()
    on = dataclasses.replace(WITH_PIN, card_payments_enabled=True)
    page.load(on)
    assert page.card.enable.isChecked() and not page.card.notice.isVisible()
    assert page.apply(on).card_payments_enabled is True
    page.card.enable.click()
    assert page.apply(on).card_payments_enabled is False


# ---- the card form ------------------------------------------------------------------------------
def test_card_form_checks_then_empties_itself(qtbot: QtBot) -> None:
    form = CardForm(today=lambda: date(2026, 11, 26))
    qtbot.addWidget(form)
    form.show()
    qtbot.keyClicks(form.number, "4111 1111 1111 1111")
    qtbot.keyClicks(form.expiry, "10/26")
    qtbot.keyClicks(form.cvv, "123")
    with pytest.raises(ValidationError):
        form.take_card()
    assert form.expiry.property("invalid") is True and form.number.text()
    form.expiry.setText("08/29")
    card = form.take_card()
    assert repr(card) == "CardDetails(Visa •••• 1111)"
    assert [e.text() for e in form.fields.values()] == ["", "", "", ""]
    assert form.cvv.echoMode() is form.cvv.EchoMode.Password


# ---- the OTP panel --------------------------------------------------------------------------------
def test_otp_panel_cool_down_and_digits_only(qtbot: QtBot) -> None:
    now = [NOW]
    panel = CardPanel(clock=lambda: now[0])
    qtbot.addWidget(panel)
    panel.show()
    panel.show_prompt(_prompt())
    assert panel.otp.isVisible() and not panel.form.isVisible()
    assert not panel.resend.isEnabled() and panel.resend.text() == "Send OTP again (30 s)"
    now[0] = NOW + timedelta(seconds=30)
    panel._tick()
    assert panel.resend.isEnabled()
    with qtbot.waitSignal(panel.resend_requested):
        panel.resend.click()
    qtbot.keyClicks(panel.otp, "12ab34")
    assert panel.otp.text() == "1234"
    with qtbot.waitSignal(panel.otp_submitted) as sent:
        panel.submit.click()
    assert sent.args == ["1234"] and panel.otp.text() == ""


def test_otp_panel_offers_another_card_after_a_failure(qtbot: QtBot) -> None:
    panel = CardPanel(clock=lambda: NOW)
    qtbot.addWidget(panel)
    panel.show()
    panel.show_prompt(_prompt(needs_otp=False, failed="The card was declined."))
    assert panel.form.isVisible() and panel.another.isVisible() and not panel.otp.isVisible()
    assert "declined" in panel.notice.text()
    panel.another.click()  # empty form: refused on the panel, nothing emitted
    assert "card number" in panel.notice.text().lower()
    panel.show_prompt(_prompt(needs_otp=False, failed="x"), final=True)
    assert not panel.form.isVisible()


# ---- the screens ----------------------------------------------------------------------------------
def test_f4_picks_card_only_when_offered(qtbot: QtBot) -> None:
    without = AmountScreen(DeskOptions(methods=(Method.UPI_QR, Method.LINK)))
    qtbot.addWidget(without)
    qtbot.keyClick(without, Qt.Key.Key_F4)
    assert without.selected_method is Method.UPI_QR
    screen = AmountScreen(DeskOptions(methods=(Method.UPI_QR, Method.CARD)))
    qtbot.addWidget(screen)
    screen.show()
    qtbot.keyClick(screen, Qt.Key.Key_F4)
    assert screen.selected_method is Method.CARD and screen.card_form.isVisible()
    assert screen.method_buttons[Method.CARD].text() == "Card (F4)"


def test_options_offer_card_only_when_switched_on() -> None:
    off = DeskOptions.from_settings(Settings(enabled_methods=("upi-qr", "card")), "demo")
    assert Method.CARD not in off.methods
    on = DeskOptions.from_settings(Settings(card_payments_enabled=True), "demo")
    assert on.methods[-1] is Method.CARD


def test_waiting_screen_shows_the_bank_page_qr_and_no_empty_qr(qtbot: QtBot) -> None:
    screen = WaitingScreen(clock=lambda: NOW)
    qtbot.addWidget(screen)
    screen.show()
    base = SaleState(
        order_id="T1-1",
        amount=Money(49900),
        method=Method.CARD,
        status=SaleStatus.AWAITING_PAYMENT,
        message="Enter the OTP",
        card=_prompt(),
    )
    screen.show_state(base)
    assert not screen.qr.isVisible() and screen.card.isVisible()
    url = "http://127.0.0.1:8790/checkout/card/5114910000001"
    page = dataclasses.replace(
        base, qr=QrCode.encode(url), qr_text=url, card=_prompt(needs_otp=False, bank_page=True)
    )
    screen.show_state(page)
    assert screen.qr.isVisible() and screen.qr.has_code() and not screen.card.otp.isVisible()
    assert "bank's own page" in screen.instruction.text()


def test_customer_display_tells_a_card_customer_what_to_do(qtbot: QtBot) -> None:
    from pos_app.ui import text as ui_text
    from pos_app.ui.customer_display import CustomerDisplay

    customer = CustomerDisplay("Test Store")
    qtbot.addWidget(customer)
    state = SaleState(
        order_id="T1-2",
        amount=Money(49900),
        method=Method.CARD,
        status=SaleStatus.AWAITING_PAYMENT,
        message="",
        card=_prompt(),
    )
    customer.show_state(state)
    assert customer.instruction.text() == ui_text.CUSTOMER_CARD_OTP
    assert not customer.qr.isVisibleTo(customer)
    url = "http://127.0.0.1:8790/checkout/card/1"
    bank = dataclasses.replace(
        state, qr=QrCode.encode(url), card=_prompt(needs_otp=False, bank_page=True)
    )
    customer.show_state(bank)
    assert customer.instruction.text() == ui_text.CUSTOMER_BANK_PAGE
    assert customer.qr.isVisibleTo(customer)
    assert not customer.otp_row.isVisibleTo(customer)


def test_the_customer_can_type_the_otp_on_their_screen(qtbot: QtBot) -> None:
    from pos_app.ui.customer_display import CustomerDisplay

    customer = CustomerDisplay("Test Store")
    qtbot.addWidget(customer)
    customer.show()
    state = SaleState(
        order_id="T1-3",
        amount=Money(1000),
        method=Method.CARD,
        status=SaleStatus.AWAITING_PAYMENT,
        message="",
        card=_prompt(),
    )
    customer.show_state(state)
    assert customer.otp_row.isVisible()
    qtbot.keyClicks(customer.otp, "123456")
    with qtbot.waitSignal(customer.otp_submitted) as sent:
        qtbot.keyClick(customer.otp, Qt.Key.Key_Return)
    assert sent.args == ["123456"] and customer.otp.text() == ""
    customer.show_state(dataclasses.replace(state, status=SaleStatus.PAID))
    assert customer.pages.currentWidget() is customer.paid
