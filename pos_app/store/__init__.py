"""The local journal: SQLite (WAL), numbered migrations, one transaction per change."""

from pos_app.store.codec import RefundRecord
from pos_app.store.errors import (
    DuplicateRefundError,
    DuplicateSaleError,
    JournalError,
    RefundTooLargeError,
    UnknownRefundError,
    UnknownSaleError,
)
from pos_app.store.journal import Journal, utc_now
from pos_app.store.queries import DayTotals, Tally

__all__ = [
    "DayTotals",
    "DuplicateRefundError",
    "DuplicateSaleError",
    "Journal",
    "JournalError",
    "RefundRecord",
    "RefundTooLargeError",
    "Tally",
    "UnknownRefundError",
    "UnknownSaleError",
    "utc_now",
]
