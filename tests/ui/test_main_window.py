"""The main window routes states to screens and keeps the header, banners and demo honest."""

from __future__ import annotations

from datetime import timedelta

import pytest
from desk_kit import NOW, FakeCheckout, final_state, offline, waiting_state
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from pos_app.domain.money import Money
from pos_app.domain.sale import Method, Sale, SaleStatus
from pos_app.services.checkout.state import ChargeRequest
from pos_app.ui.announcements import Announcer
from pos_app.ui.controller import DuplicateWarning, SaleController
from pos_app.ui.customer_display import CustomerDisplay
from pos_app.ui.main_window import MainWindow
from pos_app.ui.options import DeskOptions


class CountingSound:
    def __init__(self) -> None:
        self.played = 0

    def paid(self) -> None:
        self.played += 1


class IdleCustomer:
    """A demo customer nobody moves (the demo buttons only need one to exist)."""

    async def pay(self, order_id: str) -> None:
        raise AssertionError("not pressed in these tests")

    decline = walk_away = pay


def make_window(
    qtbot: QtBot,
    checkout: FakeCheckout,
    environment: str = "sandbox",
    demo_customer: IdleCustomer | None = None,
    **kwargs: object,
) -> MainWindow:
    options = DeskOptions(
        store_name="Sharma General Store", terminal_id="T1", environment=environment
    )
    controller = SaleController(checkout, demo_customer)
    window = MainWindow(controller, options, clock=lambda: NOW, **kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.resize(1024, 600)
    window.show()
    return window


@pytest.fixture
def sound() -> CountingSound:
    return CountingSound()


@pytest.fixture
def window(qtbot: QtBot, checkout: FakeCheckout, sound: CountingSound) -> MainWindow:
    return make_window(qtbot, checkout, sound=sound)


def test_header_shows_store_till_environment_and_connection(window: MainWindow) -> None:
    assert window.header.store.text() == "Sharma General Store · till T1"
    assert window.header.badge.text() == "SANDBOX"
    assert window.header.badge.property("env") == "sandbox"
    assert window.header.connection.text() == "Online"
    assert window.header.open_count.text() == "No open payments"
    assert "SANDBOX" in window.windowTitle()


def test_open_payment_count_follows_the_checkout(
    qtbot: QtBot, window: MainWindow, checkout: FakeCheckout
) -> None:
    checkout.open_count = 3
    qtbot.waitUntil(lambda: window.header.open_count.text() == "3 open payments", timeout=3000)


@pytest.mark.parametrize(("env", "badge"), [("demo", "DEMO"), ("production", "PRODUCTION")])
def test_environment_badges(qtbot: QtBot, checkout: FakeCheckout, env: str, badge: str) -> None:
    window = make_window(qtbot, checkout, env)
    assert window.header.badge.text() == badge
    assert window.header.badge.property("env") == ("demo" if env == "demo" else "plain")


def test_demo_controls_only_in_demo_with_a_demo_customer(
    qtbot: QtBot, checkout: FakeCheckout
) -> None:
    assert make_window(qtbot, checkout, "demo", IdleCustomer()).demo.isVisible()
    assert not make_window(qtbot, checkout, "demo", None).demo.isVisible()
    assert not make_window(qtbot, FakeCheckout(), "sandbox", IdleCustomer()).demo.isVisible()


def test_demo_buttons_work_only_while_the_customer_pays(
    qtbot: QtBot, checkout: FakeCheckout
) -> None:
    window = make_window(qtbot, checkout, "demo", IdleCustomer())
    names = {b.text() for b in window.demo.buttons.values()}
    assert names == {"Customer pays", "Customer's payment fails", "Customer walks away"}
    assert not any(b.isEnabled() for b in window.demo.buttons.values())
    window.show_state(waiting_state())
    assert all(b.isEnabled() for b in window.demo.buttons.values())
    window.show_state(final_state(SaleStatus.PAID))
    assert not any(b.isEnabled() for b in window.demo.buttons.values())


def test_waiting_states_go_to_the_waiting_screen(window: MainWindow) -> None:
    assert window.stack.currentWidget() is window.amount
    window.show_state(waiting_state(offline=offline()))
    assert window.stack.currentWidget() is window.waiting
    assert window.waiting.amount.text() == "₹1,250.50"
    assert window.header.connection.text().startswith("Offline · next try ")
    window.show_state(waiting_state())
    assert window.header.connection.text() == "Online"


def test_paid_goes_to_the_result_and_chimes_once(window: MainWindow, sound: CountingSound) -> None:
    window.show_state(waiting_state())
    window.show_state(final_state(SaleStatus.PAID))
    assert window.stack.currentWidget() is window.result
    assert window.result.title.text() == "PAID"
    assert sound.played == 1
    window.show_state(final_state(SaleStatus.PAID))  # the same news again (e.g. from cancel)
    assert sound.played == 1


def test_new_sale_from_the_result_screen(qtbot: QtBot, window: MainWindow) -> None:
    window.amount._key("5")
    window.show_state(final_state(SaleStatus.EXPIRED))
    qtbot.mouseClick(window.result.new_sale, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.amount
    assert window.amount.amount_text == "₹0.00"


def test_a_stream_that_stops_early_is_shown_as_not_confirmed(window: MainWindow) -> None:
    window.show_state(waiting_state())
    window._sale_ended(waiting_state())
    assert window.stack.currentWidget() is window.result
    assert window.result.title.text() == "Not confirmed yet"
    assert not window.result.try_again.isVisible()


def test_an_uncertain_ending_keeps_the_services_words(window: MainWindow) -> None:
    window.show_state(waiting_state())
    window._sale_ended(waiting_state(status=SaleStatus.UNCERTAIN, message="Cancel not confirmed."))
    assert window.result.title.text() == "Not confirmed yet"
    assert window.result.reason.text() == "Cancel not confirmed."


def test_a_refusal_before_the_sale_stays_on_the_amount_screen(window: MainWindow) -> None:
    window.controller.error.emit("Cashfree needs a customer mobile number.")
    window._sale_ended(None)
    assert window.stack.currentWidget() is window.amount
    assert window.amount.refusal.text() == "Cashfree needs a customer mobile number."


def test_errors_during_a_sale_show_in_the_problem_banner(window: MainWindow) -> None:
    window.show_state(waiting_state())
    window.controller.error.emit("Something went wrong inside the till.")
    assert window.problem.isVisible()
    assert window.problem.label.text() == "Something went wrong inside the till."


def test_notice_is_shown_once_and_can_be_dismissed(qtbot: QtBot, checkout: FakeCheckout) -> None:
    window = make_window(qtbot, checkout, notice="Settings were reset to defaults.")
    assert window.notice.isVisible()
    assert window.notice.label.text() == "Settings were reset to defaults."
    qtbot.mouseClick(window.notice.dismiss, Qt.MouseButton.LeftButton)
    assert not window.notice.isVisible()


def test_missing_credentials_offer_the_demo(qtbot: QtBot, checkout: FakeCheckout) -> None:
    asked: list[bool] = []
    window = make_window(
        qtbot,
        checkout,
        "production",
        credentials_missing=True,
        on_try_demo=lambda: asked.append(True),
    )
    assert window.setup.isVisible()
    assert "no Cashfree App ID and secret for production" in window.setup.label.text()
    qtbot.mouseClick(window.setup.action, Qt.MouseButton.LeftButton)
    assert asked == [True]


def test_missing_credentials_in_demo_explain_the_demo(qtbot: QtBot, checkout: FakeCheckout) -> None:
    window = make_window(qtbot, checkout, "demo", IdleCustomer(), credentials_missing=True)
    assert "runs in DEMO mode" in window.setup.label.text()
    assert not window.setup.action.isVisible()


def test_late_payments_must_be_acknowledged_one_by_one(qtbot: QtBot, window: MainWindow) -> None:
    late = final_state(SaleStatus.PAID, late=True, order_id="T1-A", bill_number="B-9")
    window.controller.late_payment.emit(late)
    window.controller.late_payment.emit(final_state(SaleStatus.PAID, late=True, order_id="T1-B"))
    box = window.announcer.late_box
    assert box is not None and box.isVisible()
    assert "₹1,250.50 for order T1-A (bill B-9) arrived after the sale" in box.informativeText()
    assert window.announcer.pending_late == 2
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    assert window.announcer.late_box is box and box.isVisible()
    [ack] = [b for b in box.findChildren(QPushButton) if b.text() == "I have noted it"]
    ack.click()
    second = window.announcer.late_box
    assert second is not None and second is not box
    assert "T1-B" in second.informativeText()
    [ack] = [b for b in second.findChildren(QPushButton) if b.text() == "I have noted it"]
    ack.click()
    assert window.announcer.late_box is None and window.announcer.pending_late == 0


def previous_sale(minutes_ago: int) -> Sale:
    return Sale(
        order_id="T1-OLD",
        terminal_id="T1",
        environment="sandbox",
        amount=Money(125050),
        method=Method.UPI_QR,
        status=SaleStatus.PAID,
        idempotency_key="k",
        created_at=NOW - timedelta(minutes=minutes_ago + 1),
        updated_at=NOW - timedelta(minutes=minutes_ago),
        paid_at=NOW - timedelta(minutes=minutes_ago),
    )


def test_duplicate_charge_question(qtbot: QtBot, window: MainWindow) -> None:
    announcer = Announcer(window, clock=lambda: NOW)
    request = ChargeRequest(amount=Money(125050), method=Method.UPI_QR)
    answers: list[str] = []
    announcer.ask_duplicate(
        DuplicateWarning(request, previous_sale(3), 3.0), lambda: answers.append("yes")
    )
    box = announcer.duplicate_box
    assert box is not None and box.isVisible()
    assert box.text() == "₹1,250.50 was paid at this till 3 minutes ago. Charge again?"
    [no] = [b for b in box.findChildren(QPushButton) if b.text() == "Don't charge"]
    no.click()
    assert answers == []
    announcer.ask_duplicate(
        DuplicateWarning(request, previous_sale(0)), lambda: answers.append("yes")
    )
    box = announcer.duplicate_box
    assert box is not None
    assert "less than a minute ago" in box.text()
    [yes] = [b for b in box.findChildren(QPushButton) if b.text() == "Charge again"]
    yes.click()
    assert answers == ["yes"]


def test_customer_display_follows_the_sale(qtbot: QtBot, checkout: FakeCheckout) -> None:
    customer = CustomerDisplay("Sharma General Store")
    qtbot.addWidget(customer)
    window = make_window(qtbot, checkout, customer=customer)
    assert customer.pages.currentWidget() is customer.welcome
    window.show_state(waiting_state())
    assert customer.pages.currentWidget() is customer.paying
    assert customer.amount.text() == "₹1,250.50"
    assert customer.qr.has_code()
    window.show_state(final_state(SaleStatus.PAID))
    assert customer.pages.currentWidget() is customer.paid
    assert customer.paid_title.text() == "Payment received. Thank you!"
    window.new_sale()
    assert customer.pages.currentWidget() is customer.welcome
    window.show_state(final_state(SaleStatus.CANCELLED))
    assert customer.pages.currentWidget() is customer.welcome


def test_fits_a_1024x600_till(window: MainWindow) -> None:
    hint = window.centralWidget().minimumSizeHint()
    assert hint.width() <= 1024 and hint.height() <= 600
    window.show_state(waiting_state())
    hint = window.centralWidget().minimumSizeHint()
    assert hint.width() <= 1024 and hint.height() <= 600


def test_every_control_everywhere_has_an_accessible_name(
    qtbot: QtBot, checkout: FakeCheckout
) -> None:
    from PySide6.QtWidgets import QAbstractButton, QLineEdit

    window = make_window(qtbot, checkout, "demo", IdleCustomer())
    controls = window.findChildren(QAbstractButton) + window.findChildren(QLineEdit)
    assert len(controls) > 30
    assert [c for c in controls if not c.accessibleName()] == []
