"""Refunds: only on paid orders, never above what is left, outcome from refund_note."""

from __future__ import annotations

import httpx
import pytest
from simulator.simkit import ManualClock, order_body

from pos_app.simulator import Simulator

pytestmark = pytest.mark.asyncio


async def _paid(
    api: httpx.AsyncClient, sim: Simulator, order_id: str = "R-1", amount: float = 500
) -> None:
    assert (await api.post("/orders", json=order_body(order_id, amount))).status_code == 200
    sim.customer_pays(order_id)


def _refund(refund_id: str, amount: float, note: str | None = None) -> dict[str, object]:
    body: dict[str, object] = {"refund_id": refund_id, "refund_amount": amount}
    if note is not None:
        body["refund_note"] = note
    return body


async def test_refund_is_pending_then_success_on_the_clock(
    api: httpx.AsyncClient, sim: Simulator, clock: ManualClock
) -> None:
    await _paid(api, sim)
    answer = await api.post("/orders/R-1/refunds", json=_refund("RF-1", 100.25, "customer asked"))
    assert answer.status_code == 200
    refund = answer.json()
    assert refund["refund_status"] == "PENDING"
    assert refund["refund_amount"] == 100.25
    assert refund["order_id"] == "R-1"
    assert refund["entity"] == "refund"
    assert refund["refund_type"] == "MERCHANT_INITIATED"
    (payment,) = (await api.get("/orders/R-1/payments")).json()
    assert refund["cf_payment_id"] == payment["cf_payment_id"]
    clock.advance(5)
    done = (await api.get("/orders/R-1/refunds/RF-1")).json()
    assert done["refund_status"] == "SUCCESS"
    assert done["refund_arn"] and done["processed_at"]
    listed = (await api.get("/orders/R-1/refunds")).json()
    assert listed == [done]


@pytest.mark.parametrize(
    ("note", "status"), [("SUCCESS", "SUCCESS"), ("FAILED", "FAILED"), ("PENDING", "PENDING")]
)
async def test_refund_note_sets_the_outcome(
    api: httpx.AsyncClient, sim: Simulator, clock: ManualClock, note: str, status: str
) -> None:
    await _paid(api, sim)
    refund = (await api.post("/orders/R-1/refunds", json=_refund("RF-N", 10, note))).json()
    assert refund["refund_status"] == status
    clock.advance(3600)
    assert (await api.get("/orders/R-1/refunds/RF-N")).json()["refund_status"] == status


async def test_refund_note_is_case_sensitive(api: httpx.AsyncClient, sim: Simulator) -> None:
    await _paid(api, sim)
    refund = (await api.post("/orders/R-1/refunds", json=_refund("RF-C", 10, "failed"))).json()
    assert refund["refund_status"] == "PENDING"


async def test_refund_needs_a_paid_order(api: httpx.AsyncClient) -> None:
    await api.post("/orders", json=order_body("R-UNPAID"))
    answer = await api.post("/orders/R-UNPAID/refunds", json=_refund("RF-U", 1))
    assert answer.status_code == 400
    assert answer.json()["code"] == "order_not_paid"
    assert (await api.post("/orders/NOPE/refunds", json=_refund("RF-U", 1))).status_code == 404


async def test_never_above_paid_less_refunded_including_pending(
    api: httpx.AsyncClient, sim: Simulator
) -> None:
    await _paid(api, sim, amount=500)
    assert (
        await api.post("/orders/R-1/refunds", json=_refund("RF-A", 200, "SUCCESS"))
    ).status_code == 200
    assert (
        await api.post("/orders/R-1/refunds", json=_refund("RF-B", 200))
    ).status_code == 200  # pending
    too_much = await api.post("/orders/R-1/refunds", json=_refund("RF-C", 100.01))
    assert too_much.status_code == 400
    assert too_much.json()["code"] == "refund_amount_invalid"
    exact = await api.post("/orders/R-1/refunds", json=_refund("RF-D", 100))
    assert exact.status_code == 200
    assert (await api.post("/orders/R-1/refunds", json=_refund("RF-E", 0.01))).status_code == 400


async def test_a_failed_refund_frees_its_amount(api: httpx.AsyncClient, sim: Simulator) -> None:
    await _paid(api, sim, amount=100)
    assert (
        await api.post("/orders/R-1/refunds", json=_refund("RF-F", 100, "FAILED"))
    ).status_code == 200
    assert (await api.post("/orders/R-1/refunds", json=_refund("RF-G", 100))).status_code == 200


async def test_duplicate_refund_id_is_409(api: httpx.AsyncClient, sim: Simulator) -> None:
    await _paid(api, sim)
    assert (await api.post("/orders/R-1/refunds", json=_refund("RF-1", 1))).status_code == 200
    again = await api.post("/orders/R-1/refunds", json=_refund("RF-1", 1))
    assert again.status_code == 409


@pytest.mark.parametrize(
    "body",
    [
        {"refund_id": "RF-1"},
        {"refund_amount": 1},
        {"refund_id": "ab", "refund_amount": 1},
        {"refund_id": "RF-1", "refund_amount": 0},
        {"refund_id": "RF-1", "refund_amount": 1.005},
        {"refund_id": "RF-1", "refund_amount": 1, "refund_note": "ab"},
        {"refund_id": "RF-1", "refund_amount": 1, "refund_speed": "FAST"},
    ],
)
async def test_invalid_refunds_are_400(
    api: httpx.AsyncClient, sim: Simulator, body: dict[str, object]
) -> None:
    await _paid(api, sim)
    assert (await api.post("/orders/R-1/refunds", json=body)).status_code == 400


async def test_unknown_refund_is_404(api: httpx.AsyncClient, sim: Simulator) -> None:
    await _paid(api, sim)
    assert (await api.get("/orders/R-1/refunds/NOPE")).status_code == 404
    assert (await api.get("/orders/R-1/refunds")).json() == []
