"""The MCP server's small pieces: amounts as JSON gives them, what the journal keeps of the
arguments, masking, scrubbing Cashfree's words, and the per-tool rate window."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pos_app.domain.money import Money
from pos_app.domain.sale import Method, Sale, SaleStatus
from pos_app.domain.validate import ValidationError
from pos_app.mcp.base import parse_amount, scrub
from pos_app.mcp.limits import RateLimited, ToolLimits, limits_for
from pos_app.mcp.redact import mask_phone, safe_arguments


@pytest.mark.parametrize(
    ("given", "paise"),
    [("250", 25000), ("1,250.50", 125050), ("₹ 99", 9900), (250, 25000), (1250.5, 125050)],
)
def test_amounts_as_text_or_numbers(given: object, paise: int) -> None:
    assert parse_amount(given) == Money(paise)


@pytest.mark.parametrize("given", [0.1 + 0.2, 10.005, True, None, [1], "1e3", -1])
def test_amounts_that_are_not_exact_rupees_and_paise_are_refused(given: object) -> None:
    with pytest.raises(ValidationError) as refused:
        parse_amount(given)
    assert refused.value.field == "amount"


def test_the_journal_keeps_no_personal_data_of_the_arguments() -> None:
    kept = safe_arguments(
        {
            "amount": "250",
            "payment_method": "collect",
            "phone_number": "9876543210",
            "email": "a@b.in",
            "upi_id": "asha@okaxis",
            "order_note": "for Asha, table 4",
            "otp": "123456",
            "reason": "Asha changed her mind",
            "send_sms": False,
            "bill_number": None,
        }
    )
    assert kept == {
        "amount": "250",
        "payment_method": "collect",
        "phone_number": "given",
        "email": "given",
        "upi_id": "given",
        "order_note": "given",
        "otp": "given",
        "reason": "given",
        "send_sms": False,
    }


def test_phone_numbers_are_masked() -> None:
    assert mask_phone("9876543210") == "********10"
    assert mask_phone(None) is None


def test_cashfree_words_lose_the_customers_details() -> None:
    now = datetime(2026, 11, 26, tzinfo=UTC)
    sale = Sale(
        order_id="T1-1",
        terminal_id="T1",
        environment="demo",
        amount=Money(100),
        method=Method.COLLECT,
        status=SaleStatus.FAILED,
        idempotency_key="k",
        created_at=now,
        updated_at=now,
        vpa="asha@okaxis",
        customer_phone="9876543210",
    )
    text = scrub("upi_id asha@okaxis is invalid for 9876543210", sale)
    assert text == "upi_id the customer's UPI id is invalid for the customer's phone"


def test_each_tool_has_its_own_window() -> None:
    now = [0.0]
    limits = ToolLimits(limits_for(2), lambda: now[0])
    assert limits.per_minute["initiate_cashfree_payment"] == 2
    assert limits.per_minute["get_sale"] == 6
    limits.take("initiate_cashfree_payment")
    now[0] = 30.0
    limits.take("initiate_cashfree_payment")
    with pytest.raises(RateLimited) as refused:
        limits.take("initiate_cashfree_payment")
    assert refused.value.retry_after == pytest.approx(30.0)
    limits.take("cancel_payment")  # another tool, another budget
    now[0] = 60.0  # the first call left the window
    limits.take("initiate_cashfree_payment")
