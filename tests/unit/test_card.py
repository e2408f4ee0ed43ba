"""Card checks (Luhn, expiry, CVV, name, OTP) and the CardDetails value that never shows
its data; plus the log redaction of anything shaped like a card number."""

from __future__ import annotations

import copy
import pickle
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos_app.domain.card import (
    CardCleared,
    CardDetails,
    card_cvv,
    card_expiry,
    card_holder,
    card_number,
    luhn_ok,
    network_of,
    otp,
    parse_card,
)
from pos_app.domain.validate import ValidationError
from pos_app.logs import RedactionFilter

TODAY = date(2026, 11, 26)
NUMBER = "4111111111111111"


@pytest.mark.parametrize(
    "text",
    ["4111 1111 1111 1111", "4111-1111-1111-1111", " 4111111111111111 ", "5105105105105100"],
)
def test_good_card_numbers(text: str) -> None:
    assert luhn_ok(card_number(text))


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "Enter the card number"),
        ("4111 1111 1111 111a", "digits only"),
        ("41111111111", "12 to 19 digits; this one has 11"),
        ("4111111111111112", "not valid"),
        ("４１１１１１１１１１１１１１１１", "digits only"),
    ],
)
def test_bad_card_numbers_say_why_without_repeating_the_number(text: str, says: str) -> None:
    with pytest.raises(ValidationError) as caught:
        card_number(text)
    assert caught.value.field == "card_number"
    assert says in caught.value.message
    assert "4111" not in caught.value.message


@given(st.text(alphabet="0123456789", min_size=12, max_size=18))
def test_exactly_one_check_digit_completes_any_number(prefix: str) -> None:
    assert sum(luhn_ok(prefix + d) for d in "0123456789") == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [("08/29", (8, 2029)), ("8/29", (8, 2029)), ("11 / 2026", (11, 2026)), ("12/26", (12, 2026))],
)
def test_expiry(text: str, expected: tuple[int, int]) -> None:
    assert card_expiry(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "MM/YY"),
        ("0829", "MM/YY"),
        ("13/29", "01 to 12"),
        ("10/26", "expired"),
        ("01/60", "too far"),
    ],
)
def test_bad_expiry(text: str, says: str) -> None:
    with pytest.raises(ValidationError) as caught:
        card_expiry(text, TODAY)
    assert says in caught.value.message


@pytest.mark.parametrize("text", ["", "12", "12345", "12a"])
def test_bad_cvv(text: str) -> None:
    with pytest.raises(ValidationError):
        card_cvv(text)


def test_cvv_and_name() -> None:
    assert card_cvv(" 123 ") == "123" and card_cvv("1234") == "1234"
    assert card_holder("  asha   rao ") == "asha rao"
    assert card_holder("") is None
    with pytest.raises(ValidationError):
        card_holder("<script>")


@pytest.mark.parametrize(("text", "good"), [("123456", True), ("1234", True), ("12", False)])
def test_otp(text: str, good: bool) -> None:
    if good:
        assert otp(text) == text
    else:
        with pytest.raises(ValidationError):
            otp(text)


def test_networks() -> None:
    assert network_of("4111111111111111") == "Visa"
    assert network_of("5105105105105100") == "Mastercard"
    assert network_of("2221000000000009") == "Mastercard"
    assert network_of("6074825972083818") == "RuPay"
    assert network_of("378282246310005") == "Amex"


def test_card_details_never_show_the_data_and_clear_for_good() -> None:
    card = parse_card("4111 1111 1111 1111", "08/29", "123", "Asha Rao", today=TODAY)
    shown = f"{card} {card!r} {card!s} {[card]} {vars(type(card))!r}"
    assert NUMBER not in shown and "123" not in repr(card) and "0829" not in shown
    assert repr(card) == "CardDetails(Visa •••• 1111)"
    assert (card.number(), card.expiry_mm(), card.expiry_yy(), card.cvv()) == (
        NUMBER,
        "08",
        "29",
        "123",
    )
    with pytest.raises(TypeError):
        pickle.dumps(card)
    with pytest.raises(TypeError):
        copy.deepcopy(card)
    with pytest.raises(TypeError):
        copy.copy(card)
    buffers = list(card._buffers.values())
    card.clear()
    assert all(set(buffer) == {0} for buffer in buffers)
    assert card.cleared and card.holder_name is None
    assert repr(card) == "CardDetails(cleared)"
    with pytest.raises(CardCleared):
        card.number()
    with pytest.raises(CardCleared):
        card.cvv()
    assert card.summary.label == "Visa •••• 1111"


def test_the_card_has_no_attribute_dictionary() -> None:
    card = CardDetails(NUMBER, 8, 2029, "123")
    with pytest.raises(AttributeError):
        card.extra = 1  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("paying with 4111111111111111 now", "paying with ***1111 now"),
        ("card 4111 1111 1111 1111.", "card ***1111."),
        ("typo 4111-1111-1111-1112 grouped", "typo ***1112 grouped"),
        ('{"card_number":"5105105105105100"}', '{"card_number":"***5100"}'),
        ("cf_payment_id 5114910000001 stays", "cf_payment_id 5114910000001 stays"),
        ("utr 123456789012 stays", "utr 123456789012 stays"),
        ("amount 4111111111111111.50 stays", "amount 4111111111111111.50 stays"),
    ],
)
def test_log_redaction_masks_card_numbers(line: str, expected: str) -> None:
    assert RedactionFilter().redact(line) == expected
