"""The filter bar of the transactions list: days, status, method, till and a search box.

It emits `changed(SalesFilter)` whenever the choice changes (the search box after a short
pause in typing), and `current()` gives the filter at any time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, tzinfo

from PySide6.QtCore import QDate, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from pos_app.domain.sale import OPEN_STATUSES, Method, SaleStatus
from pos_app.services.reporting.queries import SalesFilter
from pos_app.services.reporting.reports import day_bounds
from pos_app.ui.manager import text

__all__ = ["SEARCH_PAUSE_MS", "DayRange", "FilterBar"]

SEARCH_PAUSE_MS = 250

_STATUS_CHOICES: list[tuple[str, frozenset[SaleStatus] | None]] = [
    (text.ALL_STATUSES, None),
    (text.STATUS_NAMES[SaleStatus.PAID], frozenset({SaleStatus.PAID})),
    (text.OPEN_SALES, frozenset(OPEN_STATUSES)),
    (text.STATUS_NAMES[SaleStatus.UNCERTAIN], frozenset({SaleStatus.UNCERTAIN})),
    (text.STATUS_NAMES[SaleStatus.EXPIRED], frozenset({SaleStatus.EXPIRED})),
    (text.STATUS_NAMES[SaleStatus.CANCELLED], frozenset({SaleStatus.CANCELLED})),
    (text.STATUS_NAMES[SaleStatus.FAILED], frozenset({SaleStatus.FAILED})),
]


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class DayRange(QWidget):
    """Two date boxes (from, to) in the shop's zone; `bounds()` is [start, end) in UTC."""

    changed = Signal()

    def __init__(self, today: date, zone: tzinfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.zone = zone
        self.first = QDateEdit(_qdate(today), self)
        self.last = QDateEdit(_qdate(today), self)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for label, box in ((text.FROM, self.first), (text.TO, self.last)):
            box.setCalendarPopup(True)
            box.setDisplayFormat("dd MMM yyyy")
            box.setAccessibleName(label)
            row.addWidget(QLabel(label, self))
            row.addWidget(box)
        self.first.dateChanged.connect(self._first_moved)
        self.last.dateChanged.connect(self._last_moved)

    def days(self) -> tuple[date, date]:
        return _pydate(self.first.date()), _pydate(self.last.date())

    def set_days(self, first: date, last: date | None = None) -> None:
        self.first.blockSignals(True)
        self.last.blockSignals(True)
        self.first.setDate(_qdate(first))
        self.last.setDate(_qdate(last or first))
        self.first.blockSignals(False)
        self.last.blockSignals(False)
        self.changed.emit()

    def bounds(self) -> tuple[datetime, datetime]:
        first, last = self.days()
        return day_bounds(first, last, self.zone)

    def _first_moved(self, value: QDate) -> None:
        if value > self.last.date():
            self.last.setDate(value)  # emits changed through _last_moved
            return
        self.changed.emit()

    def _last_moved(self, value: QDate) -> None:
        if value < self.first.date():
            self.first.blockSignals(True)
            self.first.setDate(value)
            self.first.blockSignals(False)
        self.changed.emit()


def till_box(parent: QWidget, terminals: Sequence[str]) -> QComboBox:
    box = QComboBox(parent)
    box.setAccessibleName("Till")
    box.addItem(text.ALL_TILLS, None)
    for terminal in terminals:
        box.addItem(terminal, terminal)
    return box


class FilterBar(QWidget):
    changed = Signal(object)  # SalesFilter

    def __init__(
        self,
        today: date,
        zone: tzinfo,
        terminals: Sequence[str] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.days = DayRange(today, zone, self)
        self.status = QComboBox(self)
        self.status.setAccessibleName("Status")
        for label, statuses in _STATUS_CHOICES:
            self.status.addItem(label, statuses)
        self.method = QComboBox(self)
        self.method.setAccessibleName("Method")
        self.method.addItem(text.ALL_METHODS, None)
        for method in Method:
            self.method.addItem(method.label, method)
        self.till = till_box(self, terminals)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(text.SEARCH_HINT)
        self.search.setAccessibleName("Search")
        self.search.setClearButtonEnabled(True)
        self._pause = QTimer(self)
        self._pause.setSingleShot(True)
        self._pause.setInterval(SEARCH_PAUSE_MS)
        self._pause.timeout.connect(self._emit)
        self.search.textChanged.connect(lambda _text: self._pause.start())
        self.search.returnPressed.connect(self._emit)

        first = QHBoxLayout()
        first.addWidget(self.days)
        first.addWidget(self.search, 1)
        second = QHBoxLayout()
        for widget in (self.status, self.method, self.till):
            second.addWidget(widget)
        second.addStretch(1)
        rows = QVBoxLayout(self)
        rows.setContentsMargins(0, 0, 0, 0)
        rows.addLayout(first)
        rows.addLayout(second)
        emit: Callable[..., None] = lambda *_: self._emit()  # noqa: E731
        self.days.changed.connect(emit)
        self.status.currentIndexChanged.connect(emit)
        self.method.currentIndexChanged.connect(emit)
        self.till.currentIndexChanged.connect(emit)

    def current(self) -> SalesFilter:
        start, end = self.days.bounds()
        method = self.method.currentData()
        return SalesFilter(
            start=start,
            end=end,
            statuses=self.status.currentData(),
            methods=None if method is None else frozenset({method}),
            terminal_id=self.till.currentData(),
            search=self.search.text().strip(),
        )

    def choose_status(self, statuses: frozenset[SaleStatus] | None) -> None:
        for n in range(self.status.count()):
            if self.status.itemData(n) == statuses:
                self.status.setCurrentIndex(n)
                return

    def _emit(self) -> None:
        self._pause.stop()
        self.changed.emit(self.current())
