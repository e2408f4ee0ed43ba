"""The journal: every sale, its events and its refunds, in one SQLite file (WAL).

A sale is written here before anything is sent to Cashfree. Every change is ONE
transaction (row update + its event), so a crash, a full disk or a read-only folder never
leaves a half-written sale: either the whole change is there, or none of it.

Use one writing Journal per process; reports use `reader()`, a second, read-only
connection that never blocks the writer (WAL lets readers and one writer run together).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from pos_app.domain.money import Money
from pos_app.domain.sale import InvalidTransition, Method, Sale, SaleEvent, SaleStatus, transition
from pos_app.store import queries
from pos_app.store.codec import (
    REFUND_COLUMNS,
    SALE_COLUMNS,
    RefundRecord,
    encode_detail,
    encode_refund_field,
    encode_sale_field,
    refund_from_row,
    refund_to_row,
    sale_from_row,
    sale_to_row,
)
from pos_app.store.connection import utc_now
from pos_app.store.errors import (
    CounterBusyError,
    DuplicateRefundError,
    DuplicateSaleError,
    RefundPendingError,
    RefundTooLargeError,
    UnknownRefundError,
    UnknownSaleError,
)
from pos_app.store.leases import LeaseBook, Owner
from pos_app.store.queries import DayTotals

__all__ = ["Journal", "utc_now"]

_CONSTRAINT_PRIMARYKEY = 1555  # SQLITE_CONSTRAINT_PRIMARYKEY
_KIND = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
# Fields that identify a sale; they never change after create_sale.
_FIXED_SALE_FIELDS = frozenset(
    {
        "order_id",
        "terminal_id",
        "environment",
        "amount",
        "idempotency_key",
        "created_at",
        "updated_at",
        "status",
    }
)
_ONE_OUTCOME = frozenset({SaleStatus.PAID, SaleStatus.FAILED})
_UPDATABLE_REFUND_FIELDS = frozenset(
    {"status", "reason", "cf_refund_id", "arn", "status_description"}
)
_INSERT_SALE = (
    f"INSERT INTO sales ({', '.join(SALE_COLUMNS)})"  # noqa: S608 (fixed column list)
    f" VALUES ({', '.join('?' for _ in SALE_COLUMNS)})"
)
_INSERT_REFUND = (
    f"INSERT INTO refunds ({', '.join(REFUND_COLUMNS)})"  # noqa: S608 (fixed column list)
    f" VALUES ({', '.join('?' for _ in REFUND_COLUMNS)})"
)
_INSERT_EVENT = (
    "INSERT INTO sale_events (order_id, at, kind, status, detail) VALUES (?, ?, ?, ?, ?)"
)


def _check_kind(kind: str) -> None:
    if not isinstance(kind, str) or not _KIND.match(kind):
        raise ValueError(f"an event kind is a short snake_case word, not {kind!r}")


def _insert_new(
    conn: sqlite3.Connection, sql: str, row: tuple[object, ...], duplicate: Exception, what: str
) -> None:
    """Insert a row whose primary key must be new: `duplicate` is raised when it is not."""
    try:
        conn.execute(sql, row)
    except sqlite3.IntegrityError as exc:
        if getattr(exc, "sqlite_errorcode", None) == _CONSTRAINT_PRIMARYKEY:
            raise duplicate from None
        raise ValueError(f"the journal refused this {what}: {exc}") from None


class Journal(LeaseBook):
    """The till's memory: sales, their events and refunds, and who follows each sale.
    See the module docstring."""

    # ---- sales ---------------------------------------------------------------------------
    def create_sale(
        self,
        sale: Sale,
        *,
        counter: Owner | None = None,
        lease: timedelta = timedelta(seconds=30),
    ) -> Sale:
        """Insert the sale and its "created" event together. Returns the sale as stored
        (times to the millisecond).

        With `counter`, the sale is also put at this till's counter for that owner, in the
        same transaction: CounterBusyError (and nothing written) when another live sale is
        there, whichever process holds it."""
        row = tuple(sale_to_row(sale).values())
        detail = encode_detail({"amount_paise": sale.amount.paise, "method": sale.method.value})
        with self._writing() as conn:
            _insert_new(conn, _INSERT_SALE, row, DuplicateSaleError(sale.order_id), "sale")
            if counter is not None:
                busy = self._claim_counter(conn, sale.order_id, sale.terminal_id, counter, lease)
                if busy is not None:
                    raise CounterBusyError(busy)
            conn.execute(
                _INSERT_EVENT, (sale.order_id, self._now_ms(), "created", sale.status.value, detail)
            )
        return sale_from_row(row)

    def get_sale(self, order_id: str) -> Sale | None:
        with self._reading() as conn:
            return queries.get_sale(conn, order_id)

    def update_sale(
        self,
        order_id: str,
        *,
        event: str,
        detail: Mapping[str, object] | None = None,
        status: SaleStatus | None = None,
        **fields: object,
    ) -> Sale:
        """Change a sale and append `event` in one transaction; returns the new Sale.

        A status change must be allowed by domain.sale.transition (InvalidTransition
        otherwise, and nothing is written). `fields` are Sale field names; unknown names
        and the fields that identify a sale raise TypeError.
        """
        _check_kind(event)
        if status is not None and not isinstance(status, SaleStatus):
            raise TypeError("status must be a SaleStatus")
        changes: dict[str, object] = {}
        for name, value in fields.items():
            if name in _FIXED_SALE_FIELDS:
                raise TypeError(f"{name} cannot be changed once a sale is journaled")
            column, encoded = encode_sale_field(name, value)
            changes[column] = encoded
        detail_text = encode_detail(detail)
        with self._writing() as conn:
            current = conn.execute(
                "SELECT status FROM sales WHERE order_id = ?", (order_id,)
            ).fetchone()
            if current is None:
                raise UnknownSaleError(order_id)
            old = SaleStatus(current[0])
            if status is old and old in _ONE_OUTCOME:
                # A settled sale gets its outcome once: a second writer (another follower,
                # evidence, a refresh) follows the journal instead.
                raise InvalidTransition(old, status)
            new = old if status is None or status is old else transition(old, status)
            changes["status"] = new.value
            now = self._now_ms()
            changes["updated_at"] = now
            assignments = ", ".join(f"{column} = ?" for column in changes)
            conn.execute(
                f"UPDATE sales SET {assignments} WHERE order_id = ?",  # noqa: S608 (whitelisted columns)
                (*changes.values(), order_id),
            )
            conn.execute(_INSERT_EVENT, (order_id, now, event, new.value, detail_text))
            updated = queries.get_sale(conn, order_id)
        assert updated is not None
        return updated

    def add_event(
        self, order_id: str, kind: str, detail: Mapping[str, object] | None = None
    ) -> None:
        """Append a fact about a sale without changing it (e.g. a customer's failed try)."""
        _check_kind(kind)
        detail_text = encode_detail(detail)
        with self._writing() as conn:
            current = conn.execute(
                "SELECT status FROM sales WHERE order_id = ?", (order_id,)
            ).fetchone()
            if current is None:
                raise UnknownSaleError(order_id)
            conn.execute(_INSERT_EVENT, (order_id, self._now_ms(), kind, current[0], detail_text))

    def events(self, order_id: str) -> list[SaleEvent]:
        with self._reading() as conn:
            return queries.events(conn, order_id)

    # ---- queries -------------------------------------------------------------------------
    def open_sales(self, terminal_id: str | None = None) -> list[Sale]:
        with self._reading() as conn:
            return queries.open_sales(conn, terminal_id)

    def sweep_candidates(self, since: datetime) -> list[Sale]:
        with self._reading() as conn:
            return queries.sweep_candidates(conn, since)

    def last_paid(self, terminal_id: str, amount: Money, since: datetime) -> Sale | None:
        with self._reading() as conn:
            return queries.last_paid(conn, terminal_id, amount, since)

    def sales_between(
        self,
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
        with self._reading() as conn:
            return queries.sales_between(
                conn,
                start,
                end,
                statuses=statuses,
                methods=methods,
                terminal_id=terminal_id,
                search=search,
                limit=limit,
                newest_first=newest_first,
            )

    def day_totals(
        self, start: datetime, end: datetime, terminal_id: str | None = None
    ) -> DayTotals:
        with self._reading() as conn:
            return queries.day_totals(conn, start, end, terminal_id)

    # ---- refunds -------------------------------------------------------------------------
    def create_refund(self, record: RefundRecord, *, another: bool = False) -> RefundRecord:
        """Record a refund request and a "refund_requested" event together.

        Refuses (RefundTooLargeError) a refund that, with the sale's successful and pending
        refunds, would return more than the sale took; and, unless `another` (the manager
        asked for a further refund), one for a sale that already has a refund on its way
        (RefundPendingError). Both checks run inside the write transaction, so two
        processes refunding the same sale at once make one refund.
        """
        if record.amount.paise <= 0:
            raise ValueError("a refund amount must be more than zero")
        row = tuple(refund_to_row(record).values())
        detail = encode_detail(
            {
                "refund_id": record.refund_id,
                "amount_paise": record.amount.paise,
                "status": record.status.upper(),
            }
        )
        with self._writing() as conn:
            sale = queries.get_sale(conn, record.order_id)
            if sale is None:
                raise UnknownSaleError(record.order_id)
            if not another:
                waiting = queries.open_refund(conn, record.order_id)
                if waiting is not None:
                    raise RefundPendingError(record.order_id, waiting.refund_id)
            left = sale.amount - queries.refunded_total(conn, record.order_id)
            if record.amount > left:
                raise RefundTooLargeError(record.order_id, record.amount.format(), left.format())
            _insert_new(conn, _INSERT_REFUND, row, DuplicateRefundError(record.refund_id), "refund")
            conn.execute(
                _INSERT_EVENT,
                (record.order_id, self._now_ms(), "refund_requested", sale.status.value, detail),
            )
        return refund_from_row(row)

    def update_refund(self, refund_id: str, **fields: object) -> RefundRecord:
        """Change a refund's status or Cashfree details, with a "refund_<status>" event
        (or "refund_updated" when the status stays) in the same transaction."""
        if not fields:
            raise TypeError("update_refund needs at least one field to change")
        changes: dict[str, object] = {}
        for name, value in fields.items():
            if name not in _UPDATABLE_REFUND_FIELDS:
                raise TypeError(f"refund field {name!r} cannot be changed")
            column, encoded = encode_refund_field(name, value)
            changes[column] = encoded
        with self._writing() as conn:
            old = queries.get_refund(conn, refund_id)
            if old is None:
                raise UnknownRefundError(refund_id)
            now = self._now_ms()
            changes["updated_at"] = now
            assignments = ", ".join(f"{column} = ?" for column in changes)
            conn.execute(
                f"UPDATE refunds SET {assignments} WHERE refund_id = ?",  # noqa: S608 (whitelisted columns)
                (*changes.values(), refund_id),
            )
            new = queries.get_refund(conn, refund_id)
            assert new is not None
            kind = "refund_updated"
            if new.status != old.status:
                kind = "refund_" + re.sub(r"[^a-z0-9]+", "_", new.status.lower()).strip("_")
            detail: dict[str, object] = {"refund_id": refund_id, "status": new.status}
            detail.update({k: v for k, v in fields.items() if k != "status"})
            sale_status = conn.execute(
                "SELECT status FROM sales WHERE order_id = ?", (new.order_id,)
            ).fetchone()[0]
            conn.execute(
                _INSERT_EVENT, (new.order_id, now, kind, sale_status, encode_detail(detail))
            )
        return new

    def refunds_for(self, order_id: str) -> list[RefundRecord]:
        with self._reading() as conn:
            return queries.refunds_for(conn, order_id)

    def refunded_total(self, order_id: str, include_pending: bool = True) -> Money:
        with self._reading() as conn:
            return queries.refunded_total(conn, order_id, include_pending)
