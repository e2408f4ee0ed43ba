"""The manager's store-wide views, read from the store database: every till's totals and
the store's (the console's "Store" tab; `pos-app report --all-tills` for the command line),
the store's sales (all tills, or one), a sale's refunds from any till, and a refund of
another till's sale made from this till (services/refunds/at_other_till.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from psycopg import AsyncConnection

from pos_app.domain.money import Money
from pos_app.domain.sale import Sale
from pos_app.services.refunds.at_other_till import OtherTillRefunds, StoreRefundOutcome
from pos_app.services.refunds.service import RefundRefused
from pos_app.store.queries import DayTotals
from pos_app.store_db.connect import StoreDbError
from pos_app.store_db.refunds import StoreRefundRefused, refundable_left
from pos_app.store_db.reports import (
    StoreRefundRow,
    StoreScope,
    store_day_totals,
    store_refunded_by_order,
    store_refunds_of_sale,
    store_sales_between,
    store_tills,
)

__all__ = ["StoreDay", "StoreDayReader", "StoreSaleRow"]

Connector = Callable[[], Awaitable[AsyncConnection[tuple[object, ...]]]]


@dataclass(frozen=True, slots=True)
class StoreDay:
    store_id: str
    tills: tuple[tuple[str, DayTotals], ...]  # every till that has synced, by id
    total: DayTotals  # the whole store (equal to the sum of the tills)


@dataclass(frozen=True, slots=True)
class StoreSaleRow:
    sale: Sale  # sale.terminal_id is the till that took it
    refunded: Money  # refunded or on its way, from any till


class StoreDayReader:
    """Reads the store database for one store and environment. `this_till` is the till
    reading it; with `refunds` it can also refund a sale taken at another till."""

    def __init__(
        self,
        store_id: str,
        environment: str,
        connector: Connector,
        *,
        this_till: str | None = None,
        refunds: OtherTillRefunds | None = None,
    ) -> None:
        self.store_id = store_id
        self.environment = environment
        self.this_till = this_till
        self._connector = connector
        self._refunds = refunds

    @property
    def can_refund(self) -> bool:
        return self._refunds is not None

    async def day(self, start: datetime, end: datetime) -> StoreDay:
        """Raises store_db.connect.StoreDbError when the store database cannot be reached."""
        conn = await self._connector()
        try:
            scope = StoreScope(self.store_id, self.environment)
            rows = []
            for till in await store_tills(conn, scope):
                one = StoreScope(self.store_id, self.environment, till)
                rows.append((till, await store_day_totals(conn, one, start, end)))
            total = await store_day_totals(conn, scope, start, end)
        finally:
            await conn.close()
        return StoreDay(self.store_id, tuple(rows), total)

    async def sales(
        self, start: datetime, end: datetime, till: str | None = None
    ) -> list[StoreSaleRow]:
        """The store's sales created in [start, end), of every till or of `till`."""
        conn = await self._connector()
        try:
            scope = StoreScope(self.store_id, self.environment, till)
            sales = await store_sales_between(conn, scope, start, end)
            taken = await store_refunded_by_order(
                conn, self.store_id, self.environment, [s.order_id for s in sales]
            )
        finally:
            await conn.close()
        return [StoreSaleRow(s, taken.get(s.order_id, Money(0))) for s in sales]

    async def refunds_of(self, order_id: str) -> list[StoreRefundRow]:
        conn = await self._connector()
        try:
            return await store_refunds_of_sale(conn, self.store_id, self.environment, order_id)
        finally:
            await conn.close()

    async def refundable(self, order_id: str) -> Money:
        conn = await self._connector()
        try:
            return await refundable_left(conn, self.store_id, self.environment, order_id)
        finally:
            await conn.close()

    async def refund(
        self, order_id: str, amount: Money | None, reason: str | None
    ) -> StoreRefundOutcome:
        """Refund a sale of another till. RefundRefused (its message says why) when the
        store database says no or cannot be reached."""
        if self._refunds is None:
            raise RefundRefused("This console cannot refund through the store database.")
        try:
            return await self._refunds.refund(order_id, amount, reason)
        except (StoreRefundRefused, StoreDbError) as exc:
            raise RefundRefused(exc.message) from None
