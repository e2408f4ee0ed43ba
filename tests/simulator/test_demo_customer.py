"""The simulator's customer as the desk's demo buttons drive it (services.demo_customer):
pay, a declined attempt the customer may retry, walking away (the order ends at once)."""

from __future__ import annotations

import httpx
import pytest
from simulator.simkit import order_body

from pos_app.services.demo_customer import DemoAction, DemoCustomer, act
from pos_app.simulator import Simulator, SimulatorError
from pos_app.simulator.demo_customer import SimulatedCustomer

pytestmark = pytest.mark.asyncio


async def _order(api: httpx.AsyncClient, order_id: str) -> None:
    assert (await api.post("/orders", json=order_body(order_id, 250))).status_code == 200


async def _status(api: httpx.AsyncClient, order_id: str) -> str:
    return str((await api.get(f"/orders/{order_id}")).json()["order_status"])


async def test_each_button_moves_the_customer(api: httpx.AsyncClient, sim: Simulator) -> None:
    customer: DemoCustomer = SimulatedCustomer(sim)
    await _order(api, "D-1")
    await act(customer, DemoAction.DECLINE, "D-1")
    assert await _status(api, "D-1") == "ACTIVE"  # the customer may try again
    await act(customer, DemoAction.PAY, "D-1")
    assert await _status(api, "D-1") == "PAID"
    failed, paid = (await api.get("/orders/D-1/payments")).json()
    assert (failed["payment_status"], paid["payment_status"]) == ("FAILED", "SUCCESS")

    await _order(api, "D-2")
    await act(customer, DemoAction.WALK_AWAY, "D-2")
    assert await _status(api, "D-2") == "EXPIRED"  # walking away ends the sale now


async def test_what_the_simulator_refuses_reaches_the_caller(
    api: httpx.AsyncClient, sim: Simulator
) -> None:
    customer = SimulatedCustomer(sim)
    with pytest.raises(SimulatorError):
        await customer.pay("NO-SUCH-ORDER")
    await _order(api, "D-3")
    await customer.pay("D-3")
    with pytest.raises(SimulatorError, match="already paid"):
        await customer.walk_away("D-3")
