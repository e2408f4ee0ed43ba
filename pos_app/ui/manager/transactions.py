"""Transactions: the filter bar, the sales table and the detail pane of the chosen sale.

The table is a QTableView over SalesTableModel with fixed row heights and column widths,
so neither the first paint nor scrolling depends on how many sales the day has.
"""

from __future__ import annotations

from datetime import date, tzinfo

from PySide6.QtCore import QItemSelection, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHeaderView,
    QLabel,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from pos_app.domain.money import Money
from pos_app.domain.sale import SaleStatus
from pos_app.services.refunds.requests import requests_for
from pos_app.services.reporting.queries import ReportReader, SalesFilter
from pos_app.ui.manager import text
from pos_app.ui.manager.detail import DetailPane, SaleDetail
from pos_app.ui.manager.filters import FilterBar
from pos_app.ui.manager.sales_model import SalesTableModel
from pos_app.ui.manager.totals import totals_line

__all__ = ["TransactionsView"]

_WIDTHS = (86, 200, 70, 110, 110, 110, 130, 110)
AMOUNT_COLUMN = text.COLUMNS.index("Amount")


class TransactionsView(QWidget):
    sale_selected = Signal(object)  # SaleDetail | None

    def __init__(
        self,
        reader: ReportReader,
        today: date,
        zone: tzinfo,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.reader = reader
        self.zone = zone
        self.filters = FilterBar(today, zone, reader.terminals(), self)
        self.count = QLabel("", self)
        self.count.setAccessibleName("How many sales")
        self.model = SalesTableModel(reader, zone, parent=self)
        self.table = QTableView(self)
        self.table.setAccessibleName(text.TRANSACTIONS_TAB)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setCornerButtonEnabled(False)
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        rows = self.table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 10)
        rows.hide()
        columns = self.table.horizontalHeader()
        columns.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        columns.setStretchLastSection(True)
        for column, width in enumerate(_WIDTHS):
            self.table.setColumnWidth(column, width)
        self.detail = DetailPane(zone, self)
        # The detail pane scrolls inside its side: selecting a sale never grows the window.
        self.detail_scroll = QScrollArea(self)
        self.detail_scroll.setWidget(self.detail)
        self.detail_scroll.setWidgetResizable(True)
        self.detail_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.detail_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.detail_scroll.setMinimumWidth(320)
        # Amount comes second, right-aligned and wide enough for ₹99,99,999.00: it is never
        # cut off or pushed out of view by the other columns.
        columns.moveSection(columns.visualIndex(AMOUNT_COLUMN), 1)
        digits = self.table.fontMetrics().horizontalAdvance("₹99,99,99,999.00")
        self.table.setColumnWidth(AMOUNT_COLUMN, digits + 24)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.count.setObjectName("salesTotals")
        self.count.setWordWrap(True)

        left = QWidget(self)
        stack = QVBoxLayout(left)
        stack.setContentsMargins(0, 0, 0, 0)
        stack.addWidget(self.filters)
        stack.addWidget(self.count)  # the totals, above the list
        stack.addWidget(self.table, 1)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(left)
        split.addWidget(self.detail_scroll)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setChildrenCollapsible(False)
        split.setSizes([600, 420])
        outer = QVBoxLayout(self)
        outer.addWidget(split)

        self.filters.changed.connect(self.load)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)

    # ---- loading -----------------------------------------------------------------------------
    def load(self, wanted: SalesFilter | None = None) -> int:
        wanted = wanted or self.filters.current()
        count = self.model.load(wanted)
        self.count.setText(totals_line(self.reader, wanted, count))
        self.detail.show_detail(None)
        return count

    def select_row(self, row: int) -> None:
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0))

    def current_order(self) -> str | None:
        detail = self.detail.detail
        return None if detail is None else detail.sale.order_id

    def refresh_order(self, order_id: str) -> None:
        """A sale changed (refreshed, cancelled, refunded): show what the journal says now."""
        self.model.refresh_order(order_id)
        if self.current_order() == order_id:
            self.detail.show_detail(self.detail_of(order_id))

    def detail_of(self, order_id: str) -> SaleDetail | None:
        sale = self.reader.get_sale(order_id)
        if sale is None:
            return None
        refunds = tuple(self.reader.refunds_for(order_id))
        left = Money(0)
        if sale.status is SaleStatus.PAID:
            left = sale.amount - self.reader.refunded_total(order_id, include_pending=True)
        requests = tuple(requests_for(self.reader, order_id))
        return SaleDetail(sale, tuple(self.reader.events(order_id)), refunds, left, requests)

    def _selection_changed(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        if not indexes:
            return
        self._show_row(indexes[0])

    def _show_row(self, index: QModelIndex) -> None:
        sale = self.model.sale_at(index.row())
        detail = None if sale is None else self.detail_of(sale.order_id)
        self.detail.show_detail(detail)
        self.sale_selected.emit(detail)
