"""Read-only SQL over the journal: single sales, lists for a day, and the day's totals.

Each function takes an open connection and returns domain values. Totals are computed by
SQLite (GROUP BY over an indexed time range), not by loading rows into Python.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from pos_app.domain.money import Money
from pos_app.domain.sale import OPEN_STATUSES, SWEEP_STATUSES, Method, Sale, SaleEvent, SaleStatus
from pos_app.store.codec import (
    REFUND_COLUMNS,
    SALE_COLUMNS,
    RefundRecord,
    event_from_row,
    refund_from_row,
    sale_from_row,
    to_ms,
)

__all__ = [
    "FINAL_REFUND_STATUSES",
    "NO_GROUP",
    "DayTotals",
    "Tally",
    "day_totals",
    "events",
    "get_refund",
    "get_sale",
    "last_paid",
    "open_refund",
    "open_sales",
    "refunded_total",
    "refunds_for",
    "sales_between",
    "sweep_candidates",
]

_SALE_SELECT = f"SELECT {', '.join(SALE_COLUMNS)} FROM sales"  # noqa: S608 (fixed column list)
_REFUND_SELECT = f"SELECT {', '.join(REFUND_COLUMNS)} FROM refunds"  # noqa: S608

# A refund that is none of these may still turn into money leaving the shop: it is pending.
FINAL_REFUND_STATUSES = ("SUCCESS", "FAILED", "CANCELLED")
NO_GROUP = "unknown"  # key in DayTotals.paid_by_group for PAID sales without a payment group


_ZERO = Money(0)


@dataclass(frozen=True, slots=True)
class Tally:
    count: int = 0
    amount: Money = _ZERO


@dataclass(frozen=True, slots=True)
class DayTotals:
    """Totals for sales created in [start, end) (refunds: created in [start, end))."""

    start: datetime
    end: datetime
    by_status: dict[SaleStatus, Tally] = field(default_factory=dict)  # every status present
    paid_by_method: dict[Method, Tally] = field(default_factory=dict)  # every method present
    paid_by_group: dict[str, Tally] = field(default_factory=dict)  # payment_group or NO_GROUP
    refunded: Tally = Tally()  # SUCCESS refunds
    pending_refunds: Tally = Tally()  # refunds not yet SUCCESS, FAILED or CANCELLED
    late: int = 0  # sales paid after they were cancelled or expired

    @property
    def paid(self) -> Tally:
        return self.by_status.get(SaleStatus.PAID, Tally())

    @property
    def net(self) -> Money:
        """Money collected less money refunded (SUCCESS refunds only)."""
        return self.paid.amount - self.refunded.amount


def get_sale(conn: sqlite3.Connection, order_id: str) -> Sale | None:
    row = conn.execute(f"{_SALE_SELECT} WHERE order_id = ?", (order_id,)).fetchone()
    return None if row is None else sale_from_row(row)


def events(conn: sqlite3.Connection, order_id: str) -> list[SaleEvent]:
    rows = conn.execute(
        "SELECT order_id, at, kind, detail FROM sale_events WHERE order_id = ? ORDER BY id",
        (order_id,),
    ).fetchall()
    return [event_from_row(row) for row in rows]


def _status_list(statuses: Iterable[SaleStatus]) -> tuple[str, list[str]]:
    values = sorted(s.value for s in statuses)
    return ", ".join("?" for _ in values), values


def open_sales(conn: sqlite3.Connection, terminal_id: str | None = None) -> list[Sale]:
    marks, params = _status_list(OPEN_STATUSES)
    # Few sales are open among many closed ones; without the hint SQLite may walk a time
    # index over the whole table to avoid a sort (its statistics cannot see the skew).
    sql = f"{_SALE_SELECT} INDEXED BY sales_status WHERE status IN ({marks})"
    args: list[object] = list(params)
    if terminal_id is not None:
        sql += " AND terminal_id = ?"
        args.append(terminal_id)
    sql += " ORDER BY created_at, order_id"
    return [sale_from_row(row) for row in conn.execute(sql, args)]


def sweep_candidates(conn: sqlite3.Connection, since: datetime) -> list[Sale]:
    marks, params = _status_list(SWEEP_STATUSES)
    sql = (
        f"{_SALE_SELECT} INDEXED BY sales_status"
        f" WHERE status IN ({marks}) AND updated_at >= ? ORDER BY updated_at"
    )
    return [sale_from_row(row) for row in conn.execute(sql, [*params, to_ms(since)])]


def last_paid(
    conn: sqlite3.Connection, terminal_id: str, amount: Money, since: datetime
) -> Sale | None:
    row = conn.execute(
        f"{_SALE_SELECT} WHERE terminal_id = ? AND status = ? AND amount_paise = ?"
        " AND paid_at >= ? ORDER BY paid_at DESC LIMIT 1",
        (terminal_id, SaleStatus.PAID.value, amount.paise, to_ms(since)),
    ).fetchone()
    return None if row is None else sale_from_row(row)


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def sales_between(
    conn: sqlite3.Connection,
    start: datetime,
    end: datetime,
    *,
    statuses: Iterable[SaleStatus] | None = None,
    methods: Iterable[Method] | None = None,
    terminal_id: str | None = None,
    search: str | None = None,
    limit: int | None = None,
    newest_first: bool = False,
) -> list[Sale]:
    """Sales created in [start, end), oldest first unless `newest_first`.

    `search` matches part of the bill number, order id, bank reference (UTR) or customer
    phone, ignoring case.
    """
    clauses = ["created_at >= ?", "created_at < ?"]
    args: list[object] = [to_ms(start), to_ms(end)]
    if terminal_id is not None:
        clauses.append("terminal_id = ?")
        args.append(terminal_id)
    if statuses is not None:
        marks, params = _status_list(statuses)
        clauses.append(f"status IN ({marks})")
        args.extend(params)
    if methods is not None:
        values = sorted({m.value for m in methods})
        clauses.append(f"method IN ({', '.join('?' for _ in values)})")
        args.extend(values)
    text = (search or "").strip()
    if text:
        pattern = _like_pattern(text)
        columns = ("bill_number", "order_id", "bank_reference", "customer_phone")
        clauses.append("(" + " OR ".join(f"{c} LIKE ? ESCAPE '\\'" for c in columns) + ")")
        args.extend([pattern] * len(columns))
    order = "DESC" if newest_first else "ASC"
    sql = f"{_SALE_SELECT} WHERE {' AND '.join(clauses)} ORDER BY created_at {order}, order_id {order}"
    if limit is not None:
        if limit < 0:
            raise ValueError("limit cannot be negative")
        sql += " LIMIT ?"
        args.append(int(limit))
    return [sale_from_row(row) for row in conn.execute(sql, args)]


def day_totals(
    conn: sqlite3.Connection, start: datetime, end: datetime, terminal_id: str | None = None
) -> DayTotals:
    where = "created_at >= ? AND created_at < ?"
    args: list[object] = [to_ms(start), to_ms(end)]
    if terminal_id is not None:
        where += " AND terminal_id = ?"
        args.append(terminal_id)
    columns = "status, method, payment_group, count(*), sum(amount_paise), sum(late)"
    sql = f"SELECT {columns} FROM sales WHERE {where} GROUP BY status, method, payment_group"  # noqa: S608
    groups = conn.execute(sql, args).fetchall()

    by_status = {s: [0, 0] for s in SaleStatus}
    by_method = {m: [0, 0] for m in Method}
    by_group: dict[str, list[int]] = {}
    late = 0
    for status, method, group, count, paise, late_count in groups:
        late += late_count
        sale_status = SaleStatus(status)
        by_status[sale_status][0] += count
        by_status[sale_status][1] += paise
        if sale_status is SaleStatus.PAID:
            by_method[Method(method)][0] += count
            by_method[Method(method)][1] += paise
            slot = by_group.setdefault(group or NO_GROUP, [0, 0])
            slot[0] += count
            slot[1] += paise

    refund_where = "r.created_at >= ? AND r.created_at < ?"
    refund_args: list[object] = [to_ms(start), to_ms(end)]
    if terminal_id is not None:
        refund_where += " AND r.till_id = ?"
        refund_args.append(terminal_id)
    marks = ", ".join("?" for _ in FINAL_REFUND_STATUSES)
    sums = (
        "coalesce(sum(r.status = 'SUCCESS'), 0),"
        " coalesce(sum(CASE WHEN r.status = 'SUCCESS' THEN r.amount_paise END), 0),"
        f" coalesce(sum(r.status NOT IN ({marks})), 0),"
        f" coalesce(sum(CASE WHEN r.status NOT IN ({marks}) THEN r.amount_paise END), 0)"
    )
    # This till's refunds of its own sales, and those it made for sales of another till of
    # the store (store/other_till_refunds.py): each counts once, at the till that made it.
    source = (
        "(SELECT x.status, x.amount_paise, x.created_at, s.terminal_id AS till_id"
        " FROM refunds AS x JOIN sales AS s ON s.order_id = x.order_id"
        " UNION ALL SELECT status, amount_paise, created_at, till_id"
        " FROM other_till_refunds) AS r"
    )
    sql = f"SELECT {sums} FROM {source} WHERE {refund_where}"  # noqa: S608 (placeholders only)
    done, done_paise, pending, pending_paise = conn.execute(
        sql, [*FINAL_REFUND_STATUSES, *FINAL_REFUND_STATUSES, *refund_args]
    ).fetchone()

    return DayTotals(
        start=start,
        end=end,
        by_status={s: Tally(c, Money(p)) for s, (c, p) in by_status.items()},
        paid_by_method={m: Tally(c, Money(p)) for m, (c, p) in by_method.items()},
        paid_by_group={g: Tally(c, Money(p)) for g, (c, p) in sorted(by_group.items())},
        refunded=Tally(done, Money(done_paise)),
        pending_refunds=Tally(pending, Money(pending_paise)),
        late=late,
    )


def get_refund(conn: sqlite3.Connection, refund_id: str) -> RefundRecord | None:
    row = conn.execute(f"{_REFUND_SELECT} WHERE refund_id = ?", (refund_id,)).fetchone()
    return None if row is None else refund_from_row(row)


def refunds_for(conn: sqlite3.Connection, order_id: str) -> list[RefundRecord]:
    rows = conn.execute(
        f"{_REFUND_SELECT} WHERE order_id = ? ORDER BY created_at, refund_id", (order_id,)
    ).fetchall()
    return [refund_from_row(row) for row in rows]


def open_refund(conn: sqlite3.Connection, order_id: str) -> RefundRecord | None:
    """The oldest refund of a sale that is not final (REQUESTED, PENDING, ...), if any."""
    marks = ", ".join("?" for _ in FINAL_REFUND_STATUSES)
    row = conn.execute(
        f"{_REFUND_SELECT} WHERE order_id = ? AND status NOT IN ({marks})"
        " ORDER BY created_at, refund_id LIMIT 1",
        (order_id, *FINAL_REFUND_STATUSES),
    ).fetchone()
    return None if row is None else refund_from_row(row)


def refunded_total(conn: sqlite3.Connection, order_id: str, include_pending: bool = True) -> Money:
    """SUCCESS refunds of a sale, plus (by default) those that may still succeed."""
    marks = ", ".join("?" for _ in FINAL_REFUND_STATUSES)
    sql = "SELECT coalesce(sum(amount_paise), 0) FROM refunds WHERE order_id = ? AND (status = 'SUCCESS'"
    args: list[object] = [order_id]
    if include_pending:
        sql += f" OR status NOT IN ({marks})"
        args.extend(FINAL_REFUND_STATUSES)
    row = conn.execute(sql + ")", args).fetchone()
    return Money(int(row[0]))
