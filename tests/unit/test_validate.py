"""Checks of what a cashier types: UPI ids, phones, e-mails, notes, bill numbers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos_app.domain import validate
from pos_app.domain.validate import ValidationError

NOT_A_VPA = "That is not a valid UPI id. Check it with the customer (like name@okaxis)."


def _refused(check: object, text: str) -> ValidationError:
    assert callable(check)
    with pytest.raises(ValidationError) as info:
        check(text)
    return info.value


def test_validation_error_carries_field_and_message() -> None:
    err = ValidationError("vpa", "Say why.")
    assert err.field == "vpa"
    assert err.message == "Say why."
    assert str(err) == "vpa: Say why."
    assert isinstance(err, ValueError)


# ---- VPA ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "normalised"),
    [
        ("name@okaxis", "name@okaxis"),
        ("a.b-c_d@ybl", "a.b-c_d@ybl"),
        ("9876543210@paytm", "9876543210@paytm"),
        ("  Ravi.Kumar@OkHDFCBank ", "ravi.kumar@okhdfcbank"),
        ("shop99@axl", "shop99@axl"),
    ],
)
def test_vpa_accepts(text: str, normalised: str) -> None:
    assert validate.vpa(text) == normalised


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Enter the customer's UPI id, for example name@okaxis."),
        ("   ", "Enter the customer's UPI id, for example name@okaxis."),
        ("name", "A UPI id has an '@', for example name@okaxis."),
        ("@okaxis", NOT_A_VPA),
        ("name@", NOT_A_VPA),
        ("na me@okaxis", NOT_A_VPA),
        ("name@ok axis", NOT_A_VPA),
        ("name@okaxis@ybl", NOT_A_VPA),
        ("name@ok.axis", NOT_A_VPA),
        (".name@okaxis", NOT_A_VPA),
        ("नाम@okaxis", NOT_A_VPA),
        ("name@okaxis\x00", NOT_A_VPA),
        ("a" * 95 + "@okaxis", NOT_A_VPA),
    ],
)
def test_vpa_refuses(text: str, message: str) -> None:
    err = _refused(validate.vpa, text)
    assert err.field == "vpa"
    assert err.message == message


# ---- phone --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "+91 98765 43210",
        "+91-98765-43210",
        "+919876543210",
        "098765-43210",
        "0 98765 43210",
        "919876543210",
        "9876543210",
        "  98765 43210  ",
    ],
)
def test_phone_normalises_to_ten_digits(text: str) -> None:
    assert validate.phone(text) == "9876543210"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Enter a 10-digit mobile number."),
        ("987654321", "A mobile number has 10 digits; this one has 9."),
        ("98765 4321", "A mobile number has 10 digits; this one has 9."),
        ("98765432101", "A mobile number has 10 digits; this one has 11."),
        ("+91 98765 432", "A mobile number has 10 digits; this one has 8."),
        ("98765abcde", "A mobile number has digits only."),
        ("phone", "A mobile number has digits only."),
        ("९८७६५४३२१०", "A mobile number has digits only."),
        ("(987) 654-3210", "A mobile number has digits only."),
        ("+1 415 555 0100", "Only Indian mobile numbers (+91) can be used."),
        ("+44 7911 123456", "Only Indian mobile numbers (+91) can be used."),
        ("1876543210", "Indian mobile numbers start with 6, 7, 8 or 9."),
        ("2876543210", "Indian mobile numbers start with 6, 7, 8 or 9."),
        ("5876543210", "Indian mobile numbers start with 6, 7, 8 or 9."),
        ("+91 58765 43210", "Indian mobile numbers start with 6, 7, 8 or 9."),
    ],
)
def test_phone_refuses(text: str, message: str) -> None:
    err = _refused(validate.phone, text)
    assert err.field == "phone"
    assert err.message == message


@given(st.from_regex(r"[6-9][0-9]{9}", fullmatch=True))
def test_phone_every_written_form_gives_the_same_ten_digits(digits: str) -> None:
    forms = [
        digits,
        f"+91 {digits[:5]} {digits[5:]}",
        f"+91-{digits}",
        f"91{digits}",
        f"0{digits[:5]}-{digits[5:]}",
    ]
    assert {validate.phone(form) for form in forms} == {digits}


# ---- e-mail -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    ["ravi@example.com", "a.b+till@shop.co.in", "x@y.io", "  owner@kirana-store.in  "],
)
def test_email_accepts(text: str) -> None:
    assert validate.email(text) == text.strip()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Enter an e-mail address."),
        ("ravi", "That is not a valid e-mail address."),
        ("ravi@", "That is not a valid e-mail address."),
        ("@example.com", "That is not a valid e-mail address."),
        ("ravi@example", "That is not a valid e-mail address."),
        ("ra vi@example.com", "That is not a valid e-mail address."),
        ("ravi@@example.com", "That is not a valid e-mail address."),
        ("ravi@exa_mple.com", "That is not a valid e-mail address."),
        ("ravi@-example.com", "That is not a valid e-mail address."),
        ("ravi@example..com", "That is not a valid e-mail address."),
        ("ravi@example.com.", "That is not a valid e-mail address."),
        ("ra\x00vi@example.com", "That is not a valid e-mail address."),
        ("ravi\x1b@example.com", "That is not a valid e-mail address."),
        ("a" * 90 + "@example.com", "That e-mail address is too long (100 characters at most)."),
    ],
)
def test_email_refuses(text: str, message: str) -> None:
    err = _refused(validate.email, text)
    assert err.field == "email"
    assert err.message == message


# ---- note -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "normalised"),
    [
        ("abc", "abc"),
        ("  two   spaces\n\tand a line ", "two spaces and a line"),
        ("x" * 200, "x" * 200),
        ("चाय और नाश्ता", "चाय और नाश्ता"),
    ],
)
def test_note_accepts(text: str, normalised: str) -> None:
    assert validate.note(text) == normalised


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "A note needs at least 3 characters (or leave it empty)."),
        ("ab", "A note needs at least 3 characters (or leave it empty)."),
        ("  a \n ", "A note needs at least 3 characters (or leave it empty)."),
        ("\t\tb  ", "A note needs at least 3 characters (or leave it empty)."),
        ("x" * 201, "A note can have 200 characters at most."),
        ("tea\x00", "A note cannot contain control characters."),
        ("tea\x1b[31m", "A note cannot contain control characters."),
    ],
)
def test_note_refuses(text: str, message: str) -> None:
    err = _refused(validate.note, text)
    assert err.field == "note"
    assert err.message == message


# ---- bill number --------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["INV-2025/001", "a_b", "7", "B" * 30, " 42 "])
def test_bill_number_accepts(text: str) -> None:
    assert validate.bill_number(text) == text.strip()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Enter a bill number (or leave it empty)."),
        ("B" * 31, "A bill number has up to 30 letters, digits, '-', '_' or '/'."),
        ("INV 1", "A bill number has up to 30 letters, digits, '-', '_' or '/'."),
        ("INV#1", "A bill number has up to 30 letters, digits, '-', '_' or '/'."),
        ("बिल1", "A bill number has up to 30 letters, digits, '-', '_' or '/'."),
        ("INV1\n2", "A bill number has up to 30 letters, digits, '-', '_' or '/'."),
    ],
)
def test_bill_number_refuses(text: str, message: str) -> None:
    err = _refused(validate.bill_number, text)
    assert err.field == "bill_number"
    assert err.message == message
