"""Store-wide views read from the store database: every till's sales, and one day end.

The totals follow store/queries.day_totals exactly (same day bounds in milliseconds, same
grouping, same refund rules), so a store's day equals the sum of its tills' days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg import AsyncConnection

from pos_app.domain.money import Money
from pos_app.domain.sale import Method, Sale, SaleStatus
from pos_app.store.codec import from_ms, to_ms
from pos_app.store.queries import DayTotals
from pos_app.store.report_sql import GroupRow, RefundGroupRow, fold_totals

__all__ = [
    "StoreRefundRow",
    "StoreScope",
    "store_day_totals",
    "store_refunded_by_order",
    "store_refunds_of_sale",
    "store_sales_between",
    "store_tills",
]

_SALE_COLUMNS = (
    "order_id, till_id, environment, amount_paise, method, status, created_at, updated_at,"
    " bill_number, note, customer_phone, link_id, cf_order_id, gateway_order_id,"
    " cf_payment_id, bank_reference, payment_group, paid_at, late, reason"
)


# Refunds synced from the tills, and refunds made at another till than the sale's (kept
# only as refund requests in the store database) that no till has synced.
_ALL_REFUNDS = (
    "SELECT store_id, till_id, environment, order_id, status, amount_paise, created_at"
    " FROM refunds"
    " UNION ALL"
    " SELECT q.store_id, q.till_id, q.environment, q.order_id,"
    " CASE q.status WHEN 'RESERVED' THEN 'PENDING' ELSE q.status END, q.amount_paise,"
    " (extract(epoch FROM q.created_at) * 1000)::bigint FROM refund_requests AS q"
    " WHERE NOT EXISTS (SELECT 1 FROM refunds AS x WHERE x.store_id = q.store_id"
    " AND x.environment = q.environment AND x.refund_id = q.refund_id)"
)


# The same, with each refund's id (None for a reservation made before its id was chosen).
_ALL_REFUNDS_WITH_ID = (
    "SELECT refund_id, store_id, till_id, environment, order_id, status, amount_paise,"
    " created_at FROM refunds"
    " UNION ALL"
    " SELECT q.refund_id, q.store_id, q.till_id, q.environment, q.order_id,"
    " CASE q.status WHEN 'RESERVED' THEN 'PENDING' ELSE q.status END, q.amount_paise,"
    " (extract(epoch FROM q.created_at) * 1000)::bigint FROM refund_requests AS q"
    " WHERE NOT EXISTS (SELECT 1 FROM refunds AS x WHERE x.store_id = q.store_id"
    " AND x.environment = q.environment AND x.refund_id = q.refund_id)"
)


class StoreScope:
    """Which part of the store database a view reads: one store, one environment, and
    optionally one till."""

    def __init__(self, store_id: str, environment: str, till_id: str | None = None) -> None:
        self.store_id = store_id
        self.environment = environment
        self.till_id = till_id

    def where(self, alias: str = "") -> tuple[str, list[object]]:
        p = f"{alias}." if alias else ""
        sql = f"{p}store_id = %s AND {p}environment = %s"
        args: list[object] = [self.store_id, self.environment]
        if self.till_id is not None:
            sql += f" AND {p}till_id = %s"
            args.append(self.till_id)
        return sql, args


def _sale(row: tuple[Any, ...]) -> Sale:
    (order_id, till_id, environment, paise, method, status, created, updated, bill, note,
     phone, link_id, cf_order_id, gateway_order_id, cf_payment_id, utr, group, paid_at,
     late, reason) = row  # fmt: skip
    return Sale(
        order_id=order_id,
        terminal_id=till_id,
        environment=environment,
        amount=Money(int(paise)),
        method=Method(method),
        status=SaleStatus(status),
        idempotency_key="",  # kept only at the till
        created_at=from_ms(int(created)),
        updated_at=from_ms(int(updated)),
        bill_number=bill,
        note=note,
        customer_phone=phone,
        link_id=link_id,
        cf_order_id=cf_order_id,
        gateway_order_id=gateway_order_id,
        cf_payment_id=cf_payment_id,
        bank_reference=utr,
        payment_group=group,
        paid_at=None if paid_at is None else from_ms(int(paid_at)),
        late=bool(late),
        reason=reason,
    )


async def store_sales_between(
    conn: AsyncConnection[tuple[object, ...]], scope: StoreScope, start: datetime, end: datetime
) -> list[Sale]:
    where, args = scope.where()
    cur = await conn.execute(
        f"SELECT {_SALE_COLUMNS} FROM sales WHERE {where}"  # noqa: S608 (fixed SQL)
        " AND created_at >= %s AND created_at < %s ORDER BY created_at, till_id, order_id",
        [*args, to_ms(start), to_ms(end)],
    )
    return [_sale(tuple(row)) for row in await cur.fetchall()]


async def store_tills(conn: AsyncConnection[tuple[object, ...]], scope: StoreScope) -> list[str]:
    cur = await conn.execute(
        "SELECT DISTINCT till_id FROM till_outboxes WHERE store_id = %s AND environment = %s"
        " ORDER BY till_id",
        (scope.store_id, scope.environment),
    )
    return [str(row[0]) for row in await cur.fetchall()]


async def store_day_totals(
    conn: AsyncConnection[tuple[object, ...]], scope: StoreScope, start: datetime, end: datetime
) -> DayTotals:
    """The store's day, folded by the one place a till's day is folded too
    (store/report_sql.fold_totals), so the two cannot add up differently."""
    where, args = scope.where()
    bounds = [to_ms(start), to_ms(end)]
    cur = await conn.execute(
        "SELECT status, method, payment_group, count(*), sum(amount_paise), sum(late)"  # noqa: S608 (fixed SQL)
        f" FROM sales WHERE {where} AND created_at >= %s AND created_at < %s"
        " GROUP BY status, method, payment_group",
        [*args, *bounds],
    )
    groups = [
        GroupRow(
            slot=0,
            status=SaleStatus(str(status)),
            method=Method(str(method)),
            payment_group=str(group) if group else None,
            count=int(count),  # type: ignore[call-overload]
            amount=Money(int(paise)),  # type: ignore[call-overload]
            late=int(late_count),  # type: ignore[call-overload]
            flagged=(),
        )
        for status, method, group, count, paise, late_count in await cur.fetchall()
    ]
    # Refunds count on the day they were made, for the till that made them (as that till's
    # own day end does: a refund of another till's sale is journaled where it was made).
    refund_where, refund_args = scope.where("r")
    cur = await conn.execute(
        "SELECT r.status, count(*), coalesce(sum(r.amount_paise), 0)"  # noqa: S608 (fixed SQL)
        f" FROM ({_ALL_REFUNDS}) AS r JOIN sales AS s ON s.store_id = r.store_id"
        " AND s.environment = r.environment AND s.order_id = r.order_id"
        f" WHERE {refund_where} AND r.created_at >= %s AND r.created_at < %s"
        " GROUP BY r.status",
        [*refund_args, *bounds],
    )
    refunds = [
        RefundGroupRow(0, str(status), int(count), Money(int(paise)))  # type: ignore[call-overload]
        for status, count, paise in await cur.fetchall()
    ]
    return fold_totals(start, end, groups, refunds)


@dataclass(frozen=True, slots=True)
class StoreRefundRow:
    refund_id: str
    till_id: str  # the till that made it
    amount: Money
    status: str  # RESERVED shows as PENDING: asked for, the answer not synced yet
    created_at: datetime


async def store_refunds_of_sale(
    conn: AsyncConnection[tuple[object, ...]], store_id: str, environment: str, order_id: str
) -> list[StoreRefundRow]:
    """A sale's refunds from every till: synced refund rows, and reservations no till has
    synced a refund row for yet (each refund once)."""
    cur = await conn.execute(
        "SELECT coalesce(refund_id, '(reserved)'), till_id, amount_paise, status, created_at"  # noqa: S608 (fixed SQL)
        f" FROM ({_ALL_REFUNDS_WITH_ID}) AS r"
        " WHERE store_id = %s AND environment = %s AND order_id = %s"
        " ORDER BY created_at, refund_id",
        (store_id, environment, order_id),
    )
    return [
        StoreRefundRow(str(r[0]), str(r[1]), Money(int(r[2])), str(r[3]), from_ms(int(r[4])))  # type: ignore[call-overload]
        for r in await cur.fetchall()
    ]


async def store_refunded_by_order(
    conn: AsyncConnection[tuple[object, ...]], store_id: str, environment: str, order_ids: list[str]
) -> dict[str, Money]:
    """Refunded or on its way, per sale (FAILED and CANCELLED refunds give nothing back)."""
    if not order_ids:
        return {}
    cur = await conn.execute(
        "SELECT order_id, sum(amount_paise) FROM (" + _ALL_REFUNDS + ") AS r"  # noqa: S608 (fixed SQL)
        " WHERE store_id = %s AND environment = %s AND order_id = ANY(%s)"
        " AND status NOT IN ('FAILED', 'CANCELLED') GROUP BY order_id",
        (store_id, environment, order_ids),
    )
    return {str(r[0]): Money(int(r[1])) for r in await cur.fetchall()}  # type: ignore[call-overload]
