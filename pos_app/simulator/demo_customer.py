"""The simulator's customer behind the desk's demo buttons (services.demo_customer).

Each action is one call into the in-process simulator; SimulatorError (an unknown order,
one already paid) passes to the caller, which tells the cashier the demo could not do it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pos_app.simulator.core import Simulator

__all__ = ["SimulatedCustomer"]


class SimulatedCustomer:
    """Implements pos_app.services.demo_customer.DemoCustomer over a Simulator."""

    def __init__(self, simulator: Simulator) -> None:
        self.simulator = simulator

    async def pay(self, order_id: str) -> None:
        self.simulator.customer_pays(order_id)

    async def decline(self, order_id: str) -> None:
        self.simulator.customer_fails(order_id)

    async def walk_away(self, order_id: str) -> None:
        # Walking away ends the sale (the order times out), as the button's name says.
        self.simulator.customer_leaves(order_id)
