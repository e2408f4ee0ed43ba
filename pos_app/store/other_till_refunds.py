"""Refunds this till made for sales taken at ANOTHER till of the store.

The sale lives in the other till's journal, so these refunds cannot sit in `refunds`
(which points at this journal's sales). They have their own table with the same life
(REQUESTED -> PENDING -> SUCCESS | FAILED | CANCELLED), the store database's reservation
id, and a change counter the store outbox follows: every insert or update bumps `changes`,
and the pusher records which change the store database holds (`pushed_changes`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from pos_app.domain.money import Money
from pos_app.store.codec import from_ms, to_ms
from pos_app.store.errors import DuplicateRefundError, UnknownRefundError
from pos_app.store.journal import Journal
from pos_app.store.queries import FINAL_REFUND_STATUSES

__all__ = [
    "OtherTillRefund",
    "add_other_till_refund",
    "get_other_till_refund",
    "mark_store_has",
    "open_other_till_refunds",
    "other_till_refunds_for",
    "update_other_till_refund",
    "waiting_for_store",
    "waiting_for_store_count",
]

_COLUMNS = (
    "refund_id",
    "order_id",
    "target_order_id",
    "till_id",
    "request_id",
    "amount_paise",
    "status",
    "idempotency_key",
    "reason",
    "cf_refund_id",
    "arn",
    "status_description",
    "created_at",
    "updated_at",
    "changes",
)
_SELECT = f"SELECT {', '.join(_COLUMNS)} FROM other_till_refunds"  # noqa: S608 (fixed names)
_CHANGEABLE = frozenset({"status", "cf_refund_id", "arn", "status_description"})


@dataclass(frozen=True, slots=True)
class OtherTillRefund:
    refund_id: str
    order_id: str  # the sale, at another till
    target_order_id: str  # the Cashfree order holding its payment
    till_id: str  # this till, which made the refund
    request_id: str  # the store database's reservation
    amount: Money
    status: str
    idempotency_key: str
    reason: str | None
    created_at: datetime
    updated_at: datetime
    cf_refund_id: str | None = None
    arn: str | None = None
    status_description: str | None = None
    changes: int = 1

    @property
    def final(self) -> bool:
        return self.status in FINAL_REFUND_STATUSES

    def store_row(self) -> dict[str, Any]:
        """The row as the store database's `refunds` table takes it (store/outbox.py's
        REFUND_SYNC_COLUMNS)."""
        return {
            "refund_id": self.refund_id,
            "order_id": self.order_id,
            "amount_paise": self.amount.paise,
            "status": self.status,
            "reason": self.reason,
            "cf_refund_id": self.cf_refund_id,
            "arn": self.arn,
            "created_at": to_ms(self.created_at),
            "updated_at": to_ms(self.updated_at),
        }


def _from_row(row: sqlite3.Row | tuple[Any, ...]) -> OtherTillRefund:
    (refund_id, order_id, target, till_id, request_id, paise, status, key, reason, cf_refund_id,
     arn, description, created, updated, changes) = row  # fmt: skip
    return OtherTillRefund(
        refund_id=refund_id,
        order_id=order_id,
        target_order_id=target,
        till_id=till_id,
        request_id=request_id,
        amount=Money(int(paise)),
        status=status,
        idempotency_key=key,
        reason=reason,
        created_at=from_ms(int(created)),
        updated_at=from_ms(int(updated)),
        cf_refund_id=cf_refund_id,
        arn=arn,
        status_description=description,
        changes=int(changes),
    )


def add_other_till_refund(journal: Journal, record: OtherTillRefund) -> OtherTillRefund:
    """Journal a new refund (before Cashfree is asked). DuplicateRefundError when its id is
    taken."""
    if record.amount.paise <= 0:
        raise ValueError("a refund amount must be more than zero")
    stored = replace(
        record,
        created_at=from_ms(to_ms(record.created_at)),
        updated_at=from_ms(to_ms(record.updated_at)),
        changes=1,
    )
    values = (
        stored.refund_id, stored.order_id, stored.target_order_id, stored.till_id,
        stored.request_id, stored.amount.paise, stored.status, stored.idempotency_key,
        stored.reason, stored.cf_refund_id, stored.arn, stored.status_description,
        to_ms(stored.created_at), to_ms(stored.updated_at), 1,
    )  # fmt: skip
    marks = ", ".join("?" for _ in _COLUMNS)
    with journal._writing() as conn:
        try:
            conn.execute(
                f"INSERT INTO other_till_refunds ({', '.join(_COLUMNS)}) VALUES ({marks})",  # noqa: S608
                values,
            )
        except sqlite3.IntegrityError:
            raise DuplicateRefundError(record.refund_id) from None
    return stored


def get_other_till_refund(journal: Journal, refund_id: str) -> OtherTillRefund | None:
    with journal._reading() as conn:
        row = conn.execute(f"{_SELECT} WHERE refund_id = ?", (refund_id,)).fetchone()
    return None if row is None else _from_row(row)


def update_other_till_refund(
    journal: Journal, refund_id: str, at: datetime, **fields: object
) -> OtherTillRefund:
    """Change a refund's status or Cashfree details; the store outbox sees the change."""
    unknown = set(fields) - _CHANGEABLE
    if unknown or not fields:
        raise TypeError(f"cannot change {sorted(unknown) or 'nothing'} of a refund")
    names = sorted(fields)
    assignments = ", ".join(f"{name} = ?" for name in names)
    with journal._writing() as conn:
        cur = conn.execute(
            f"UPDATE other_till_refunds SET {assignments}, updated_at = max(updated_at, ?),"  # noqa: S608 (whitelisted)
            " changes = changes + 1 WHERE refund_id = ?",
            (*(fields[n] for n in names), to_ms(at), refund_id),
        )
        if cur.rowcount == 0:
            raise UnknownRefundError(refund_id)
        row = conn.execute(f"{_SELECT} WHERE refund_id = ?", (refund_id,)).fetchone()
    return _from_row(row)


