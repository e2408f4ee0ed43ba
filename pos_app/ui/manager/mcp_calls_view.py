"""MCP calls: every tool call an app or assistant made to this till (`pos-app mcp`), newest
first, with how it ended; the arguments as the journal keeps them (no personal data). Calls
about a sale are also in that sale's "What happened"."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import tzinfo

from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pos_app.services.refunds.requests import ToolCall
from pos_app.ui.manager import text

__all__ = ["McpCallsView"]


def _arguments(call: ToolCall) -> str:
    return ", ".join(f"{k}={v}" for k, v in call.arguments.items() if k != "order_id")


class McpCallsView(QWidget):
    def __init__(
        self,
        load: Callable[[], Sequence[ToolCall]],
        zone: tzinfo,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.load_calls = load
        self.zone = zone
        self.count = QLabel("", self)
        self.reload_button = QPushButton(text.MCP_RELOAD, self)
        self.reload_button.clicked.connect(lambda _=False: self.reload())
        self.table = QTableWidget(0, len(text.MCP_COLUMNS), self)
        self.table.setHorizontalHeaderLabels(list(text.MCP_COLUMNS))
        self.table.setAccessibleName(text.MCP_TAB)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        top = QHBoxLayout()
        top.addWidget(self.count, 1)
        top.addWidget(self.reload_button)
        column = QVBoxLayout(self)
        column.addLayout(top)
        column.addWidget(self.table, 1)
        self.loaded = False

    def reload(self) -> None:
        calls = list(self.load_calls())
        self.loaded = True
        self.table.setRowCount(len(calls))
        for row, call in enumerate(calls):
            cells = (
                text.local(call.at, self.zone),
                call.tool,
                call.outcome + (f" ({call.detail['field']})" if "field" in call.detail else ""),
                call.order_id or "",
                _arguments(call),
            )
            for col, value in enumerate(cells):
                self.table.setItem(row, col, QTableWidgetItem(value))
        self.count.setText(f"{len(calls)} latest calls" if calls else text.MCP_NONE)
