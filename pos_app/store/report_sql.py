"""The SQL of the day report and the manager's lists: one place, plain functions over an open
connection, returning values.

The day is read by ONE grouped query (`day_groups`: sales by hour slot, status, method and
payment group, naming the sales that need a look) and one over its refunds
(`refund_groups`: by hour slot and status). `fold_totals` turns those rows into the day's
`DayTotals`; the journal's `day_totals`, the CLI's report and the console's day end all get
their numbers that way, so they cannot disagree. The lists (`sale_ids`, `sales_by_ids`, ...)
are what the console's transactions view and the day end's exception list read.
"""

from __future__ import annotations

import sqlite3
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from pos_app.domain.money import Money
from pos_app.domain.sale import OPEN_STATUSES, Method, Sale, SaleStatus
from pos_app.store.codec import (
    REFUND_COLUMNS,
    SALE_COLUMNS,
    RefundRecord,
    refund_from_row,
    sale_from_row,
    to_ms,
)

__all__ = [
    "FINAL_REFUND_STATUSES",
    "HOUR_MS",
    "NO_GROUP",
    "DayTotals",
    "GroupRow",
    "RefundGroupRow",
    "SalesFilter",
    "Tally",
    "day_groups",
    "evidence_order_ids",
    "fold_totals",
    "open_sales_before",
    "refund_groups",
    "sale_ids",
    "sales_by_ids",
    "sales_by_order_ids",
    "terminals",
    "unfinished_refunds",
]

HOUR_MS = 3_600_000
# A refund that is none of these may still turn into money leaving the shop: it is pending.
FINAL_REFUND_STATUSES = ("SUCCESS", "FAILED", "CANCELLED")
NO_GROUP = "unknown"  # key in DayTotals.paid_by_group for PAID sales without a payment group

_CHUNK = 500  # ids per IN (...) list: far below SQLite's variable limit
_SALE_SELECT = f"SELECT {', '.join(SALE_COLUMNS)} FROM sales"  # noqa: S608 (fixed column list)
_REFUND_SELECT = f"SELECT {', '.join('r.' + c for c in REFUND_COLUMNS)} FROM refunds AS r"  # noqa: S608
_OPEN_VALUES = tuple(sorted(s.value for s in OPEN_STATUSES))
_ZERO = Money(0)
_STATUS_OF = {s.value: s for s in SaleStatus}
_METHOD_OF = {m.value: m for m in Method}


# ---- values ------------------------------------------------------------------------------------
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


@dataclass(frozen=True, slots=True)
class SalesFilter:
    """Which sales a list shows: created in [start, end), optionally narrowed."""

    start: datetime
    end: datetime
    statuses: frozenset[SaleStatus] | None = None
    methods: frozenset[Method] | None = None
    terminal_id: str | None = None
    search: str = ""  # part of a bill number, order id, UTR or phone


@dataclass(frozen=True, slots=True)
class GroupRow:
    """Sales of one hour slot (hours since the origin) with one status, method and group."""

    slot: int
    status: SaleStatus
    method: Method
    payment_group: str | None
    count: int
    amount: Money
    late: int
    flagged: tuple[str, ...]  # order ids that are late, open or a duplicate override


@dataclass(frozen=True, slots=True)
class RefundGroupRow:
    """Refunds created in one hour slot with one status."""

    slot: int
    status: str
    count: int
    amount: Money


def _marks(values: Sequence[object]) -> str:
    return ", ".join("?" for _ in values)


def _chunks(values: Sequence[object]) -> Iterable[Sequence[object]]:
    for first in range(0, len(values), _CHUNK):
        yield values[first : first + _CHUNK]


