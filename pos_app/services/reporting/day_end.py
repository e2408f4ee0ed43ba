"""The day report: the day's totals, an hourly view and the exceptions a manager must look
at first. ONE value (`DayReport`) for every surface: `pos-app report` (table, CSV, JSON) and
the manager console's day end (figures, hourly chart, summary CSV, print) render it.

`build_day_report` reads the journal once (ReportReader.day_groups: one indexed pass over
the day grouped by hour, status, method and payment group, plus its refunds by hour) and
derives everything from it (totals: report_sql.fold_totals), so 100,000 sales cost one
query, not 100,000 objects. Refreshing the day from Cashfree is in day_refresh.py.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

from pos_app.domain.money import Money
from pos_app.domain.sale import OPEN_STATUSES, Sale, SaleStatus
from pos_app.store.codec import RefundRecord
from pos_app.store.report_reader import ReportReader
from pos_app.store.report_sql import (
    HOUR_MS,
    NO_GROUP,
    DayTotals,
    GroupRow,
    RefundGroupRow,
    SalesFilter,
    Tally,
    fold_totals,
)
from pos_app.store.till_records import outside_refunds

__all__ = [
    "PAYMENT_FAMILIES",
    "DayException",
    "DayReport",
    "ExceptionKind",
    "HourBucket",
    "build_day_report",
    "build_day_report_stepwise",
    "listed_by_status",
    "payment_family",
]

log = logging.getLogger(__name__)

PAYMENT_FAMILIES = ("UPI", "Card", "Net banking", "Wallet", "Other")
_FAMILY_OF = {
    "upi": "UPI",
    "upi_credit_card": "UPI",
    "upi_ppi": "UPI",
    "upi_ppi_offline": "UPI",
    "credit_card": "Card",
    "debit_card": "Card",
    "prepaid_card": "Card",
    "credit_card_emi": "Card",
    "debit_card_emi": "Card",
    "card": "Card",
    "net_banking": "Net banking",
    "wallet": "Wallet",
    "paypal": "Wallet",
}


def payment_family(group: str | None) -> str:
    """Cashfree's payment_group -> UPI, Card, Net banking, Wallet or Other."""
    return _FAMILY_OF.get((group or "").strip().lower(), "Other")


class ExceptionKind(enum.Enum):
    """What needs a look, most urgent first (the report lists them in this order)."""

    OUTSIDE_REFUND = "outside_refund"  # a refund made outside this till (found at Cashfree)
    UNCERTAIN = "uncertain"  # the till could not confirm the outcome with Cashfree
    LATE_PAYMENT = "late_payment"  # money arrived after cancel or expiry
    PAID_ON_EVIDENCE = (
        "paid_on_evidence"  # recorded PAID from the customer's UTR (paid_evidence.py)
    )
    REFUND_NOT_FINAL = "refund_not_final"  # a refund not yet SUCCESS, FAILED or CANCELLED
    OPEN = "open"  # still waiting for the customer
    DUPLICATE_OVERRIDE = "duplicate_override"  # paid after the cashier overrode the guard


_RANK = {kind: n for n, kind in enumerate(ExceptionKind)}


@dataclass(frozen=True, slots=True)
class DayException:
    kind: ExceptionKind
    sale: Sale
    refund: RefundRecord | None = None
    earlier: bool = False  # from before the report's first day, still unsettled


@dataclass(frozen=True, slots=True)
class HourBucket:
    """One local hour of the day (summed over the days of a range)."""

    hour: int  # 0-23, local time
    sales: int  # sales started in that hour, any outcome
    paid: Tally
    refunded: Tally  # SUCCESS refunds requested in that hour


