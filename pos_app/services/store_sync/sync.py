"""The outbox pusher: a till's journal events go to the shared store database.

The journal stays the till's source of truth: a till with no network or no store database
keeps selling, and its events wait in the outbox (store/outbox.py). A sync cycle pushes
everything waiting, in outbox order, one batch per transaction (store_db/push.py), and
moves the outbox cursor only after the store database has committed a batch. So a crash
anywhere re-sends at most one batch, which the store database ignores by event id.

Only one cycle runs at a time per till: an asyncio lock inside the process, and a
PostgreSQL advisory lock on (store, till, environment) across processes (the desk, a
`pos-app store sync` and a `charge` of the same till). When the database is unreachable,
`run()` backs off (1 s, 2 s, 5 s, 10 s, 30 s, then every 60 s) and tries again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import psycopg
from psycopg import AsyncConnection

from pos_app.store import other_till_refunds, outbox
from pos_app.store.journal import Journal
from pos_app.store_db.connect import StoreDbError, describe_error
from pos_app.store_db.push import (
    TillKey,
    lock_sync,
    push_batch,
    push_refund_rows,
    register_till,
    unlock_sync,
)

__all__ = ["BACKOFF", "Connector", "StoreSync", "SyncReport"]

log = logging.getLogger(__name__)

Connector = Callable[[], Awaitable[AsyncConnection[tuple[object, ...]]]]
BACKOFF: tuple[float, ...] = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0)


@dataclass(frozen=True, slots=True)
class SyncReport:
    pushed: int  # events sent in this cycle
    inserted: int  # of them, new to the store database
    batches: int
    waiting: int  # left in the outbox afterwards
    skipped: bool = False  # another process of this till was syncing
    refunds: int = 0  # refunds of other tills' sales made here, sent in this cycle


class StoreSync:
    """Pushes one till's outbox to the store database. See the module docstring."""

    def __init__(
        self,
        journal: Journal,
        till: TillKey,
        connector: Connector,
        *,
        clock: Callable[[], datetime],
        batch_size: int = 500,
        backoff: Sequence[float] = BACKOFF,
    ) -> None:
        if batch_size <= 0:
            raise ValueError("batch_size must be at least 1")
        self._journal = journal
        self._till = till
        self._connector = connector
        self._clock = clock
        self._batch_size = batch_size
        self._backoff = tuple(backoff) or BACKOFF
        self._lock = asyncio.Lock()
        self._conn: AsyncConnection[tuple[object, ...]] | None = None
        self._registered = False
        self._wake = asyncio.Event()
        self._listeners: list[Callable[[int], None]] = []
        self._after_cycle: list[Callable[[], Awaitable[object]]] = []
        self.last_error: str | None = None

    # ---- what the desk shows ------------------------------------------------------------
    def waiting(self) -> int:
        """Events, and changes to refunds made here for other tills' sales, not pushed yet."""
        return outbox.waiting_count(self._journal) + other_till_refunds.waiting_for_store_count(
            self._journal
        )

    def add_after_cycle(self, step: Callable[[], Awaitable[object]]) -> None:
        """`step()` after every successful cycle (the follower of refunds made here for other
        tills' sales); its failure is logged, never stops the sync."""
        self._after_cycle.append(step)

    def on_waiting(self, listener: Callable[[int], None]) -> None:
        """`listener(n)` after every cycle (and failure) with the events still waiting."""
        self._listeners.append(listener)

    def _announce(self) -> None:
        try:
            waiting = self.waiting()
        except Exception:  # a closed journal at shutdown: nothing to show
            return
        for listener in list(self._listeners):
            try:
                listener(waiting)
            except Exception:
                log.exception("a store sync listener failed")

    def nudge(self) -> None:
        """Something was journaled: run the next cycle now instead of after the pause."""
        self._wake.set()

    # ---- one cycle ----------------------------------------------------------------------
    async def sync_once(self) -> SyncReport:
        """Push everything waiting now. Raises StoreDbError when the store database cannot
        be reached or refuses (the failure is counted in the journal)."""
        async with self._lock:
            try:
                report = await self._cycle()
            except StoreDbError as exc:
                await self._drop_connection()
                self._failed(exc.message)
                raise
            except psycopg.Error as exc:
                await self._drop_connection()
                message = f"The store database failed during sync: {describe_error(exc)}"
                self._failed(message)
                raise StoreDbError(message, reachable=True) from None
            self.last_error = None
            self._announce()
            return report

    def _failed(self, message: str) -> None:
        self.last_error = message
        with contextlib.suppress(Exception):
            outbox.note_failure(self._journal, message)
        self._announce()

    async def _connection(self) -> AsyncConnection[tuple[object, ...]]:
        if self._conn is None or self._conn.closed:
            self._conn = await self._connector()
            self._registered = False
        if not self._registered:
            await register_till(self._conn, self._till)
            self._registered = True
        return self._conn

    async def _drop_connection(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.close()

    async def _cycle(self) -> SyncReport:
        conn = await self._connection()
        if not await lock_sync(conn, self._till):
            return SyncReport(0, 0, 0, self.waiting(), skipped=True)
        try:
            pushed = inserted = batches = 0
            while True:
                batch = outbox.next_batch(self._journal, self._batch_size)
                if not batch.events:
                    break
                left = self.waiting() - len(batch.events)
                result = await push_batch(conn, self._till, batch, max(left, 0))
                # Only now, with the batch committed there, does the cursor move here.
                outbox.mark_pushed(self._journal, batch.last_position, self._clock())
                pushed += len(batch.events)
                inserted += result.inserted
                batches += 1
            refunds = 0
            while rows := other_till_refunds.waiting_for_store(self._journal, self._batch_size):
                await push_refund_rows(conn, self._till, [r.store_row() for r in rows])
                other_till_refunds.mark_store_has(self._journal, rows)
                refunds += len(rows)
                if len(rows) < self._batch_size:
                    break
            return SyncReport(pushed, inserted, batches, self.waiting(), refunds=refunds)
        finally:
            with contextlib.suppress(psycopg.Error):
                await unlock_sync(conn, self._till)

    # ---- continuously (the desk, long-running commands) ----------------------------------
    async def run(self, interval: float = 2.0) -> None:
        """Sync forever: every `interval` seconds (or at once after nudge()), backing off
        while the store database is unreachable. Cancel the task to stop."""
        failures = 0
        try:
            while True:
                try:
                    await self.sync_once()
                    failures = 0
                    pause = interval
                    await self._run_after_cycle()
                except StoreDbError as exc:
                    pause = self._backoff[min(failures, len(self._backoff) - 1)]
                    failures += 1
                    log.warning("store sync failed (retry in %.0f s): %s", pause, exc.message)
                except Exception:
                    pause = self._backoff[-1]
                    log.exception("store sync failed unexpectedly")
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), pause)
        finally:
            await self._drop_connection()

    async def _run_after_cycle(self) -> None:
        for step in list(self._after_cycle):
            try:
                await step()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("a step after the store sync failed")

    async def aclose(self) -> None:
        async with self._lock:
            await self._drop_connection()
