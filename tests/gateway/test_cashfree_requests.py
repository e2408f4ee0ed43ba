"""Orders, Order Pay and payments: method, path, every header, the body sent, the parsed result
(links and refunds: test_cashfree_links_refunds.py)."""

from __future__ import annotations

import base64
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import respx

from pos_app.domain.money import Money
from pos_app.gateway.base import (
    Customer,
    NewOrder,
    Order,
    OrderStatus,
    Payment,
    PaymentError,
    PaymentStatus,
    PayResult,
    UpiChannel,
)
from pos_app.gateway.cashfree import (
    API_VERSION,
    DEFAULT_TIMEOUT,
    PRODUCTION_URL,
    SANDBOX_URL,
    CashfreeGateway,
    base_url_for,
)

IST = timezone(timedelta(hours=5, minutes=30))
PNG_1PX = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
PNG_URI = "data:image/png;base64," + base64.b64encode(PNG_1PX).decode()
UPI_URL = "upi://pay?pa=cf.merchant@axis&pn=Shop&am=22.42&tr=91235&cu=INR"

CUSTOMER = Customer("till1", "9876543210", email="buyer@example.com", name="Asha Rao")
ORDER_JSON: dict[str, Any] = {
    "cf_order_id": "2149460581",
    "order_id": "POS1-0001",
    "entity": "order",
    "order_amount": 22.42,
    "order_currency": "INR",
    "order_status": "ACTIVE",
    "payment_session_id": "session_abc123",
    "order_expiry_time": "2025-01-01T10:15:00+05:30",
    "created_at": "2025-01-01T10:00:00+05:30",
    "customer_details": {"customer_id": "till1", "customer_phone": "9876543210"},
    "order_meta": {"return_url": None, "notify_url": None, "payment_methods": None},
    "order_note": None,
    "order_splits": [],
    "order_tags": None,
}
EXPECTED_ORDER = Order(
    order_id="POS1-0001",
    cf_order_id="2149460581",
    amount=Money(2242),
    currency="INR",
    status=OrderStatus.ACTIVE,
    payment_session_id="session_abc123",
    expires_at=datetime(2025, 1, 1, 10, 15, tzinfo=IST),
    created_at=datetime(2025, 1, 1, 10, 0, tzinfo=IST),
    raw_status="ACTIVE",
)
# ---- configuration --------------------------------------------------------------------------


def test_constants() -> None:
    assert API_VERSION == "2025-01-01"
    assert SANDBOX_URL == "https://sandbox.cashfree.com/pg"
    assert PRODUCTION_URL == "https://api.cashfree.com/pg"
    assert DEFAULT_TIMEOUT.read == 10.0 and DEFAULT_TIMEOUT.connect == 5.0


@pytest.mark.parametrize(
    ("environment", "override", "expected"),
    [
        ("production", None, PRODUCTION_URL),
        ("production", "http://127.0.0.1:9999/pg", PRODUCTION_URL),  # never overridden
        ("sandbox", None, SANDBOX_URL),
        ("sandbox", "", SANDBOX_URL),
        ("sandbox", "http://127.0.0.1:9999/pg/", "http://127.0.0.1:9999/pg"),
        ("demo", "http://sim.local/pg/", "http://sim.local/pg"),
    ],
)
def test_base_url_for(environment: str, override: str | None, expected: str) -> None:
    assert base_url_for(environment, override) == expected


@pytest.mark.parametrize(("environment", "override"), [("demo", None), ("staging", None)])
def test_base_url_for_refuses(environment: str, override: str | None) -> None:
    with pytest.raises(ValueError):
        base_url_for(environment, override)


# ---- orders ---------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_create_order(cf: respx.MockRouter, gateway: CashfreeGateway, wire: Any) -> None:
    route = cf.post("/orders").respond(200, json=ORDER_JSON)
    order = NewOrder(
        order_id="POS1-0001",
        amount=Money(2242),
        customer=CUSTOMER,
        note="Bill 42",
        expires_at=datetime(2025, 1, 1, 10, 15, tzinfo=IST),
        tags={"till": "1"},
    )

    result = await gateway.create_order(order, idempotency_key="idem-create-1")

    request = route.calls.last.request
    assert request.method == "POST"
    assert request.url == "https://sandbox.cashfree.com/pg/orders"
    wire.headers(request, request_id="req-1", idempotency_key="idem-create-1", body=True)
    assert "x-client-device" not in request.headers
    assert wire.body(request) == {
        "order_id": "POS1-0001",
        "order_amount": 22.42,
        "order_currency": "INR",
        "customer_details": {
            "customer_id": "till1",
            "customer_phone": "9876543210",
            "customer_email": "buyer@example.com",
            "customer_name": "Asha Rao",
        },
        "order_note": "Bill 42",
        "order_expiry_time": "2025-01-01T10:15:00+05:30",
        "order_tags": {"till": "1"},
    }
    assert result == EXPECTED_ORDER