def like_pattern(text: str) -> str:
    """`text` as a LIKE pattern matching it anywhere (its own %, _ and \\ taken literally)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# ---- the day ------------------------------------------------------------------------------------
def day_groups(
    conn: sqlite3.Connection,
    start: datetime,
    end: datetime,
    terminal_id: str | None = None,
    *,
    origin: datetime | None = None,
    hourly: bool = True,
    flagged: bool = True,
) -> list[GroupRow]:
    """One pass over the sales created in [start, end) (of one terminal, or all when None);
    hour slots count from `origin` (default: start). See GroupRow.

    Totals alone need neither the hours nor the flagged sales: `hourly=False` puts every
    sale in slot 0 and `flagged=False` leaves `flagged` empty, which makes the pass cheaper
    (the same grouping, fewer columns)."""
    where = "created_at >= ? AND created_at < ?"
    params: list[object] = []
    slot = "0"
    if hourly:
        slot = "(created_at - ?) / 3600000"
        params.append(to_ms(origin or start))
    names = "NULL"
    if flagged:
        flag = f"late = 1 OR duplicate_override = 1 OR status IN ({_marks(_OPEN_VALUES)})"
        names = f"group_concat(CASE WHEN {flag} THEN order_id END, ' ')"
        params.extend(_OPEN_VALUES)
    params.extend([to_ms(start), to_ms(end)])
    if terminal_id is not None:
        where += " AND terminal_id = ?"
        params.append(terminal_id)
    sql = (
        f"SELECT {slot} AS slot, status, method, payment_group,"  # noqa: S608 (placeholders only)
        f" count(*), sum(amount_paise), sum(late), {names}"
        f" FROM sales WHERE {where}"
        f" GROUP BY {'slot, ' if hourly else ''}status, method, payment_group"
    )
    return [
        GroupRow(
            slot=int(hour),
            status=_STATUS_OF[status],
            method=_METHOD_OF[method],
            payment_group=group,
            count=int(count),
            amount=Money(int(paise)),
            late=int(late),
            flagged=tuple(ids.split(" ")) if ids else (),
        )
        for hour, status, method, group, count, paise, late, ids in conn.execute(sql, params)
    ]


def refund_groups(
    conn: sqlite3.Connection,
    start: datetime,
    end: datetime,
    terminal_id: str | None = None,
    *,
    hourly: bool = True,
) -> list[RefundGroupRow]:
    """Refunds created in [start, end) by the terminal, by hour slot and status
    (`hourly=False`: by status only, every row in slot 0). A refund counts once, at the
    till that made it: this till's refunds of its own sales, and those it made for sales
    taken at another till of the store (store/other_till_refunds.py)."""
    start_ms = to_ms(start)
    params: list[object] = [start_ms] if hourly else []
    params.extend([start_ms, to_ms(end)])
    where = "r.created_at >= ? AND r.created_at < ?"
    if terminal_id is not None:
        where += " AND r.till_id = ?"
        params.append(terminal_id)
    slot = "(r.created_at - ?) / 3600000" if hourly else "0"
    source = (
        "(SELECT x.status, x.amount_paise, x.created_at, s.terminal_id AS till_id"
        " FROM refunds AS x JOIN sales AS s ON s.order_id = x.order_id"
        " UNION ALL SELECT status, amount_paise, created_at, till_id"
        " FROM other_till_refunds) AS r"
    )
    sql = (
        f"SELECT {slot} AS slot, r.status, count(*), sum(r.amount_paise)"  # noqa: S608
        f" FROM {source}"
        f" WHERE {where} GROUP BY {'slot, ' if hourly else ''}r.status"
    )
    return [
        RefundGroupRow(int(hour), str(status), int(count), Money(int(paise)))
        for hour, status, count, paise in conn.execute(sql, params)
    ]


def fold_totals(
    start: datetime,
    end: datetime,
    groups: Iterable[GroupRow],
    refunds: Iterable[RefundGroupRow],
) -> DayTotals:
    """The day's totals from its grouped rows: the one place they are added up."""
    by_status = {s: [0, 0] for s in SaleStatus}
    by_method = {m: [0, 0] for m in Method}
    by_group: dict[str, list[int]] = {}
    late = 0
    for row in groups:
        late += row.late
        by_status[row.status][0] += row.count
        by_status[row.status][1] += row.amount.paise
        if row.status is SaleStatus.PAID:
            by_method[row.method][0] += row.count
            by_method[row.method][1] += row.amount.paise
            slot = by_group.setdefault(row.payment_group or NO_GROUP, [0, 0])
            slot[0] += row.count
            slot[1] += row.amount.paise
    done = [0, 0]
    pending = [0, 0]
    for refund in refunds:
        if refund.status == "SUCCESS":
            target = done
        elif refund.status not in FINAL_REFUND_STATUSES:
            target = pending
        else:
            continue
        target[0] += refund.count
        target[1] += refund.amount.paise
    return DayTotals(
        start=start,
        end=end,
        by_status={s: Tally(c, Money(p)) for s, (c, p) in by_status.items()},
        paid_by_method={m: Tally(c, Money(p)) for m, (c, p) in by_method.items()},
        paid_by_group={g: Tally(c, Money(p)) for g, (c, p) in sorted(by_group.items())},
        refunded=Tally(done[0], Money(done[1])),
        pending_refunds=Tally(pending[0], Money(pending[1])),
        late=late,
    )


def evidence_order_ids(
    conn: sqlite3.Connection, start: datetime, end: datetime, terminal_id: str | None = None
) -> list[str]:
    """Sales recorded PAID on the customer's evidence (paid_evidence.py) in [start, end)."""
    sql = (
        "SELECT DISTINCT e.order_id FROM sale_events AS e"
        " JOIN sales AS s ON s.order_id = e.order_id"
        " WHERE e.kind = 'paid_on_evidence' AND e.at >= ? AND e.at < ?"
    )
    args: list[object] = [to_ms(start), to_ms(end)]
    if terminal_id is not None:
        sql += " AND s.terminal_id = ?"
        args.append(terminal_id)
    return [str(row[0]) for row in conn.execute(sql + " ORDER BY e.order_id", args)]


