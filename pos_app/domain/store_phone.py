"""Which mobile number Cashfree gets when the customer gives none.

Cashfree needs `customer_details.customer_phone` (10 digits) on every order. The till sends
the customer's number when the cashier types one, otherwise the store's own number from
Settings. Sandbox and production have no stand-in: without a store number a sale without
the customer's number is refused, and the set-up asks for the store number for that
reason. The demo follows the same rule; only when no store number is set does it use an
obvious stand-in (the demo talks to the pretend Cashfree only, and the stand-in is never
written to the settings the real environments share). Screens say which number is used.
"""

from __future__ import annotations

__all__ = ["DEMO_STAND_IN", "fallback_phone", "needs_store_phone"]

DEMO_STAND_IN = "9999999999"


def needs_store_phone(environment: str) -> bool:
    """Whether the set-up must ask for the store's number (Cashfree requires one)."""
    return environment in ("sandbox", "production")


def fallback_phone(store_phone: str | None, environment: str) -> str | None:
    """The number sent when the customer gives none; None means such a sale is refused."""
    if store_phone:
        return store_phone
    return DEMO_STAND_IN if environment == "demo" else None
