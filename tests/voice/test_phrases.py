"""When the till speaks, and what it says about which sale."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pos_app.domain.money import Money
from pos_app.domain.sale import Method, SaleStatus
from pos_app.services.checkout.state import SaleState
from pos_app.voice.phrases import VoiceOptions, at_counter, away_from_counter

PAID = SaleState(
    order_id="T1-261203101500-QX7P4K",
    amount=Money(450_00),
    method=Method.UPI_QR,
    status=SaleStatus.PAID,
    message="Paid",
    bill_number="42",
)
ON = VoiceOptions()


@pytest.mark.parametrize(
    "status", [s for s in SaleStatus if s is not SaleStatus.PAID], ids=lambda s: s.value
)
def test_nothing_is_said_before_paid(status: SaleStatus) -> None:
    state = replace(PAID, status=status)
    assert at_counter(state, ON) is None
    assert away_from_counter(state, ON, other_qr_on_screen=False) is None


def test_nothing_is_said_when_the_voice_is_off() -> None:
    off = VoiceOptions(enabled=False)
    assert at_counter(PAID, off) is None
    assert away_from_counter(PAID, off, other_qr_on_screen=True) is None


def test_the_counter_sale_says_the_amount_and_the_bill_only_when_asked() -> None:
    said = at_counter(PAID, ON)
    assert said is not None
    assert said.text("en") == "Four hundred fifty rupees received."
    assert said.text("hi") == "चार सौ पचास रुपये प्राप्त हुए।"
    with_bill = at_counter(PAID, replace(ON, say_bill=True))
    assert with_bill is not None
    assert with_bill.text("en") == "Four hundred fifty rupees received, bill four two."


def test_a_late_payment_is_said_differently() -> None:
    said = away_from_counter(replace(PAID, late=True), ON, other_qr_on_screen=False)
    assert said is not None
    assert said.text("en") == "Late payment received: four hundred fifty rupees."
    assert said.text("hi").startswith("देर से भुगतान प्राप्त हुआ")


def test_a_background_sale_paid_in_time_is_received_not_late() -> None:
    said = away_from_counter(PAID, ON, other_qr_on_screen=True)
    assert said is not None
    assert said.text("en") == "Four hundred fifty rupees received, bill four two."


def test_with_another_customer_s_qr_on_screen_the_sale_is_named() -> None:
    said = away_from_counter(replace(PAID, late=True), ON, other_qr_on_screen=True)
    assert said is not None
    assert said.text("en") == "Late payment received: four hundred fifty rupees, for bill four two."
    no_bill = away_from_counter(
        replace(PAID, bill_number=None, late=True), ON, other_qr_on_screen=True
    )
    assert no_bill is not None
    assert no_bill.text("en") == (
        "Late payment received: four hundred fifty rupees, for order ending seven P four K."
    )
    assert no_bill.text("hi").endswith("ऑर्डर, अंत में सात P चार K के लिए।")


def test_options_from_settings_fall_back_to_defaults_on_nonsense() -> None:
    class Odd:
        voice = True
        voice_language = "xx"
        voice_volume = 900
        voice_say_bill = True

    options = VoiceOptions.from_settings(Odd())
    assert options == VoiceOptions(enabled=True, language="en", volume=80, say_bill=True)
