"""The console's "Store" tab: today's totals of every till of the store and of the whole
store, the store's sales (all tills, or one) and a sale's refunds from any till, from the
shared store database; a sale of another till is refunded from here (ui/manager/
store_refund.py). Shown only when the till has joined a store database.

app.py hands the reader to the desk (ui.services.StoreLink), which hands it to the
console; the tab reads on the qasync loop and keeps its task.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any, Protocol

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pos_app.ui.manager.store_sales import StoreSalesPane

__all__ = ["COLUMNS", "STORE_TAB", "StoreDayPort", "StoreTab"]

log = logging.getLogger(__name__)

STORE_TAB = "Store"
COLUMNS = ("Till", "Paid sales", "Collected", "Refunded", "Refunds pending", "Net")
ALL_TILLS_ROW = "All tills"


class StoreDayPort(Protocol):
    """services/reporting/store_views.StoreDayReader, as the tab uses it."""

    store_id: str
    this_till: str | None

    async def day(self, start: datetime, end: datetime) -> Any: ...

    async def sales(self, start: datetime, end: datetime, till: str | None = None) -> Any: ...

    async def refunds_of(self, order_id: str) -> Any: ...

    async def refund(self, order_id: str, amount: Any, reason: str | None) -> Any: ...


class StoreTab(QWidget):
    def __init__(
        self, reader: StoreDayPort, day: date, zone: tzinfo, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.reader = reader
        self.day = day
        self.zone = zone
        self.task: asyncio.Task[None] | None = None
        self.refunds_task: asyncio.Task[None] | None = None
        self.till: str | None = None  # the till whose sales are listed (None: every till)
        self.sales_pane = StoreSalesPane(zone, getattr(reader, "this_till", None), self)
        self.sales_pane.till_chosen.connect(self._till_chosen)
        self.sales_pane.sale_selected.connect(self.load_refunds)
        self.title = QLabel(f"Store {reader.store_id}: {day.isoformat()}", self)
        self.status = QLabel("", self)
        self.status.setObjectName("storeStatus")
        self.refresh = QPushButton("Refresh", self)
        self.refresh.clicked.connect(self.load)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addStretch(1)
        top.addWidget(self.refresh)
        column = QVBoxLayout(self)
        column.addLayout(top)
        column.addWidget(self.status)
        column.addWidget(self.table, 1)
        column.addWidget(self.sales_pane, 3)

    def load(self) -> None:
        if self.task is not None and not self.task.done():
            return
        self.status.setText("Reading the store database…")
        self.task = asyncio.get_running_loop().create_task(self._load())

    async def _load(self) -> None:
        start = datetime.combine(self.day, time(0), self.zone)
        end = start + timedelta(days=1)
        try:
            store_day = await self.reader.day(start, end)
            sales = await self.reader.sales(start, end, self.till)
        except Exception as exc:  # the database away: say so, keep the tab
            message = getattr(exc, "message", None) or type(exc).__name__
            self.status.setText(f"The store database could not be read: {message}")
            return
        self.show_day(store_day)
        self.sales_pane.set_tills([str(till) for till, _totals in store_day.tills])
        self.sales_pane.show_sales(sales)

    def _till_chosen(self, till: object) -> None:
        self.till = None if till is None else str(till)
        self.load()

    def load_refunds(self, order_id: str) -> None:
        self.refunds_task = asyncio.get_running_loop().create_task(self._load_refunds(order_id))

    async def _load_refunds(self, order_id: str) -> None:
        try:
            refunds = await self.reader.refunds_of(order_id)
        except Exception as exc:
            message = getattr(exc, "message", None) or type(exc).__name__
            self.status.setText(f"The store database could not be read: {message}")
            return
        self.sales_pane.show_refunds(order_id, list(refunds))

    def show_day(self, store_day: Any) -> None:
        rows = [*store_day.tills, (ALL_TILLS_ROW, store_day.total)]
        self.table.setRowCount(len(rows))
        for r, (till, totals) in enumerate(rows):
            cells = (
                str(till),
                str(totals.paid.count),
                totals.paid.amount.format(),
                totals.refunded.amount.format(),
                totals.pending_refunds.amount.format(),
                totals.net.format(),
            )
            for c, value in enumerate(cells):
                item = QTableWidgetItem(value)
                if c > 0:  # counts and money line up on the right
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if till == ALL_TILLS_ROW:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        synced = len(store_day.tills)
        self.status.setText(f"{synced} till{'s' if synced != 1 else ''} in the store database")