def other_till_refunds_for(journal: Journal, order_id: str) -> list[OtherTillRefund]:
    with journal._reading() as conn:
        rows = conn.execute(
            f"{_SELECT} WHERE order_id = ? ORDER BY created_at, refund_id", (order_id,)
        ).fetchall()
    return [_from_row(r) for r in rows]


def open_other_till_refunds(journal: Journal) -> list[OtherTillRefund]:
    """Refunds not final yet (unconfirmed by Cashfree, or pending at the bank), oldest first."""
    marks = ", ".join("?" for _ in FINAL_REFUND_STATUSES)
    with journal._reading() as conn:
        rows = conn.execute(
            f"{_SELECT} WHERE status NOT IN ({marks}) ORDER BY created_at, refund_id",
            tuple(FINAL_REFUND_STATUSES),
        ).fetchall()
    return [_from_row(r) for r in rows]


def waiting_for_store(journal: Journal, limit: int = 500) -> list[OtherTillRefund]:
    """Refunds whose latest change the store database does not have yet."""
    with journal._reading() as conn:
        rows = conn.execute(
            f"{_SELECT} WHERE pushed_changes < changes ORDER BY updated_at, refund_id LIMIT ?",
            (limit,),
        ).fetchall()
    return [_from_row(r) for r in rows]


def waiting_for_store_count(journal: Journal) -> int:
    with journal._reading() as conn:
        row = conn.execute(
            "SELECT count(*) FROM other_till_refunds WHERE pushed_changes < changes"
        ).fetchone()
    return int(row[0])


def mark_store_has(journal: Journal, pushed: Iterable[OtherTillRefund]) -> None:
    """The store database committed these versions (never moves backwards: a change made
    while they were on their way stays waiting)."""
    with journal._writing() as conn:
        conn.executemany(
            "UPDATE other_till_refunds SET pushed_changes = max(pushed_changes, ?)"
            " WHERE refund_id = ?",
            [(r.changes, r.refund_id) for r in pushed],
        )
