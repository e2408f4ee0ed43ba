"""Defensive parsing of Cashfree JSON into the gateway's results."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from pos_app.domain.money import Money
from pos_app.gateway import errors
from pos_app.gateway.base import (
    LinkStatus,
    OrderStatus,
    PaymentStatus,
    RefundStatus,
    UpiChannel,
)
from pos_app.gateway.cashfree_parse import (
    error_from_response,
    mask_vpa,
    parse_link,
    parse_order,
    parse_pay_result,
    parse_payment,
    parse_refund,
    png_from_base64,
)

IST = timezone(timedelta(hours=5, minutes=30))
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
PNG_B64 = base64.b64encode(PNG).decode()
JPEG_B64 = base64.b64encode(b"\xff\xd8\xff\xe0" + b"\x00" * 16).decode()
UPI = "upi://pay?pa=cf.merchant@axis&pn=Shop&am=22.42&cu=INR"


def order(**over: Any) -> dict[str, Any]:
    return {"order_id": "POS1-0001", "order_amount": 22.42, **over}


# ---- ids, amounts, times, enums -------------------------------------------------------------


def test_ids_given_as_numbers_become_strings() -> None:
    parsed = parse_order(order(order_id=12345, cf_order_id=2149460581))
    assert (parsed.order_id, parsed.cf_order_id) == ("12345", "2149460581")


def test_missing_optional_fields() -> None:
    parsed = parse_order(order())
    assert parsed.cf_order_id is None
    assert parsed.currency == ""  # unknown: never taken as rupees when verifying PAID
    assert parsed.status is OrderStatus.UNKNOWN and parsed.raw_status == ""
    assert parsed.payment_session_id is None
    assert parsed.expires_at is None and parsed.created_at is None


@pytest.mark.parametrize(
    ("value", "paise"), [(22.42, 2242), ("22.42", 2242), (22, 2200), (0.1, 10), ("1.5", 150)]
)
def test_amounts(value: Any, paise: int) -> None:
    assert parse_order(order(order_amount=value)).amount == Money(paise)


@pytest.mark.parametrize("value", [None, "ten", True, [], 1.005])
def test_bad_amounts(value: Any) -> None:
    with pytest.raises(ValueError):
        parse_order(order(order_amount=value))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-08-11T18:02:46+05:30", datetime(2023, 8, 11, 18, 2, 46, tzinfo=IST)),
        ("2023-08-11T12:32:46Z", datetime(2023, 8, 11, 12, 32, 46, tzinfo=UTC)),
        ("2023-08-11T12:32:46.123+00:00", datetime(2023, 8, 11, 12, 32, 46, 123000, tzinfo=UTC)),
        ("2022-08-03T16:09:51", datetime(2022, 8, 3, 16, 9, 51, tzinfo=IST)),  # IST assumed
        ("yesterday", None),
        ("", None),
        (1691757166, None),
        (None, None),
    ],
)
def test_times(text: Any, expected: datetime | None) -> None:
    parsed = parse_order(order(created_at=text)).created_at
    assert parsed == expected
    if parsed is not None:
        assert parsed.tzinfo is not None


def test_unknown_status_keeps_the_raw_value() -> None:
    parsed = parse_order(order(order_status="ON_HOLD"))
    assert parsed.status is OrderStatus.UNKNOWN and parsed.raw_status == "ON_HOLD"
    refund = parse_refund(
        {"refund_id": "R1", "refund_amount": 1, "refund_status": "FAILED"}, order_id="O"
    )
    assert refund.status is RefundStatus.FAILED  # listed only in Cashfree's prose: handled
    payment = parse_payment(
        {"cf_payment_id": 1, "payment_amount": 1, "payment_status": "AUTHORIZED"}, order_id="O"
    )
    assert payment.status is PaymentStatus.UNKNOWN and payment.raw_status == "AUTHORIZED"


def test_fallback_order_ids() -> None:
    payment = parse_payment({"cf_payment_id": "9", "payment_amount": 5}, order_id="POS1-9")
    refund = parse_refund({"refund_id": "R1", "refund_amount": 5}, order_id="POS1-9")
    assert payment.order_id == refund.order_id == "POS1-9"
    with pytest.raises(ValueError):
        parse_payment({"cf_payment_id": "9", "payment_amount": 5})


# ---- payers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("vpa", "masked"),
    [("rohit@okaxis", "ro***@okaxis"), ("9876543210@ybl", "98***@ybl"), ("ab@upi", "ab***@upi")],
)
def test_mask_vpa(vpa: str, masked: str) -> None:
    assert mask_vpa(vpa) == masked


@pytest.mark.parametrize(
    ("method", "payer"),
    [
        ({"upi": {"channel": "collect", "upi_id": "testsuccess@gocash"}}, "te***@gocash"),
        ({"upi": {"channel": "qrcode", "upi_id": None}}, None),
        ({"card": {"card_number": "XXXXXXXXXXXX1111", "card_network": "visa"}}, "xxxx1111"),
        ({"card": {"card_number": "411111xxxxxx1111"}}, "xxxx1111"),  # never the first six
        ({"card": {"card_number": "xx1"}}, None),
        ({"netbanking": {"netbanking_bank_code": 3021}}, None),
        (None, None),
    ],
)
def test_payer(method: Any, payer: str | None) -> None:
    parsed = parse_payment(
        {"cf_payment_id": "1", "payment_amount": 1, "payment_method": method}, order_id="O"
    )
    assert parsed.payer == payer


def test_empty_error_details_are_no_error() -> None:
    parsed = parse_payment(
        {
            "cf_payment_id": "1",
            "payment_amount": 1,
            "error_details": {"error_code": None, "error_description": None},
        },
        order_id="O",
    )
    assert parsed.error is None


# ---- images and Order Pay payloads ----------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("data:image/png;base64," + PNG_B64, PNG),
        (PNG_B64, PNG),
        (PNG_B64[:40] + "\n" + PNG_B64[40:], PNG),  # wrapped base64
        ("data:image/jpeg;base64," + JPEG_B64, None),  # not a PNG
        ("data:image/png;base64,%%%not-base64", None),
        ("data:text/plain,hello", None),
        ("", None),
        (None, None),
        (42, None),
    ],
)
def test_decode_png(value: Any, expected: bytes | None) -> None:
    assert png_from_base64(value) == expected


def pay(payload: Any, url: str | None = None) -> dict[str, Any]:
    return {
        "cf_payment_id": 91235,
        "payment_amount": 22.42,
        "data": {"url": url, "payload": payload},
    }


def test_qrcode_from_bare_base64() -> None:
    result = parse_pay_result(pay({"qrcode": PNG_B64}), UpiChannel.QRCODE)
    assert result.qr_png == PNG and result.upi_url is None


def test_qrcode_as_a_upi_string() -> None:
    result = parse_pay_result(pay({"qrcode": UPI}), UpiChannel.QRCODE)
    assert result.qr_png is None and result.upi_url == UPI


def test_qrcode_with_image_and_upi_url_under_other_keys() -> None:
    result = parse_pay_result(
        pay({"image": "data:image/png;base64," + PNG_B64, "upi": UPI}), UpiChannel.QRCODE
    )
    assert (result.qr_png, result.upi_url) == (PNG, UPI)


def test_qrcode_payload_as_a_plain_string() -> None:
    result = parse_pay_result(pay(UPI), UpiChannel.QRCODE)
    assert result.upi_url == UPI


@pytest.mark.parametrize(
    "payload", [None, {}, {"qrcode": "data:image/jpeg;base64," + JPEG_B64}, {"qrcode": 5}]
)
def test_qrcode_without_anything_to_show(payload: Any) -> None:
    with pytest.raises(ValueError):
        parse_pay_result(pay(payload), UpiChannel.QRCODE)


def test_link_without_intents_falls_back_to_the_url() -> None:
    url = "https://sandbox.cashfree.com/pg/view/gateway/session_abc"
    result = parse_pay_result(pay(None, url=url), UpiChannel.LINK)
    assert result.upi_url is None and result.redirect_url == url and not result.intents


def test_link_with_nothing_to_open() -> None:
    with pytest.raises(ValueError):
        parse_pay_result(pay({"name": "card"}), UpiChannel.LINK)


def test_link_default_must_be_upi() -> None:
    result = parse_pay_result(
        pay({"default": "https://example.com/x", "bhim": UPI}), UpiChannel.LINK
    )
    assert result.upi_url == UPI


def test_collect_shows_nothing() -> None:
    result = parse_pay_result({"cf_payment_id": "7", "data": None}, UpiChannel.COLLECT)
    assert (result.qr_png, result.upi_url, result.amount) == (None, None, None)
    assert result.cf_payment_id == "7"


# ---- links and refunds ----------------------------------------------------------------------


def link(**over: Any) -> dict[str, Any]:
    return {"link_id": "L1", "link_amount": 100, "link_url": "https://x/links/abc", **over}


def test_link_defaults() -> None:
    parsed = parse_link(link(link_status="SOMETHING_NEW", link_qrcode="garbage"))
    assert parsed.amount_paid == Money(0)
    assert parsed.qr_png is None
    assert parsed.status is LinkStatus.UNKNOWN and parsed.raw_status == "SOMETHING_NEW"


def test_link_needs_a_url() -> None:
    with pytest.raises(ValueError):
        parse_link(link(link_url=None))


def test_refund_as_a_one_item_array() -> None:
    parsed = parse_refund([{"refund_id": "R1", "refund_amount": 1, "order_id": "O"}])
    assert parsed.refund_id == "R1"
    with pytest.raises(ValueError):
        parse_refund([{"refund_id": "R1", "refund_amount": 1}] * 2, order_id="O")


# ---- errors ---------------------------------------------------------------------------------


def test_error_from_a_body_that_is_not_an_object() -> None:
    error = error_from_response(400, ["oops"], request_id="r", retry_after_header=None)
    assert type(error) is errors.InvalidRequestError
    assert error.message == "Cashfree answered HTTP 400" and error.code is None


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("7", 7.0),
        (" 12 ", 12.0),
        ("0", 0.0),
        ("-3", None),
        ("nan", None),
        ("soon", None),
        (None, None),
        ("99999", 300.0),
    ],
)
def test_retry_after_header(header: str | None, seconds: float | None) -> None:
    error = error_from_response(429, {}, request_id="r", retry_after_header=header)
    assert isinstance(error, errors.RateLimitedError)
    assert error.retry_after == seconds
