"""Refunds across tills: any till may refund a sale taken at any other till of the store.

The rule "never above paid" is checked HERE, in the store database, inside one transaction
that first locks the sale's row (SELECT ... FOR UPDATE): two tills refunding the same sale
at the same moment are serialised, the second sees the first's reservation, and the sum
of successful, pending and reserved refunds never exceeds what the sale took.

A reservation (refund_requests, status RESERVED) is made before Cashfree is asked; the
till then settles it with Cashfree's answer (PENDING, SUCCESS, FAILED, CANCELLED) and the
refund id. A refund journaled at a till and synced counts once: a synced refund whose id
belongs to a request is not counted again.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from psycopg import AsyncConnection

from pos_app.domain.money import Money
from pos_app.store.queries import FINAL_REFUND_STATUSES

__all__ = [
    "OpenRequest",
    "RefundReservation",
    "SaleNotInStore",
    "StoreRefundRefused",
    "gateway_order_id",
    "is_reserved",
    "open_requests",
    "order_of_request",
    "refundable_left",
    "reserve_refund",
    "settle_reservation",
    "unjournaled_reservations",
]

_RELEASED = ("FAILED", "CANCELLED")


class StoreRefundRefused(Exception):
    """The store database refused the refund; `message` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class SaleNotInStore(StoreRefundRefused):
    """The sale has not reached the store database (its till has not synced it yet)."""


@dataclass(frozen=True, slots=True)
class RefundReservation:
    request_id: str
    order_id: str
    amount: Money
    left_after: Money


# A refund synced from the till that made it is the better record of itself (it carries
# Cashfree's latest answer); its reservation counts only until that row arrives.
_TAKEN = """
    SELECT coalesce((SELECT sum(amount_paise) FROM refunds r
                     WHERE r.store_id = %(store)s AND r.environment = %(env)s
                       AND r.order_id = %(order)s AND r.status <> ALL(%(released)s)), 0)
         + coalesce((SELECT sum(amount_paise) FROM refund_requests q
                     WHERE q.store_id = %(store)s AND q.environment = %(env)s
                       AND q.order_id = %(order)s AND q.status <> ALL(%(released)s)
                       AND NOT EXISTS (SELECT 1 FROM refunds r
                                       WHERE r.store_id = q.store_id
                                         AND r.environment = q.environment
                                         AND r.refund_id = q.refund_id)), 0)
"""


async def _locked_sale(
    conn: AsyncConnection[tuple[object, ...]], store_id: str, environment: str, order_id: str
) -> tuple[int, str]:
    cur = await conn.execute(
        "SELECT amount_paise, status FROM sales"
        " WHERE store_id = %s AND environment = %s AND order_id = %s FOR UPDATE",
        (store_id, environment, order_id),
    )
    row = await cur.fetchone()
    if row is None:
        raise SaleNotInStore(
            f"The store database has no sale {order_id}: check the order id, or sync the "
            "till that took it first."
        )
    return int(row[0]), str(row[1])  # type: ignore[call-overload]


async def _taken(
    conn: AsyncConnection[tuple[object, ...]], store_id: str, environment: str, order_id: str
) -> int:
    params = {
        "store": store_id,
        "env": environment,
        "order": order_id,
        "released": list(_RELEASED),
    }
    cur = await conn.execute(_TAKEN, params)
    row = await cur.fetchone()
    return int(row[0]) if row else 0  # type: ignore[call-overload]


async def refundable_left(
    conn: AsyncConnection[tuple[object, ...]], store_id: str, environment: str, order_id: str
) -> Money:
    async with conn.transaction():
        paid, status = await _locked_sale(conn, store_id, environment, order_id)
        if status != "PAID":
            return Money(0)
        return Money(paid - await _taken(conn, store_id, environment, order_id))


async def reserve_refund(
    conn: AsyncConnection[tuple[object, ...]],
    *,
    store_id: str,
    environment: str,
    till_id: str,
    order_id: str,
    amount: Money,
    refund_id: str | None = None,
) -> RefundReservation:
    """Reserve `amount` of a PAID sale for a refund made at `till_id` (under `refund_id`,
    when the till already chose it); refuses (and writes nothing) when it would take the
    sale's refunds above what it took."""
    if amount.paise <= 0:
        raise StoreRefundRefused("A refund amount must be more than zero.")
    async with conn.transaction():
        paid, status = await _locked_sale(conn, store_id, environment, order_id)
        if status != "PAID":
            raise StoreRefundRefused(f"Sale {order_id} is {status}, not PAID: nothing to refund.")
        left = paid - await _taken(conn, store_id, environment, order_id)
        if amount.paise > left:
            raise StoreRefundRefused(
                f"Refused: {amount.format()} is more than is left to refund on {order_id} "
                f"({Money(max(left, 0)).format()})."
            )
        request_id = str(uuid.uuid4())
        await conn.execute(
            "INSERT INTO refund_requests (request_id, store_id, till_id, environment,"
            " order_id, amount_paise, refund_id) VALUES (%s, %s, %s, %s, %s, %s, %s)",
            (request_id, store_id, till_id, environment, order_id, amount.paise, refund_id),
        )
    return RefundReservation(request_id, order_id, amount, Money(left - amount.paise))