def unfinished_refunds(
    conn: sqlite3.Connection, terminal_id: str | None = None
) -> list[RefundRecord]:
    """Every refund not yet SUCCESS, FAILED or CANCELLED, oldest first, whatever its day."""
    args: list[object] = list(FINAL_REFUND_STATUSES)
    # Nearly every refund is final: find the few that are not in the narrow (order_id,
    # status) index instead of reading every refund row.
    sql = (
        f"{_REFUND_SELECT} JOIN sales AS s ON s.order_id = r.order_id"  # noqa: S608
        " WHERE r.rowid IN (SELECT rowid FROM refunds INDEXED BY refunds_open"
        f" WHERE status NOT IN ({_marks(FINAL_REFUND_STATUSES)}))"
    )
    if terminal_id is not None:
        sql += " AND s.terminal_id = ?"
        args.append(terminal_id)
    sql += " ORDER BY r.created_at, r.refund_id"
    return [refund_from_row(row) for row in conn.execute(sql, args)]


def open_sales_before(
    conn: sqlite3.Connection, moment: datetime, terminal_id: str | None = None
) -> list[Sale]:
    """Sales with no final state that were started before `moment` (oldest first)."""
    sql = (
        f"{_SALE_SELECT} INDEXED BY sales_status"
        f" WHERE status IN ({_marks(_OPEN_VALUES)}) AND created_at < ?"
    )
    args: list[object] = [*_OPEN_VALUES, to_ms(moment)]
    if terminal_id is not None:
        sql += " AND terminal_id = ?"
        args.append(terminal_id)
    sql += " ORDER BY created_at, order_id"
    return [sale_from_row(row) for row in conn.execute(sql, args)]


# ---- lists ---------------------------------------------------------------------------------------
def sale_ids(conn: sqlite3.Connection, wanted: SalesFilter) -> array[int]:
    """Row ids of the matching sales, newest first (ties: the later insert first)."""
    clauses = ["created_at >= ?", "created_at < ?"]
    args: list[object] = [to_ms(wanted.start), to_ms(wanted.end)]
    if wanted.terminal_id:
        clauses.append("terminal_id = ?")
        args.append(wanted.terminal_id)
    if wanted.statuses is not None:
        values = sorted(s.value for s in wanted.statuses)
        clauses.append(f"status IN ({_marks(values)})")
        args.extend(values)
    if wanted.methods is not None:
        values = sorted(m.value for m in wanted.methods)
        clauses.append(f"method IN ({_marks(values)})")
        args.extend(values)
    text = wanted.search.strip()
    if text:
        columns = ("bill_number", "order_id", "bank_reference", "customer_phone")
        clauses.append("(" + " OR ".join(f"{c} LIKE ? ESCAPE '\\'" for c in columns) + ")")
        args.extend([like_pattern(text)] * len(columns))
    sql = (
        f"SELECT rowid FROM sales WHERE {' AND '.join(clauses)}"  # noqa: S608 (placeholders only)
        " ORDER BY created_at DESC, rowid DESC"
    )
    return array("q", [row[0] for row in conn.execute(sql, args)])


def sales_by_ids(conn: sqlite3.Connection, ids: Sequence[int]) -> list[Sale | None]:
    """The sales with these row ids, in the same order (None for an id that is gone)."""
    found: dict[int, Sale] = {}
    for chunk in _chunks(ids):
        sql = f"SELECT rowid, {', '.join(SALE_COLUMNS)} FROM sales WHERE rowid IN ({_marks(chunk)})"  # noqa: S608
        for row in conn.execute(sql, list(chunk)):
            found[row[0]] = sale_from_row(row[1:])
    return [found.get(i) for i in ids]


def sales_by_order_ids(conn: sqlite3.Connection, order_ids: Sequence[str]) -> list[Sale]:
    """The sales with these order ids, oldest first (unknown ids are skipped)."""
    out: list[Sale] = []
    for chunk in _chunks(order_ids):
        sql = f"{_SALE_SELECT} WHERE order_id IN ({_marks(chunk)})"
        out.extend(sale_from_row(row) for row in conn.execute(sql, list(chunk)))
    out.sort(key=lambda s: (s.created_at, s.order_id))
    return out


def terminals(conn: sqlite3.Connection) -> list[str]:
    """Every terminal id the journal has seen."""
    # A skip-scan: one index seek per terminal, however many sales there are.
    sql = (
        "WITH RECURSIVE seen(terminal_id) AS ("
        " SELECT min(terminal_id) FROM sales"
        " UNION ALL"
        " SELECT (SELECT min(terminal_id) FROM sales WHERE terminal_id > seen.terminal_id)"
        " FROM seen WHERE seen.terminal_id IS NOT NULL)"
        " SELECT terminal_id FROM seen WHERE terminal_id IS NOT NULL"
    )
    return [row[0] for row in conn.execute(sql).fetchall()]
