"""One read of Cashfree's truth about a sale, reduced to what the till acts on.

PAID is accepted only when the gateway says the order (or link) is paid AND a SUCCESS
payment of exactly the sale's amount exists on the order that belongs to the sale. Anything
else that looks paid is an anomaly: the sale stays open and the anomaly is journaled.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from pos_app.domain.sale import Method, Sale
from pos_app.gateway.base import (
    LinkStatus,
    OrderStatus,
    Payment,
    PaymentGateway,
    PaymentStatus,
)
from pos_app.gateway.errors import NotFoundError

__all__ = ["Reading", "ReadingKind", "read_sale"]


class ReadingKind(enum.Enum):
    OPEN = "open"  # the customer can still pay
    PAID = "paid"
    EXPIRED = "expired"
    CANCELLED = "cancelled"  # terminated at the gateway
    CANCELLING = "cancelling"  # termination requested, not final yet
    NOT_FOUND = "not_found"  # the gateway has no such order or link


ATTEMPT_FAILURES = frozenset({PaymentStatus.FAILED, PaymentStatus.USER_DROPPED})


@dataclass(frozen=True, slots=True)
class Reading:
    kind: ReadingKind
    payment: Payment | None = None  # the SUCCESS payment that pays this sale
    failed_attempts: tuple[Payment, ...] = field(default=())
    gateway_order_id: str | None = None  # for links: the Cashfree order that holds the payment
    anomaly: str | None = None


CURRENCY = "INR"


def _matching_payment(sale: Sale, order_id: str, payments: list[Payment]) -> Payment | None:
    """The SUCCESS payment that pays this sale: on its own order, in rupees, to the paisa."""
    for payment in payments:
        if (
            payment.status is PaymentStatus.SUCCESS
            and payment.amount == sale.amount
            and payment.order_id == order_id
            and payment.currency == CURRENCY
        ):
            return payment
    return None


def _no_match(payments: list[Payment], order_id: str, what: str) -> str:
    """Why a 'paid' answer was not taken as PAID, for the anomaly event."""
    for p in payments:
        if p.status is not PaymentStatus.SUCCESS:
            continue
        if p.order_id != order_id:
            return f"Cashfree marks the {what} paid but its successful payment names order {p.order_id!r}"
        if p.currency != CURRENCY:
            return f"Cashfree marks the {what} paid but the payment is in {p.currency!r}, not INR"
    return f"Cashfree marks the {what} paid but shows no successful payment of this amount"


async def read_sale(gateway: PaymentGateway, sale: Sale, *, with_payments: bool = False) -> Reading:
    """Ask the gateway once (plus the payments list when needed). Raises GatewayError."""
    if sale.method is Method.LINK:
        return await _read_link(gateway, sale)
    return await _read_order(gateway, sale, with_payments=with_payments)


async def _read_order(gateway: PaymentGateway, sale: Sale, *, with_payments: bool) -> Reading:
    try:
        order = await gateway.get_order(sale.order_id)
    except NotFoundError:
        return Reading(ReadingKind.NOT_FOUND)
    if order.order_id != sale.order_id:
        return Reading(
            ReadingKind.OPEN,
            anomaly=f"Cashfree answered with order {order.order_id!r} when asked for this sale",
        )
    if order.currency != CURRENCY:
        return Reading(
            ReadingKind.OPEN,
            anomaly=f"the order at Cashfree is in {order.currency!r}, not INR",
        )
    if order.amount != sale.amount:
        return Reading(
            ReadingKind.OPEN,
            anomaly=f"the order at Cashfree is for {order.amount}, the sale for {sale.amount}",
        )
    status = order.status
    if status is OrderStatus.PAID:
        payments = await gateway.list_payments(sale.order_id)
        match = _matching_payment(sale, sale.order_id, payments)
        if match is None:
            return Reading(
                ReadingKind.OPEN,
                failed_attempts=_failures(payments),
                anomaly=_no_match(payments, sale.order_id, "order"),
            )
        return Reading(ReadingKind.PAID, payment=match, gateway_order_id=sale.order_id)
    failures: tuple[Payment, ...] = ()
    if with_payments and status is OrderStatus.ACTIVE:
        failures = _failures(await gateway.list_payments(sale.order_id))
    if status is OrderStatus.ACTIVE:
        return Reading(ReadingKind.OPEN, failed_attempts=failures)
    if status is OrderStatus.EXPIRED:
        return Reading(ReadingKind.EXPIRED)
    if status is OrderStatus.TERMINATED:
        return Reading(ReadingKind.CANCELLED)
    if status is OrderStatus.TERMINATION_REQUESTED:
        return Reading(ReadingKind.CANCELLING)
    return Reading(
        ReadingKind.OPEN, anomaly=f"Cashfree reported an unknown status {order.raw_status!r}"
    )


def _failures(payments: list[Payment]) -> tuple[Payment, ...]:
    return tuple(p for p in payments if p.status in ATTEMPT_FAILURES)


async def _read_link(gateway: PaymentGateway, sale: Sale) -> Reading:
    link_id = sale.link_id or sale.order_id
    try:
        link = await gateway.get_link(link_id)
    except NotFoundError:
        return Reading(ReadingKind.NOT_FOUND)
    status = link.status
    if status in (LinkStatus.PAID, LinkStatus.PARTIALLY_PAID):
        anomaly = "Cashfree marks the link paid but shows no successful payment of this amount"
        for order in await gateway.list_link_orders(link_id, paid_only=True):
            if order.currency != CURRENCY:
                anomaly = f"the link's order {order.order_id!r} is in {order.currency!r}, not INR"
                continue
            payments = await gateway.list_payments(order.order_id)
            match = _matching_payment(sale, order.order_id, payments)
            if match is not None:
                return Reading(ReadingKind.PAID, payment=match, gateway_order_id=order.order_id)
            anomaly = _no_match(payments, order.order_id, "link")
        return Reading(ReadingKind.OPEN, anomaly=anomaly)
    if status is LinkStatus.ACTIVE:
        return Reading(ReadingKind.OPEN)
    if status is LinkStatus.EXPIRED:
        return Reading(ReadingKind.EXPIRED)
    if status is LinkStatus.CANCELLED:
        return Reading(ReadingKind.CANCELLED)
    return Reading(
        ReadingKind.OPEN, anomaly=f"Cashfree reported an unknown link status {link.raw_status!r}"
    )
