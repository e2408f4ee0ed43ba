"""The Reconciliation tab: the day three ways (the till, Cashfree, the bank).

Exceptions first (what does not agree, most urgent on top), then the settlements, one row
per bank transfer with its UTR to tick against the bank statement, then what Cashfree has
not settled yet. The view renders a ReconReport and emits `load_requested(start, end)`;
the console runs it through the ReconController.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pos_app.services.reporting.recon_match import ReconReport
from pos_app.services.reporting.recon_output import payments, settlement_state
from pos_app.ui.manager.filters import DayRange

__all__ = [
    "DEMO_NOTE",
    "ISSUE_COLUMNS",
    "RECON_TAB",
    "SETTLEMENT_COLUMNS",
    "ReconView",
]

RECON_TAB = "Reconciliation"
COMPARE = "Compare with Cashfree"
READING = "Reading Cashfree's records (in the background; sales at the counter go first)…"
ISSUES = "Needs a look"
ALL_AGREE = "Needs a look: nothing. The till and Cashfree agree."
SETTLEMENTS = "Settlements (bank transfers)"
NO_SETTLEMENTS = "None of this day's money has been settled yet."
DEMO_NOTE = (
    "Demo: the pretend Cashfree remembers only the sales of this session; earlier training "
    "sales show as missing at Cashfree."
)
ISSUE_COLUMNS = ("What", "Order", "Amount", "Time", "UTR", "Details")
SETTLEMENT_COLUMNS = (
    "UTR",
    "Credited",
    "Day's payments",
    "Gross",
    "Charges",
    "Tax",
    "Adjustments",
    "Net to bank",
)


def _when(moment: datetime | None, zone: tzinfo) -> str:
    return moment.astimezone(zone).strftime("%d %b %H:%M") if moment else ""


def _table(parent: QWidget, columns: tuple[str, ...], name: str) -> QTableWidget:
    table = QTableWidget(0, len(columns), parent)
    table.setHorizontalHeaderLabels(list(columns))
    table.setAccessibleName(name)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    table.horizontalHeader().setSectionResizeMode(len(columns) - 1, QHeaderView.ResizeMode.Stretch)
    return table


def _cell(value: str, *, right: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(value)
    if right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


class ReconView(QWidget):
    load_requested = Signal(object, object)  # start, end (UTC)
    open_sale_requested = Signal(str)  # order id of a sale the till knows (double-click)

    def __init__(
        self, today: date, zone: tzinfo, parent: QWidget | None = None, *, note: str = ""
    ) -> None:
        super().__init__(parent)
        self.zone = zone
        self.note = QLabel(note, self)
        self.note.setWordWrap(True)
        self.note.setVisible(bool(note))
        self.report: ReconReport | None = None
        self.days = DayRange(today, zone, self)
        self.compare = QPushButton(COMPARE, self)
        self.compare.setAccessibleName(COMPARE)
        self.status = QLabel("", self)
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Reconciliation status")
        self.summary = QLabel("", self)
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Reconciliation summary")
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.issues_title = QLabel("", self)
        self.issues_title.setObjectName("sectionTitle")
        self.issues = _table(self, ISSUE_COLUMNS, ISSUES)
        for number, width in enumerate((230, 200, 100, 100, 120)):
            self.issues.setColumnWidth(number, width)
        self.settlements = _table(self, SETTLEMENT_COLUMNS, SETTLEMENTS)
        for number, width in enumerate((150, 110, 130, 110, 100, 90, 110)):
            self.settlements.setColumnWidth(number, width)
        self.unsettled = QLabel("", self)
        self.unsettled.setWordWrap(True)
        self.unsettled.setAccessibleName("Not settled yet")

        top = QHBoxLayout()
        top.addWidget(self.days)
        top.addWidget(self.compare)
        top.addStretch(1)
        box = QGroupBox(SETTLEMENTS, self)
        inner = QVBoxLayout(box)
        inner.addWidget(self.settlements)
        inner.addWidget(self.unsettled)
        column = QVBoxLayout(self)
        column.addLayout(top)
        column.addWidget(self.note)
        column.addWidget(self.status)
        column.addWidget(self.summary)
        column.addWidget(self.issues_title)
        column.addWidget(self.issues, 3)
        column.addWidget(box, 2)
        self.compare.clicked.connect(lambda _=False: self.request_load())
        self.issues.cellDoubleClicked.connect(lambda row, _column: self.open_issue(row))
        self.issues.setToolTip("Double-click a sale the till knows to open it.")

    def open_issue(self, row: int) -> None:
        """Open the issue's sale in Transactions (when the till has it)."""
        if self.report is None or not 0 <= row < len(self.report.issues):
            return
        sale = self.report.issues[row].sale
        if sale is not None:
            self.open_sale_requested.emit(sale.order_id)

    def request_load(self) -> None:
        self.status.setText(READING)
        start, end = self.days.bounds()
        self.load_requested.emit(start, end)

    def set_busy(self, busy: bool) -> None:
        self.compare.setEnabled(not busy)

    def show_message(self, message: str) -> None:
        self.status.setText(message)

    def show_report(self, report: ReconReport) -> None:
        self.report = report
        if report.error:
            self.status.setText(report.error)
        else:
            self.status.setText(f"Read {report.events:,} lines of Cashfree's records.")
        self.summary.setText(
            ""
            if report.error
            else (
                f"Cashfree received {report.cashfree_paid.amount.format()} "
                f"({report.cashfree_paid.count:,})   ·   the till recorded "
                f"{report.journal_paid.amount.format()} ({report.journal_paid.count:,})   ·   "
                f"agree: {report.matched.count:,}   ·   {settlement_state(report)}"
                + (
                    f"   ·   other tills: {report.other_tills.amount.format()} "
                    f"({report.other_tills.count:,})"
                    if report.other_tills.count
                    else ""
                )
            )
        )
        count = len(report.issues)
        self.issues_title.setText(f"{ISSUES}: {count}" if count else ALL_AGREE)
        self.issues.setVisible(bool(count))
        self.issues.setRowCount(count)
        for row, issue in enumerate(report.issues):
            cells = (
                _cell(issue.title),
                _cell(issue.order_id or ""),
                _cell(issue.amount.format(), right=True),
                _cell(_when(issue.at, self.zone)),
                _cell(issue.utr or ""),
                _cell(issue.detail),
            )
            for number, cell in enumerate(cells):
                cell.setToolTip(issue.detail)
                self.issues.setItem(row, number, cell)
        self.issues.resizeRowsToContents()
        self.settlements.setRowCount(len(report.settlements))
        for row, group in enumerate(report.settlements):
            line = (
                _cell(group.utr or group.cf_settlement_id),
                _cell(_when(group.settled_at, self.zone)),
                _cell(
                    f"{group.day_payments.count:,} · {group.day_payments.amount.format()}",
                    right=True,
                ),
                _cell(group.gross.format(), right=True),
                _cell(group.charges.format(), right=True),
                _cell(group.tax.format(), right=True),
                _cell(group.adjustment.format(), right=True),
                _cell(group.net.format(), right=True),
            )
            for number, cell in enumerate(line):
                self.settlements.setItem(row, number, cell)
        parts = []
        if not report.settlements and not report.error:
            parts.append(NO_SETTLEMENTS)
        if report.unsettled.count:
            parts.append(
                f"Not settled yet: {payments(report.unsettled.count)}, "
                f"{report.unsettled.amount.format()} (expected "
                f"{report.expected:%d %b %Y}; UPI usually settles the next working day)."
            )
        self.unsettled.setText(" ".join(parts))
