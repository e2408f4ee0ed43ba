"""Order Pay (UPI qrcode, collect, link intents) and the payments it leaves behind."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from simulator.simkit import ManualClock, decode_qr, order_body, pay_body, png_from_data_uri

from pos_app.simulator import Simulator
from pos_app.simulator.qr import SIM_MERCHANT_VPA

pytestmark = pytest.mark.asyncio


async def _order(
    api: httpx.AsyncClient, order_id: str = "PAY-1", amount: Any = 250.5
) -> dict[str, Any]:
    answer = await api.post("/orders", json=order_body(order_id, amount))
    assert answer.status_code == 200
    return answer.json()  # type: ignore[no-any-return]


async def test_qrcode_returns_a_real_scannable_upi_qr(
    api: httpx.AsyncClient, anon: httpx.AsyncClient
) -> None:
    order = await _order(api, "QR-ORDER-7", 1234.5)
    answer = await anon.post("/orders/sessions", json=pay_body(order["payment_session_id"]))
    assert answer.status_code == 200
    pay = answer.json()
    assert pay["payment_method"] == "upi"
    assert pay["channel"] == "qrcode"
    assert pay["action"] == "custom"
    assert pay["payment_amount"] == 1234.5
    text = decode_qr(png_from_data_uri(pay["data"]["payload"]["qrcode"]))
    parts = urlsplit(text)
    assert (parts.scheme, parts.netloc, parts.path) == ("upi", "pay", "")
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query == {
        "pa": SIM_MERCHANT_VPA,
        "pn": "Simulated Merchant",
        "am": "1234.50",
        "cu": "INR",
        "tr": pay["cf_payment_id"],
        "tn": "QR-ORDER-7",
    }


async def test_each_pay_call_is_a_new_pending_attempt(
    api: httpx.AsyncClient, anon: httpx.AsyncClient
) -> None:
    order = await _order(api)
    first = (await anon.post("/orders/sessions", json=pay_body(order["payment_session_id"]))).json()
    second = (
        await anon.post("/orders/sessions", json=pay_body(order["payment_session_id"]))
    ).json()
    assert first["cf_payment_id"] != second["cf_payment_id"]
    payments = (await api.get("/orders/PAY-1/payments")).json()
    assert [p["cf_payment_id"] for p in payments] == [
        first["cf_payment_id"],
        second["cf_payment_id"],
    ]
    for payment in payments:
        assert payment["payment_status"] == "PENDING"
        assert payment["payment_group"] == "upi"
        assert payment["payment_method"] == {"upi": {"channel": "qrcode"}}
        assert "error_details" not in payment
    assert (await api.get("/orders/PAY-1")).json()["order_status"] == "ACTIVE"


async def test_one_payment_by_id(api: httpx.AsyncClient, anon: httpx.AsyncClient) -> None:
    order = await _order(api)
    pay = (await anon.post("/orders/sessions", json=pay_body(order["payment_session_id"]))).json()
    one = await api.get(f"/orders/PAY-1/payments/{pay['cf_payment_id']}")
    assert one.status_code == 200
    assert one.json()["cf_payment_id"] == pay["cf_payment_id"]
    assert (await api.get("/orders/PAY-1/payments/999")).status_code == 404


async def test_collect_to_testsuccess_succeeds_after_a_short_delay(
    api: httpx.AsyncClient, anon: httpx.AsyncClient, clock: ManualClock
) -> None:
    order = await _order(api, "COL-1", 99)
    body = pay_body(order["payment_session_id"], "collect", upi_id="testsuccess@gocash")
    pay = (await anon.post("/orders/sessions", json=body)).json()
    assert pay["channel"] == "collect"
    (pending,) = (await api.get("/orders/COL-1/payments")).json()
    assert pending["payment_status"] == "PENDING"
    assert pending["payment_method"] == {
        "upi": {"channel": "collect", "upi_id": "testsuccess@gocash"}
    }
    clock.advance(2.9)
    assert (await api.get("/orders/COL-1")).json()["order_status"] == "ACTIVE"
    clock.advance(0.2)
    assert (await api.get("/orders/COL-1")).json()["order_status"] == "PAID"
    (paid,) = (await api.get("/orders/COL-1/payments")).json()
    assert paid["payment_status"] == "SUCCESS"
    assert paid["is_captured"] is True
    assert len(paid["bank_reference"]) == 12 and paid["bank_reference"].isdigit()
    assert paid["payment_amount"] == 99
    assert "payment_completion_time" in paid


async def test_collect_to_testfailure_fails_with_bank_rejection(
    api: httpx.AsyncClient, anon: httpx.AsyncClient, clock: ManualClock
) -> None:
    order = await _order(api, "COL-2")
    body = pay_body(order["payment_session_id"], "collect", upi_id="testfailure@gocash")
    assert (await anon.post("/orders/sessions", json=body)).status_code == 200
    clock.advance(5)
    (failed,) = (await api.get("/orders/COL-2/payments")).json()
    assert failed["payment_status"] == "FAILED"
    assert failed["payment_message"] == "01::REJECTED"
    details = failed["error_details"]
    assert (details["error_code"], details["error_reason"], details["error_source"]) == (
        "TRANSACTION_DECLINED",
        "bank_rejected",
        "bank",
    )
    assert "bank_reference" not in failed
    assert (await api.get("/orders/COL-2")).json()["order_status"] == "ACTIVE"


async def test_collect_to_testinvalid_is_400_and_makes_no_attempt(
    api: httpx.AsyncClient, anon: httpx.AsyncClient
) -> None:
    order = await _order(api, "COL-3")
    body = pay_body(order["payment_session_id"], "collect", upi_id="testinvalid@gocash")
    answer = await anon.post("/orders/sessions", json=body)
    assert answer.status_code == 400
    assert answer.json()["code"] == "upi_id_invalid"
    assert (await api.get("/orders/COL-3/payments")).json() == []


@pytest.mark.parametrize("upi", [{}, {"upi_id": "not a vpa"}, {"upi_id": "@nobody"}])
async def test_collect_needs_a_well_formed_vpa(
    api: httpx.AsyncClient, anon: httpx.AsyncClient, upi: dict[str, str]
) -> None:
    order = await _order(api, "COL-4")
    answer = await anon.post(
        "/orders/sessions", json=pay_body(order["payment_session_id"], "collect", **upi)
    )
    assert answer.status_code == 400


async def test_collect_to_any_other_vpa_stays_pending(
    api: httpx.AsyncClient, anon: httpx.AsyncClient, clock: ManualClock
) -> None:
    order = await _order(api, "COL-5")
    body = pay_body(order["payment_session_id"], "collect", upi_id="shopper.42@okbank")
    await anon.post("/orders/sessions", json=body)
    clock.advance(600)
    (payment,) = (await api.get("/orders/COL-5/payments")).json()
    assert payment["payment_status"] == "PENDING"


async def test_link_channel_returns_upi_intents(
    api: httpx.AsyncClient, anon: httpx.AsyncClient
) -> None:
    order = await _order(api, "INTENT-1", 10)
    pay = (
        await anon.post("/orders/sessions", json=pay_body(order["payment_session_id"], "link"))
    ).json()
    payload = pay["data"]["payload"]
    assert set(payload) == {"default", "gpay", "phonepe", "paytm", "bhim"}
    assert payload["default"].startswith("upi://pay?pa=")
    assert payload["gpay"].startswith("tez://upi/pay?")
    assert payload["phonepe"].startswith("phonepe://pay?")
    assert payload["paytm"].startswith("paytmmp://pay?")
    for url in payload.values():
        query = parse_qs(urlsplit(url).query)
        assert query["am"] == ["10.00"] and query["tn"] == ["INTENT-1"]
        assert query["tr"] == [pay["cf_payment_id"]]


async def test_unknown_session_is_refused(anon: httpx.AsyncClient) -> None:
    answer = await anon.post("/orders/sessions", json=pay_body("session_nope"))
    assert answer.status_code == 400
    assert answer.json()["code"] == "payment_session_id_invalid"


@pytest.mark.parametrize(
    "method",
    [{"card": {"channel": "link"}}, {"upi": {"channel": "podQrCode"}}, {"upi": {}}, "upi"],
)
async def test_only_upi_channels_are_taken(
    api: httpx.AsyncClient, anon: httpx.AsyncClient, method: Any
) -> None:
    order = await _order(api)
    body = {"payment_session_id": order["payment_session_id"], "payment_method": method}
    assert (await anon.post("/orders/sessions", json=body)).status_code == 400


@pytest.mark.parametrize("close", ["terminate", "pay"])
async def test_order_pay_refuses_an_order_that_is_not_active(
    api: httpx.AsyncClient, anon: httpx.AsyncClient, sim: Simulator, close: str
) -> None:
    order = await _order(api, "CLOSED-1")
    if close == "terminate":
        await api.patch("/orders/CLOSED-1", json={"order_status": "TERMINATED"})
    else:
        sim.customer_pays("CLOSED-1")
    answer = await anon.post("/orders/sessions", json=pay_body(order["payment_session_id"]))
    assert answer.status_code == 400
    assert answer.json()["code"] == "order_inactive"


async def test_user_dropped_payment_has_error_code_user_dropped(
    api: httpx.AsyncClient, sim: Simulator
) -> None:
    await _order(api, "DROP-1")
    sim.customer_walks_away("DROP-1")
    (payment,) = (await api.get("/orders/DROP-1/payments")).json()
    assert payment["payment_status"] == "USER_DROPPED"
    assert payment["error_details"]["error_code"] == "USER_DROPPED"
    assert (await api.get("/orders/DROP-1")).json()["order_status"] == "ACTIVE"


async def test_collect_redirect_url_points_at_the_checkout_page(
    api: httpx.AsyncClient, anon: httpx.AsyncClient, sim: Simulator
) -> None:
    order = await _order(api, "REDIR-1")
    body = pay_body(
        order["payment_session_id"], "collect", upi_id="a.b@okbank", upi_redirect_url=True
    )
    pay = (await anon.post("/orders/sessions", json=body)).json()
    assert pay["data"]["url"] == f"{sim.public_url}/checkout/order/REDIR-1"


@pytest.mark.parametrize(
    ("expiry_after", "status", "attempt"), [(2, "EXPIRED", "NOT_ATTEMPTED"), (5, "PAID", "SUCCESS")]
)
async def test_what_happens_first_on_the_clock_wins(
    api: httpx.AsyncClient,
    anon: httpx.AsyncClient,
    clock: ManualClock,
    expiry_after: int,
    status: str,
    attempt: str,
) -> None:
    """The test VPA approves 3 s after the request; the order expires after 2 s or 5 s.
    Read long after both, the outcome is the one that came first."""
    expiry = (clock.now + timedelta(seconds=expiry_after)).isoformat()
    order = (
        await api.post("/orders", json=order_body("RACE-1", 10, order_expiry_time=expiry))
    ).json()
    body = pay_body(order["payment_session_id"], "collect", upi_id="testsuccess@gocash")
    await anon.post("/orders/sessions", json=body)
    clock.advance(60)
    assert (await api.get("/orders/RACE-1")).json()["order_status"] == status
    (payment,) = (await api.get("/orders/RACE-1/payments")).json()
    assert payment["payment_status"] == attempt
