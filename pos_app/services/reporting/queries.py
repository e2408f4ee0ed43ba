"""Read-only queries for the manager's console and the day end.

`ReportReader` is a read-only Journal on the same file (a second connection: WAL lets it
read while the till writes), so every Journal read works on it too. It adds the queries
the console needs and the journal does not offer:

- `sale_ids(filter)`: the row ids of a filtered list in display order (newest first). A
  list of 100,000 sales is a compact array of integers, read from an index; the table
  fetches the rows it shows by id (`sales_by_ids`). The count is exact and the order stays
  put while the list is open, even as new sales arrive.
- `day_groups(start, end)`: ONE pass over a day's sales, grouped by hour, status, method
  and payment group, that also names the sales that need a look (late, open, duplicate
  override). Day end builds its totals, hourly chart and exceptions from it.

It belongs beside store/queries.py; it lives here because the store has its own owner.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
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
from pos_app.store.connection import JournalConnection
from pos_app.store.journal import Journal
from pos_app.store.queries import FINAL_REFUND_STATUSES
from pos_app.store.till_records import refunded_by_order

__all__ = [
    "HOUR_MS",
    "GroupRow",
    "RefundGroupRow",
    "ReportReader",
    "SalesFilter",
    "refunded_by_order",
]

HOUR_MS = 3_600_000
_CHUNK = 500  # ids per IN (...) list: far below SQLite's variable limit
_SALE_SELECT = f"SELECT {', '.join(SALE_COLUMNS)} FROM sales"  # noqa: S608 (fixed column list)
_REFUND_SELECT = f"SELECT {', '.join('r.' + c for c in REFUND_COLUMNS)} FROM refunds AS r"  # noqa: S608
_OPEN_VALUES = tuple(sorted(s.value for s in OPEN_STATUSES))


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
    """Sales of one hour slot (hours since the start) with one status, method and group."""

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


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _marks(values: Sequence[object]) -> str:
    return ", ".join("?" for _ in values)


def _chunks(values: Sequence[object]) -> Iterable[Sequence[object]]:
    for first in range(0, len(values), _CHUNK):
        yield values[first : first + _CHUNK]


class ReportReader(Journal):
    """A read-only Journal with the console's list and day-end queries."""

    @classmethod
    def beside(cls, journal: JournalConnection) -> ReportReader:
        """Open a read-only reader on the file `journal` writes (close it when done)."""
        return cls.open(journal.path, read_only=True)

    # ---- lists -----------------------------------------------------------------------------
    def sale_ids(self, wanted: SalesFilter) -> array[int]:
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
            args.extend([_like(text)] * len(columns))
        sql = (
            f"SELECT rowid FROM sales WHERE {' AND '.join(clauses)}"  # noqa: S608 (placeholders only)
            " ORDER BY created_at DESC, rowid DESC"
        )
        with self._reading() as conn:
            return array("q", [row[0] for row in conn.execute(sql, args)])

    def sales_by_ids(self, ids: Sequence[int]) -> list[Sale | None]:
        """The sales with these row ids, in the same order (None for an id that is gone)."""
        found: dict[int, Sale] = {}
        with self._reading() as conn:
            for chunk in _chunks(ids):
                sql = f"SELECT rowid, {', '.join(SALE_COLUMNS)} FROM sales WHERE rowid IN ({_marks(chunk)})"  # noqa: S608
                for row in conn.execute(sql, list(chunk)):
                    found[row[0]] = sale_from_row(row[1:])
        return [found.get(i) for i in ids]

    def sales_by_order_ids(self, order_ids: Sequence[str]) -> list[Sale]:
        """The sales with these order ids, oldest first (unknown ids are skipped)."""
        out: list[Sale] = []
        with self._reading() as conn:
            for chunk in _chunks(order_ids):
                sql = f"{_SALE_SELECT} WHERE order_id IN ({_marks(chunk)})"
                out.extend(sale_from_row(row) for row in conn.execute(sql, list(chunk)))
        out.sort(key=lambda s: (s.created_at, s.order_id))
        return out

    def open_sales_before(self, moment: datetime, terminal_id: str | None = None) -> list[Sale]:
        """Sales with no final state that were started before `moment` (oldest first)."""
        sql = (
            f"{_SALE_SELECT} INDEXED BY sales_status"
            f" WHERE status IN ({_marks(_OPEN_VALUES)}) AND created_at < ?"
        )
        args: list[object] = [*_OPEN_VALUES, to_ms(moment)]
        if terminal_id:
            sql += " AND terminal_id = ?"
            args.append(terminal_id)
        sql += " ORDER BY created_at, order_id"
        with self._reading() as conn:
            return [sale_from_row(row) for row in conn.execute(sql, args)]

    def terminals(self) -> list[str]:
        """Every terminal id the journal has seen (for the console's filter)."""
        # A skip-scan: one index seek per terminal, however many sales there are.
        sql = (
            "WITH RECURSIVE seen(terminal_id) AS ("
            " SELECT min(terminal_id) FROM sales"
            " UNION ALL"
            " SELECT (SELECT min(terminal_id) FROM sales WHERE terminal_id > seen.terminal_id)"
            " FROM seen WHERE seen.terminal_id IS NOT NULL)"
            " SELECT terminal_id FROM seen WHERE terminal_id IS NOT NULL"
        )
        with self._reading() as conn:
            rows = conn.execute(sql).fetchall()
        return [row[0] for row in rows]

    # ---- the day -----------------------------------------------------------------------------
    def day_groups(
        self,
        start: datetime,
        end: datetime,
        terminal_id: str | None = None,
        *,
        origin: datetime | None = None,
    ) -> list[GroupRow]:
        """One pass over the sales created in [start, end); hour slots count from `origin`
        (default: start). See GroupRow."""
        start_ms = to_ms(start)
        where = "created_at >= ? AND created_at < ?"
        args: list[object] = [to_ms(origin or start), start_ms, to_ms(end)]
        if terminal_id:
            where += " AND terminal_id = ?"
            args.append(terminal_id)
        flag = f"late = 1 OR duplicate_override = 1 OR status IN ({_marks(_OPEN_VALUES)})"
        sql = (
            "SELECT (created_at - ?) / 3600000 AS slot, status, method, payment_group,"  # noqa: S608
            " count(*), sum(amount_paise), sum(late),"
            f" group_concat(CASE WHEN {flag} THEN order_id END, ' ')"
            f" FROM sales WHERE {where}"
            " GROUP BY slot, status, method, payment_group"
        )
        params = [args[0], *_OPEN_VALUES, *args[1:]]
        out: list[GroupRow] = []
        with self._reading() as conn:
            for slot, status, method, group, count, paise, late, flagged in conn.execute(
                sql, params
            ):
                out.append(
                    GroupRow(
                        slot=int(slot),
                        status=SaleStatus(status),
                        method=Method(method),
                        payment_group=group,
                        count=int(count),
                        amount=Money(int(paise)),
                        late=int(late),
                        flagged=tuple(flagged.split(" ")) if flagged else (),
                    )
                )
        return out

    def refund_groups(
        self, start: datetime, end: datetime, terminal_id: str | None = None
    ) -> list[RefundGroupRow]:
        """Refunds created in [start, end) (of the terminal's sales), by hour slot and status."""
        start_ms = to_ms(start)
        args: list[object] = [start_ms, start_ms, to_ms(end)]
        where = "r.created_at >= ? AND r.created_at < ?"
        if terminal_id:
            where += " AND s.terminal_id = ?"
            args.append(terminal_id)
        sql = (
            "SELECT (r.created_at - ?) / 3600000 AS slot, r.status, count(*), sum(r.amount_paise)"  # noqa: S608
            " FROM refunds AS r JOIN sales AS s ON s.order_id = r.order_id"
            f" WHERE {where} GROUP BY slot, r.status"
        )
        with self._reading() as conn:
            return [
                RefundGroupRow(int(slot), str(status), int(count), Money(int(paise)))
                for slot, status, count, paise in conn.execute(sql, args)
            ]

    def evidence_order_ids(
        self, start: datetime, end: datetime, terminal_id: str | None = None
    ) -> list[str]:
        """Sales recorded PAID on the customer's evidence (paid_evidence.py) in [start, end)."""
        sql = (
            "SELECT DISTINCT e.order_id FROM sale_events AS e"
            " JOIN sales AS s ON s.order_id = e.order_id"
            " WHERE e.kind = 'paid_on_evidence' AND e.at >= ? AND e.at < ?"
        )
        args: list[object] = [to_ms(start), to_ms(end)]
        if terminal_id:
            sql += " AND s.terminal_id = ?"
            args.append(terminal_id)
        with self._reading() as conn:
            return [str(row[0]) for row in conn.execute(sql + " ORDER BY e.order_id", args)]

    def unfinished_refunds(self, terminal_id: str | None = None) -> list[RefundRecord]:
        """Every refund not yet SUCCESS, FAILED or CANCELLED, oldest first, whatever its day."""
        args: list[object] = list(FINAL_REFUND_STATUSES)
        sql = (
            f"{_REFUND_SELECT} JOIN sales AS s ON s.order_id = r.order_id"
            f" WHERE r.status NOT IN ({_marks(FINAL_REFUND_STATUSES)})"
        )
        if terminal_id:
            sql += " AND s.terminal_id = ?"
            args.append(terminal_id)
        sql += " ORDER BY r.created_at, r.refund_id"
        with self._reading() as conn:
            return [refund_from_row(row) for row in conn.execute(sql, args)]
