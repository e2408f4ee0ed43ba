"""One rate budget per till, shared by all of its processes.

Cashfree counts calls per account, so the desk, `pos-app charge`, `reconcile` and (later)
the MCP server of one till must draw from one budget, not one each. The budget lives in a
small SQLite file beside the journal (`rate-<environment>.sqlite3`); every grant is one
BEGIN IMMEDIATE transaction that drops the calls older than the window, counts the rest
and records the new one, so two processes can never both take the last call.

It keeps RateBudget's rules (gateway/retry.py): at most `capacity` calls per endpoint in
any window; background callers (poller, sweeps) leave a reserve to the counter and step
aside while any process's foreground caller is waiting; a 429 blocks the endpoint for
every process. Foreground waiters announce themselves in the file and refresh that note
while they wait; a note older than `WAITER_TTL` (its process died) no longer counts.

Times are wall-clock seconds (shared by processes). Should the clock jump back, calls
recorded "in the future" are dropped rather than blocking the till for the jump.

If the file cannot be used (disk full, permissions), the till does not stop taking
payments: it logs a warning and falls back to a budget of its own process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import sqlite3
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Self

from pos_app.store.private_files import create_private, tighten

__all__ = [
    "FOREGROUND_POLL",
    "IN_FLIGHT_MARGIN",
    "TILL_HEADROOM",
    "WAITER_TTL",
    "SharedRateBudget",
    "budget_path",
]

log = logging.getLogger(__name__)

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

# A third of each published limit is left unused: the account also serves the store's
# other tills and tools, and calls in flight reach Cashfree a little after they are counted.
# Sandbox's 60 Get Order calls a minute become 40 for the till.
TILL_HEADROOM = 1 / 3
# A call is counted here a moment before Cashfree sees it (a thread hand-off, the send, a
# busy machine): calls are kept for a minute and this margin, so that Cashfree's own
# minute never holds more than the allowance.
IN_FLIGHT_MARGIN = 1.0
FOREGROUND_POLL = 0.25  # seconds between a waiting foreground caller's looks
WAITER_TTL = 1.5  # a foreground waiter's note counts for this long after its last look
_RECHECK = 0.05
_BUSY_TIMEOUT_MS = 2000

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS grants (endpoint TEXT NOT NULL, at REAL NOT NULL)",
    "CREATE INDEX IF NOT EXISTS grants_by_endpoint ON grants (endpoint, at)",
    "CREATE TABLE IF NOT EXISTS blocks (endpoint TEXT PRIMARY KEY, until REAL NOT NULL)",
    "CREATE TABLE IF NOT EXISTS waiters "
    "(id TEXT PRIMARY KEY, endpoint TEXT NOT NULL, seen REAL NOT NULL)",
)


def budget_path(data_dir: Path, environment: str) -> Path:
    return data_dir / f"rate-{environment}.sqlite3"


class _Unusable(Exception):
    """The shared file failed; the caller falls back to its own process's budget."""


