"""Payment links: create (URL + QR), notify, read, cancel, pay, and the link's orders."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
import pytest
from simulator.simkit import ManualClock, decode_qr, link_body, png_from_data_uri

from pos_app.simulator import Simulator, SimulatorError

pytestmark = pytest.mark.asyncio


async def test_create_link_gives_url_and_a_qr_of_it(api: httpx.AsyncClient, sim: Simulator) -> None:
    answer = await api.post("/links", json=link_body("LNK-1", 499.99))
    assert answer.status_code == 200
    link = answer.json()
    assert link["link_id"] == "LNK-1"
    assert link["link_status"] == "ACTIVE"
    assert link["link_amount"] == 499.99
    assert link["link_amount_paid"] == 0
    assert link["link_url"] == f"{sim.public_url}/checkout/link/LNK-1"
    assert decode_qr(png_from_data_uri(link["link_qrcode"])) == link["link_url"]
    assert link["link_expiry_time"].endswith("+05:30")
    fetched = await api.get("/links/LNK-1")
    assert fetched.status_code == 200
    assert fetched.json() == link


async def test_default_link_expiry_is_thirty_days(api: httpx.AsyncClient) -> None:
    link = (await api.post("/links", json=link_body())).json()
    created = datetime.fromisoformat(link["link_created_at"])
    assert datetime.fromisoformat(link["link_expiry_time"]) - created == timedelta(days=30)


async def test_link_notify_is_recorded_and_visible_through_control_api(
    api: httpx.AsyncClient, sim: Simulator
) -> None:
    body = link_body(
        "LNK-N",
        link_notify={"send_sms": True, "send_email": True},
        customer_details={"customer_phone": "9876543210", "customer_email": "a@example.com"},
    )
    link = (await api.post("/links", json=body)).json()
    assert link["link_notify"] == {"send_sms": True, "send_email": True}
    control = await api.get("http://simulator.invalid/_sim/links/LNK-N/notify")
    assert control.status_code == 200
    sent = control.json()
    assert sent["link_notify"] == {"send_sms": True, "send_email": True}
    assert [(n["channel"], n["to"]) for n in sent["notifications"]] == [
        ("sms", "9876543210"),
        ("email", "a@example.com"),
    ]
    assert all(n["link_url"] == link["link_url"] for n in sent["notifications"])
    assert sim.link_notifications("LNK-N") == sent


async def test_no_notify_sends_nothing(api: httpx.AsyncClient, sim: Simulator) -> None:
    await api.post("/links", json=link_body("LNK-Q"))
    assert sim.link_notifications("LNK-Q")["notifications"] == []


async def test_duplicate_link_id_is_409(api: httpx.AsyncClient) -> None:
    await api.post("/links", json=link_body("LNK-D"))
    again = await api.post("/links", json=link_body("LNK-D"))
    assert again.status_code == 409


@pytest.mark.parametrize(
    "body",
    [
        link_body("bad id"),
        link_body("x" * 51),
        link_body(amount=0.5),
        link_body(amount=1.234),
        link_body(customer_details={}),
        link_body(customer_details={"customer_phone": "123"}),
        link_body(link_currency="EUR"),
        {k: v for k, v in link_body().items() if k != "link_purpose"},
    ],
)
async def test_invalid_links_are_400(api: httpx.AsyncClient, body: dict[str, object]) -> None:
    answer = await api.post("/links", json=body)
    assert answer.status_code == 400
    assert answer.json()["type"] == "invalid_request_error"


async def test_cancel_only_an_active_link(api: httpx.AsyncClient, sim: Simulator) -> None:
    await api.post("/links", json=link_body("LNK-C"))
    cancelled = await api.post("/links/LNK-C/cancel")
    assert cancelled.status_code == 200
    assert cancelled.json()["link_status"] == "CANCELLED"
    again = await api.post("/links/LNK-C/cancel")
    assert again.status_code == 400
    assert again.json()["message"] == "Only a link in ACTIVE status can be cancelled"
    await api.post("/links", json=link_body("LNK-P"))
    sim.link_customer_pays("LNK-P")
    assert (await api.post("/links/LNK-P/cancel")).status_code == 400


async def test_paying_a_link_makes_a_cfpay_order_and_the_link_paid(
    api: httpx.AsyncClient, sim: Simulator
) -> None:
    await api.post("/links", json=link_body("LNK-2", 300))
    assert (await api.get("/links/LNK-2/orders")).json() == []
    order_id = sim.link_customer_pays("LNK-2")
    assert order_id == "CFPay_LNK-2_1"
    link = (await api.get("/links/LNK-2")).json()
    assert link["link_status"] == "PAID"
    assert link["link_amount_paid"] == 300
    (order,) = (await api.get("/links/LNK-2/orders", params={"status": "PAID"})).json()
    assert order["order_id"] == "CFPay_LNK-2_1"
    assert order["link_id"] == "LNK-2"
    assert order["order_status"] == "PAID"
    assert order["order_amount"] == 300
    (payment,) = (await api.get(f"/orders/{order_id}/payments")).json()
    assert payment["payment_status"] == "SUCCESS"
    assert payment["payment_group"] == "upi"


async def test_failed_link_attempts_show_with_status_all_only(
    api: httpx.AsyncClient, sim: Simulator
) -> None:
    await api.post("/links", json=link_body("LNK-3"))
    sim.link_customer_acts("LNK-3", "fail")
    sim.link_customer_acts("LNK-3", "walk_away")
    assert (await api.get("/links/LNK-3/orders")).json() == []  # default is PAID
    every = (await api.get("/links/LNK-3/orders", params={"status": "ALL"})).json()
    assert [o["order_id"] for o in every] == ["CFPay_LNK-3_1", "CFPay_LNK-3_2"]
    assert {o["order_status"] for o in every} == {"ACTIVE"}
    assert (await api.get("/links/LNK-3")).json()["link_status"] == "ACTIVE"
    sim.link_customer_pays("LNK-3")
    assert len((await api.get("/links/LNK-3/orders", params={"status": "PAID"})).json()) == 1


async def test_bad_orders_status_is_400(api: httpx.AsyncClient) -> None:
    await api.post("/links", json=link_body("LNK-S"))
    assert (await api.get("/links/LNK-S/orders", params={"status": "SOME"})).status_code == 400


async def test_unknown_link_is_404(api: httpx.AsyncClient) -> None:
    assert (await api.get("/links/NOPE")).status_code == 404
    assert (await api.post("/links/NOPE/cancel")).status_code == 404
    assert (await api.get("/links/NOPE/orders")).status_code == 404


async def test_link_expires_on_the_clock(
    api: httpx.AsyncClient, clock: ManualClock, sim: Simulator
) -> None:
    expiry = (clock.now + timedelta(hours=1)).isoformat()
    await api.post("/links", json=link_body("LNK-E", link_expiry_time=expiry))
    clock.advance(3600)
    assert (await api.get("/links/LNK-E")).json()["link_status"] == "EXPIRED"
    with pytest.raises(SimulatorError, match="expired"):
        sim.link_customer_pays("LNK-E")
