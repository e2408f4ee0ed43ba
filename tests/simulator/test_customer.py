"""The pretend customer (Python API and control API) and the test checkout page."""

from __future__ import annotations

import re

import httpx
import pytest
from simulator.simkit import ManualClock, link_body, order_body, pay_body

from pos_app.simulator import Simulator, SimulatorError

pytestmark = pytest.mark.asyncio

ROOT = "http://simulator.invalid"


async def _order(api: httpx.AsyncClient, order_id: str, amount: float = 250) -> dict[str, object]:
    answer = await api.post("/orders", json=order_body(order_id, amount))
    assert answer.status_code == 200
    return answer.json()  # type: ignore[no-any-return]


async def test_customer_pays_acts_on_the_pending_attempt(
    api: httpx.AsyncClient, sim: Simulator
) -> None:
    order = await _order(api, "C-1")
    pay = (
        await api.post("/orders/sessions", json=pay_body(str(order["payment_session_id"])))
    ).json()
    assert sim.customer_pays("C-1") == pay["cf_payment_id"]
    assert (await api.get("/orders/C-1")).json()["order_status"] == "PAID"
    (payment,) = (await api.get("/orders/C-1/payments")).json()
    assert payment["payment_status"] == "SUCCESS"


async def test_customer_makes_an_attempt_when_none_exists(
    api: httpx.AsyncClient, sim: Simulator
) -> None:
    await _order(api, "C-2")
    sim.customer_pays("C-2")
    (payment,) = (await api.get("/orders/C-2/payments")).json()
    assert payment["payment_status"] == "SUCCESS"


async def test_customer_fails_then_retries_and_pays(api: httpx.AsyncClient, sim: Simulator) -> None:
    await _order(api, "C-3")
    sim.customer_fails("C-3", "INSUFFICIENT_FUNDS")
    sim.customer_pays("C-3")
    failed, paid = (await api.get("/orders/C-3/payments")).json()
    assert failed["payment_status"] == "FAILED"
    assert failed["error_details"]["error_code"] == "INSUFFICIENT_FUNDS"
    assert paid["payment_status"] == "SUCCESS"
    with pytest.raises(SimulatorError, match="already paid"):
        sim.customer_walks_away("C-3")


async def test_customer_acts_later_on_the_clock(
    api: httpx.AsyncClient, sim: Simulator, clock: ManualClock
) -> None:
    await _order(api, "C-4")
    sim.customer_pays("C-4", after_seconds=10)
    (payment,) = (await api.get("/orders/C-4/payments")).json()
    assert payment["payment_status"] == "PENDING"
    clock.advance(10)
    assert (await api.get("/orders/C-4")).json()["order_status"] == "PAID"


async def test_scheduled_payment_survives_a_cancel_as_a_late_payment(
    api: httpx.AsyncClient, sim: Simulator, clock: ManualClock
) -> None:
    await _order(api, "C-5")
    sim.customer_pays("C-5", after_seconds=30)
    assert (await api.patch("/orders/C-5", json={"order_status": "TERMINATED"})).json()[
        "order_status"
    ] == "TERMINATED"
    clock.advance(30)
    assert (await api.get("/orders/C-5")).json()["order_status"] == "PAID"


async def test_customer_pays_a_terminated_order_late(
    api: httpx.AsyncClient, sim: Simulator
) -> None:
    await _order(api, "C-6")
    await api.patch("/orders/C-6", json={"order_status": "TERMINATED"})
    sim.customer_pays("C-6")
    assert (await api.get("/orders/C-6")).json()["order_status"] == "PAID"


async def test_customer_on_a_link_id_pays_the_link(api: httpx.AsyncClient, sim: Simulator) -> None:
    await api.post("/links", json=link_body("C-LINK", 75))
    sim.customer_pays("C-LINK")
    assert (await api.get("/links/C-LINK")).json()["link_status"] == "PAID"


async def test_customer_errors(sim: Simulator) -> None:
    with pytest.raises(SimulatorError) as missing:
        sim.customer_pays("NOPE")
    assert missing.value.status == 404
    with pytest.raises(SimulatorError, match="action"):
        sim.customer_acts("NOPE", "dance")
    with pytest.raises(SimulatorError, match="after_seconds"):
        sim.customer_pays("NOPE", after_seconds=-1)


async def test_control_api_customer(api: httpx.AsyncClient, clock: ManualClock) -> None:
    await _order(api, "C-7")
    answer = await api.post(f"{ROOT}/_sim/orders/C-7/customer", json={"action": "walk_away"})
    assert answer.status_code == 200
    assert answer.json()["order_id"] == "C-7" and answer.json()["cf_payment_id"]
    later = await api.post(
        f"{ROOT}/_sim/orders/C-7/customer", json={"action": "pay", "after_seconds": 5}
    )
    assert later.status_code == 200
    assert (await api.get("/orders/C-7")).json()["order_status"] == "ACTIVE"
    clock.advance(5)
    assert (await api.get("/orders/C-7")).json()["order_status"] == "PAID"
    statuses = [p["payment_status"] for p in (await api.get("/orders/C-7/payments")).json()]
    assert statuses == ["USER_DROPPED", "SUCCESS"]


