"""The journal's connection: opening (with migration), closing, and transactions.

Journal (journal.py) builds the data API on top of this. One connection, serialised by a
lock; writes are BEGIN IMMEDIATE ... COMMIT and roll back completely on any error.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from types import TracebackType
from typing import Self

from pos_app.domain.clock import Clock, utc_now
from pos_app.store.codec import to_ms
from pos_app.store.errors import JournalError, from_os_error, from_sqlite
from pos_app.store.migrations import LATEST, migrate, schema_version
from pos_app.store.private_files import create_private, tighten

__all__ = ["JournalConnection", "utc_now"]

log = logging.getLogger(__name__)


class JournalConnection:
    """One connection to the journal file. Thread-safe (calls are serialised)."""

    def __init__(self, conn: sqlite3.Connection, path: Path, clock: Clock, read_only: bool) -> None:
        self._conn: sqlite3.Connection | None = conn
        self._lock = threading.RLock()
        self._clock = clock
        self.path = path
        self.read_only = read_only

    # ---- lifetime ------------------------------------------------------------------------
    @classmethod
    def open(
        cls,
        path: Path,
        *,
        clock: Clock = utc_now,
        read_only: bool = False,
        busy_timeout: float = 5.0,
    ) -> Self:
        """Open (creating and migrating if needed) the journal at `path`.

        With read_only=True the file must already exist at the current schema; every write
        then raises JournalError(kind="read_only").
        """
        path = Path(path)
        if not read_only:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                create_private(path)
            except OSError as exc:
                raise from_os_error(exc, path) from exc
        try:
            if read_only:
                target = path.resolve().as_uri() + "?mode=ro"
                conn = sqlite3.connect(
                    target,
                    uri=True,
                    isolation_level=None,
                    check_same_thread=False,
                    timeout=busy_timeout,
                )
            else:
                conn = sqlite3.connect(
                    path, isolation_level=None, check_same_thread=False, timeout=busy_timeout
                )
        except sqlite3.Error as exc:
            raise from_sqlite(exc, path) from exc
        try:
            cls._prepare(conn, path, read_only, busy_timeout)
        except BaseException:
            conn.close()
            raise
        if not read_only:
            tighten(path)  # the -wal/-shm files exist now; older journals are tightened too
        return cls(conn, path, clock, read_only)

    @staticmethod
    def _prepare(
        conn: sqlite3.Connection, path: Path, read_only: bool, busy_timeout: float
    ) -> None:
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            conn.execute("PRAGMA foreign_keys = ON")
            if read_only:
                conn.execute("PRAGMA query_only = ON")
                version = schema_version(conn)
                if version != LATEST:
                    raise JournalError(
                        f"The journal at {path} is not ready to read (schema {version}, "
                        f"expected {LATEST}): start pos-app normally once to prepare it.",
                        kind="cannot_open",
                        path=path,
                    )
                return
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                # Still crash-safe (rollback journal + FULL sync); reports may then briefly
                # wait for a sale to commit. Happens on some network folders.
                log.warning("journal %s cannot use WAL here (mode %s)", path, mode)
            conn.execute("PRAGMA synchronous = FULL")
        except sqlite3.Error as exc:
            raise from_sqlite(exc, path) from exc
        migrate(conn, path)

    def reader(self) -> Self:
        """A second, read-only connection for reports; close it when done."""
        return type(self).open(self.path, clock=self._clock, read_only=True)

    def close(self) -> None:
        with self._lock:
            conn, self._conn = self._conn, None
            if conn is None:
                return
            if not self.read_only:
                with suppress(sqlite3.Error):
                    conn.execute("PRAGMA optimize")
            conn.close()

    @property
    def closed(self) -> bool:
        return self._conn is None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # ---- transactions --------------------------------------------------------------------
    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise JournalError("The journal is closed.", kind="closed", path=self.path)
        return self._conn

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            conn = self._connection()
            try:
                yield conn
            except sqlite3.Error as exc:
                raise from_sqlite(exc, self.path) from exc

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT; anything raised inside rolls the whole change back."""
        with self._lock:
            conn = self._connection()
            if conn.in_transaction:
                raise RuntimeError("finish the snapshot before writing to the journal")
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise from_sqlite(exc, self.path) from exc
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException as exc:
                if conn.in_transaction:
                    with suppress(sqlite3.Error):
                        conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise from_sqlite(exc, self.path) from exc
                raise

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Every read inside sees the same moment (a report's totals and list agree)."""
        with self._reading() as conn:
            if conn.in_transaction:
                yield
                return
            conn.execute("BEGIN DEFERRED")
            try:
                yield
            finally:
                if conn.in_transaction:
                    conn.execute("COMMIT")

    def _now_ms(self) -> int:
        return to_ms(self._clock())