@pytest.mark.asyncio
async def test_create_order_minimal_body(cf: respx.MockRouter, gateway: CashfreeGateway) -> None:
    route = cf.post("/orders").respond(200, json=ORDER_JSON)
    await gateway.create_order(
        NewOrder("POS1-0002", Money(100), Customer("till1", "9876543210")),
        idempotency_key="k",
    )
    assert route.calls.last.request.content == (
        b'{"order_id":"POS1-0002","order_amount":1.0,"order_currency":"INR",'
        b'"customer_details":{"customer_phone":"9876543210","customer_id":"till1"}}'
    )


@pytest.mark.asyncio
async def test_get_order(cf: respx.MockRouter, gateway: CashfreeGateway, wire: Any) -> None:
    route = cf.get("/orders/POS1-0001").respond(200, json={**ORDER_JSON, "order_status": "PAID"})

    result = await gateway.get_order("POS1-0001")

    request = route.calls.last.request
    assert request.method == "GET"
    wire.headers(request, request_id="req-1", idempotency_key=None, body=False)
    assert result == replace(EXPECTED_ORDER, status=OrderStatus.PAID, raw_status="PAID")


@pytest.mark.asyncio
async def test_terminate_order(cf: respx.MockRouter, gateway: CashfreeGateway, wire: Any) -> None:
    answer = {**ORDER_JSON, "order_status": "TERMINATION_REQUESTED"}
    route = cf.patch("/orders/POS1-0001").respond(200, json=answer)

    result = await gateway.terminate_order("POS1-0001")

    request = route.calls.last.request
    assert request.method == "PATCH"
    key = wire.generated_key(request)
    wire.headers(request, request_id="req-1", idempotency_key=key, body=True)
    assert wire.body(request) == {"order_status": "TERMINATED"}
    assert result.status is OrderStatus.TERMINATION_REQUESTED


@pytest.mark.asyncio
async def test_path_ids_are_url_encoded(cf: respx.MockRouter, gateway: CashfreeGateway) -> None:
    route = cf.route().respond(200, json=ORDER_JSON)
    await gateway.get_order("a/b c?d#e%")
    assert route.calls.last.request.url.raw_path == b"/pg/orders/a%2Fb%20c%3Fd%23e%25"


@pytest.mark.asyncio
async def test_each_call_gets_its_own_request_id_and_key(
    cf: respx.MockRouter, gateway: CashfreeGateway, wire: Any
) -> None:
    route = cf.patch("/orders/POS1-0001").respond(200, json=ORDER_JSON)
    await gateway.terminate_order("POS1-0001")
    await gateway.terminate_order("POS1-0001")
    first, second = (call.request for call in route.calls)
    assert (first.headers["x-request-id"], second.headers["x-request-id"]) == ("req-1", "req-2")
    assert wire.generated_key(first) != wire.generated_key(second)


@pytest.mark.asyncio
async def test_trailing_slash_on_base_url(cf: respx.MockRouter, make_gateway: Any) -> None:
    route = cf.get("/orders/X1").respond(200, json=ORDER_JSON)
    await make_gateway(base_url="https://sandbox.cashfree.com/pg/").get_order("X1")
    assert route.calls.last.request.url.path == "/pg/orders/X1"


# ---- order pay ------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_pay_upi_qrcode(cf: respx.MockRouter, gateway: CashfreeGateway, wire: Any) -> None:
    route = cf.post("/orders/sessions").respond(
        200,
        json={
            "payment_amount": 22.42,
            "cf_payment_id": 91235,
            "payment_method": "upi",
            "channel": "qrcode",
            "action": "custom",
            "data": {"url": None, "payload": {"qrcode": PNG_URI}, "content_type": None},
        },
    )

    result = await gateway.pay_upi("session_abc123", UpiChannel.QRCODE, idempotency_key="pay-1")

    request = route.calls.last.request
    wire.headers(request, request_id="req-1", idempotency_key="pay-1", body=True)
    assert request.headers["x-client-device"] == "desktop"
    assert wire.body(request) == {
        "payment_session_id": "session_abc123",
        "payment_method": {"upi": {"channel": "qrcode"}},
    }
    assert result == PayResult(
        cf_payment_id="91235", channel=UpiChannel.QRCODE, amount=Money(2242), qr_png=PNG_1PX
    )


@pytest.mark.asyncio
async def test_pay_upi_collect(cf: respx.MockRouter, gateway: CashfreeGateway, wire: Any) -> None:
    route = cf.post("/orders/sessions").respond(
        200,
        json={
            "payment_amount": 22.42,
            "cf_payment_id": "91236",
            "payment_method": "upi",
            "channel": "collect",
            "action": "custom",
            "data": {"url": None, "payload": None},
        },
    )

    result = await gateway.pay_upi(
        "session_abc123", UpiChannel.COLLECT, upi_id="testsuccess@gocash"
    )

    request = route.calls.last.request
    wire.headers(
        request, request_id="req-1", idempotency_key=wire.generated_key(request), body=True
    )
    assert request.headers["x-client-device"] == "desktop"
    assert wire.body(request) == {
        "payment_session_id": "session_abc123",
        "payment_method": {"upi": {"channel": "collect", "upi_id": "testsuccess@gocash"}},
    }
    assert result == PayResult(
        cf_payment_id="91236", channel=UpiChannel.COLLECT, amount=Money(2242)
    )


