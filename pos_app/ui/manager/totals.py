"""The line of totals above the transactions list: what the listed days add up to."""

from __future__ import annotations

from pos_app.domain.money import Money
from pos_app.domain.sale import OPEN_STATUSES, SaleStatus
from pos_app.services.reporting.queries import ReportReader, SalesFilter

__all__ = ["totals_line"]


def totals_line(reader: ReportReader, wanted: SalesFilter, count: int) -> str:
    """`120 sales · collected ₹1,23,456.00 from 96 paid · 3 still open · 21 not paid`.
    With a search, the totals are of the days and filters shown, and say so."""
    if count == 0:
        return "No sales match."
    paid_count, paid, open_count, unpaid = 0, 0, 0, 0
    for group in reader.day_groups(wanted.start, wanted.end, wanted.terminal_id):
        if wanted.statuses is not None and group.status not in wanted.statuses:
            continue
        if wanted.methods is not None and group.method not in wanted.methods:
            continue
        if group.status is SaleStatus.PAID:
            paid_count += group.count
            paid += group.amount.paise
        elif group.status in OPEN_STATUSES:
            open_count += group.count
        else:
            unpaid += group.count
    sales = "1 sale" if count == 1 else f"{count:,} sales"
    parts = [sales, f"collected {Money(paid).format()} from {paid_count:,} paid"]
    if open_count:
        parts.append(f"{open_count:,} still open")
    if unpaid:
        parts.append(f"{unpaid:,} not paid")
    line = " · ".join(parts)
    if wanted.search.strip():
        line += " (totals for these days, before the search)"
    return line
