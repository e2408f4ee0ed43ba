"""Who follows each sale: one owner at a time, across every process of a till.

An owner is one process (host, pid and a random token). It claims a sale inside a write
transaction; the claim lasts until it is released, or until the lease expires without a
heartbeat, or the owning process is gone (same host, pid no longer alive). Other doors
never write a second outcome for a leased sale: they set a flag on the lease ("check now",
"cancel") that the owner picks up.

The sale at the counter is a lease too (role "counter"): one per till, checked in the same
transaction that journals a new sale, so two processes of one till cannot both show a QR.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from pos_app.store.codec import from_ms, to_ms
from pos_app.store.connection import JournalConnection

__all__ = [
    "Lease",
    "LeaseBook",
    "Nudge",
    "Owner",
    "process_alive",
]

ROLES = frozenset({"counter", "follow", "sweep", "refresh"})
_COLUMNS = (
    "order_id, terminal_id, owner, host, pid, role, started_at, heartbeat_at, expires_at, "
    "check_now, cancel_requested"
)


@dataclass(frozen=True, slots=True)
class Owner:
    """One process that may follow sales."""

    token: str
    host: str
    pid: int

    @classmethod
    def of_this_process(cls) -> Owner:
        host = socket.gethostname()
        pid = os.getpid()
        return cls(token=f"{host}:{pid}:{uuid.uuid4().hex[:12]}", host=host, pid=pid)


@dataclass(frozen=True, slots=True)
class Lease:
    order_id: str
    terminal_id: str
    owner: str
    host: str
    pid: int
    role: str
    started_at: datetime
    heartbeat_at: datetime
    expires_at: datetime
    check_now: bool
    cancel_requested: bool


@dataclass(frozen=True, slots=True)
class Nudge:
    """What another door asked of a sale this owner follows."""

    order_id: str
    check_now: bool
    cancel: bool


def process_alive(host: str, pid: int) -> bool:
    """False only when the process is certainly gone (same host, no such pid)."""
    if host != socket.gethostname():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _lease(row: tuple[object, ...]) -> Lease:
    (order_id, terminal_id, owner, host, pid, role, started, beat, expires, check, cancel) = row
    return Lease(
        order_id=str(order_id),
        terminal_id=str(terminal_id),
        owner=str(owner),
        host=str(host),
        pid=int(pid),  # type: ignore[call-overload]
        role=str(role),
        started_at=from_ms(int(started)),  # type: ignore[call-overload]
        heartbeat_at=from_ms(int(beat)),  # type: ignore[call-overload]
        expires_at=from_ms(int(expires)),  # type: ignore[call-overload]
        check_now=bool(check),
        cancel_requested=bool(cancel),
    )


class LeaseBook(JournalConnection):
    """The lease table's operations; mixed into Journal."""

    # Tests (and a till on one host) may replace this; see process_alive.
    alive: Callable[[str, int], bool] = staticmethod(process_alive)

    def _is_live(self, lease: Lease, now_ms: int) -> bool:
        return to_ms(lease.expires_at) > now_ms and self.alive(lease.host, lease.pid)

    @staticmethod
    def _row(conn: sqlite3.Connection, order_id: str) -> Lease | None:
        row = conn.execute(
            f"SELECT {_COLUMNS} FROM sale_owners WHERE order_id = ?",  # noqa: S608 (constant)
            (order_id,),
        ).fetchone()
        return None if row is None else _lease(row)

    def _put(
        self,
        conn: sqlite3.Connection,
        order_id: str,
        terminal_id: str,
        owner: Owner,
        role: str,
        ttl: timedelta,
        now_ms: int,
    ) -> None:
        if role not in ROLES:
            raise ValueError(f"unknown lease role {role!r}")
        conn.execute(
            f"INSERT OR REPLACE INTO sale_owners ({_COLUMNS}) "  # noqa: S608 (constant)
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0)",
            (
                order_id,
                terminal_id,
                owner.token,
                owner.host,
                owner.pid,
                role,
                now_ms,
                now_ms,
                now_ms + int(ttl.total_seconds() * 1000),
            ),
        )

    def claim(self, order_id: str, owner: Owner, role: str, ttl: timedelta) -> bool:
        """Take the sale for `owner`. False when it is held: by a live other owner, or by
        another follower of this same owner (a process never follows one sale twice). A
        stale lease (expired, or its process gone) is taken over, keeping its flags."""
        with self._writing() as conn:
            terminal = conn.execute(
                "SELECT terminal_id FROM sales WHERE order_id = ?", (order_id,)
            ).fetchone()
            if terminal is None:
                return False
            now = self._now_ms()
            held = self._row(conn, order_id)
            if held is not None and (held.owner == owner.token or self._is_live(held, now)):
                return False
            self._put(conn, order_id, str(terminal[0]), owner, role, ttl, now)
            if held is not None and (held.check_now or held.cancel_requested):
                conn.execute(
                    "UPDATE sale_owners SET check_now = ?, cancel_requested = ? WHERE order_id = ?",
                    (int(held.check_now), int(held.cancel_requested), order_id),
                )
            return True

    def change_role(self, order_id: str, owner: Owner, role: str) -> bool:
        if role not in ROLES:
            raise ValueError(f"unknown lease role {role!r}")
        with self._writing() as conn:
            cur = conn.execute(
                "UPDATE sale_owners SET role = ? WHERE order_id = ? AND owner = ?",
                (role, order_id, owner.token),
            )
            return cur.rowcount == 1

    def release(self, order_id: str, owner: Owner) -> None:
        with self._writing() as conn:
            conn.execute(
                "DELETE FROM sale_owners WHERE order_id = ? AND owner = ?",
                (order_id, owner.token),
            )

    def release_all(self, owner: Owner) -> int:
        with self._writing() as conn:
            return conn.execute("DELETE FROM sale_owners WHERE owner = ?", (owner.token,)).rowcount

    def renew(self, owner: Owner, ttl: timedelta) -> int:
        """Heartbeat: extend every lease `owner` holds. Returns how many."""
        with self._writing() as conn:
            now = self._now_ms()
            return conn.execute(
                "UPDATE sale_owners SET heartbeat_at = ?, expires_at = ? WHERE owner = ?",
                (now, now + int(ttl.total_seconds() * 1000), owner.token),
            ).rowcount

    def lease_of(self, order_id: str) -> Lease | None:
        with self._reading() as conn:
            return self._row(conn, order_id)

    def live_lease(self, order_id: str) -> Lease | None:
        """The lease when its owner is alive, else None (unowned or stale)."""
        lease = self.lease_of(order_id)
        if lease is None or not self._is_live(lease, self._now_ms()):
            return None
        return lease

    def nudge(self, order_id: str, *, cancel: bool = False) -> bool:
        """Ask the owner of a sale to check it now (and to cancel it). False when nobody
        holds it."""
        with self._writing() as conn:
            cur = conn.execute(
                "UPDATE sale_owners SET check_now = 1, "
                "cancel_requested = MAX(cancel_requested, ?) WHERE order_id = ?",
                (int(cancel), order_id),
            )
            return cur.rowcount == 1

    def take_nudges(self, owner: Owner) -> list[Nudge]:
        """The flags set on this owner's sales since the last call (and clear them)."""
        with self._writing() as conn:
            rows = conn.execute(
                "SELECT order_id, check_now, cancel_requested FROM sale_owners "
                "WHERE owner = ? AND (check_now = 1 OR cancel_requested = 1)",
                (owner.token,),
            ).fetchall()
            if rows:
                conn.execute(
                    "UPDATE sale_owners SET check_now = 0, cancel_requested = 0 "
                    "WHERE owner = ? AND (check_now = 1 OR cancel_requested = 1)",
                    (owner.token,),
                )
        return [Nudge(str(r[0]), bool(r[1]), bool(r[2])) for r in rows]

    def live_leases(self, terminal_id: str, *, exclude_owner: Owner | None = None) -> list[Lease]:
        """Every live lease of this till (optionally not those of one owner)."""
        with self._reading() as conn:
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM sale_owners WHERE terminal_id = ?",  # noqa: S608 (constant)
                (terminal_id,),
            ).fetchall()
        now = self._now_ms()
        skip = exclude_owner.token if exclude_owner is not None else None
        leases = (_lease(row) for row in rows)
        return [lease for lease in leases if lease.owner != skip and self._is_live(lease, now)]

    def counter_sale(self, terminal_id: str) -> Lease | None:
        """The live sale at this till's counter, whichever process shows it."""
        with self._reading() as conn:
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM sale_owners "  # noqa: S608 (constant)
                "WHERE terminal_id = ? AND role = 'counter'",
                (terminal_id,),
            ).fetchall()
        now = self._now_ms()
        for row in rows:
            lease = _lease(row)
            if self._is_live(lease, now):
                return lease
        return None

    def _claim_counter(
        self,
        conn: sqlite3.Connection,
        order_id: str,
        terminal_id: str,
        owner: Owner,
        ttl: timedelta,
    ) -> str | None:
        """Inside create_sale's transaction: the order id of a live counter sale of this
        till (nothing is claimed then), or None after claiming the counter for `order_id`.
        A stale counter lease is let go (its sale becomes unowned, to be taken over)."""
        now = self._now_ms()
        rows = conn.execute(
            f"SELECT {_COLUMNS} FROM sale_owners "  # noqa: S608 (constant)
            "WHERE terminal_id = ? AND role = 'counter'",
            (terminal_id,),
        ).fetchall()
        for row in rows:
            lease = _lease(row)
            if self._is_live(lease, now):
                return lease.order_id
            conn.execute("DELETE FROM sale_owners WHERE order_id = ?", (lease.order_id,))
        self._put(conn, order_id, terminal_id, owner, "counter", ttl, now)
        return None