@pytest.mark.asyncio
async def test_pay_upi_link(cf: respx.MockRouter, gateway: CashfreeGateway, wire: Any) -> None:
    payload = {
        "default": UPI_URL,
        "gpay": "tez://upi/pay?pa=cf.merchant@axis&am=22.42",
        "phonepe": "phonepe://pay?pa=cf.merchant@axis&am=22.42",
        "paytm": "paytmmp://pay?pa=cf.merchant@axis&am=22.42",
        "bhim": "upi://pay?pa=cf.merchant@axis&am=22.42",
    }
    route = cf.post("/orders/sessions").respond(
        200,
        json={
            "payment_amount": 22.42,
            "cf_payment_id": "91237",
            "channel": "link",
            "action": "custom",
            "data": {"payload": payload},
        },
    )

    result = await gateway.pay_upi("session_abc123", UpiChannel.LINK)

    assert wire.body(route.calls.last.request)["payment_method"] == {"upi": {"channel": "link"}}
    assert result.upi_url == UPI_URL
    assert dict(result.intents) == payload
    assert result.qr_png is None


@pytest.mark.asyncio
async def test_pay_upi_collect_needs_a_upi_id(
    cf: respx.MockRouter, gateway: CashfreeGateway
) -> None:
    route = cf.post("/orders/sessions").respond(200, json={})
    with pytest.raises(ValueError):
        await gateway.pay_upi("session_abc123", UpiChannel.COLLECT)
    assert not route.called


# ---- payments -------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_list_payments(cf: respx.MockRouter, gateway: CashfreeGateway, wire: Any) -> None:
    route = cf.get("/orders/POS1-0001/payments").respond(
        200,
        json=[
            {
                "cf_payment_id": 12376123,
                "order_id": "POS1-0001",
                "payment_amount": 22.42,
                "payment_status": "SUCCESS",
                "payment_group": "upi",
                "bank_reference": "P78112898712",
                "payment_message": "00::Transaction success",
                "payment_time": "2025-01-01T10:01:00+05:30",
                "payment_completion_time": "2025-01-01T10:01:30+05:30",
                "payment_method": {"upi": {"channel": "qrcode", "upi_id": "rohit@okaxis"}},
                "error_details": None,
            },
            {
                "cf_payment_id": "12376124",
                "order_id": "POS1-0001",
                "payment_amount": 22.42,
                "payment_status": "FAILED",
                "payment_group": "credit_card",
                "payment_method": {"card": {"card_number": "XXXXXXXXXXXX1111"}},
                "error_details": {
                    "error_code": "TRANSACTION_DECLINED",
                    "error_description": "issuer bank declined the transaction",
                    "error_reason": "auth_declined",
                    "error_source": "customer",
                },
            },
        ],
    )

    payments = await gateway.list_payments("POS1-0001")

    wire.headers(route.calls.last.request, request_id="req-1", idempotency_key=None, body=False)
    assert payments == [
        Payment(
            cf_payment_id="12376123",
            order_id="POS1-0001",
            amount=Money(2242),
            status=PaymentStatus.SUCCESS,
            group="upi",
            bank_reference="P78112898712",
            message="00::Transaction success",
            error=None,
            initiated_at=datetime(2025, 1, 1, 10, 1, tzinfo=IST),
            completed_at=datetime(2025, 1, 1, 10, 1, 30, tzinfo=IST),
            payer="ro***@okaxis",
            raw_status="SUCCESS",
        ),
        Payment(
            cf_payment_id="12376124",
            order_id="POS1-0001",
            amount=Money(2242),
            status=PaymentStatus.FAILED,
            group="credit_card",
            bank_reference=None,
            message=None,
            error=PaymentError(
                code="TRANSACTION_DECLINED",
                description="issuer bank declined the transaction",
                reason="auth_declined",
                source="customer",
            ),
            initiated_at=None,
            completed_at=None,
            payer="xxxx1111",  # the last four digits only
            raw_status="FAILED",
        ),
    ]


@pytest.mark.asyncio
async def test_list_payments_empty(cf: respx.MockRouter, gateway: CashfreeGateway) -> None:
    cf.get("/orders/POS1-0001/payments").respond(200, json=[])
    assert await gateway.list_payments("POS1-0001") == []


# ---- arguments that could never be sent -----------------------------------------------------


@pytest.mark.asyncio
async def test_refuses_naive_times_and_missing_keys(
    cf: respx.MockRouter, gateway: CashfreeGateway
) -> None:
    route = cf.route().respond(200, json=ORDER_JSON)
    naive = NewOrder("POS1-0003", Money(100), CUSTOMER, expires_at=datetime(2025, 1, 1, 10, 0))
    with pytest.raises(ValueError):
        await gateway.create_order(naive, idempotency_key="k")
    with pytest.raises(ValueError):
        await gateway.create_order(NewOrder("POS1-0003", Money(100), CUSTOMER), idempotency_key="")
    with pytest.raises(ValueError):
        await gateway.get_order("")
    assert not route.called
