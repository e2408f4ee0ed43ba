"""Money: strict parsing of what a cashier types, Indian formatting, exact API amounts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from pos_app.domain.money import DEFAULT_MAXIMUM, MINIMUM, Money
from pos_app.domain.validate import ValidationError

PAISE = st.integers(min_value=100, max_value=10**13)


# ---- parse: accepted ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "paise"),
    [
        ("250", 25000),
        ("250.5", 25050),
        ("250.05", 25005),
        ("1,250.00", 125000),
        ("₹ 99", 9900),
        ("₹99", 9900),
        ("Rs. 10", 1000),
        ("INR 10.10", 1010),
        ("1,23,456", 12345600),
        ("123,456", 12345600),
        ("12,34,56,789.10", 12345678910),
        ("123,456,789", 12345678900),
        ("  42  ", 4200),
        ("1", 100),
        ("1.00", 100),
    ],
)
def test_parse_accepts(text: str, paise: int) -> None:
    assert Money.parse(text) == Money(paise)


# ---- parse: refused, with the field and a sentence that says what is wrong ------------------
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Enter an amount."),
        ("   ", "Enter an amount."),
        ("₹", "Enter an amount."),
        ("abc", "That is not an amount. Type digits, like 250 or 1,250.50."),
        ("-5", "The amount cannot be negative."),
        ("₹ -5", "The amount cannot be negative."),
        ("0", "The amount must be more than zero."),
        ("0.00", "The amount must be more than zero."),
        ("1.234", "Use at most two decimals (paise)."),
        ("1,250.999", "Use at most two decimals (paise)."),
        ("1e3", "That is not an amount. Type digits, like 250 or 1,250.50."),
        ("NaN", "That is not an amount. Type digits, like 250 or 1,250.50."),
        ("inf", "That is not an amount. Type digits, like 250 or 1,250.50."),
        ("١٢٣", "That is not an amount. Type digits, like 250 or 1,250.50."),
        ("२५०", "That is not an amount. Type digits, like 250 or 1,250.50."),
        ("２５０", "That is not an amount. Type digits, like 250 or 1,250.50."),
        ("12,34", "That is not an amount. Type digits, like 250 or 1,250.50."),
        ("1,2345", "That is not an amount. Type digits, like 250 or 1,250.50."),
        ("1,234,56", "That is not an amount. Type digits, like 250 or 1,250.50."),
        ("12,345,67", "That is not an amount. Type digits, like 250 or 1,250.50."),
        ("1 250", "That is not an amount. Type digits, like 250 or 1,250.50."),
        ("250.", "That is not an amount. Type digits, like 250 or 1,250.50."),
        ("+5", "That is not an amount. Type digits, like 250 or 1,250.50."),
        ("0.99", "The smallest amount is ₹1.00."),
        ("0.5", "The smallest amount is ₹1.00."),
        ("1234567890123", "That amount is far too large."),
    ],
)
def test_parse_refuses(text: str, message: str) -> None:
    with pytest.raises(ValidationError) as info:
        Money.parse(text)
    assert info.value.field == "amount"
    assert info.value.message == message
    assert str(info.value) == f"amount: {message}"


def test_parse_refuses_above_a_given_maximum() -> None:
    assert Money.parse("1,00,000", maximum=DEFAULT_MAXIMUM) == DEFAULT_MAXIMUM
    with pytest.raises(ValidationError) as info:
        Money.parse("1,00,000.01", maximum=DEFAULT_MAXIMUM)
    assert info.value.message == "The largest amount allowed is ₹1,00,000.00."


def test_parse_honours_a_custom_minimum_and_field_name() -> None:
    assert Money.parse("10", minimum=Money(1000)) == Money(1000)
    with pytest.raises(ValidationError) as info:
        Money.parse("9.99", minimum=Money(1000), field="refund")
    assert info.value.field == "refund"
    assert info.value.message == "The smallest amount is ₹10.00."


def test_parse_refuses_a_huge_paste_with_a_validation_error() -> None:
    # Thousands of grouped digits must not escape as a bare ValueError (int() digit limit).
    for huge in ("1" + ",000" * 2000, "9" * 5000, "1" + ",00" * 3000 + ",000"):
        with pytest.raises(ValidationError) as info:
            Money.parse(huge)
        assert info.value.message == "That amount is far too large."


@given(st.text(max_size=40))
def test_parse_only_ever_returns_money_or_a_validation_error(text: str) -> None:
    try:
        amount = Money.parse(text)
    except ValidationError as exc:
        assert exc.field == "amount"
        assert exc.message
    else:
        assert type(amount.paise) is int
        assert amount >= MINIMUM


# ---- format -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("paise", "text"),
    [
        (100, "₹1.00"),
        (5, "₹0.05"),
        (99999, "₹999.99"),
        (100000, "₹1,000.00"),
        (12345600, "₹1,23,456.00"),
        (12345678900, "₹12,34,56,789.00"),
        (10**13, "₹1,00,00,00,00,000.00"),
        (-12345600, "-₹1,23,456.00"),
    ],
)
def test_format_uses_indian_grouping(paise: int, text: str) -> None:
    assert Money(paise).format() == text
    assert str(Money(paise)) == text
    assert Money(paise).format(symbol=False) == text.replace("₹", "")


def test_decimal_text_is_plain() -> None:
    assert Money(123450).decimal_text() == "1234.50"
    assert Money(7).decimal_text() == "0.07"
    assert Money(-250).decimal_text() == "-2.50"


@given(PAISE)
@example(100)
@example(10**13)
def test_parse_inverts_every_output_form(paise: int) -> None:
    m = Money(paise)
    assert Money.parse(m.format()) == m
    assert Money.parse(m.format(symbol=False)) == m
    assert Money.parse(m.decimal_text()) == m


# ---- no float anywhere ------------------------------------------------------------------
@pytest.mark.parametrize("bad", [1.0, 100.0, Decimal(100), "100", True, None])
def test_money_holds_only_an_int(bad: object) -> None:
    with pytest.raises(TypeError):
        Money(bad)  # type: ignore[arg-type]


def test_arithmetic_stays_in_paise() -> None:
    total = Money(1015) + Money(2242) - Money(29)
    assert total == Money(3228)
    assert type(total.paise) is int
    assert not Money(0)
    assert Money(1)


@pytest.mark.parametrize(
    ("value", "paise"),
    [
        (0.29, 29),
        (1.15, 115),
        (22.42, 2242),
        (10.15, 1015),
        (4.35, 435),
        (0.07, 7),
        (1.005e2, 10050),
        (100, 10000),
        ("22.42", 2242),
        ("10.1", 1010),
    ],
)
def test_from_api_is_exact_on_float_traps(value: object, paise: int) -> None:
    assert Money.from_api(value) == Money(paise)


@pytest.mark.parametrize(
    "value", [True, None, [1], "abc", "", float("nan"), float("inf"), "1.005", 0.001]
)
def test_from_api_refuses_what_is_not_an_amount(value: object) -> None:
    with pytest.raises(ValueError):
        Money.from_api(value)


def test_to_api_round_trips_every_paise_in_a_range() -> None:
    for paise in range(0, 200_001):
        m = Money(paise)
        sent = m.to_api()
        assert type(sent) is float
        assert Money.from_api(sent) == m


@given(PAISE)
@example(29)
@example(115)
@example(2242)
@example(1015)
def test_to_api_round_trips_for_any_amount(paise: int) -> None:
    m = Money(paise)
    assert Money.from_api(m.to_api()) == m
    # The float Cashfree reads is the exact decimal text, two places at most.
    assert Decimal(repr(m.to_api())) == Decimal(m.decimal_text())
