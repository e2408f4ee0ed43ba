"""The console's "Store" tab: today's totals of every till of the store and of the whole
store, from the shared store database. Shown only when the till has joined one.

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

__all__ = ["COLUMNS", "STORE_TAB", "StoreDayPort", "StoreTab"]

log = logging.getLogger(__name__)

STORE_TAB = "Store"
COLUMNS = ("Till", "Paid sales", "Collected", "Refunded", "Refunds pending", "Net")
ALL_TILLS_ROW = "All tills"


class StoreDayPort(Protocol):
    store_id: str

    async def day(self, start: datetime, end: datetime) -> Any: ...


class StoreTab(QWidget):
    def __init__(
        self, reader: StoreDayPort, day: date, zone: tzinfo, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.reader = reader
        self.day = day
        self.zone = zone
        self.task: asyncio.Task[None] | None = None
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
        except Exception as exc:  # the database away: say so, keep the tab
            message = getattr(exc, "message", None) or type(exc).__name__
            self.status.setText(f"The store database could not be read: {message}")
            return
        self.show_day(store_day)

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
