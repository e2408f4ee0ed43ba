"""Send SMS / e-mail for a payment link, end to end: the real window, the real checkout, the
simulated Cashfree. Cashfree has no "send again" call, so the link on screen is closed and
a new one for the same amount is made with Cashfree's SMS / e-mail switched on; a payment
that arrived meanwhile wins."""

from __future__ import annotations

from desk_drive import LiveDesk, type_amount
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from pos_app.domain.money import Money
from pos_app.domain.sale import Method, SaleStatus
from pos_app.services.checkout.state import SaleState
from pos_app.ui.widgets.send_link import RESENDING, SendLinkDialog


def start_link_sale(qtbot: QtBot, desk: LiveDesk, rupees: str) -> str:
    window = desk.window
    type_amount(qtbot, window.amount, rupees)
    qtbot.keyClick(window.amount, Qt.Key.Key_F2)
    qtbot.keyClick(window.amount, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: window.stack.currentWidget() is window.waiting and window.waiting.qr.has_code(),
        timeout=3000,
    )
    state = window.waiting.state
    assert state is not None and state.method is Method.LINK and state.link_url
    assert window.waiting.send_button.isVisible()
    return state.order_id


def ask_to_send(qtbot: QtBot, desk: LiveDesk, phone: str, email: str) -> SendLinkDialog:
    waiting = desk.window.waiting
    qtbot.mouseClick(waiting.send_button, Qt.MouseButton.LeftButton)
    dialog = waiting.send_dialog
    assert dialog is not None
    dialog.phone.setText(phone)
    dialog.email.setText(email)
    return dialog


def wait_for_new_link(qtbot: QtBot, desk: LiveDesk, old_id: str) -> SaleState:
    """The new link sale is on screen and exists at Cashfree (AWAITING_PAYMENT)."""
    waiting = desk.window.waiting
    qtbot.waitUntil(
        lambda: (
            waiting.state is not None
            and waiting.state.order_id != old_id
            and waiting.state.status is SaleStatus.AWAITING_PAYMENT
        ),
        timeout=5000,
    )
    assert waiting.state is not None
    return waiting.state


def test_send_closes_the_link_and_cashfree_sends_a_new_one(qtbot: QtBot, desk: LiveDesk) -> None:
    window, sim = desk.window, desk.runtime.simulator
    assert sim is not None
    old_id = start_link_sale(qtbot, desk, "640")
    screens: list[object] = []
    window.stack.currentChanged.connect(lambda _: screens.append(window.stack.currentWidget()))

    dialog = ask_to_send(qtbot, desk, "98765 43210", "asha@example.in")
    qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    assert window.waiting.status.text() == RESENDING
    assert not window.waiting.cancel_button.isEnabled()

    new = wait_for_new_link(qtbot, desk, old_id)
    assert new.method is Method.LINK and new.amount == Money(64000)
    assert window.result not in screens, "the old link's CANCELLED was flashed on screen"
    assert not window.problem.isVisible()

    old = desk.runtime.journal.get_sale(old_id)
    assert old is not None and old.status is SaleStatus.CANCELLED
    assert sim.link(old_id)["link_status"] == "CANCELLED"
    sale = desk.runtime.journal.get_sale(new.order_id)
    assert sale is not None and sale.amount == Money(64000) and sale.method is Method.LINK
    assert (sale.customer_phone, sale.customer_email) == ("9876543210", "asha@example.in")
    sent = sim.link_notifications(new.order_id)["notifications"]
    assert {(n["channel"], n["to"]) for n in sent} == {
        ("sms", "9876543210"),
        ("email", "asha@example.in"),
    }
    assert all(n["link_url"] == new.link_url for n in sent)
    assert window.waiting.link_note.text() == "Link sent to 9876543210 and asha@example.in"

    # The new link is paid like any other.
    qtbot.mouseClick(window.demo.buttons["customer_pays"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.result.title.text() == "PAID", timeout=5000)
    paid = desk.runtime.journal.get_sale(new.order_id)
    assert paid is not None and paid.status is SaleStatus.PAID


def test_an_email_alone_sends_no_sms(qtbot: QtBot, desk: LiveDesk) -> None:
    sim = desk.runtime.simulator
    assert sim is not None
    old_id = start_link_sale(qtbot, desk, "75")
    dialog = ask_to_send(qtbot, desk, "", "ravi@example.com")
    qtbot.keyClick(dialog.email, Qt.Key.Key_Return)
    new = wait_for_new_link(qtbot, desk, old_id)
    sent = sim.link_notifications(new.order_id)
    assert sent["link_notify"] == {"send_sms": False, "send_email": True}
    assert [(n["channel"], n["to"]) for n in sent["notifications"]] == [
        ("email", "ravi@example.com")
    ]
    sale = desk.runtime.journal.get_sale(new.order_id)
    assert sale is not None and sale.customer_email == "ravi@example.com"
    assert sale.customer_phone is None  # as before: the store's default number is used


def test_a_payment_that_arrived_first_wins(qtbot: QtBot, desk: LiveDesk) -> None:
    window, sim = desk.window, desk.runtime.simulator
    assert sim is not None
    old_id = start_link_sale(qtbot, desk, "300")
    dropped: list[object] = []
    desk.controller.replacement_dropped.connect(dropped.append)
    # The customer pays the link on their phone; the till has not polled yet.
    sim.customer_pays(old_id)
    dialog = ask_to_send(qtbot, desk, "9123456789", "")
    qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    assert desk.controller.replacing

    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.result, timeout=5000)
    assert window.result.title.text() == "PAID"
    assert window.result.amount.text() == "₹300.00"
    qtbot.wait(200)  # nothing else may start after the sale ended
    assert not desk.controller.busy and not desk.controller.replacing
    assert [getattr(s, "status", None) for s in dropped] == [SaleStatus.PAID]
    assert window.stack.currentWidget() is window.result
    assert not window.problem.isVisible()
    sale = desk.runtime.journal.get_sale(old_id)
    assert sale is not None and sale.status is SaleStatus.PAID
    assert [s.order_id for s in desk.runtime.journal.open_sales()] == []
    assert sim.link_notifications(old_id)["notifications"] == []


def test_bad_input_never_touches_the_sale(qtbot: QtBot, desk: LiveDesk) -> None:
    window = desk.window
    old_id = start_link_sale(qtbot, desk, "50")
    dialog = ask_to_send(qtbot, desk, "55555", "")
    qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.refusal.isVisible()
    assert "10 digits" in dialog.refusal.text()
    qtbot.mouseClick(dialog.keep_button, Qt.MouseButton.LeftButton)
    qtbot.wait(100)
    state = window.waiting.state
    assert state is not None and state.order_id == old_id
    assert state.status is SaleStatus.AWAITING_PAYMENT
    assert window.waiting.cancel_button.isEnabled()
    sale = desk.runtime.journal.get_sale(old_id)
    assert sale is not None and sale.status is SaleStatus.AWAITING_PAYMENT