@dataclass(frozen=True, slots=True)
class DayReport:
    start: datetime  # UTC, inclusive
    end: datetime  # UTC, exclusive
    zone: tzinfo
    terminal_id: str | None
    totals: DayTotals
    hours: tuple[HourBucket, ...]
    exceptions: tuple[DayException, ...]
    exceptions_left_out: int = 0  # more exceptions than the report lists

    @property
    def collected(self) -> Tally:
        return self.totals.paid

    @property
    def refunded(self) -> Tally:
        return self.totals.refunded

    @property
    def net(self) -> Money:
        return self.totals.net

    @property
    def pending(self) -> Tally:
        """Sales with no final state yet (the customer may still pay)."""
        return _sum(self.totals.by_status.get(s, Tally()) for s in OPEN_STATUSES)

    @property
    def pending_refunds(self) -> Tally:
        return self.totals.pending_refunds

    def count(self, status: SaleStatus) -> int:
        return self.totals.by_status.get(status, Tally()).count

    @property
    def by_family(self) -> dict[str, Tally]:
        """Paid totals by UPI, Card, Net banking, Wallet (always shown) and Other (if any)."""
        out = {name: Tally() for name in PAYMENT_FAMILIES[:-1]}
        for group, tally in self.totals.paid_by_group.items():
            family = payment_family(None if group == NO_GROUP else group)
            out[family] = _add(out.get(family, Tally()), tally)
        return out


def _add(a: Tally, b: Tally) -> Tally:
    return Tally(a.count + b.count, a.amount + b.amount)


def _sum(tallies: Iterable[Tally]) -> Tally:
    total = Tally()
    for tally in tallies:
        total = _add(total, tally)
    return total


# ---- building the report -------------------------------------------------------------------
def _hours(
    start: datetime, zone: tzinfo, groups: list[GroupRow], refunds: list[RefundGroupRow]
) -> tuple[HourBucket, ...]:
    hour_of: dict[int, int] = {}

    def local_hour(slot: int) -> int:
        if slot not in hour_of:
            moment = start + timedelta(milliseconds=slot * HOUR_MS)
            hour_of[slot] = moment.astimezone(zone).hour
        return hour_of[slot]

    sales = [0] * 24
    paid = [[0, 0] for _ in range(24)]
    refunded = [[0, 0] for _ in range(24)]
    for row in groups:
        hour = local_hour(row.slot)
        sales[hour] += row.count
        if row.status is SaleStatus.PAID:
            paid[hour][0] += row.count
            paid[hour][1] += row.amount.paise
    for refund in refunds:
        if refund.status == "SUCCESS":
            hour = local_hour(refund.slot)
            refunded[hour][0] += refund.count
            refunded[hour][1] += refund.amount.paise
    return tuple(
        HourBucket(
            hour=h,
            sales=sales[h],
            paid=Tally(paid[h][0], Money(paid[h][1])),
            refunded=Tally(refunded[h][0], Money(refunded[h][1])),
        )
        for h in range(24)
    )


def _kinds(sale: Sale) -> list[ExceptionKind]:
    kinds = []
    if sale.status is SaleStatus.UNCERTAIN:
        kinds.append(ExceptionKind.UNCERTAIN)
    elif sale.status in OPEN_STATUSES:
        kinds.append(ExceptionKind.OPEN)
    if sale.late:
        kinds.append(ExceptionKind.LATE_PAYMENT)
    # An override that ended unpaid charged nobody twice: only paid ones need a look.
    if sale.duplicate_override and sale.status is SaleStatus.PAID:
        kinds.append(ExceptionKind.DUPLICATE_OVERRIDE)
    return kinds


def _outside_items(
    reader: ReportReader, start: datetime, end: datetime, terminal_id: str | None
) -> list[DayException]:
    """Refunds made outside this till, made or found in the window: first on the list."""
    found = outside_refunds(reader, start, end)
    if not found:
        return []
    sales = {s.order_id: s for s in reader.sales_by_order_ids([f.order_id for f in found])}
    items = []
    for item in found:
        sale = sales.get(item.order_id)
        if sale is None or (terminal_id is not None and sale.terminal_id != terminal_id):
            continue
        record = RefundRecord(
            refund_id=item.refund_id,
            order_id=item.order_id,
            amount=item.amount,
            status=item.status,
            idempotency_key="outside",
            cf_refund_id=item.cf_refund_id,
            status_description="refund made outside this till",
            created_at=item.made_at,
            updated_at=item.seen_at,
        )
        items.append(DayException(ExceptionKind.OUTSIDE_REFUND, sale, refund=record))
    return items


