"""The manager's store-wide day: every till's totals and the store's, read from the store
database (the console's "Store" tab; `pos-app report --all-tills` for the command line)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from psycopg import AsyncConnection

from pos_app.store.queries import DayTotals
from pos_app.store_db.reports import StoreScope, store_day_totals, store_tills

__all__ = ["StoreDay", "StoreDayReader"]

Connector = Callable[[], Awaitable[AsyncConnection[tuple[object, ...]]]]


@dataclass(frozen=True, slots=True)
class StoreDay:
    store_id: str
    tills: tuple[tuple[str, DayTotals], ...]  # every till that has synced, by id
    total: DayTotals  # the whole store (equal to the sum of the tills)


class StoreDayReader:
    def __init__(self, store_id: str, environment: str, connector: Connector) -> None:
        self.store_id = store_id
        self.environment = environment
        self._connector = connector

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
