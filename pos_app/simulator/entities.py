"""Records -> Cashfree JSON entities (OrderEntity, PaymentEntity, LinkEntity, ...).

Field names and types follow the official 2025-01-01 spec; times are IST ISO 8601 like
Cashfree's (`2023-08-11T18:02:46+05:30`); amounts leave Money only here, via to_api().
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pos_app.domain.money import Money
from pos_app.simulator.bodies import IST
from pos_app.simulator.customer import error_details, payment_message
from pos_app.simulator.models import (
    PayState,
    RefundState,
    SimLink,
    SimOrder,
    SimPayment,
    SimRefund,
    SimSimulation,
)

__all__ = [
    "link_entity",
    "link_order_entity",
    "order_entity",
    "payment_entity",
    "refund_entity",
    "simulation_entity",
    "stamp",
]


def stamp(moment: datetime) -> str:
    return moment.astimezone(IST).isoformat(timespec="seconds")


def order_entity(order: SimOrder) -> dict[str, Any]:
    entity: dict[str, Any] = {
        "cf_order_id": order.cf_order_id,
        "order_id": order.order_id,
        "entity": "order",
        "order_currency": order.currency,
        "order_amount": order.amount.to_api(),
        "order_status": order.status.value,
        "payment_session_id": order.session_id,
        "order_expiry_time": stamp(order.expires_at),
        "created_at": stamp(order.created_at),
        "order_splits": [],
        "customer_details": dict(order.customer),
        "order_meta": dict(order.meta),
        "order_tags": dict(order.tags),
    }
    if order.note is not None:
        entity["order_note"] = order.note
    return entity


def link_order_entity(order: SimOrder) -> dict[str, Any]:
    entity = order_entity(order)
    entity["link_id"] = order.link_id
    return entity


def _method(payment: SimPayment) -> tuple[str, dict[str, Any]]:
    """(payment_group, payment_method) of an attempt."""
    card = payment.card
    if card is not None:
        return card.card_type, {
            "card": {
                "channel": payment.channel,
                "card_number": card.masked,
                "card_network": card.network,
                "card_type": card.card_type,
                "card_country": "IN",
                "card_bank_name": card.bank,
            }
        }
    upi: dict[str, Any] = {"channel": payment.channel}
    if payment.upi_id:
        upi["upi_id"] = payment.upi_id
    return "upi", {"upi": upi}


def payment_entity(order: SimOrder, payment: SimPayment) -> dict[str, Any]:
    group, method = _method(payment)
    entity: dict[str, Any] = {
        "cf_payment_id": payment.cf_payment_id,
        "order_id": payment.order_id,
        "entity": "payment",
        "is_captured": payment.status is PayState.SUCCESS,
        "order_amount": order.amount.to_api(),
        "order_currency": order.currency,
        "payment_amount": payment.amount.to_api(),
        "payment_currency": order.currency,
        "payment_group": group,
        "payment_status": payment.status.value,
        "payment_message": payment_message(payment.status, payment.error_code),
        "payment_time": stamp(payment.created_at),
        "payment_method": method,
        "international_payment": {"international": False},
        "payment_gateway_details": {
            "gateway_name": "CASHFREE",
            "gateway_order_id": order.cf_order_id,
            "gateway_payment_id": payment.cf_payment_id,
        },
    }
    if payment.completed_at is not None:
        entity["payment_completion_time"] = stamp(payment.completed_at)
    if payment.bank_reference is not None:
        entity["bank_reference"] = payment.bank_reference
    details = error_details(payment.status, payment.error_code)
    if details is not None:
        entity["error_details"] = details
    return entity


def link_entity(link: SimLink, amount_paid: Money) -> dict[str, Any]:
    entity: dict[str, Any] = {
        "cf_link_id": link.cf_link_id,
        "link_id": link.link_id,
        "link_status": link.status.value,
        "link_currency": link.currency,
        "link_amount": link.amount.to_api(),
        "link_amount_paid": amount_paid.to_api(),
        "link_partial_payments": link.partial_payments,
        "link_purpose": link.purpose,
        "link_created_at": stamp(link.created_at),
        "customer_details": dict(link.customer),
        "link_meta": dict(link.meta),
        "link_url": link.url,
        "link_expiry_time": stamp(link.expires_at),
        "link_notes": dict(link.notes),
        "link_auto_reminders": link.auto_reminders,
        "link_notify": dict(link.notify),
        "link_qrcode": link.qrcode,
        "order_splits": [],
    }
    if link.minimum_partial is not None:
        entity["link_minimum_partial_amount"] = link.minimum_partial.to_api()
    return entity


_DESCRIPTIONS = {
    RefundState.SUCCESS: "Refund processed successfully",
    RefundState.PENDING: "In Progress",
    RefundState.FAILED: "Refund failed at the bank",
}


def refund_entity(refund: SimRefund) -> dict[str, Any]:
    entity: dict[str, Any] = {
        "cf_payment_id": refund.cf_payment_id,
        "cf_refund_id": refund.cf_refund_id,
        "order_id": refund.order_id,
        "refund_id": refund.refund_id,
        "entity": "refund",
        "refund_amount": refund.amount.to_api(),
        "refund_currency": "INR",
        "refund_status": refund.status.value,
        "refund_charge": 0,
        "status_description": _DESCRIPTIONS[refund.status],
        "refund_splits": [],
        "refund_type": "MERCHANT_INITIATED",
        "refund_mode": refund.speed,
        "created_at": stamp(refund.created_at),
        "refund_speed": {"requested": refund.speed, "accepted": refund.speed},
    }
    if refund.note is not None:
        entity["refund_note"] = refund.note
    if refund.arn is not None:
        entity["refund_arn"] = refund.arn
    if refund.processed_at is not None:
        entity["processed_at"] = stamp(refund.processed_at)
        entity["refund_speed"]["processed"] = refund.speed
    return entity


def simulation_entity(simulation: SimSimulation) -> dict[str, Any]:
    outcome: dict[str, Any] = {"payment_status": simulation.payment_status}
    if simulation.payment_error_code is not None:
        outcome["payment_error_code"] = simulation.payment_error_code
    return {
        "simulation_id": simulation.simulation_id,
        "entity": simulation.entity,
        "entity_id": simulation.entity_id,
        "entity_simulation": outcome,
    }
