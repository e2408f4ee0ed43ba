"""Push instead of polling: a till hears of Cashfree's webhooks through the store database.

The store's webhook receiver stores each verified delivery and NOTIFYs the tills
(store_db/webhooks.py); this listener LISTENs on that channel. When it hears of an order,
it asks the checkout to check that order now (a webhook is only a hint: PAID is still
verified by Get Order and the payments list); a payment-link payment wakes the link's
sale (`sales_to_wake`). It also hears the receiver's heartbeats:
while both the receiver and the database are heard from, `backstop()` gives the slow
polling interval the checkout's PollSchedule uses (its `backstop` hook), so a till stops
spending the account's rate budget on fast polling; when they go quiet, polling is fast
again at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable, Sequence

import psycopg
from psycopg import AsyncConnection

from pos_app.store_db.connect import StoreDbError
from pos_app.store_db.webhooks import WEBHOOK_CHANNEL

__all__ = ["BACKSTOP_SECONDS", "QUIET_AFTER_SECONDS", "PushListener", "sales_to_wake"]

log = logging.getLogger(__name__)

BACKSTOP_SECONDS = 10.0
QUIET_AFTER_SECONDS = 15.0  # three missed heartbeats of the receiver (every 5 s)

Connector = Callable[[], Awaitable[AsyncConnection[tuple[object, ...]]]]


# The orders Cashfree makes when a payment link is paid: CFPay_<link>_<n>.
_LINK_ORDER = re.compile(r"^CFPay_(.+)_[A-Za-z0-9]+$")


def sales_to_wake(order_id: object, link_id: object) -> list[str]:
    """The till's sale ids a webhook about `order_id` may concern. A payment-link sale is
    known at the till by its link id (the sale's order id), while Cashfree's webhook names
    the order it made for the link: the link id comes from the webhook when it says so
    (link webhooks, the link order's tags), else from the link order's id."""
    targets: list[str] = []
    if isinstance(link_id, str) and link_id:
        targets.append(link_id)
    if isinstance(order_id, str) and order_id:
        match = _LINK_ORDER.match(order_id)
        if match is None:
            targets.append(order_id)
        elif not targets:
            targets.append(match.group(1))
    return targets


class PushListener:
    def __init__(
        self,
        store_id: str,
        connector: Connector,
        on_order: Callable[[str], None],
        *,
        backstop_seconds: float = BACKSTOP_SECONDS,
        quiet_after: float = QUIET_AFTER_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
        reconnect: Sequence[float] = (1.0, 2.0, 5.0, 10.0, 30.0),
    ) -> None:
        self._store_id = store_id
        self._connector = connector
        self._on_order = on_order
        self._backstop = backstop_seconds
        self._quiet_after = quiet_after
        self._monotonic = monotonic
        self._reconnect = tuple(reconnect) or (5.0,)
        self._connected = False
        self._last_heard: float | None = None
        self.heard_orders = 0

    # ---- the PollSchedule hook ------------------------------------------------------------
    def healthy(self) -> bool:
        if not self._connected or self._last_heard is None:
            return False
        return self._monotonic() - self._last_heard <= self._quiet_after

    def backstop(self) -> float | None:
        return self._backstop if self.healthy() else None

    # ---- listening -------------------------------------------------------------------------
    def _heard(self, payload: str) -> None:
        try:
            note = json.loads(payload)
        except json.JSONDecodeError:
            return
        if not isinstance(note, dict) or note.get("store") != self._store_id:
            return
        self._last_heard = self._monotonic()
        targets = sales_to_wake(note.get("order_id"), note.get("link_id"))
        if targets:
            self.heard_orders += 1
        for order_id in targets:
            try:
                self._on_order(order_id)
            except Exception:
                log.exception("check-now after a webhook failed for %s", order_id)

    async def run(self) -> None:
        """Listen until cancelled, reconnecting (with backoff) when the database drops."""
        failures = 0
        while True:
            conn: AsyncConnection[tuple[object, ...]] | None = None
            try:
                conn = await self._connector()
                await conn.execute(f"LISTEN {WEBHOOK_CHANNEL}")
                self._connected = True
                failures = 0
                async for note in conn.notifies():
                    self._heard(note.payload)
            except (StoreDbError, psycopg.Error, OSError) as exc:
                log.info("push listener lost the store database: %s", type(exc).__name__)
            finally:
                self._connected = False
                if conn is not None:
                    with contextlib.suppress(Exception):
                        await conn.close()
            await asyncio.sleep(self._reconnect[min(failures, len(self._reconnect) - 1)])
            failures += 1
