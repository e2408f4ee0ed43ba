"""Day end: what needs a look first, then collected / refunded / net / pending, counts,
totals by method and payment type, and the hourly chart; export, print and PDF.

The view renders a DayReport and emits intents; the console runs them through the
ManagerController. Saving a file starts from a QFileDialog opened with open().
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, tzinfo
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pos_app.domain.sale import Method, SaleStatus
from pos_app.services.reporting.day_end import DayReport
from pos_app.services.reporting.day_refresh import DayRefresh
from pos_app.services.reporting.reports import EXCEPTION_TITLES, day_summary_csv, exception_detail
from pos_app.ui.manager import text
from pos_app.ui.manager.filters import DayRange, till_box
from pos_app.ui.manager.hourly_chart import HourlyChart
from pos_app.ui.manager.save_folder import in_documents

__all__ = ["DayEndView"]

_COUNTED = (SaleStatus.PAID, SaleStatus.EXPIRED, SaleStatus.CANCELLED, SaleStatus.FAILED)


def _value(parent: QWidget, name: str) -> QLabel:
    label = QLabel("", parent)
    label.setAccessibleName(name)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class DayEndView(QWidget):
    load_requested = Signal(object, object, object)  # start, end (UTC), terminal id or None
    refresh_requested = Signal(object, object, object)
    export_sales_requested = Signal(object)  # Path
    print_requested = Signal()
    pdf_requested = Signal(object)  # Path

    def __init__(
        self, today: date, zone: tzinfo, terminals: list[str], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.zone = zone
        self.report: DayReport | None = None
        self.dialog: QFileDialog | None = None
        self.days = DayRange(today, zone, self)
        self.till = till_box(self, terminals)
        self.show_button = QPushButton(text.SHOW, self)
        self.refresh_button = QPushButton(text.REFRESH_DAY, self)
        self.status = QLabel("", self)
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Day end status")
        top = QHBoxLayout()
        top.addWidget(self.days)
        top.addWidget(self.till)
        top.addWidget(self.show_button)
        top.addStretch(1)
        top.addWidget(self.refresh_button)

        self.exceptions_title = QLabel("", self)
        self.exceptions_title.setObjectName("sectionTitle")
        self.exceptions = QTableWidget(0, len(text.EXCEPTION_COLUMNS), self)
        self.exceptions.setHorizontalHeaderLabels(list(text.EXCEPTION_COLUMNS))
        self.exceptions.setAccessibleName(text.NEEDS_A_LOOK)
        self.exceptions.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.exceptions.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.exceptions.verticalHeader().hide()
        self.exceptions.setMinimumHeight(220)
        for number, width in enumerate((190, 220, 110)):
            self.exceptions.setColumnWidth(number, width)

        self.values: dict[str, QLabel] = {}
        totals = QGroupBox("Totals", self)
        grid = QGridLayout(totals)
        names = [text.COLLECTED, text.REFUNDED, text.NET, text.PENDING, text.PENDING_REFUNDS]
        names += [text.STATUS_NAMES[s] for s in _COUNTED]
        for n, name in enumerate(names):
            grid.addWidget(QLabel(name, totals), n % 5, (n // 5) * 2)
            self.values[name] = _value(totals, name)
            grid.addWidget(self.values[name], n % 5, (n // 5) * 2 + 1)
        self.by_method = QLabel("", self)
        self.by_method.setAccessibleName(text.BY_METHOD)
        self.by_group = QLabel("", self)
        self.by_group.setAccessibleName(text.BY_GROUP)
        self.chart = HourlyChart(self)

        self.buttons: dict[str, QPushButton] = {}
        actions = QHBoxLayout()
        for key, label in (
            ("sales", text.EXPORT_SALES),
            ("summary", text.EXPORT_SUMMARY),
            ("print", text.PRINT),
            ("pdf", text.SAVE_PDF),
        ):
            button = QPushButton(label, self)
            button.setAccessibleName(label)
            self.buttons[key] = button
            actions.addWidget(button)
        actions.addStretch(1)

        body = QWidget(self)
        column = QVBoxLayout(body)
        column.addWidget(self.exceptions_title)
        column.addWidget(self.exceptions, 2)
        column.addWidget(totals)
        for title, shown in ((text.BY_METHOD, self.by_method), (text.BY_GROUP, self.by_group)):
            box = QGroupBox(title, body)
            QVBoxLayout(box).addWidget(shown)
            column.addWidget(box)
        chart_box = QGroupBox(text.HOURLY, body)
        QVBoxLayout(chart_box).addWidget(self.chart)
        column.addWidget(chart_box, 1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        outer = QVBoxLayout(self)
        outer.addLayout(top)
        outer.addWidget(self.status)
        outer.addWidget(scroll, 1)
        outer.addLayout(actions)

        self.show_button.clicked.connect(lambda _=False: self.request_load())
        self.refresh_button.clicked.connect(lambda _=False: self._request(self.refresh_requested))
        self.buttons["sales"].clicked.connect(
            lambda _=False: self._ask_path(text.CSV_FILTER, "sales", self._export_sales)
        )
        self.buttons["summary"].clicked.connect(
            lambda _=False: self._ask_path(text.CSV_FILTER, "day-summary", self.export_summary_to)
        )
        self.buttons["print"].clicked.connect(lambda _=False: self.print_requested.emit())
        self.buttons["pdf"].clicked.connect(
            lambda _=False: self._ask_path(text.PDF_FILTER, "day-end", self.pdf_requested.emit)
        )
        self._enable(False)

    # ---- intents ---------------------------------------------------------------------------
    def selection(self) -> tuple[datetime, datetime, str | None]:
        start, end = self.days.bounds()
        return start, end, self.till.currentData()

    def request_load(self) -> None:
        self.status.setText(text.LOADING)
        self._request(self.load_requested)

    def _request(self, signal: object) -> None:
        start, end, terminal = self.selection()
        signal.emit(start, end, terminal)  # type: ignore[attr-defined]

    def export_summary_to(self, path: Path) -> None:
        if self.report is None:
            return
        content = day_summary_csv(self.report)
        Path(path).write_text(content, encoding="utf-8", newline="")
        self.status.setText(text.exported(content.count("\r\n") - 1, str(path)))

    def _export_sales(self, path: Path) -> None:
        self.export_sales_requested.emit(path)

    def _ask_path(self, kind: str, stem: str, then: Callable[[Path], object]) -> None:
        first, last = self.days.days()
        days = f"{first:%Y-%m-%d}" if first == last else f"{first:%Y-%m-%d}_{last:%Y-%m-%d}"
        suffix = ".pdf" if "pdf" in kind else ".csv"
        dialog = QFileDialog(self, "", in_documents(f"{stem}-{days}{suffix}"), kind)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix(suffix.lstrip("."))
        dialog.fileSelected.connect(lambda chosen: then(Path(chosen)))
        self.dialog = dialog
        dialog.open()

    # ---- rendering ------------------------------------------------------------------------------
    def show_report(self, report: DayReport) -> None:
        self.report = report
        self.status.setText("")
        count = len(report.exceptions)
        if count:
            more = f" and {report.exceptions_left_out} more" if report.exceptions_left_out else ""
            self.exceptions_title.setText(f"{text.NEEDS_A_LOOK}: {count}{more}")
        else:
            self.exceptions_title.setText(text.NOTHING_TO_LOOK_AT)
        self.exceptions.setVisible(bool(count))
        self.exceptions.setRowCount(count)
        for row, item in enumerate(report.exceptions):
            amount = item.refund.amount if item.refund is not None else item.sale.amount
            cells = (
                EXCEPTION_TITLES[item.kind],
                item.sale.order_id,
                amount.format(),
                exception_detail(item, report.zone),
            )
            for column, value in enumerate(cells):
                self.exceptions.setItem(row, column, QTableWidgetItem(value))
        shown = {
            text.COLLECTED: report.collected,
            text.REFUNDED: report.refunded,
            text.PENDING: report.pending,
            text.PENDING_REFUNDS: report.pending_refunds,
        }
        for name, tally in shown.items():
            self.values[name].setText(f"{tally.amount.format()}  ({tally.count:,})")
        self.values[text.NET].setText(report.net.format())
        for status in _COUNTED:
            self.values[text.STATUS_NAMES[status]].setText(f"{report.count(status):,}")
        self.by_method.setText(
            "   ".join(
                f"{m.label}: {report.totals.paid_by_method[m].amount.format()}"
                f" ({report.totals.paid_by_method[m].count:,})"
                for m in Method
                if m in report.totals.paid_by_method
            )
        )
        self.by_group.setText(
            "   ".join(
                f"{name}: {t.amount.format()} ({t.count:,})" for name, t in report.by_family.items()
            )
        )
        self.chart.set_hours(report.hours)
        self._enable(True)

    def show_progress(self, done: int, total: int) -> None:
        self.status.setText(text.progress(done, total))

    def show_refresh(self, result: DayRefresh) -> None:
        self.status.setText(text.refreshed(result))

    def show_message(self, message: str) -> None:
        self.status.setText(message)

    def set_busy(self, busy: bool) -> None:
        self.refresh_button.setEnabled(not busy)
        self.show_button.setEnabled(not busy)

    def _enable(self, ready: bool) -> None:
        for button in self.buttons.values():
            button.setEnabled(ready)
