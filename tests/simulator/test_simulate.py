"""Cashfree's Simulation API: force an attempt's outcome, read the simulation back;
late payments on TERMINATED or EXPIRED orders."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from simulator.simkit import ManualClock, order_body, pay_body, simulate_body

pytestmark = pytest.mark.asyncio


async def _attempt(api: httpx.AsyncClient, order_id: str, **extra: object) -> str:
    order = (await api.post("/orders", json=order_body(order_id, 120, **extra))).json()
    pay = await api.post("/orders/sessions", json=pay_body(order["payment_session_id"]))
    return str(pay.json()["cf_payment_id"])


async def test_simulate_success_pays_the_order(api: httpx.AsyncClient) -> None:
    cf_payment_id = await _attempt(api, "SIM-1")
    answer = await api.post("/simulate", json=simulate_body(cf_payment_id, "SUCCESS"))
    assert answer.status_code == 200
    simulation = answer.json()
    assert simulation["simulation_id"].startswith("sim_")
    assert simulation["entity"] == "PAYMENTS"
    assert simulation["entity_id"] == cf_payment_id
    assert simulation["entity_simulation"] == {"payment_status": "SUCCESS"}
    assert (await api.get("/orders/SIM-1")).json()["order_status"] == "PAID"
    again = await api.get(f"/simulate/{simulation['simulation_id']}")
    assert again.status_code == 200
    assert again.json() == simulation


async def test_simulate_failure_with_an_error_code(api: httpx.AsyncClient) -> None:
    cf_payment_id = await _attempt(api, "SIM-2")
    body = simulate_body(cf_payment_id, "FAILED", "ISSUER_NOT_AVAILABLE")
    simulation = (await api.post("/simulate", json=body)).json()
    assert simulation["entity_simulation"] == {
        "payment_status": "FAILED",
        "payment_error_code": "ISSUER_NOT_AVAILABLE",
    }
    (payment,) = (await api.get("/orders/SIM-2/payments")).json()
    assert payment["payment_status"] == "FAILED"
    assert payment["error_details"]["error_code"] == "ISSUER_NOT_AVAILABLE"
    assert (await api.get("/orders/SIM-2")).json()["order_status"] == "ACTIVE"


async def test_simulate_user_dropped_then_pending_again(api: httpx.AsyncClient) -> None:
    cf_payment_id = await _attempt(api, "SIM-3")
    await api.post("/simulate", json=simulate_body(cf_payment_id, "USER_DROPPED"))
    (payment,) = (await api.get("/orders/SIM-3/payments")).json()
    assert payment["payment_status"] == "USER_DROPPED"
    await api.post("/simulate", json=simulate_body(cf_payment_id, "PENDING"))
    (payment,) = (await api.get("/orders/SIM-3/payments")).json()
    assert payment["payment_status"] == "PENDING"
    assert "error_details" not in payment


async def test_a_successful_payment_cannot_be_simulated_into_failure(
    api: httpx.AsyncClient,
) -> None:
    cf_payment_id = await _attempt(api, "SIM-4")
    await api.post("/simulate", json=simulate_body(cf_payment_id, "SUCCESS"))
    answer = await api.post("/simulate", json=simulate_body(cf_payment_id, "FAILED"))
    assert answer.status_code == 400
    assert (await api.get("/orders/SIM-4")).json()["order_status"] == "PAID"


async def test_late_payment_after_terminate_reads_paid(api: httpx.AsyncClient) -> None:
    cf_payment_id = await _attempt(api, "LATE-1")
    terminated = await api.patch("/orders/LATE-1", json={"order_status": "TERMINATED"})
    assert terminated.json()["order_status"] == "TERMINATED"
    answer = await api.post("/simulate", json=simulate_body(cf_payment_id, "SUCCESS"))
    assert answer.status_code == 200
    assert (await api.get("/orders/LATE-1")).json()["order_status"] == "PAID"
    (payment,) = (await api.get("/orders/LATE-1/payments")).json()
    assert payment["payment_status"] == "SUCCESS"


async def test_late_payment_after_expiry_reads_paid(
    api: httpx.AsyncClient, clock: ManualClock
) -> None:
    expiry = (clock.now + timedelta(minutes=5)).isoformat()
    cf_payment_id = await _attempt(api, "LATE-2", order_expiry_time=expiry)
    clock.advance(600)
    assert (await api.get("/orders/LATE-2")).json()["order_status"] == "EXPIRED"
    await api.post("/simulate", json=simulate_body(cf_payment_id, "SUCCESS"))
    assert (await api.get("/orders/LATE-2")).json()["order_status"] == "PAID"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (simulate_body("424242", "SUCCESS"), 404),
        (
            {
                "entity": "SUBS_PAYMENTS",
                "entity_id": "1",
                "entity_simulation": {"payment_status": "SUCCESS"},
            },
            400,
        ),
        (
            {
                "entity": "PAYMENTS",
                "entity_id": "1",
                "entity_simulation": {"payment_status": "PAID"},
            },
            400,
        ),
        ({"entity": "PAYMENTS", "entity_id": "1"}, 400),
        ({"entity_id": "1", "entity_simulation": {"payment_status": "SUCCESS"}}, 400),
    ],
)
async def test_bad_simulations_are_refused(
    api: httpx.AsyncClient, body: dict[str, object], status: int
) -> None:
    assert (await api.post("/simulate", json=body)).status_code == status


async def test_unknown_simulation_is_404(api: httpx.AsyncClient) -> None:
    assert (await api.get("/simulate/sim_nope")).status_code == 404


async def test_simulate_needs_credentials(anon: httpx.AsyncClient, api: httpx.AsyncClient) -> None:
    cf_payment_id = await _attempt(api, "SIM-AUTH")
    answer = await anon.post("/simulate", json=simulate_body(cf_payment_id, "SUCCESS"))
    assert answer.status_code == 401
    assert (await api.get("/orders/SIM-AUTH")).json()["order_status"] == "ACTIVE"
