"""Tool arguments as the journal keeps them, and customer details as replies show them:
no phone number, e-mail, UPI id or free text a customer wrote is ever stored or echoed."""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["mask_phone", "safe_arguments"]

# Kept as given: amounts, choices, flags, ids and numbers the till itself made.
_PLAIN = frozenset(
    {
        "amount",
        "payment_method",
        "bill_number",
        "send_sms",
        "send_email",
        "order_id",
        "wait_seconds",
        "date",
        "status",
        "limit",
    }
)


def safe_arguments(arguments: Mapping[str, object]) -> dict[str, object]:
    """Plain arguments as given; anything else only as "given" when present."""
    safe: dict[str, object] = {}
    for name, value in arguments.items():
        if value is None or (value is False and name not in _PLAIN):
            continue
        if name in _PLAIN:
            safe[name] = value if isinstance(value, str | int | float | bool) else str(value)
        else:
            safe[name] = "given"
    return safe


def mask_phone(phone: str | None) -> str | None:
    """The last two digits only: enough to tell two customers apart, never to call them."""
    if not phone:
        return None
    return "*" * max(0, len(phone) - 2) + phone[-2:]
