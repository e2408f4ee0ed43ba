"""Numbered schema migrations, tracked in `PRAGMA user_version`.

Before an existing, non-empty database is changed it is copied with SQLite's online backup
API to ``<name>.bak-v<old version>`` beside it. Each migration runs in its own transaction
together with the user_version bump, so a failure leaves the previous version intact.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pos_app.store.errors import JournalError, from_os_error, from_sqlite

__all__ = ["LATEST", "MIGRATIONS", "Migration", "backup_path", "migrate", "schema_version"]


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    statements: tuple[str, ...]


_V1 = Migration(
    1,
    "sales, sale events and refunds",
    (
        """
        CREATE TABLE sales (
            order_id TEXT PRIMARY KEY NOT NULL,
            terminal_id TEXT NOT NULL,
            environment TEXT NOT NULL,
            amount_paise INTEGER NOT NULL
                CHECK (typeof(amount_paise) = 'integer' AND amount_paise > 0),
            method TEXT NOT NULL,
            status TEXT NOT NULL,
            idempotency_key TEXT NOT NULL,
            created_at INTEGER NOT NULL CHECK (typeof(created_at) = 'integer'),
            updated_at INTEGER NOT NULL CHECK (typeof(updated_at) = 'integer'),
            bill_number TEXT,
            note TEXT,
            customer_phone TEXT,
            customer_email TEXT,
            vpa TEXT,
            link_id TEXT,
            cf_order_id TEXT,
            gateway_order_id TEXT,
            payment_session_id TEXT,
            expires_at INTEGER,
            cf_payment_id TEXT,
            bank_reference TEXT,
            payment_group TEXT,
            paid_at INTEGER,
            payer TEXT,
            late INTEGER NOT NULL DEFAULT 0 CHECK (late IN (0, 1)),
            duplicate_override INTEGER NOT NULL DEFAULT 0 CHECK (duplicate_override IN (0, 1)),
            reason TEXT
        )
        """,
        "CREATE INDEX sales_created ON sales (created_at)",
        "CREATE INDEX sales_terminal_created ON sales (terminal_id, created_at)",
        "CREATE INDEX sales_status ON sales (status, updated_at)",
        "CREATE INDEX sales_bank_reference ON sales (bank_reference)",
        "CREATE INDEX sales_customer_phone ON sales (customer_phone)",
        "CREATE INDEX sales_bill_number ON sales (bill_number)",
        # The duplicate-charge guard: the last PAID sale of an amount at a terminal.
        "CREATE INDEX sales_paid_amount ON sales (terminal_id, status, amount_paise, paid_at)",
        """
        CREATE TABLE sale_events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            order_id TEXT NOT NULL REFERENCES sales (order_id),
            at INTEGER NOT NULL,
            kind TEXT NOT NULL,
            status TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT '{}'
        )
        """,
        "CREATE INDEX sale_events_order ON sale_events (order_id, id)",
        """
        CREATE TRIGGER sale_events_no_update BEFORE UPDATE ON sale_events
        BEGIN SELECT RAISE(ABORT, 'sale events are append-only'); END
        """,
        """
        CREATE TRIGGER sale_events_no_delete BEFORE DELETE ON sale_events
        BEGIN SELECT RAISE(ABORT, 'sale events are append-only'); END
        """,
        """
        CREATE TABLE refunds (
            refund_id TEXT PRIMARY KEY NOT NULL,
            order_id TEXT NOT NULL REFERENCES sales (order_id),
            amount_paise INTEGER NOT NULL
                CHECK (typeof(amount_paise) = 'integer' AND amount_paise > 0),
            status TEXT NOT NULL,
            idempotency_key TEXT NOT NULL,
            reason TEXT,
            cf_refund_id TEXT,
            arn TEXT,
            status_description TEXT,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL
        )
        """,
        "CREATE INDEX refunds_order ON refunds (order_id)",
        "CREATE INDEX refunds_created ON refunds (created_at)",
    ),
)

# Sentences earlier versions stored as the meaning of an ending -> the code that replaces
# them. The sentence is dropped (the wording table says it now); Cashfree's own words stay.
_OLD_REASONS = {
    "Cancel could not be confirmed with Cashfree yet; the till keeps trying.": "cancel_unconfirmed",
    "The order never reached Cashfree. No money was taken.": "never_reached",
    "The till stopped before the order reached Cashfree. No money was taken.": (
        "stopped_before_order"
    ),
    "Cancelled by the cashier. No money was taken.": "cancelled_by_cashier",
    "Cancelled at Cashfree. No money was taken.": "cancelled_at_cashfree",
    "The demo's pretend Cashfree started afresh and no longer knows this training sale, "
    "so it was closed. No money was involved.": "demo_restarted",
}


def _reason_code_backfill() -> tuple[str, ...]:
    out = []
    for sentence, code in _OLD_REASONS.items():
        quoted = sentence.replace("'", "''")
        out.append(
            f"UPDATE sales SET reason_code = '{code}', reason = NULL WHERE reason = '{quoted}'"  # noqa: S608 (constants)
        )
    out.append(
        "UPDATE sales SET reason_code = 'refused_by_cashfree' "
        "WHERE status = 'FAILED' AND reason_code IS NULL"
    )
    return tuple(out)


_V2 = Migration(
    2,
    "reason codes, Order Pay attempt keys, one owner per sale",
    (
        "ALTER TABLE sales ADD COLUMN reason_code TEXT",
        "ALTER TABLE sales ADD COLUMN attempt_key TEXT",
        *_reason_code_backfill(),
        # Who follows an open (or recently closed) sale right now: exactly one row per sale,
        # claimed and renewed inside write transactions by the owning process.
        """
        CREATE TABLE sale_owners (
            order_id TEXT PRIMARY KEY NOT NULL REFERENCES sales (order_id),
            terminal_id TEXT NOT NULL,
            owner TEXT NOT NULL,
            host TEXT NOT NULL,
            pid INTEGER NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('counter', 'follow', 'sweep', 'refresh')),
            started_at INTEGER NOT NULL,
            heartbeat_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL,
            check_now INTEGER NOT NULL DEFAULT 0 CHECK (check_now IN (0, 1)),
            cancel_requested INTEGER NOT NULL DEFAULT 0 CHECK (cancel_requested IN (0, 1))
        )
        """,
        "CREATE INDEX sale_owners_owner ON sale_owners (owner)",
        "CREATE INDEX sale_owners_counter ON sale_owners (terminal_id, role)",
    ),
)

_MCP = Migration(
    3,
    "MCP tool calls and refund requests",
    (
        # One row per MCP tool call: which tool, its arguments with personal data removed,
        # and how it ended. order_id is set when the call is about one sale.
        """
        CREATE TABLE mcp_calls (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at INTEGER NOT NULL CHECK (typeof(at) = 'integer'),
            tool TEXT NOT NULL,
            order_id TEXT,
            arguments TEXT NOT NULL DEFAULT '{}',
            outcome TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT '{}'
        )
        """,
        "CREATE INDEX mcp_calls_at ON mcp_calls (at)",
        "CREATE INDEX mcp_calls_order ON mcp_calls (order_id, id)",
        # A refund someone asked for (an MCP client) that moves no money until the manager
        # approves it; approval makes the refund (refund_id links to the refunds table).
        """
        CREATE TABLE refund_requests (
            request_id TEXT PRIMARY KEY NOT NULL,
            order_id TEXT NOT NULL REFERENCES sales (order_id),
            amount_paise INTEGER NOT NULL
                CHECK (typeof(amount_paise) = 'integer' AND amount_paise > 0),
            reason TEXT NOT NULL,
            source TEXT NOT NULL,
            status TEXT NOT NULL
                CHECK (status IN ('PENDING_APPROVAL', 'APPROVED', 'REJECTED')),
            refund_id TEXT,
            decision_note TEXT,
            created_at INTEGER NOT NULL,
            decided_at INTEGER
        )
        """,
        "CREATE INDEX refund_requests_order ON refund_requests (order_id)",
        "CREATE INDEX refund_requests_status ON refund_requests (status, created_at)",
    ),
)

_EVENT_KINDS = Migration(
    4,
    "events findable by kind and time (the day end's sales paid on evidence)",
    ("CREATE INDEX sale_events_kind_at ON sale_events (kind, at)",),
)

# Refunds: where each came from ("till", or "outside" when Cashfree reported a refund this
# journal never asked for), and the till's own append-only events (a manager PIN set or
# changed, a mismatch found): facts about the till rather than about one sale.
_V_REFUND_ORIGIN = Migration(
    5,
    "refund origin and till events",
    (
        "ALTER TABLE refunds ADD COLUMN origin TEXT NOT NULL DEFAULT 'till'"
        " CHECK (origin IN ('till', 'outside'))",
        "ALTER TABLE refunds ADD COLUMN seen_at INTEGER",
        "CREATE INDEX refunds_open ON refunds (order_id, status)",
        "CREATE INDEX refunds_outside ON refunds (seen_at) WHERE origin = 'outside'",
        """
        CREATE TABLE till_events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at INTEGER NOT NULL,
            kind TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT '{}'
        )
        """,
        """
        CREATE TRIGGER till_events_no_update BEFORE UPDATE ON till_events
        BEGIN SELECT RAISE(ABORT, 'till events are append-only'); END
        """,
        """
        CREATE TRIGGER till_events_no_delete BEFORE DELETE ON till_events
        BEGIN SELECT RAISE(ABORT, 'till events are append-only'); END
        """,
    ),
)

# A random RFC 4122 version-4 UUID, made by SQLite itself (lower-case, 36 characters).
_UUID4_SQL = (
    "lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4'"
    " || substr(lower(hex(randomblob(2))), 2) || '-'"
    " || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(lower(hex(randomblob(2))), 2)"
    " || '-' || lower(hex(randomblob(6)))"
)

_OUTBOX = Migration(
    6,
    "a globally unique id on every event, and the store outbox's position",
    (
        # Events stay append-only, except for the one-time filling of a missing uid.
        "DROP TRIGGER sale_events_no_update",
        "ALTER TABLE sale_events ADD COLUMN event_uid TEXT",
        f"UPDATE sale_events SET event_uid = {_UUID4_SQL} WHERE event_uid IS NULL",  # noqa: S608 (constant SQL)
        "CREATE UNIQUE INDEX sale_events_uid ON sale_events (event_uid)",
        """
        CREATE TRIGGER sale_events_no_update BEFORE UPDATE ON sale_events
        WHEN NOT (OLD.event_uid IS NULL AND NEW.event_uid IS NOT NULL
                  AND NEW.id = OLD.id AND NEW.order_id = OLD.order_id AND NEW.at = OLD.at
                  AND NEW.kind = OLD.kind AND NEW.status = OLD.status
                  AND NEW.detail = OLD.detail)
        BEGIN SELECT RAISE(ABORT, 'sale events are append-only'); END
        """,
        # Whoever inserts an event without a uid (every writer today) gets one, in the
        # same transaction as the insert.
        f"""
        CREATE TRIGGER sale_events_fill_uid AFTER INSERT ON sale_events
        WHEN NEW.event_uid IS NULL
        BEGIN UPDATE sale_events SET event_uid = {_UUID4_SQL} WHERE id = NEW.id; END
        """,  # noqa: S608 (constant SQL)
        # The outbox: events are pushed in id order; `pushed_through` is the last id the
        # store database has acknowledged (store/outbox.py).
        """
        CREATE TABLE outbox_cursor (
            target TEXT PRIMARY KEY NOT NULL,
            pushed_through INTEGER NOT NULL DEFAULT 0 CHECK (pushed_through >= 0),
            pushed_at INTEGER,
            failures INTEGER NOT NULL DEFAULT 0,
            last_error TEXT
        )
        """,
    ),
)

# A refund made at this till for a sale taken at ANOTHER till of the store: the sale is not
# in this journal (so no foreign key), the store database holds the reservation that keeps
# the sale's refunds within what it took (request_id), and the outbox pushes every change
# (`changes` grows with each one; `pushed_changes` is what the store database has).
_OTHER_TILL_REFUNDS = Migration(
    7,
    "refunds made here for sales taken at another till",
    (
        """
        CREATE TABLE other_till_refunds (
            refund_id TEXT PRIMARY KEY NOT NULL,
            order_id TEXT NOT NULL,
            target_order_id TEXT NOT NULL,
            till_id TEXT NOT NULL,
            request_id TEXT NOT NULL UNIQUE,
            amount_paise INTEGER NOT NULL
                CHECK (typeof(amount_paise) = 'integer' AND amount_paise > 0),
            status TEXT NOT NULL,
            idempotency_key TEXT NOT NULL,
            reason TEXT,
            cf_refund_id TEXT,
            arn TEXT,
            status_description TEXT,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            changes INTEGER NOT NULL DEFAULT 1,
            pushed_changes INTEGER NOT NULL DEFAULT 0
        )
        """,
        "CREATE INDEX other_till_refunds_order ON other_till_refunds (order_id)",
        "CREATE INDEX other_till_refunds_created ON other_till_refunds (created_at)",
        "CREATE INDEX other_till_refunds_waiting ON other_till_refunds (refund_id)"
        " WHERE pushed_changes < changes",
    ),
)

MIGRATIONS: tuple[Migration, ...] = (
    _V1,
    _V2,
    _MCP,
    _EVENT_KINDS,
    _V_REFUND_ORIGIN,
    _OUTBOX,
    _OTHER_TILL_REFUNDS,
)
LATEST = MIGRATIONS[-1].version


def schema_version(conn: sqlite3.Connection) -> int:
    row = conn.execute("PRAGMA user_version").fetchone()
    return int(row[0])


def backup_path(db_path: Path, old_version: int) -> Path:
    return db_path.with_name(f"{db_path.name}.bak-v{old_version}")


def migrate(
    conn: sqlite3.Connection,
    db_path: Path,
    migrations: Sequence[Migration] = MIGRATIONS,
) -> int:
    """Bring the database to the last migration's version; returns the version it had.

    `conn` must be in autocommit mode (isolation_level=None). Raises JournalError when the
    file was written by a newer program or a step fails (that step is rolled back).
    """
    _check_numbering(migrations)
    latest = migrations[-1].version if migrations else 0
    try:
        current = schema_version(conn)
    except sqlite3.Error as exc:
        raise from_sqlite(exc, db_path) from exc
    if current > latest:
        raise JournalError(
            f"The journal at {db_path} was written by a newer version of pos-app "
            f"(schema {current}); install that version or newer to open it.",
            kind="too_new",
            path=db_path,
        )
    if current == latest:
        return current
    if _has_content(conn, db_path):
        _backup(conn, db_path, backup_path(db_path, current))
    for step in migrations:
        if step.version > current:
            _apply(conn, db_path, step)
    return current


def _check_numbering(migrations: Sequence[Migration]) -> None:
    numbers = [m.version for m in migrations]
    if numbers != list(range(1, len(numbers) + 1)):
        raise ValueError(f"migrations must be numbered 1, 2, 3, ...; got {numbers}")


def _has_content(conn: sqlite3.Connection, db_path: Path) -> bool:
    try:
        row = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as exc:
        raise from_sqlite(exc, db_path) from exc
    return int(row[0]) > 0


def _backup(conn: sqlite3.Connection, db_path: Path, target: Path) -> None:
    """Copy the whole database to `target` (via a temporary name, then an atomic rename)."""
    partial = target.with_name(target.name + ".partial")
    try:
        copy = sqlite3.connect(partial)
        try:
            conn.backup(copy)
        finally:
            copy.close()
        os.replace(partial, target)
    except sqlite3.Error as exc:
        _remove_quietly(partial)
        raise from_sqlite(exc, target) from exc
    except OSError as exc:
        _remove_quietly(partial)
        raise from_os_error(exc, target) from exc


def _remove_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def _apply(conn: sqlite3.Connection, db_path: Path, step: Migration) -> None:
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in step.statements:
                conn.execute(statement)
            # user_version lives in the database header and is part of this transaction.
            conn.execute(f"PRAGMA user_version = {int(step.version)}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    except sqlite3.Error as exc:
        error = from_sqlite(exc, db_path)
        raise JournalError(
            f"The journal could not be upgraded to schema {step.version} ({step.name}); "
            f"it was left unchanged. {error.message}",
            kind=error.kind,
            path=db_path,
        ) from exc
