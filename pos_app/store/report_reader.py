"""`ReportReader`: a read-only Journal on the same file (a second connection: WAL lets it read
while the till writes), so every Journal read works on it too. It adds the reads the day
report and the manager's console need (the SQL is in report_sql.py):

- `sale_ids(filter)`: the row ids of a filtered list in display order (newest first). A
  list of 100,000 sales is a compact array of integers, read from an index; the table
  fetches the rows it shows by id (`sales_by_ids`). The count is exact and the order stays
  put while the list is open, even as new sales arrive.
- `day_groups(start, end)` and `refund_groups(start, end)`: the day in one grouped pass
  over its sales and one over its refunds; the day report is built from them.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from datetime import datetime

from pos_app.domain.sale import Sale
from pos_app.store import report_sql
from pos_app.store.codec import RefundRecord
from pos_app.store.connection import JournalConnection
from pos_app.store.journal import Journal
from pos_app.store.report_sql import GroupRow, RefundGroupRow, SalesFilter

__all__ = ["ReportReader"]


class ReportReader(Journal):
    """A read-only Journal with the day report's and the console's reads.

    A terminal id of None or "" means every terminal."""

    @classmethod
    def beside(cls, journal: JournalConnection) -> ReportReader:
        """Open a read-only reader on the file `journal` writes (close it when done)."""
        return cls.open(journal.path, read_only=True)

    # ---- lists -----------------------------------------------------------------------------
    def sale_ids(self, wanted: SalesFilter) -> array[int]:
        """Row ids of the matching sales, newest first (ties: the later insert first)."""
        with self._reading() as conn:
            return report_sql.sale_ids(conn, wanted)

    def sales_by_ids(self, ids: Sequence[int]) -> list[Sale | None]:
        """The sales with these row ids, in the same order (None for an id that is gone)."""
        with self._reading() as conn:
            return report_sql.sales_by_ids(conn, ids)

    def sales_by_order_ids(self, order_ids: Sequence[str]) -> list[Sale]:
        """The sales with these order ids, oldest first (unknown ids are skipped)."""
        with self._reading() as conn:
            return report_sql.sales_by_order_ids(conn, order_ids)

    def open_sales_before(self, moment: datetime, terminal_id: str | None = None) -> list[Sale]:
        """Sales with no final state that were started before `moment` (oldest first)."""
        with self._reading() as conn:
            return report_sql.open_sales_before(conn, moment, terminal_id or None)

    def terminals(self) -> list[str]:
        """Every terminal id the journal has seen (for the console's filter)."""
        with self._reading() as conn:
            return report_sql.terminals(conn)

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
        with self._reading() as conn:
            return report_sql.day_groups(conn, start, end, terminal_id or None, origin=origin)

    def refund_groups(
        self, start: datetime, end: datetime, terminal_id: str | None = None
    ) -> list[RefundGroupRow]:
        """Refunds created in [start, end) (of the terminal's sales), by hour slot and status."""
        with self._reading() as conn:
            return report_sql.refund_groups(conn, start, end, terminal_id or None)

    def evidence_order_ids(
        self, start: datetime, end: datetime, terminal_id: str | None = None
    ) -> list[str]:
        """Sales recorded PAID on the customer's evidence (paid_evidence.py) in [start, end)."""
        with self._reading() as conn:
            return report_sql.evidence_order_ids(conn, start, end, terminal_id or None)

    def unfinished_refunds(self, terminal_id: str | None = None) -> list[RefundRecord]:
        """Every refund not yet SUCCESS, FAILED or CANCELLED, oldest first, whatever its day."""
        with self._reading() as conn:
            return report_sql.unfinished_refunds(conn, terminal_id or None)
