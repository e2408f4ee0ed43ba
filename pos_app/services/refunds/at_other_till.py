"""A refund made at this till for a sale taken at ANOTHER till of the store.

The sale is not in this till's journal, so the store database is the record: the amount
is reserved there first (store_db/refunds.py: one transaction, the sale's row locked, never
above what it took), then Cashfree is asked with a fresh refund id and idempotency key, and
the reservation is settled with Cashfree's answer. A refund Cashfree refuses gives its
amount back; one whose answer was lost stays reserved (counted, never refunded twice by a
blind retry) and shows as not confirmed.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from psycopg import AsyncConnection

from pos_app.domain.clock import Clock
from pos_app.domain.money import Money
from pos_app.gateway.base import NewRefund, PaymentGateway, RefundStatus
from pos_app.gateway.errors import GatewayError
from pos_app.services.refunds.service import new_refund_id
from pos_app.services.wording import describe_error
from pos_app.store_db.push import TillKey
from pos_app.store_db.refunds import (
    RefundReservation,
    StoreRefundRefused,
    open_requests,
    refundable_left,
    reserve_refund,
    settle_reservation,
)

__all__ = ["StoreRefundOutcome", "refund_from_another_till"]

log = logging.getLogger(__name__)

Connector = Callable[[], Awaitable[AsyncConnection[tuple[object, ...]]]]


@dataclass(frozen=True, slots=True)
class StoreRefundOutcome:
    order_id: str
    refund_id: str
    amount: Money
    status: str  # SUCCESS, PENDING, FAILED, CANCELLED, or NOT CONFIRMED
    left_after: Money
    message: str


async def _target(conn: AsyncConnection[tuple[object, ...]], till: TillKey, order_id: str) -> str:
    cur = await conn.execute(
        "SELECT coalesce(gateway_order_id, order_id) FROM sales"
        " WHERE store_id = %s AND environment = %s AND order_id = %s",
        (till.store_id, till.environment, order_id),
    )
    row = await cur.fetchone()
    return str(row[0]) if row else order_id


async def _bring_up_to_date(
    gateway: PaymentGateway,
    conn: AsyncConnection[tuple[object, ...]],
    till: TillKey,
    order_id: str,
) -> None:
    """Earlier refunds of this sale still at the bank: read them at Cashfree and settle
    the final ones (a failed one frees its amount). Unreadable ones stay as they are."""
    target = await _target(conn, till, order_id)
    for request in await open_requests(conn, till.store_id, till.environment, order_id):
        if request.refund_id is None:
            continue
        try:
            answer = await gateway.get_refund(target, request.refund_id)
        except GatewayError as exc:
            log.info("refund %s not read: %r", request.refund_id, exc)
            continue
        final = {
            RefundStatus.SUCCESS: "SUCCESS",
            RefundStatus.FAILED: "FAILED",
            RefundStatus.CANCELLED: "CANCELLED",
        }.get(answer.status)
        if final is not None:
            await settle_reservation(conn, request.request_id, status=final)


async def refund_from_another_till(
    gateway: PaymentGateway,
    connector: Connector,
    till: TillKey,
    order_id: str,
    amount: Money | None,
    reason: str | None,
    *,
    clock: Clock,
) -> StoreRefundOutcome:
    """Raises StoreRefundRefused (nothing sent, nothing kept) when the store database
    refuses the refund."""
    conn = await connector()
    try:
        await _bring_up_to_date(gateway, conn, till, order_id)
        chosen = (
            amount
            if amount is not None
            else await refundable_left(conn, till.store_id, till.environment, order_id)
        )
        if chosen.paise <= 0:
            raise StoreRefundRefused(f"Nothing is left to refund on sale {order_id}.")
        reservation: RefundReservation = await reserve_refund(
            conn,
            store_id=till.store_id,
            environment=till.environment,
            till_id=till.till_id,
            order_id=order_id,
            amount=chosen,
        )
        refund_id = new_refund_id(clock())
        target = await _target(conn, till, order_id)
        request = NewRefund(refund_id=refund_id, amount=chosen, note=reason)
        try:
            answer = await gateway.create_refund(target, request, idempotency_key=str(uuid.uuid4()))
        except GatewayError as exc:
            if exc.retryable:
                await settle_reservation(
                    conn, reservation.request_id, status="PENDING", refund_id=refund_id
                )
                return StoreRefundOutcome(
                    order_id, refund_id, chosen, "NOT CONFIRMED", reservation.left_after,
                    f"Cashfree did not confirm the refund ({describe_error(exc)}); it stays "
                    "reserved in the store database. Check it before trying again.",
                )  # fmt: skip
            await settle_reservation(
                conn, reservation.request_id, status="FAILED", refund_id=refund_id
            )
            return StoreRefundOutcome(
                order_id, refund_id, chosen, "FAILED", reservation.left_after + chosen,
                f"Cashfree refused the refund: {describe_error(exc)}",
            )  # fmt: skip
        status = answer.status.value
        settled = {
            RefundStatus.SUCCESS: "SUCCESS",
            RefundStatus.FAILED: "FAILED",
            RefundStatus.CANCELLED: "CANCELLED",
        }.get(answer.status, "PENDING")
        await settle_reservation(conn, reservation.request_id, status=settled, refund_id=refund_id)
        left = reservation.left_after + (chosen if settled in ("FAILED", "CANCELLED") else Money(0))
        return StoreRefundOutcome(
            order_id, refund_id, chosen, status, left,
            f"Refund of {chosen.format()} for sale {order_id} (taken at another till): {status}.",
        )  # fmt: skip
    finally:
        await conn.close()
