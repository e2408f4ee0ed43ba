"""A real window takes card sales through the real checkout and the simulated Cashfree:
F4, the card form, a wrong OTP (Cashfree's message), resend's cool-down, the right OTP,
PAID; a declined card and another card; the bank page as a QR; the card off by default."""

from __future__ import annotations

import asyncio
import dataclasses
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from desk_drive import LiveDesk, close_desk, decode_qr, open_desk, type_amount
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from pos_app.app import open_runtime
from pos_app.config import load_settings, paths, save_settings
from pos_app.domain.sale import Method, SaleStatus

CARD = "4111111111111111"
SHOTS = os.environ.get("POS_CARD_SHOTS")  # a folder: save what the cashier sees, to look at


def _shot(desk: LiveDesk, name: str) -> None:
    if SHOTS:
        desk.window.grab().save(str(Path(SHOTS) / name))


@pytest.fixture
def card_desk(qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> Iterator[LiveDesk]:
    where = paths()
    save_settings(
        where, dataclasses.replace(load_settings(where).settings, card_payments_enabled=True)
    )
    live = open_desk(qtbot, open_runtime("demo"))
    try:
        yield live
    finally:
        close_desk(qtbot, live)


def _fill_card(qtbot: QtBot, desk: LiveDesk, number: str = CARD) -> None:
    form = desk.window.amount.card_form
    qtbot.keyClicks(form.number, number)
    qtbot.keyClicks(form.expiry, "08/29")
    qtbot.keyClicks(form.cvv, "123")


def _start_card_sale(qtbot: QtBot, desk: LiveDesk, amount: str, number: str = CARD) -> None:
    window = desk.window
    type_amount(qtbot, window.amount, amount)
    qtbot.keyClick(window.amount, Qt.Key.Key_F4)
    assert window.amount.selected_method is Method.CARD
    assert window.amount.card_form.isVisible()
    _fill_card(qtbot, desk, number)
    qtbot.keyClick(window.amount.card_form.cvv, Qt.Key.Key_Return)


def _waiting_for_otp(qtbot: QtBot, desk: LiveDesk) -> None:
    window = desk.window
    qtbot.waitUntil(
        lambda: (
            window.stack.currentWidget() is window.waiting and window.waiting.card.otp.isVisible()
        ),
        timeout=5000,
    )


def test_card_is_absent_unless_switched_on(qtbot: QtBot, desk: LiveDesk) -> None:
    window = desk.window
    assert Method.CARD not in window.amount.method_buttons
    qtbot.keyClick(window.amount, Qt.Key.Key_F4)
    assert window.amount.selected_method is not Method.CARD
    assert not window.amount.card_form.isVisible()


def test_otp_flow_to_paid(qtbot: QtBot, card_desk: LiveDesk) -> None:
    window = card_desk.window
    _start_card_sale(qtbot, card_desk, "499")
    _waiting_for_otp(qtbot, card_desk)
    form = window.amount.card_form
    assert (form.number.text(), form.cvv.text(), form.expiry.text()) == ("", "", "")
    panel = window.waiting.card
    assert panel.label.text() == "Visa •••• 1111"
    assert "OTP" in window.waiting.status.text()
    assert not panel.resend.isEnabled() and "s)" in panel.resend.text()  # cool-down
    _shot(card_desk, "card_otp.png")

    qtbot.keyClicks(panel.otp, "000000")
    qtbot.keyClick(panel.otp, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "2 attempts left" in panel.notice.text(), timeout=5000)
    assert panel.otp.text() == ""
    qtbot.keyClicks(panel.otp, "123456")
    qtbot.mouseClick(panel.submit, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.result, timeout=8000)
    assert window.result.title.text() == "PAID"
    state = window.waiting.state
    assert state is not None
    sale = card_desk.runtime.journal.get_sale(state.order_id)
    assert sale is not None and sale.status is SaleStatus.PAID and sale.payer == "xxxx1111"


def test_declined_then_another_card(qtbot: QtBot, card_desk: LiveDesk) -> None:
    window = card_desk.window
    _start_card_sale(qtbot, card_desk, "250", "4000000000000069")
    panel = window.waiting.card
    qtbot.waitUntil(lambda: panel.another.isVisible(), timeout=5000)
    assert "declined" in panel.notice.text()
    _shot(card_desk, "card_declined.png")
    qtbot.keyClicks(panel.form.number, CARD)
    qtbot.keyClicks(panel.form.expiry, "08/29")
    qtbot.keyClicks(panel.form.cvv, "123")
    qtbot.mouseClick(panel.another, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.otp.isVisible(), timeout=5000)
    assert panel.form.number.text() == ""
    qtbot.keyClicks(panel.otp, "123456")
    qtbot.keyClick(panel.otp, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.result, timeout=8000)
    assert window.result.title.text() == "PAID"


def test_a_bad_card_is_refused_on_the_form(qtbot: QtBot, card_desk: LiveDesk) -> None:
    window = card_desk.window
    _start_card_sale(qtbot, card_desk, "10", "4111111111111112")
    assert window.stack.currentWidget() is window.amount
    assert "not valid" in window.amount.refusal.text()
    assert window.amount.card_form.number.property("invalid") is True


def test_bank_page_is_a_qr_and_the_sale_is_followed(qtbot: QtBot, card_desk: LiveDesk) -> None:
    window = card_desk.window
    _start_card_sale(qtbot, card_desk, "75", "4000000000000002")
    qtbot.waitUntil(
        lambda: window.stack.currentWidget() is window.waiting and window.waiting.qr.has_code(),
        timeout=5000,
    )
    state = window.waiting.state
    assert state is not None and state.card is not None and state.card.bank_page
    assert "3-D Secure" in window.waiting.status.text()
    qtbot.wait(20)
    [payload] = decode_qr(window.waiting)
    assert "/checkout/card/" in payload
    card_desk.runtime.simulator.card_page_acts(payload.rsplit("/", 1)[1], approve=True)  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.result, timeout=8000)
    assert window.result.title.text() == "PAID"


