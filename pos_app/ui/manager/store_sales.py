"""The Store tab's lower half: the store's sales (every till, or the one chosen), and the
refunds of the selected sale from any till, with "Refund…" for a sale of another till
(a sale of this till opens in Transactions, where its own refunds are made).

The pane only shows rows and emits intents; the tab reads the store database.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pos_app.domain.money import Money

__all__ = ["ALL_TILLS", "REFUND_COLUMNS", "SALE_COLUMNS", "StoreSalesPane"]

ALL_TILLS = "All tills"
SALE_COLUMNS = ("Time", "Till", "Order", "Amount", "Status", "Refunded")
REFUND_COLUMNS = ("Refund", "Made at till", "Amount", "Status", "When")
REFUND_OTHER = "Refund…"
OPEN_OWN = "Open in Transactions"


def _cell(value: str, right: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(value)
    if right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def _table(columns: tuple[str, ...], parent: QWidget) -> QTableWidget:
    table = QTableWidget(0, len(columns), parent)
    table.setHorizontalHeaderLabels(list(columns))
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
    return table


class StoreSalesPane(QWidget):
    till_chosen = Signal(object)  # till id, or None for every till
    sale_selected = Signal(str)  # order id: its refunds are wanted
    refund_requested = Signal(str)  # order id of another till's sale
    open_requested = Signal(str)  # order id of this till's sale

    def __init__(self, zone: tzinfo, this_till: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.zone = zone
        self.this_till = this_till
        self.rows: list[Any] = []  # StoreSaleRow, as shown
        self.till_filter = QComboBox(self)
        self.till_filter.setAccessibleName("Till")
        self.till_filter.addItem(ALL_TILLS, None)
        self.till_filter.currentIndexChanged.connect(
            lambda _i: self.till_chosen.emit(self.till_filter.currentData())
        )
        self.sales = _table(SALE_COLUMNS, self)
        self.sales.itemSelectionChanged.connect(self._selected)
        self.refunds = _table(REFUND_COLUMNS, self)
        self.refunds_title = QLabel("Refunds of the selected sale, from any till", self)
        self.refund_button = QPushButton(REFUND_OTHER, self)
        self.refund_button.setEnabled(False)
        self.refund_button.clicked.connect(lambda _=False: self._act())
        top = QHBoxLayout()
        top.addWidget(QLabel("Sales of", self))
        top.addWidget(self.till_filter)
        top.addStretch(1)
        top.addWidget(self.refund_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(top)
        column.addWidget(self.sales, 3)
        column.addWidget(self.refunds_title)
        column.addWidget(self.refunds, 1)

    # ---- what the tab hands in ------------------------------------------------------------------
    def set_tills(self, tills: list[str]) -> None:
        chosen = self.till_filter.currentData()
        self.till_filter.blockSignals(True)
        try:
            self.till_filter.clear()
            self.till_filter.addItem(ALL_TILLS, None)
            for till in tills:
                self.till_filter.addItem(f"Till {till}", till)
            index = self.till_filter.findData(chosen)
            self.till_filter.setCurrentIndex(max(index, 0))
        finally:
            self.till_filter.blockSignals(False)

    def show_sales(self, rows: list[Any]) -> None:
        selected = self.selected_order()
        self.rows = list(rows)
        self.sales.blockSignals(True)
        try:
            self.sales.setRowCount(len(self.rows))
            for r, row in enumerate(self.rows):
                sale = row.sale
                cells = (
                    (sale.created_at.astimezone(self.zone).strftime("%H:%M:%S"), False),
                    (sale.terminal_id, False),
                    (sale.order_id, False),
                    (sale.amount.format(), True),
                    (sale.status.value, False),
                    (row.refunded.format() if row.refunded.paise else "", True),
                )
                for c, (value, right) in enumerate(cells):
                    self.sales.setItem(r, c, _cell(value, right))
            self.sales.resizeColumnsToContents()
        finally:
            self.sales.blockSignals(False)
        again = next((i for i, row in enumerate(self.rows) if row.sale.order_id == selected), None)
        if again is not None:
            self.sales.selectRow(again)
        else:
            self.refunds.setRowCount(0)
            self._update_button()

    def show_refunds(self, order_id: str, refunds: list[Any]) -> None:
        if order_id != self.selected_order():
            return  # the manager moved on meanwhile
        self.refunds.setRowCount(len(refunds))
        for r, refund in enumerate(refunds):
            cells = (
                (refund.refund_id, False),
                (refund.till_id, False),
                (refund.amount.format(), True),
                (refund.status, False),
                (refund.created_at.astimezone(self.zone).strftime("%d %b %H:%M"), False),
            )
            for c, (value, right) in enumerate(cells):
                self.refunds.setItem(r, c, _cell(value, right))
        self.refunds.resizeColumnsToContents()

    # ---- selection -------------------------------------------------------------------------------
    def selected_row(self) -> Any | None:
        chosen = self.sales.selectionModel().selectedRows()
        if not chosen:
            return None
        index = chosen[0].row()
        return self.rows[index] if 0 <= index < len(self.rows) else None

    def selected_order(self) -> str | None:
        row = self.selected_row()
        return None if row is None else str(row.sale.order_id)

    def row_of(self, order_id: str) -> Any | None:
        return next((row for row in self.rows if row.sale.order_id == order_id), None)

    def select(self, order_id: str) -> bool:
        for i, row in enumerate(self.rows):
            if row.sale.order_id == order_id:
                self.sales.selectRow(i)
                return True
        return False

    def _selected(self) -> None:
        self._update_button()
        order_id = self.selected_order()
        self.refunds.setRowCount(0)
        if order_id is not None:
            self.sale_selected.emit(order_id)

    def _update_button(self) -> None:
        row = self.selected_row()
        own = row is not None and row.sale.terminal_id == self.this_till
        self.refund_button.setText(OPEN_OWN if own else REFUND_OTHER)
        left = Money(0) if row is None else row.sale.amount - row.refunded
        paid = row is not None and row.sale.status.value == "PAID"
        self.refund_button.setEnabled(own or (paid and left.paise > 0))

    def _act(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        if row.sale.terminal_id == self.this_till:
            self.open_requested.emit(row.sale.order_id)
        else:
            self.refund_requested.emit(row.sale.order_id)
