"""The transactions table: a QAbstractTableModel that stays smooth with 100,000 sales.

Loading a list reads only the matching row ids, in display order, from an index (an
array of integers: ~30 ms for 100,000). Rows are read in blocks of `block` sales when the
view first asks for one of them, and a bounded number of blocks is kept, so memory and
the cost of a paint do not grow with the day.
"""

from __future__ import annotations

from array import array
from collections import OrderedDict
from datetime import tzinfo
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)

from pos_app.domain.money import Money
from pos_app.domain.sale import Sale, SaleStatus
from pos_app.services.reporting.queries import ReportReader, SalesFilter, refunded_by_order
from pos_app.services.wording import reason_text
from pos_app.ui.manager import text

__all__ = ["SALE_ROLE", "SalesTableModel"]

SALE_ROLE = Qt.ItemDataRole.UserRole + 1
Index = QModelIndex | QPersistentModelIndex
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
_ATTENTION = frozenset({SaleStatus.UNCERTAIN, SaleStatus.CREATED, SaleStatus.AWAITING_PAYMENT})


class SalesTableModel(QAbstractTableModel):
    def __init__(
        self,
        reader: ReportReader,
        zone: tzinfo,
        *,
        block: int = 256,
        blocks_kept: int = 64,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self._reader = reader
        self._zone = zone
        self._block = block
        self._kept = blocks_kept
        self._ids: array[int] = array("q")
        self._blocks: OrderedDict[int, list[Sale | None]] = OrderedDict()
        self._refunded: dict[str, Money] = {}  # SUCCESS refunds of the sales in the blocks
        self._with_date = False
        self.filter: SalesFilter | None = None

    # ---- loading ---------------------------------------------------------------------------
    def load(self, wanted: SalesFilter) -> int:
        """Show the sales matching `wanted`; returns how many there are."""
        ids = self._reader.sale_ids(wanted)
        self.beginResetModel()
        self.filter = wanted
        self._ids = ids
        self._blocks.clear()
        self._with_date = (wanted.end - wanted.start).total_seconds() > 26 * 3600
        self.endResetModel()
        return len(ids)

    def reload(self) -> int:
        return 0 if self.filter is None else self.load(self.filter)

    def refresh_order(self, order_id: str) -> int | None:
        """Re-read the block holding this sale (after it changed); returns its row."""
        for number, rows in list(self._blocks.items()):
            for offset, sale in enumerate(rows):
                if sale is not None and sale.order_id == order_id:
                    del self._blocks[number]
                    row = number * self._block + offset
                    first = self.index(number * self._block, 0)
                    last_row = min(len(self._ids), (number + 1) * self._block) - 1
                    last = self.index(last_row, len(text.COLUMNS) - 1)
                    self.dataChanged.emit(first, last)
                    return row
        return None

    def sale_at(self, row: int) -> Sale | None:
        if not 0 <= row < len(self._ids):
            return None
        number, offset = divmod(row, self._block)
        rows = self._blocks.get(number)
        if rows is None:
            first = number * self._block
            rows = self._reader.sales_by_ids(self._ids[first : first + self._block])
            self._blocks[number] = rows
            paid = [s.order_id for s in rows if s is not None and s.status is SaleStatus.PAID]
            for order_id in paid:
                self._refunded.pop(order_id, None)
            self._refunded.update(refunded_by_order(self._reader, paid))
            while len(self._blocks) > self._kept:
                _, dropped = self._blocks.popitem(last=False)
                for sale in dropped:
                    if sale is not None:
                        self._refunded.pop(sale.order_id, None)
        else:
            self._blocks.move_to_end(number)
        return rows[offset] if offset < len(rows) else None

    def row_of(self, order_id: str) -> int | None:
        """The row of a sale already read (None when it was never shown)."""
        for number, rows in self._blocks.items():
            for offset, sale in enumerate(rows):
                if sale is not None and sale.order_id == order_id:
                    return number * self._block + offset
        return None

    @property
    def cached_blocks(self) -> int:
        return len(self._blocks)

    # ---- the model ------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's default)
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(text.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return text.COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.TextAlignmentRole,
            Qt.ItemDataRole.ToolTipRole,
            SALE_ROLE,
        ):
            return None
        sale = self.sale_at(index.row())
        if sale is None:
            return None
        if role == SALE_ROLE:
            return sale
        column = index.column()
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if column == 5 else _LEFT
        if role == Qt.ItemDataRole.ToolTipRole:
            return reason_text(sale) if column == 3 else None
        return self._cell(sale, column)

    def _cell(self, sale: Sale, column: int) -> str:
        if column == 0:
            return text.local(sale.created_at, self._zone, with_date=self._with_date)
        if column == 1:
            return sale.order_id
        if column == 2:
            return sale.bill_number or ""
        if column == 3:
            back = self._refunded.get(sale.order_id)
            if sale.status is SaleStatus.PAID and back is not None and back.paise > 0:
                return text.refunded_status(sale.amount, back, sale.late)
            name = text.status_name(sale.status, sale.late)
            return f"⚠ {name}" if sale.status in _ATTENTION else name
        if column == 4:
            return sale.method.label
        if column == 5:
            return sale.amount.format()
        if column == 6:
            return sale.bank_reference or ""
        return sale.customer_phone or ""