def test_no_otp_switches_to_the_bank_page_qr(qtbot: QtBot, card_desk: LiveDesk) -> None:
    window = card_desk.window
    _start_card_sale(qtbot, card_desk, "88")
    _waiting_for_otp(qtbot, card_desk)
    panel = window.waiting.card
    assert panel.bank_page.isVisible()
    qtbot.mouseClick(panel.bank_page, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.waiting.qr.has_code(), timeout=5000)
    assert not panel.otp.isVisible() and not panel.bank_page.isVisible()
    qtbot.wait(20)
    [payload] = decode_qr(window.waiting)
    assert "/checkout/card/" in payload
    card_desk.runtime.simulator.card_page_acts(payload.rsplit("/", 1)[1], approve=True)  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.result, timeout=8000)
    assert window.result.title.text() == "PAID"


def test_the_customer_types_the_otp_on_the_customer_screen(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    from pos_app.app import runtime_desk_services
    from pos_app.secrets import KeyringSecretStore
    from pos_app.ui.controller import SaleController
    from pos_app.ui.customer_display import CustomerDisplay
    from pos_app.ui.main_window import MainWindow
    from pos_app.ui.options import DeskOptions

    where = paths()
    save_settings(
        where, dataclasses.replace(load_settings(where).settings, card_payments_enabled=True)
    )
    runtime = open_runtime("demo")
    services = runtime_desk_services(runtime, KeyringSecretStore(timeout=3))
    controller = SaleController(runtime.checkout, services.demo_customer)
    customer = CustomerDisplay("Test Store")
    window = MainWindow(
        controller,
        DeskOptions.from_settings(runtime.settings, runtime.environment),
        customer=customer,
        services=services,
    )
    qtbot.addWidget(window)
    qtbot.addWidget(customer)
    window.show()
    customer.show()
    live = LiveDesk(runtime, controller, window)
    try:
        _start_card_sale(qtbot, live, "150")
        qtbot.waitUntil(lambda: customer.otp_row.isVisible(), timeout=5000)
        qtbot.keyClicks(customer.otp, "123456")
        qtbot.mouseClick(customer.otp_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window.stack.currentWidget() is window.result, timeout=8000)
        assert window.result.title.text() == "PAID"
        assert customer.pages.currentWidget() is customer.paid
    finally:
        close_desk(qtbot, live)
