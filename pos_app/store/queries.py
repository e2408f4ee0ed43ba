"""Read-only SQL over the journal: single sales, lists for a day, and the day's totals.

Each function takes an open connection and returns domain values. The day's totals come
from the day report's grouped reads in report_sql.py (SQLite groups over an indexed time
range; Python adds up the groups), so every surface gets the same numbers.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import datetime

from pos_app.domain.money import Money
from pos_app.domain.sale import CLOSED_UNPAID, OPEN_STATUSES, Method, Sale, SaleEvent, SaleStatus
from pos_app.store import report_sql
from pos_app.store.codec import (
    REFUND_COLUMNS,
    SALE_COLUMNS,
    RefundRecord,
    event_from_row,
    refund_from_row,
    sale_from_row,
    to_ms,
)
from pos_app.store.report_sql import FINAL_REFUND_STATUSES, NO_GROUP, DayTotals, Tally

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
    marks, params = _status_list(CLOSED_UNPAID)
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
        pattern = report_sql.like_pattern(text)
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
    """The day's totals, from the day report's grouped reads (report_sql: one pipeline)."""
    groups = report_sql.day_groups(conn, start, end, terminal_id, hourly=False, flagged=False)
    refunds = report_sql.refund_groups(conn, start, end, terminal_id, hourly=False)
    return report_sql.fold_totals(start, end, groups, refunds)


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
