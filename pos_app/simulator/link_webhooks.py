"""The payment link webhook the simulator sends when a link is paid, as Cashfree does.

Cashfree announces a link's payments with a `PAYMENT_LINK_EVENT` (body `"version": 1`)
besides the payment webhook of the order it made for the link. Its `data` is the link
(`link_id` is the merchant's id, `cf_link_id` an integer, amounts as strings) with the
nested `order` that paid: `order_id` (`CFPay_...`), `transaction_id`, `transaction_status`
(docs' payment-links webhooks page, /work/shared/cashfree/REFERENCE.md §6). So a receiver
learns the link id from the webhook itself, not by reading it out of the order id.

The QR image is left out: the webhook carries the link's facts, not its picture.
"""

from __future__ import annotations

from typing import Any

from pos_app.simulator.models import SimOrder, SimPayment

__all__ = ["LINK_EVENT", "link_event_body"]

LINK_EVENT = "PAYMENT_LINK_EVENT"


def _int(value: object) -> object:
    text = str(value)
    return int(text) if text.isdigit() else value


def link_event_body(
    link: dict[str, Any], order: SimOrder, payment: SimPayment, event_time: str
) -> dict[str, Any]:
    """`link` is the link's entity as Get Link answers it (entities.link_entity)."""
    data = {key: value for key, value in link.items() if key not in ("link_qrcode",)}
    data["cf_link_id"] = _int(link.get("cf_link_id"))
    for key in ("link_amount", "link_amount_paid", "link_minimum_partial_amount"):
        if isinstance(data.get(key), int | float):
            data[key] = f"{data[key]:.2f}"
    data["order"] = {
        "order_id": order.order_id,
        "order_amount": order.amount.decimal_text(),
        "transaction_id": _int(payment.cf_payment_id),
        "transaction_status": payment.status.value,
    }
    return {"data": data, "event_time": event_time, "type": LINK_EVENT, "version": 1}
