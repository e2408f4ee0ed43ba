"""Create, read, terminate and expire orders, with Cashfree's checks and error bodies."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from simulator.simkit import ManualClock, order_body, pay_body

from pos_app.simulator import Simulator

pytestmark = pytest.mark.asyncio


async def test_create_then_get_returns_the_same_active_order(api: httpx.AsyncClient) -> None:
    created = await api.post("/orders", json=order_body("ORD-1", 250.5, order_note="Bill 42"))
    assert created.status_code == 200
    order = created.json()
    assert order["order_id"] == "ORD-1"
    assert order["order_amount"] == 250.5
    assert order["order_currency"] == "INR"
    assert order["order_status"] == "ACTIVE"
    assert order["entity"] == "order"
    assert order["order_note"] == "Bill 42"
    assert order["payment_session_id"].startswith("session_")
    assert isinstance(order["cf_order_id"], str) and order["cf_order_id"].isdigit()
    assert order["customer_details"]["customer_phone"] == "9876543210"
    fetched = await api.get("/orders/ORD-1")
    assert fetched.status_code == 200
    assert fetched.json() == order


async def test_times_are_ist_and_default_expiry_is_thirty_days(
    api: httpx.AsyncClient, clock: ManualClock
) -> None:
    order = (await api.post("/orders", json=order_body())).json()
    created = datetime.fromisoformat(order["created_at"])
    expires = datetime.fromisoformat(order["order_expiry_time"])
    assert order["created_at"].endswith("+05:30")
    assert created == clock.now
    assert expires - created == timedelta(days=30)


async def test_amount_keeps_its_paise_exactly(api: httpx.AsyncClient) -> None:
    order = (await api.post("/orders", json=order_body(amount=22.42))).json()
    assert Decimal(str(order["order_amount"])) == Decimal("22.42")


async def test_order_id_can_be_left_to_cashfree(api: httpx.AsyncClient) -> None:
    body = order_body()
    del body["order_id"]
    order = (await api.post("/orders", json=body)).json()
    assert order["order_id"].startswith("order_")


async def test_reused_order_id_is_409_order_already_exists(api: httpx.AsyncClient) -> None:
    assert (await api.post("/orders", json=order_body("DUP-1"))).status_code == 200
    again = await api.post("/orders", json=order_body("DUP-1", 99))
    assert again.status_code == 409
    assert again.json() == {
        "message": "order with same id is already present",
        "code": "order_already_exists",
        "type": "invalid_request_error",
        "help": again.json()["help"],
    }


def _without(body: dict[str, Any], *keys: str) -> dict[str, Any]:
    copy = dict(body)
    for key in keys:
        copy.pop(key)
    return copy


def _customer(**fields: Any) -> dict[str, Any]:
    return order_body(
        customer_details={"customer_id": "cust001", "customer_phone": "9876543210", **fields}
    )


BAD_ORDERS = [
    ("order_id_invalid", order_body("AB")),
    ("order_id_invalid", order_body("A" * 46)),
    ("order_id_invalid", order_body("bad id!")),
    ("order_amount_invalid", order_body(amount=0.99)),
    ("order_amount_invalid", order_body(amount=10.123)),
    ("order_amount_invalid", order_body(amount="10.00")),
    ("order_amount_invalid", order_body(amount=True)),
    ("order_amount_missing", _without(order_body(), "order_amount")),
    ("order_currency_missing", _without(order_body(), "order_currency")),
    ("order_currency_invalid", order_body(order_currency="USD")),
    ("customer_details_missing", _without(order_body(), "customer_details")),
    ("customer_details.customer_id_invalid", _customer(customer_id="ab")),
    ("customer_details.customer_id_invalid", _customer(customer_id="x" * 51)),
    ("customer_details.customer_phone_invalid", _customer(customer_phone="98765")),
    ("customer_details.customer_phone_invalid", _customer(customer_phone="98765432101")),
    (
        "customer_details.customer_phone_missing",
        order_body(customer_details={"customer_id": "cust001"}),
    ),
    ("order_expiry_time_invalid", order_body(order_expiry_time="tomorrow")),
    ("order_note_invalid", order_body(order_note="ab")),
]


@pytest.mark.parametrize(("code", "body"), BAD_ORDERS)
async def test_invalid_orders_are_refused_like_cashfree(
    api: httpx.AsyncClient, code: str, body: dict[str, Any]
) -> None:
    answer = await api.post("/orders", json=body)
    assert answer.status_code == 400
    error = answer.json()
    assert error["code"] == code
    assert error["type"] == "invalid_request_error"
    assert error["message"]


async def test_body_that_is_not_json_is_400(api: httpx.AsyncClient) -> None:
    answer = await api.post(
        "/orders", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert answer.status_code == 400
    assert answer.json()["code"] == "request_body_invalid"


async def test_unknown_order_is_404(api: httpx.AsyncClient) -> None:
    answer = await api.get("/orders/NOPE-1")
    assert answer.status_code == 404
    assert answer.json()["code"] == "order_not_found"


async def test_unknown_path_is_404_bad_url(api: httpx.AsyncClient) -> None:
    answer = await api.get("/nothing/here")
    assert answer.status_code == 404
    assert answer.json()["message"] == "bad URL, please check API documentation"


async def test_terminate_active_order_cancels_the_pending_attempt(api: httpx.AsyncClient) -> None:
    order = (await api.post("/orders", json=order_body("T-1"))).json()
    pay = await api.post("/orders/sessions", json=pay_body(order["payment_session_id"]))
    assert pay.status_code == 200
    answer = await api.patch("/orders/T-1", json={"order_status": "TERMINATED"})
    assert answer.status_code == 200
    assert answer.json()["order_status"] == "TERMINATED"
    assert (await api.get("/orders/T-1")).json()["order_status"] == "TERMINATED"
    (payment,) = (await api.get("/orders/T-1/payments")).json()
    assert payment["payment_status"] == "CANCELLED"
    assert "bank_reference" not in payment


async def test_terminate_paid_order_stays_paid(api: httpx.AsyncClient, sim: Simulator) -> None:
    await api.post("/orders", json=order_body("T-2"))
    sim.customer_pays("T-2")
    answer = await api.patch("/orders/T-2", json={"order_status": "TERMINATED"})
    assert answer.status_code == 200
    assert answer.json()["order_status"] == "PAID"


async def test_terminate_needs_order_status_terminated(api: httpx.AsyncClient) -> None:
    await api.post("/orders", json=order_body("T-3"))
    answer = await api.patch("/orders/T-3", json={"order_status": "PAID"})
    assert answer.status_code == 400
    assert (await api.get("/orders/T-3")).json()["order_status"] == "ACTIVE"


async def test_terminate_unknown_order_is_404(api: httpx.AsyncClient) -> None:
    answer = await api.patch("/orders/NOPE", json={"order_status": "TERMINATED"})
    assert answer.status_code == 404


async def test_order_expires_when_read_after_its_expiry_time(
    api: httpx.AsyncClient, clock: ManualClock
) -> None:
    expiry = (clock.now + timedelta(minutes=15)).isoformat()
    order = (await api.post("/orders", json=order_body("EXP-1", order_expiry_time=expiry))).json()
    assert datetime.fromisoformat(order["order_expiry_time"]) == clock.now + timedelta(minutes=15)
    await api.post("/orders/sessions", json=pay_body(order["payment_session_id"]))
    clock.advance(14 * 60 + 59)
    assert (await api.get("/orders/EXP-1")).json()["order_status"] == "ACTIVE"
    clock.advance(1)
    assert (await api.get("/orders/EXP-1")).json()["order_status"] == "EXPIRED"
    (payment,) = (await api.get("/orders/EXP-1/payments")).json()
    assert payment["payment_status"] == "NOT_ATTEMPTED"
    refused = await api.post("/orders/sessions", json=pay_body(order["payment_session_id"]))
    assert refused.status_code == 400
    assert refused.json()["code"] == "order_inactive"


async def test_expiry_in_the_past_is_refused(api: httpx.AsyncClient, clock: ManualClock) -> None:
    past = (clock.now - timedelta(seconds=1)).isoformat()
    answer = await api.post("/orders", json=order_body(order_expiry_time=past))
    assert answer.status_code == 400
    assert answer.json()["code"] == "order_expiry_time_invalid"


async def test_tags_and_meta_are_echoed(api: httpx.AsyncClient) -> None:
    body = order_body(
        order_tags={"terminal": "T1", "bill": "42"},
        order_meta={"return_url": "https://example.com/r?order_id={order_id}"},
    )
    order = (await api.post("/orders", json=body)).json()
    assert order["order_tags"] == {"terminal": "T1", "bill": "42"}
    assert order["order_meta"] == {"return_url": "https://example.com/r?order_id={order_id}"}
