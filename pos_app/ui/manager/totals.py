"""The line of totals above the transactions list: what the listed days add up to."""

from __future__ import annotations

from pos_app.domain.sale import OPEN_STATUSES, SaleStatus
from pos_app.services.reporting.day_end import listed_by_status
from pos_app.services.reporting.queries import ReportReader, SalesFilter

__all__ = ["totals_line"]


def totals_line(reader: ReportReader, wanted: SalesFilter, count: int) -> str:
    """`120 sales · collected ₹1,23,456.00 from 96 paid · 3 still open · 21 not paid`.
    With a search, the totals are of the days and filters shown, and say so."""
    if count == 0:
        return "No sales match."
    by_status = listed_by_status(reader, wanted)
    paid = by_status[SaleStatus.PAID]
    open_count = sum(by_status[s].count for s in OPEN_STATUSES)
    unpaid = sum(t.count for s, t in by_status.items() if s is not SaleStatus.PAID) - open_count
    sales = "1 sale" if count == 1 else f"{count:,} sales"
    parts = [sales, f"collected {paid.amount.format()} from {paid.count:,} paid"]
    if open_count:
        parts.append(f"{open_count:,} still open")
    if unpaid:
        parts.append(f"{unpaid:,} not paid")
    line = " · ".join(parts)
    if wanted.search.strip():
        line += " (totals for these days, before the search)"
    return line