async def is_reserved(
    conn: AsyncConnection[tuple[object, ...]], store_id: str, environment: str, refund_id: str
) -> bool:
    cur = await conn.execute(
        "SELECT 1 FROM refund_requests WHERE store_id = %s AND environment = %s AND refund_id = %s",
        (store_id, environment, refund_id),
    )
    return await cur.fetchone() is not None


async def settle_reservation(
    conn: AsyncConnection[tuple[object, ...]],
    request_id: str,
    *,
    status: str,
    refund_id: str | None = None,
) -> None:
    """Record Cashfree's answer for a reservation. FAILED and CANCELLED give the amount
    back; a final status is never changed again."""
    status = status.upper()
    if status not in ("PENDING", "SUCCESS", *_RELEASED):
        raise ValueError(f"unknown refund status {status!r}")
    async with conn.transaction():
        cur = await conn.execute(
            "UPDATE refund_requests SET status = %s, refund_id = coalesce(%s, refund_id),"
            " updated_at = now() WHERE request_id = %s AND status <> ALL(%s) RETURNING 1",
            (status, refund_id, request_id, list(FINAL_REFUND_STATUSES)),
        )
        if await cur.fetchone() is None:
            raise StoreRefundRefused(f"There is no open refund request {request_id}.")


@dataclass(frozen=True, slots=True)
class OpenRequest:
    request_id: str
    refund_id: str | None
    amount: Money
    status: str


async def open_requests(
    conn: AsyncConnection[tuple[object, ...]], store_id: str, environment: str, order_id: str
) -> list[OpenRequest]:
    """Refund requests of a sale whose outcome is not final yet (RESERVED, PENDING)."""
    cur = await conn.execute(
        "SELECT request_id, refund_id, amount_paise, status FROM refund_requests"
        " WHERE store_id = %s AND environment = %s AND order_id = %s"
        " AND status IN ('RESERVED', 'PENDING') ORDER BY created_at",
        (store_id, environment, order_id),
    )
    return [
        OpenRequest(str(r[0]), None if r[1] is None else str(r[1]), Money(int(r[2])), str(r[3]))  # type: ignore[call-overload]
        for r in await cur.fetchall()
    ]


async def unjournaled_reservations(
    conn: AsyncConnection[tuple[object, ...]],
    store_id: str,
    environment: str,
    till_id: str,
    older_than_seconds: float,
) -> list[OpenRequest]:
    """This till's reservations still RESERVED after `older_than_seconds` (the till may
    have stopped between reserving and journaling the refund)."""
    cur = await conn.execute(
        "SELECT request_id, refund_id, amount_paise, status FROM refund_requests"
        " WHERE store_id = %s AND environment = %s AND till_id = %s AND status = 'RESERVED'"
        " AND created_at < now() - make_interval(secs => %s) ORDER BY created_at",
        (store_id, environment, till_id, older_than_seconds),
    )
    return [
        OpenRequest(str(r[0]), None if r[1] is None else str(r[1]), Money(int(r[2])), str(r[3]))  # type: ignore[call-overload]
        for r in await cur.fetchall()
    ]


async def gateway_order_id(
    conn: AsyncConnection[tuple[object, ...]], store_id: str, environment: str, order_id: str
) -> str:
    """The order id Cashfree knows the sale by (a link sale's paying order), or the sale's own."""
    cur = await conn.execute(
        "SELECT coalesce(gateway_order_id, order_id) FROM sales"
        " WHERE store_id = %s AND environment = %s AND order_id = %s",
        (store_id, environment, order_id),
    )
    row = await cur.fetchone()
    return str(row[0]) if row else order_id


async def order_of_request(
    conn: AsyncConnection[tuple[object, ...]], request_id: str
) -> str | None:
    """The sale a refund reservation is for, or None when there is no such reservation."""
    cur = await conn.execute(
        "SELECT order_id FROM refund_requests WHERE request_id = %s", (request_id,)
    )
    row = await cur.fetchone()
    return str(row[0]) if row else None
