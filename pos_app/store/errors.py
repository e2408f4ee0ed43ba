"""What can go wrong with the journal, in sentences a shop owner can act on.

Every sqlite3 error that leaves the store is turned into a JournalError by `from_sqlite`,
so callers never see driver exceptions. `kind` is a short word a program can branch on;
the message is what a person reads.
"""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

__all__ = [
    "CounterBusyError",
    "DuplicateRefundError",
    "DuplicateSaleError",
    "JournalError",
    "RefundPendingError",
    "RefundTooLargeError",
    "UnknownRefundError",
    "UnknownSaleError",
    "cannot_open",
    "from_os_error",
    "from_sqlite",
]

# SQLite primary result codes (the low byte of an extended code).
_SQLITE_PERM = 3
_SQLITE_BUSY = 5
_SQLITE_LOCKED = 6
_SQLITE_READONLY = 8
_SQLITE_IOERR = 10
_SQLITE_CORRUPT = 11
_SQLITE_FULL = 13
_SQLITE_CANTOPEN = 14
_SQLITE_NOTADB = 26

_NOT_SAVED = "the last change was not saved"


class JournalError(Exception):
    """The journal could not do what was asked; `message` says what to do about it."""

    def __init__(self, message: str, *, kind: str = "other", path: Path | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.path = path


class DuplicateSaleError(JournalError):
    def __init__(self, order_id: str) -> None:
        super().__init__(
            f"A sale with order id {order_id} is already in the journal; "
            "a new sale needs a new order id.",
            kind="duplicate",
        )
        self.order_id = order_id


class CounterBusyError(JournalError):
    """Another sale is at this till's counter right now (possibly in another process)."""

    def __init__(self, order_id: str) -> None:
        super().__init__(
            f"A payment is already in progress at this till (order {order_id}). "
            "Finish or cancel it first.",
            kind="counter_busy",
        )
        self.order_id = order_id


class DuplicateRefundError(JournalError):
    def __init__(self, refund_id: str) -> None:
        super().__init__(
            f"A refund with id {refund_id} is already in the journal; "
            "a new refund needs a new refund id.",
            kind="duplicate",
        )
        self.refund_id = refund_id


class UnknownSaleError(JournalError):
    def __init__(self, order_id: str) -> None:
        super().__init__(
            f"There is no sale with order id {order_id} in the journal.", kind="missing"
        )
        self.order_id = order_id


class UnknownRefundError(JournalError):
    def __init__(self, refund_id: str) -> None:
        super().__init__(f"There is no refund with id {refund_id} in the journal.", kind="missing")
        self.refund_id = refund_id


class RefundTooLargeError(JournalError):
    def __init__(self, order_id: str, asked: str, left: str) -> None:
        super().__init__(
            f"A refund of {asked} is more than is left to refund on sale {order_id} ({left}).",
            kind="refund_too_large",
        )
        self.order_id = order_id


class RefundPendingError(JournalError):
    """A refund of this sale is still REQUESTED or PENDING: a new one needs `another`."""

    def __init__(self, order_id: str, refund_id: str) -> None:
        super().__init__(
            f"Refund {refund_id} of sale {order_id} is still on its way; a further refund "
            "must be asked for explicitly.",
            kind="refund_pending",
        )
        self.order_id = order_id
        self.refund_id = refund_id


def from_sqlite(exc: sqlite3.Error, path: Path | None) -> JournalError:
    """Map a driver error to the sentence the shop owner should read."""
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    text = str(exc).lower()
    where = f"The journal at {path}" if path is not None else "The journal"
    if primary == _SQLITE_FULL or "disk is full" in text:
        return JournalError(
            f"The disk is full: free some space; nothing was lost, {_NOT_SAVED}.",
            kind="disk_full",
            path=path,
        )
    if primary in (_SQLITE_READONLY, _SQLITE_PERM) or "readonly" in text or "read-only" in text:
        return JournalError(
            f"{where} is read-only: allow this program to write to that folder and file; "
            f"{_NOT_SAVED}.",
            kind="read_only",
            path=path,
        )
    if (
        primary in (_SQLITE_CORRUPT, _SQLITE_NOTADB)
        or "malformed" in text
        or "not a database" in text
    ):
        return JournalError(
            f"{where} is damaged: keep a copy of that file and of any .bak file beside it, "
            "and contact support before taking more payments on this till.",
            kind="corrupt",
            path=path,
        )
    if primary == _SQLITE_CANTOPEN or "unable to open" in text:
        return cannot_open(path)
    if primary in (_SQLITE_BUSY, _SQLITE_LOCKED) or "locked" in text:
        return JournalError(
            "The journal is busy in another program: close any other copy of pos-app on this "
            f"computer and try again; {_NOT_SAVED}.",
            kind="busy",
            path=path,
        )
    if primary == _SQLITE_IOERR or "disk i/o" in text:
        return JournalError(
            f"The disk could not be read or written: check the disk and its cable; {_NOT_SAVED}.",
            kind="io",
            path=path,
        )
    return JournalError(
        f"The journal reported an unexpected problem ({exc}); {_NOT_SAVED}.",
        kind="other",
        path=path,
    )


def cannot_open(path: Path | None) -> JournalError:
    where = f"The journal at {path}" if path is not None else "The journal"
    return JournalError(
        f"{where} cannot be opened: check that the folder exists and that this program may "
        "write to it.",
        kind="cannot_open",
        path=path,
    )


def from_os_error(exc: OSError, path: Path | None) -> JournalError:
    """Errors from preparing the folder or copying a backup."""
    if exc.errno == errno.ENOSPC:
        return JournalError(
            f"The disk is full: free some space; nothing was lost, {_NOT_SAVED}.",
            kind="disk_full",
            path=path,
        )
    if exc.errno == errno.EROFS:
        return from_sqlite(sqlite3.OperationalError("readonly"), path)
    return cannot_open(path)