def build_day_report(
    reader: ReportReader,
    start: datetime,
    end: datetime,
    *,
    zone: tzinfo = UTC,
    terminal_id: str | None = None,
    exception_limit: int = 500,
) -> DayReport:
    """The report for sales created in [start, end) (one terminal, or all when None)."""
    with reader.snapshot():
        groups = reader.day_groups(start, end, terminal_id)
        return _assemble(reader, start, end, zone, terminal_id, exception_limit, groups)


def listed_by_status(reader: ReportReader, wanted: SalesFilter) -> dict[SaleStatus, Tally]:
    """Sales by status for the days, till, statuses and methods a list shows (its search
    aside), from the same grouped read and the same adding up as the day report."""
    rows = [
        row
        for row in reader.day_groups(wanted.start, wanted.end, wanted.terminal_id)
        if (wanted.statuses is None or row.status in wanted.statuses)
        and (wanted.methods is None or row.method in wanted.methods)
    ]
    return fold_totals(wanted.start, wanted.end, rows, ()).by_status


async def build_day_report_stepwise(
    reader: ReportReader,
    start: datetime,
    end: datetime,
    *,
    zone: tzinfo = UTC,
    terminal_id: str | None = None,
    exception_limit: int = 500,
    slice_hours: int = 3,
) -> DayReport:
    """The same report, read a few hours at a time with the event loop turning in between:
    the desk stays responsive without a worker thread (in a Qt process, Python work on
    another thread can start the garbage collector there and free Qt objects off the GUI
    thread). Give it a reader of its own: the snapshot spans the awaits."""
    groups: list[GroupRow] = []
    with reader.snapshot():
        first = start
        while first < end:
            last = min(end, first + timedelta(hours=slice_hours))
            groups.extend(reader.day_groups(first, last, terminal_id, origin=start))
            first = last
            await asyncio.sleep(0)
        return _assemble(reader, start, end, zone, terminal_id, exception_limit, groups)


def _assemble(
    reader: ReportReader,
    start: datetime,
    end: datetime,
    zone: tzinfo,
    terminal_id: str | None,
    exception_limit: int,
    groups: list[GroupRow],
) -> DayReport:
    refund_rows = reader.refund_groups(start, end, terminal_id)
    flagged = [order_id for row in groups for order_id in row.flagged]
    sales = reader.sales_by_order_ids(flagged[: exception_limit * 2])
    earlier = reader.open_sales_before(start, terminal_id)
    unfinished = reader.unfinished_refunds(terminal_id)
    listed = unfinished[:exception_limit]  # the list is capped anyway: fetch no more
    known = {s.order_id: s for s in (*sales, *earlier)}
    missing = [r.order_id for r in listed if r.order_id not in known]
    for sale in reader.sales_by_order_ids(missing):
        known[sale.order_id] = sale

    items: list[DayException] = _outside_items(reader, start, end, terminal_id)
    for sale in earlier:
        items.extend(DayException(kind, sale, earlier=True) for kind in _kinds(sale))
    for sale in sales:
        items.extend(DayException(kind, sale) for kind in _kinds(sale))
    evidence = reader.sales_by_order_ids(reader.evidence_order_ids(start, end, terminal_id))
    items.extend(DayException(ExceptionKind.PAID_ON_EVIDENCE, sale) for sale in evidence)
    for refund in listed:
        owner = known.get(refund.order_id)
        if owner is not None:
            items.append(
                DayException(
                    ExceptionKind.REFUND_NOT_FINAL,
                    owner,
                    refund=refund,
                    earlier=refund.created_at < start,
                )
            )
    items.sort(key=lambda e: (_RANK[e.kind], e.sale.created_at, e.sale.order_id))
    left_out = (
        max(0, len(items) - exception_limit)
        + max(0, len(flagged) - exception_limit * 2)
        + (len(unfinished) - len(listed))
    )
    return DayReport(
        start=start,
        end=end,
        zone=zone,
        terminal_id=terminal_id,
        totals=fold_totals(start, end, groups, refund_rows),
        hours=_hours(start, zone, groups, refund_rows),
        exceptions=tuple(items[:exception_limit]),
        exceptions_left_out=left_out,
    )
