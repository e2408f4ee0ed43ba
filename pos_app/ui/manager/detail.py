"""The detail pane of one sale: its facts, what happened (the event timeline), the
customer's failed attempts, its refunds, and the actions a manager can take on it.

It renders a `SaleDetail` and emits intents with the order id; it decides nothing beyond
which actions make sense for the sale's state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo

from PySide6.QtCore import Qt, Signal, SignalInstance
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pos_app.domain.money import Money
from pos_app.domain.sale import OPEN_STATUSES, Sale, SaleEvent, SaleStatus
from pos_app.services.checkout.paid_evidence import EVIDENCE_STATUSES
from pos_app.services.records import RefundRecord
from pos_app.services.refunds.requests import PENDING_APPROVAL, RefundRequest
from pos_app.services.refunds.service import FINAL, describe_refund
from pos_app.ui.manager import text
from pos_app.ui.manager.receipt import Paper
from pos_app.ui.manager.timeline import event_sentence

__all__ = ["ATTEMPT_EVENTS", "DetailPane", "SaleDetail"]

ATTEMPT_EVENTS = frozenset({"attempt_failed", "attempt_refused", "anomaly"})


@dataclass(frozen=True, slots=True)
class SaleDetail:
    sale: Sale
    events: tuple[SaleEvent, ...]
    refunds: tuple[RefundRecord, ...]
    refundable: Money  # paid less refunded and pending (zero unless PAID)
    requests: tuple[RefundRequest, ...] = ()  # refund requests (MCP), oldest first

    @property
    def pending_requests(self) -> tuple[RefundRequest, ...]:
        return tuple(r for r in self.requests if r.status == PENDING_APPROVAL)

    @property
    def unsettled_refunds(self) -> tuple[RefundRecord, ...]:
        return tuple(r for r in self.refunds if r.status not in FINAL)


def _list(parent: QWidget, name: str) -> QListWidget:
    widget = QListWidget(parent)
    widget.setAccessibleName(name)
    widget.setWordWrap(True)
    widget.setAlternatingRowColors(True)
    return widget


class DetailPane(QWidget):
    refresh_requested = Signal(str)
    cancel_requested = Signal(str)
    refund_requested = Signal(str)
    check_refunds_requested = Signal(str)
    print_requested = Signal(str)
    pdf_requested = Signal(str)
    refund_request_requested = Signal(str)
    evidence_requested = Signal(str)  # "the customer says they paid"

    def __init__(self, zone: tzinfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.zone = zone
        self.detail: SaleDetail | None = None
        self.placeholder = QLabel(text.PICK_A_SALE, self)
        self.facts = QFormLayout()
        self.refundable = QLabel("", self)
        self.refundable.setWordWrap(True)
        self.timeline = _list(self, text.TIMELINE)
        self.attempts = _list(self, text.ATTEMPTS)
        self.refunds = _list(self, text.REFUNDS)
        self.buttons: dict[str, QPushButton] = {}
        grid = QGridLayout()
        actions = (
            ("refresh", text.REFRESH, self.refresh_requested),
            ("cancel", text.CANCEL, self.cancel_requested),
            ("refund", text.REFUND, self.refund_requested),
            ("check_refunds", text.CHECK_REFUND, self.check_refunds_requested),
            ("print", text.REPRINT, self.print_requested),
            ("pdf", text.RECEIPT_PDF, self.pdf_requested),
            ("refund_request", text.REQUEST_BUTTON, self.refund_request_requested),
            ("evidence", text.CUSTOMER_PAID, self.evidence_requested),
        )
        for n, (key, label, signal) in enumerate(actions):
            button = QPushButton(label, self)
            button.setAccessibleName(label)
            button.clicked.connect(lambda _=False, s=signal: self._emit(s))
            self.buttons[key] = button
            if key == "evidence":
                button.setToolTip(text.CUSTOMER_PAID_TIP)
            grid.addWidget(button, n // 2, n % 2)  # two a row: fits beside the list at 1024

        self.paper = QComboBox(self)
        self.paper.setAccessibleName("Receipt paper")
        for paper in Paper:
            self.paper.addItem(f"Receipt on {paper.caption}", paper)
        self.paper.setCurrentIndex(self.paper.findData(Paper.ROLL_80))
        grid.addWidget(self.paper, (len(actions) + 1) // 2, 0, 1, 2)

        column = QVBoxLayout(self)
        column.addWidget(self.placeholder)
        column.addLayout(self.facts)
        column.addWidget(self.refundable)
        column.addLayout(grid)
        for title, widget in (
            (text.TIMELINE, self.timeline),
            (text.ATTEMPTS, self.attempts),
            (text.REFUNDS, self.refunds),
        ):
            box = QGroupBox(title, self)
            inner = QVBoxLayout(box)
            inner.addWidget(widget)
            column.addWidget(box, 1)
        self.show_detail(None)

    # ---- rendering -----------------------------------------------------------------------------
    def show_detail(self, detail: SaleDetail | None) -> None:
        self.detail = detail
        while self.facts.rowCount():
            self.facts.removeRow(0)
        for widget in (self.timeline, self.attempts, self.refunds):
            widget.clear()
        self.placeholder.setVisible(detail is None)
        if detail is None:
            self.refundable.setText("")
            for button in self.buttons.values():
                button.setEnabled(False)
            return
        sale = detail.sale
        for label, value in text.sale_lines(sale, self.zone):
            shown = QLabel(value, self)
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            shown.setAccessibleName(label)
            self.facts.addRow(label, shown)
        for event in detail.events:
            self.timeline.addItem(event_sentence(event, self.zone))
        attempts = [e for e in detail.events if e.kind in ATTEMPT_EVENTS]
        for event in attempts:
            self.attempts.addItem(event_sentence(event, self.zone))
        if not attempts:
            self.attempts.addItem(text.NO_ATTEMPTS)
        for refund in detail.refunds:
            self.refunds.addItem(
                f"{text.local(refund.created_at, self.zone)}  {refund.refund_id}  "
                f"{refund.amount.format()}  {refund.status}\n{describe_refund(refund)}"
            )
        if not detail.refunds:
            self.refunds.addItem(text.NO_REFUNDS)
        paid = sale.status is SaleStatus.PAID
        if paid:
            taken = sale.amount - detail.refundable
            self.refundable.setText(text.refundable_line(sale.amount, taken, detail.refundable))
        else:
            self.refundable.setText("")
        self.buttons["refresh"].setEnabled(True)
        self.buttons["cancel"].setEnabled(sale.status in OPEN_STATUSES)
        self.buttons["refund"].setEnabled(paid and detail.refundable.paise > 0)
        self.buttons["check_refunds"].setEnabled(bool(detail.unsettled_refunds))
        self.buttons["print"].setEnabled(paid)
        self.buttons["pdf"].setEnabled(paid)
        self.buttons["refund_request"].setEnabled(paid and bool(detail.pending_requests))
        self.buttons["evidence"].setEnabled(sale.status in EVIDENCE_STATUSES)

    def paper_choice(self) -> Paper:
        chosen = self.paper.currentData()
        return chosen if isinstance(chosen, Paper) else Paper.ROLL_80

    def set_busy(self, busy: bool) -> None:
        if busy:
            for button in self.buttons.values():
                button.setEnabled(False)
        else:
            self.show_detail(self.detail)

    def _emit(self, signal: SignalInstance) -> None:
        if self.detail is not None:
            signal.emit(self.detail.sale.order_id)
