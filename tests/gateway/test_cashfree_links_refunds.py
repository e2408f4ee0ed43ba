"""Payment links and refunds: method, path, every header, the body sent, the parsed result."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
import respx

from pos_app.domain.money import Money
from pos_app.gateway.base import (
    Customer,
    Link,
    LinkStatus,
    NewLink,
    NewRefund,
    OrderStatus,
    Refund,
    RefundStatus,
)
from pos_app.gateway.cashfree import CashfreeGateway

IST = timezone(timedelta(hours=5, minutes=30))
PNG_1PX = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
PNG_URI = "data:image/png;base64," + base64.b64encode(PNG_1PX).decode()
CUSTOMER = Customer("till1", "9876543210", email="buyer@example.com", name="Asha Rao")
LINK_ORDER_JSON: dict[str, Any] = {
    "cf_order_id": "2149460590",
    "order_id": "CFPay_o1tf1nvcvjhg_1",
    "link_id": "LNK-0001",
    "entity": "order",
    "order_amount": 100,
    "order_currency": "INR",
    "order_status": "PAID",
}
LINK_JSON: dict[str, Any] = {
    "cf_link_id": 1996567,
    "link_id": "LNK-0001",
    "link_status": "ACTIVE",
    "link_currency": "INR",
    "link_amount": 100,
    "link_amount_paid": 0,
    "link_purpose": "Bill 42",
    "link_created_at": "2025-01-01T10:00:00+05:30",
    "link_expiry_time": "2025-01-02T10:00:00+05:30",
    "link_url": "https://payments-test.cashfree.com/links/o1tf1nvcvjhg",
    "link_qrcode": PNG_URI,
    "customer_details": {"customer_phone": "9876543210"},
}
EXPECTED_LINK = Link(
    link_id="LNK-0001",
    cf_link_id="1996567",
    url="https://payments-test.cashfree.com/links/o1tf1nvcvjhg",
    qr_png=PNG_1PX,
    status=LinkStatus.ACTIVE,
    amount=Money(10000),
    amount_paid=Money(0),
    expires_at=datetime(2025, 1, 2, 10, 0, tzinfo=IST),
    created_at=datetime(2025, 1, 1, 10, 0, tzinfo=IST),
    raw_status="ACTIVE",
)
REFUND_JSON: dict[str, Any] = {
    "cf_payment_id": "918812",
    "cf_refund_id": "1553338",
    "refund_id": "RF-0001",
    "order_id": "POS1-0001",
    "entity": "refund",
    "refund_amount": 10.5,
    "refund_currency": "INR",
    "refund_note": "Damaged item",
    "refund_status": "PENDING",
    "refund_arn": None,
    "status_description": "In Progress",
    "created_at": "2025-01-01T11:00:00+05:30",
    "processed_at": None,
}
EXPECTED_REFUND = Refund(
    refund_id="RF-0001",
    cf_refund_id="1553338",
    order_id="POS1-0001",
    cf_payment_id="918812",
    amount=Money(1050),
    status=RefundStatus.PENDING,
    arn=None,
    note="Damaged item",
    status_description="In Progress",
    created_at=datetime(2025, 1, 1, 11, 0, tzinfo=IST),
    processed_at=None,
    raw_status="PENDING",
)


# ---- payment links --------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_create_link(cf: respx.MockRouter, gateway: CashfreeGateway, wire: Any) -> None:
    route = cf.post("/links").respond(200, json=LINK_JSON)
    link = NewLink(
        link_id="LNK-0001",
        amount=Money(10000),
        purpose="Bill 42",
        customer=CUSTOMER,
        expires_at=datetime(2025, 1, 2, 4, 30, tzinfo=UTC),
        send_sms=True,
        send_email=False,
        notes={"till": "1"},
    )

    result = await gateway.create_link(link, idempotency_key="idem-link-1")

    request = route.calls.last.request
    wire.headers(request, request_id="req-1", idempotency_key="idem-link-1", body=True)
    assert wire.body(request) == {
        "link_id": "LNK-0001",
        "link_amount": 100.0,
        "link_currency": "INR",
        "link_purpose": "Bill 42",
        "customer_details": {
            "customer_phone": "9876543210",
            "customer_email": "buyer@example.com",
            "customer_name": "Asha Rao",
        },
        "link_notify": {"send_sms": True, "send_email": False},
        "link_expiry_time": "2025-01-02T04:30:00+00:00",
        "link_notes": {"till": "1"},
    }
    assert result == EXPECTED_LINK


@pytest.mark.asyncio
async def test_get_link(cf: respx.MockRouter, gateway: CashfreeGateway, wire: Any) -> None:
    answer = {**LINK_JSON, "link_status": "PARTIALLY_PAID", "link_amount_paid": "40.50"}
    route = cf.get("/links/LNK-0001").respond(200, json=answer)

    result = await gateway.get_link("LNK-0001")

    wire.headers(route.calls.last.request, request_id="req-1", idempotency_key=None, body=False)
    assert result.status is LinkStatus.PARTIALLY_PAID
    assert result.amount_paid == Money(4050)


@pytest.mark.asyncio
async def test_cancel_link(cf: respx.MockRouter, gateway: CashfreeGateway, wire: Any) -> None:
    route = cf.post("/links/LNK-0001/cancel").respond(
        200, json={**LINK_JSON, "link_status": "CANCELLED"}
    )

    result = await gateway.cancel_link("LNK-0001")

    request = route.calls.last.request
    assert request.method == "POST"
    wire.headers(
        request, request_id="req-1", idempotency_key=wire.generated_key(request), body=False
    )
    assert result.status is LinkStatus.CANCELLED


@pytest.mark.asyncio
@pytest.mark.parametrize(("paid_only", "status"), [(False, "ALL"), (True, "PAID")])
async def test_list_link_orders(
    cf: respx.MockRouter, gateway: CashfreeGateway, paid_only: bool, status: str, wire: Any
) -> None:
    route = cf.get("/links/LNK-0001/orders").respond(200, json=[LINK_ORDER_JSON])

    orders = await gateway.list_link_orders("LNK-0001", paid_only=paid_only)

    request = route.calls.last.request
    assert dict(request.url.params) == {"status": status}
    wire.headers(request, request_id="req-1", idempotency_key=None, body=False)
    assert [(o.order_id, o.cf_order_id, o.amount, o.status) for o in orders] == [
        ("CFPay_o1tf1nvcvjhg_1", "2149460590", Money(10000), OrderStatus.PAID)
    ]


# ---- refunds --------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_create_refund(cf: respx.MockRouter, gateway: CashfreeGateway, wire: Any) -> None:
    route = cf.post("/orders/POS1-0001/refunds").respond(200, json=REFUND_JSON)

    result = await gateway.create_refund(
        "POS1-0001", NewRefund("RF-0001", Money(1050), note="Damaged item"), idempotency_key="r-1"
    )

    request = route.calls.last.request
    wire.headers(request, request_id="req-1", idempotency_key="r-1", body=True)
    assert wire.body(request) == {
        "refund_id": "RF-0001",
        "refund_amount": 10.5,
        "refund_note": "Damaged item",
    }
    assert result == EXPECTED_REFUND


@pytest.mark.asyncio
async def test_get_refund(cf: respx.MockRouter, gateway: CashfreeGateway, wire: Any) -> None:
    answer = {**REFUND_JSON, "refund_status": "SUCCESS", "refund_arn": "RF12312"}
    route = cf.get("/orders/POS1-0001/refunds/RF-0001").respond(200, json=answer)

    result = await gateway.get_refund("POS1-0001", "RF-0001")

    wire.headers(route.calls.last.request, request_id="req-1", idempotency_key=None, body=False)
    assert result.status is RefundStatus.SUCCESS and result.arn == "RF12312"


@pytest.mark.asyncio
async def test_list_refunds(cf: respx.MockRouter, gateway: CashfreeGateway, wire: Any) -> None:
    route = cf.get("/orders/POS1-0001/refunds").respond(200, json=[REFUND_JSON, REFUND_JSON])

    refunds = await gateway.list_refunds("POS1-0001")

    wire.headers(route.calls.last.request, request_id="req-1", idempotency_key=None, body=False)
    assert refunds == [EXPECTED_REFUND, EXPECTED_REFUND]