async def test_control_api_customer_fail_with_code_and_on_links(api: httpx.AsyncClient) -> None:
    await _order(api, "C-8")
    body = {"action": "fail", "error_code": "INVALID_MPIN"}
    assert (await api.post(f"{ROOT}/_sim/orders/C-8/customer", json=body)).status_code == 200
    (payment,) = (await api.get("/orders/C-8/payments")).json()
    assert payment["error_details"]["error_code"] == "INVALID_MPIN"
    await api.post("/links", json=link_body("C-L2"))
    answer = await api.post(f"{ROOT}/_sim/links/C-L2/customer", json={"action": "pay"})
    assert answer.json()["order_id"] == "CFPay_C-L2_1"


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/_sim/orders/NOPE/customer", {"action": "pay"}, 404),
        ("/_sim/orders/C-9/customer", {"action": "sing"}, 400),
        ("/_sim/orders/C-9/customer", {}, 400),
        ("/_sim/orders/C-9/customer", {"action": "pay", "after_seconds": "soon"}, 400),
        ("/_sim/links/NOPE/customer", {"action": "pay"}, 404),
        ("/_sim/nothing", {}, 404),
    ],
)
async def test_control_api_errors(
    api: httpx.AsyncClient, path: str, body: dict[str, object], status: int
) -> None:
    await _order(api, "C-9")
    assert (await api.post(ROOT + path, json=body)).status_code == status


async def test_control_notify_for_unknown_link_is_404(api: httpx.AsyncClient) -> None:
    assert (await api.get(f"{ROOT}/_sim/links/NOPE/notify")).status_code == 404


# ---- checkout page ------------------------------------------------------------------------


def _buttons(html: str) -> list[str]:
    return re.findall(r"<button name='action' value='([a-z_]+)'>", html)


async def test_checkout_page_for_an_order_pays_it(api: httpx.AsyncClient) -> None:
    await _order(api, "PG-1", 1234.5)
    page = await api.get(f"{ROOT}/checkout/order/PG-1")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "₹1,234.50" in page.text
    assert _buttons(page.text) == ["pay", "fail", "walk_away"]
    assert "action='/checkout/order/PG-1'" in page.text
    done = await api.post(f"{ROOT}/checkout/order/PG-1", data={"action": "pay"})
    assert done.status_code == 200
    assert "Payment successful." in done.text
    assert _buttons(done.text) == []
    assert (await api.get("/orders/PG-1")).json()["order_status"] == "PAID"


async def test_checkout_page_fail_and_walk_away(api: httpx.AsyncClient) -> None:
    await _order(api, "PG-2")
    await api.post(f"{ROOT}/checkout/order/PG-2", data={"action": "fail"})
    await api.post(f"{ROOT}/checkout/order/PG-2", data={"action": "walk_away"})
    statuses = [p["payment_status"] for p in (await api.get("/orders/PG-2/payments")).json()]
    assert statuses == ["FAILED", "USER_DROPPED"]


async def test_checkout_page_for_a_link(api: httpx.AsyncClient) -> None:
    link = (await api.post("/links", json=link_body("PG-L", 99))).json()
    page = await api.get(link["link_url"].replace("http://127.0.0.1:8790", ROOT))
    assert page.status_code == 200
    assert "₹99.00" in page.text and "Bill 42 at Test Store" in page.text
    assert _buttons(page.text) == ["pay", "fail", "walk_away"]
    await api.post(f"{ROOT}/checkout/link/PG-L", data={"action": "pay"})
    assert (await api.get("/links/PG-L")).json()["link_status"] == "PAID"
    assert _buttons((await api.get(f"{ROOT}/checkout/link/PG-L")).text) == []


async def test_checkout_page_escapes_what_it_shows(api: httpx.AsyncClient) -> None:
    body = link_body("PG-X", link_purpose="<script>alert(1)</script>")
    await api.post("/links", json=body)
    page = await api.get(f"{ROOT}/checkout/link/PG-X")
    assert "<script>" not in page.text
    assert "&lt;script&gt;" in page.text


async def test_checkout_page_errors(api: httpx.AsyncClient) -> None:
    assert (await api.get(f"{ROOT}/checkout/order/NOPE")).status_code == 404
    await _order(api, "PG-3")
    assert (
        await api.post(f"{ROOT}/checkout/order/PG-3", data={"action": "dance"})
    ).status_code == 400


async def test_index_page(api: httpx.AsyncClient) -> None:
    page = await api.get(f"{ROOT}/")
    assert page.status_code == 200 and "/pg" in page.text


async def test_control_api_lists_every_order(api: httpx.AsyncClient, sim: Simulator) -> None:
    assert (await api.get(f"{ROOT}/_sim/orders")).json() == {"orders": []}
    await _order(api, "LIST-1")
    await _order(api, "LIST-2")
    await api.post("/links", json=link_body("LIST-L"))
    sim.link_customer_pays("LIST-L")
    listed = (await api.get(f"{ROOT}/_sim/orders")).json()
    assert listed == {"orders": ["LIST-1", "LIST-2", "CFPay_LIST-L_1"]}
    assert sim.order_ids() == listed["orders"]


async def test_checkout_page_uses_indian_grouping(api: httpx.AsyncClient) -> None:
    await _order(api, "PG-LAKH", 123456.5)
    page = await api.get(f"{ROOT}/checkout/order/PG-LAKH")
    assert "₹1,23,456.50" in page.text
