"""The result screen: PAID unmistakable; the others say why and offer the right next step."""

from __future__ import annotations

import pytest
from desk_kit import final_state
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from pos_app.domain.sale import SaleStatus
from pos_app.ui.screens.result import ResultScreen


@pytest.fixture
def screen(qtbot: QtBot) -> ResultScreen:
    widget = ResultScreen()
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_paid_shows_amount_utr_method_and_time(screen: ResultScreen) -> None:
    state = final_state(SaleStatus.PAID, bill_number="INV-7")
    screen.show_state(state)
    assert screen.title.text() == "PAID"
    assert screen.property("kind") == "paid"
    assert screen.amount.text() == "₹1,250.50"
    details = screen.details.text()
    assert "UTR / bank reference: 612345678901" in details
    assert "Method: UPI QR (upi)" in details
    assert state.paid_at is not None
    assert f"Paid at {state.paid_at.astimezone():%H:%M:%S}" in details
    assert "Bill INV-7" in details
    assert not screen.reason.isVisible()
    assert not screen.try_again.isVisible()
    assert screen.new_sale.isVisible()


def test_paid_stays_until_the_next_sale_is_typed(qtbot: QtBot, screen: ResultScreen) -> None:
    screen.show_state(final_state(SaleStatus.PAID))
    assert not screen.auto_timer.isActive()
    with qtbot.assertNotEmitted(screen.new_sale_requested, wait=300):
        pass
    with qtbot.waitSignal(screen.next_sale_typed, timeout=200) as typed:
        qtbot.keyClicks(screen, "4")
    assert typed.args == ["4"]


def test_enter_starts_a_new_sale_at_once(qtbot: QtBot, screen: ResultScreen) -> None:
    screen.show_state(final_state(SaleStatus.PAID))
    with qtbot.waitSignal(screen.new_sale_requested, timeout=100):
        qtbot.keyClick(screen, Qt.Key.Key_Return)


@pytest.mark.parametrize(
    ("status", "title", "kind"),
    [
        (SaleStatus.EXPIRED, "Payment expired", "ended"),
        (SaleStatus.CANCELLED, "Payment cancelled", "ended"),
        (SaleStatus.FAILED, "Payment failed", "failed"),
    ],
)
def test_unpaid_endings_say_why_and_offer_try_again(
    qtbot: QtBot, screen: ResultScreen, status: SaleStatus, title: str, kind: str
) -> None:
    screen.show_state(final_state(status, message="Cashier cancelled it."))
    assert screen.title.text() == title
    assert screen.property("kind") == kind
    assert screen.reason.isVisible() and screen.reason.text() == "Cashier cancelled it."
    assert not screen.details.isVisible()
    assert screen.try_again.isVisible() and screen.new_sale.isVisible()
    assert not screen.auto_timer.isActive()
    with qtbot.waitSignal(screen.try_again_requested, timeout=500):
        qtbot.mouseClick(screen.try_again, Qt.MouseButton.LeftButton)
    with qtbot.assertNotEmitted(screen.new_sale_requested, wait=300):
        pass  # no automatic return: the cashier must read why


def test_gateway_error_wording_wins_over_the_message(screen: ResultScreen) -> None:
    screen.show_state(
        final_state(
            SaleStatus.FAILED, message="Failed.", error="Cashfree refused. (request id: r1)"
        )
    )
    assert screen.reason.text() == "Cashfree refused. (request id: r1)"


def test_expired_without_message_gets_a_default_reason(screen: ResultScreen) -> None:
    screen.show_state(final_state(SaleStatus.EXPIRED, message=""))
    assert "did not pay before the order expired" in screen.reason.text()


def test_uncertain_never_offers_try_again(screen: ResultScreen) -> None:
    """Money may still arrive for an unconfirmed order: charging again could take it twice."""
    screen.show_state(final_state(SaleStatus.UNCERTAIN, message=""))
    assert screen.title.text() == "Not confirmed yet"
    assert not screen.try_again.isVisible()
    assert "keeps checking" in screen.reason.text()


def test_link_fallback_button_on_a_refused_qr(qtbot: QtBot, screen: ResultScreen) -> None:
    screen.show_state(final_state(SaleStatus.FAILED, link_fallback=True))
    assert screen.fallback.isVisible()
    with qtbot.waitSignal(screen.fallback_requested, timeout=500):
        qtbot.mouseClick(screen.fallback, Qt.MouseButton.LeftButton)