class SharedRateBudget:
    """A CallBudget (gateway/retry.py) over one SQLite file shared by a till's processes."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        path: Path,
        limits: Mapping[str, int],
        *,
        headroom: float,
        reserve: float,
        window: float,
        clock: Clock,
        sleep: Sleep,
        fallback: Callable[[], object] | None,
    ) -> None:
        self._conn: sqlite3.Connection | None = conn
        self.path = path
        self._lock = threading.Lock()
        self._clock = clock
        self._sleep = sleep
        self._window = window
        self._capacity: dict[str, int] = {}
        self._reserve: dict[str, float] = {}
        for name, per_window in limits.items():
            if per_window < 1:
                raise ValueError(f"limit for {name} must be at least 1")
            capacity = max(1, math.floor(per_window * (1.0 - headroom)))
            self._capacity[name] = capacity
            self._reserve[name] = capacity * reserve
        self._granted = dict.fromkeys(self._capacity, 0)
        self._make_fallback = fallback
        self._fallback: object | None = None

    @classmethod
    def open(
        cls,
        path: Path,
        limits: Mapping[str, int],
        *,
        headroom: float = TILL_HEADROOM,
        reserve: float = 0.30,
        window: float = 60.0 + IN_FLIGHT_MARGIN,
        clock: Clock = time.time,
        sleep: Sleep = asyncio.sleep,
        fallback: Callable[[], object] | None = None,
    ) -> Self:
        """Open (creating it 0600 if needed) the budget file at `path`. `fallback` makes the
        per-process budget used should the file fail later. Raises sqlite3.Error or
        OSError when the file cannot be opened at all."""
        if not 0.0 <= headroom < 1.0:
            raise ValueError("headroom is a fraction in [0, 1)")
        if not 0.0 <= reserve < 1.0:
            raise ValueError("reserve is a fraction in [0, 1)")
        if window <= 0:
            raise ValueError("window must be positive")
        path.parent.mkdir(parents=True, exist_ok=True)
        create_private(path)
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=2.0)
        try:
            conn.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")  # counts, not money: no fsync per call
            conn.execute("BEGIN IMMEDIATE")
            for statement in _SCHEMA:
                conn.execute(statement)
            conn.execute("COMMIT")
        except BaseException:
            conn.close()
            raise
        tighten(path)
        return cls(
            conn,
            path,
            limits,
            headroom=headroom,
            reserve=reserve,
            window=window,
            clock=clock,
            sleep=sleep,
            fallback=fallback,
        )

    def close(self) -> None:
        with self._lock:
            conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()

    def __repr__(self) -> str:
        return f"SharedRateBudget({str(self.path)!r})"

    # ---- inspection (tests, benchmarks, diagnostics) ------------------------------------
    def capacity(self, endpoint: str) -> int:
        return self._capacity_of(endpoint)

    def available(self, endpoint: str) -> int:
        """Calls free right now for the whole till (0 while the endpoint is penalised)."""
        capacity = self._capacity_of(endpoint)
        now = self._clock()
        try:
            with self._transaction() as conn:
                self._expire(conn, endpoint, now)
                if self._blocked_for(conn, endpoint, now) > 0:
                    return 0
                used, _ = self._spent(conn, endpoint)
        except _Unusable:
            fallback = self._fallback_budget()
            return int(fallback.available(endpoint)) if fallback is not None else 0  # type: ignore[attr-defined]
        return max(0, capacity - used)

    @property
    def granted(self) -> dict[str, int]:
        """Calls granted to this process so far, per endpoint."""
        return dict(self._granted)

    # ---- use ----------------------------------------------------------------------------
    async def acquire(self, endpoint: str, *, background: bool | None = None) -> None:
        """Wait until a call to `endpoint` fits the till's budget, then count it. The
        gateway says whether the call is background; the store cannot see the gateway's
        `background()` marking, so None counts as foreground (the counter's side)."""
        self._capacity_of(endpoint)
        if background is None:
            background = False
        waiter = None if background else uuid.uuid4().hex
        waited = False
        try:
            while True:
                try:
                    wait = await asyncio.to_thread(self._try_take, endpoint, waiter)
                except _Unusable:
                    await self._fallback_acquire(endpoint, background)
                    return
                if wait is None:
                    self._granted[endpoint] += 1
                    return
                waited = True
                if waiter is not None:
                    wait = min(wait, FOREGROUND_POLL)
                await self._sleep(max(wait, 0.005))
        finally:
            if waiter is not None and waited:
                # Granted calls remove their note; this one gave up (cancelled) or failed.
                await asyncio.shield(asyncio.to_thread(self._forget_waiter, waiter))

    def penalise(self, endpoint: str, seconds: float) -> None:
        """Cashfree said 429: no process of this till calls `endpoint` for `seconds`."""
        until = self._clock() + max(0.0, seconds)
        try:
            with self._transaction() as conn:
                conn.execute(
                    "INSERT INTO blocks (endpoint, until) VALUES (?, ?) "
                    "ON CONFLICT (endpoint) DO UPDATE SET until = max(until, excluded.until)",
                    (endpoint, until),
                )
        except _Unusable:
            fallback = self._fallback_budget()
            if fallback is not None:
                fallback.penalise(endpoint, seconds)  # type: ignore[attr-defined]

    # ---- internals ----------------------------------------------------------------------
    def _capacity_of(self, endpoint: str) -> int:
        try:
            return self._capacity[endpoint]
        except KeyError:
            raise ValueError(f"no rate budget for endpoint {endpoint!r}") from None

    def _try_take(self, endpoint: str, waiter: str | None) -> float | None:
        """One transaction: take a call and return None, or say how long to wait."""
        capacity = self._capacity[endpoint]
        with self._transaction() as conn:
            # The time is read once the write lock is ours: a moment taken before waiting
            # for it would record the call earlier than it happens.
            now = self._clock()
            self._expire(conn, endpoint, now)
            blocked = self._blocked_for(conn, endpoint, now)
            if blocked > 0:
                self._note_waiter(conn, waiter, endpoint, now)
                return blocked
            used, oldest = self._spent(conn, endpoint)
            free = capacity - used
            next_return = oldest + self._window - now if oldest is not None else _RECHECK
            if waiter is None:  # background
                if self._foreground_waiting(conn, endpoint, now):
                    return max(_RECHECK, next_return if free <= 0 else _RECHECK)
                if free <= self._reserve[endpoint]:
                    return max(_RECHECK, next_return)
            elif free <= 0:
                self._note_waiter(conn, waiter, endpoint, now)
                return max(0.0, next_return)
            conn.execute("INSERT INTO grants (endpoint, at) VALUES (?, ?)", (endpoint, now))
            if waiter is not None:
                conn.execute("DELETE FROM waiters WHERE id = ?", (waiter,))
            return None

    def _expire(self, conn: sqlite3.Connection, endpoint: str, now: float) -> None:
        conn.execute(
            "DELETE FROM grants WHERE endpoint = ? AND (at <= ? OR at > ?)",
            (endpoint, now - self._window, now + 1.0),
        )
        conn.execute(
            "DELETE FROM waiters WHERE seen <= ? OR seen > ?", (now - WAITER_TTL, now + 1.0)
        )

    def _blocked_for(self, conn: sqlite3.Connection, endpoint: str, now: float) -> float:
        row = conn.execute("SELECT until FROM blocks WHERE endpoint = ?", (endpoint,)).fetchone()
        if row is None:
            return 0.0
        left = float(row[0]) - now
        if left > 24 * 3600:  # a clock that jumped back: forget the block
            conn.execute("DELETE FROM blocks WHERE endpoint = ?", (endpoint,))
            return 0.0
        return max(0.0, left)

    @staticmethod
    def _spent(conn: sqlite3.Connection, endpoint: str) -> tuple[int, float | None]:
        used, oldest = conn.execute(
            "SELECT count(*), min(at) FROM grants WHERE endpoint = ?", (endpoint,)
        ).fetchone()
        return int(used), (None if oldest is None else float(oldest))

    @staticmethod
    def _foreground_waiting(conn: sqlite3.Connection, endpoint: str, now: float) -> bool:
        row = conn.execute(
            "SELECT 1 FROM waiters WHERE endpoint = ? AND seen > ? LIMIT 1",
            (endpoint, now - WAITER_TTL),
        ).fetchone()
        return row is not None

    @staticmethod
    def _note_waiter(
        conn: sqlite3.Connection, waiter: str | None, endpoint: str, now: float
    ) -> None:
        if waiter is not None:
            conn.execute(
                "INSERT INTO waiters (id, endpoint, seen) VALUES (?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET seen = excluded.seen",
                (waiter, endpoint, now),
            )

    def _forget_waiter(self, waiter: str) -> None:
        try:
            with self._transaction() as conn:
                conn.execute("DELETE FROM waiters WHERE id = ?", (waiter,))
        except _Unusable:
            pass  # the note expires by itself

    def _transaction(self) -> _Transaction:
        return _Transaction(self)

    # ---- when the file fails --------------------------------------------------------------
    def _fallback_budget(self) -> object | None:
        if self._fallback is None and self._make_fallback is not None:
            self._fallback = self._make_fallback()
        return self._fallback

    async def _fallback_acquire(self, endpoint: str, background: bool) -> None:
        fallback = self._fallback_budget()
        if fallback is not None:
            await fallback.acquire(endpoint, background=background)  # type: ignore[attr-defined]
        self._granted[endpoint] += 1


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT on the budget file; any sqlite3 failure becomes _Unusable
    (logged once per failure), with everything rolled back."""

    def __init__(self, budget: SharedRateBudget) -> None:
        self._budget = budget
        self._conn: sqlite3.Connection | None = None

    def __enter__(self) -> sqlite3.Connection:
        budget = self._budget
        budget._lock.acquire()
        conn = budget._conn
        if conn is None:
            budget._lock.release()
            raise _Unusable("the rate budget is closed")
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            budget._lock.release()
            log.warning("the till's shared rate budget %s failed (%s)", budget.path, exc)
            raise _Unusable(str(exc)) from exc
        self._conn = conn
        return conn

    def __exit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
        conn = self._conn
        assert conn is not None
        try:
            if exc is None:
                try:
                    conn.execute("COMMIT")
                    return
                except sqlite3.Error as failed:
                    exc = failed
            if conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                log.warning("the till's shared rate budget %s failed (%s)", self._budget.path, exc)
                raise _Unusable(str(exc)) from exc
        finally:
            self._budget._lock.release()
