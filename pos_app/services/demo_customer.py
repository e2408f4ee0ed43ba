"""The pretend customer of demo mode, as the desk's demo controls see it.

The desk's three demo buttons make the customer pay, have the attempt declined, or walk
away. The composition root hands the desk one `DemoCustomer` (the simulator's customer in
demo mode, None otherwise); the desk never looks inside the simulator.
"""

from __future__ import annotations

import enum
from typing import Protocol

__all__ = ["DemoAction", "DemoCustomer", "act"]


class DemoCustomer(Protocol):
    """What the customer standing at a demo till can do with the sale on screen."""

    async def pay(self, order_id: str) -> None: ...

    async def decline(self, order_id: str) -> None:
        """The attempt fails (the customer may try again)."""
        ...

    async def walk_away(self, order_id: str) -> None:
        """The customer leaves for good: the sale times out now."""
        ...


class DemoAction(enum.StrEnum):
    """The demo buttons, by the name their signal carries."""

    PAY = "customer_pays"
    DECLINE = "customer_fails"
    WALK_AWAY = "customer_walks_away"


async def act(customer: DemoCustomer, action: DemoAction, order_id: str) -> None:
    """Make `customer` do `action` on the sale `order_id`."""
    if action is DemoAction.PAY:
        await customer.pay(order_id)
    elif action is DemoAction.DECLINE:
        await customer.decline(order_id)
    else:
        await customer.walk_away(order_id)
