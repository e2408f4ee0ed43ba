"""The refund dialog: how much (all that is left by default) and why; then the outcome.

Opened with open(). It checks what it can on the spot (an amount, at most what is left, a
sensible reason) and emits `submitted(order_id, Money, reason)`; the console runs the
refund and calls `show_outcome` (or `show_refusal`). The manager PIN was asked before the
dialog opened.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pos_app.domain.money import Money
from pos_app.domain.sale import Sale
from pos_app.domain.validate import ValidationError
from pos_app.services.refunds import RefundOutcome, RefundRefused, clean_reason
from pos_app.ui.manager import text

__all__ = ["RefundDialog"]


class RefundDialog(QDialog):
    submitted = Signal(str, object, object)  # order id, Money, reason (str | None)

    def __init__(self, sale: Sale, refundable: Money, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{text.REFUND_TITLE}: {sale.order_id}")
        self.setModal(True)
        self.sale = sale
        self.left = refundable
        self.outcome: RefundOutcome | None = None
        heading = QLabel(
            text.refundable_line(sale.amount, sale.amount - refundable, refundable), self
        )
        heading.setWordWrap(True)
        self.amount = QLineEdit(refundable.format(symbol=False), self)
        self.amount.setAccessibleName(text.REFUND_AMOUNT)
        self.reason = QLineEdit(self)
        self.reason.setAccessibleName(text.REFUND_REASON)
        self.reason.setMaxLength(100)
        self.status = QLabel("", self)
        self.status.setObjectName("refusal")
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Refund status")
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status.hide()
        self.go = QPushButton(text.REFUND_GO, self)
        self.go.setDefault(True)
        self.go.clicked.connect(lambda _=False: self.submit())
        self.close_button = QPushButton(text.REFUND_CANCEL, self)
        self.close_button.clicked.connect(lambda _=False: self.reject())
        form = QFormLayout()
        form.addRow(text.REFUND_AMOUNT, self.amount)
        form.addRow(text.REFUND_REASON, self.reason)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.go)
        column = QVBoxLayout(self)
        column.addWidget(QLabel(f"<b>{sale.amount.format()}</b> · {sale.order_id}", self))
        column.addWidget(heading)
        column.addLayout(form)
        column.addWidget(self.status)
        column.addLayout(buttons)
        self.amount.selectAll()
        self.amount.setFocus(Qt.FocusReason.OtherFocusReason)

    def submit(self) -> None:
        if not self.go.isEnabled():
            return
        try:
            amount = Money.parse(self.amount.text(), minimum=Money(1))
        except ValidationError as refused:
            self.show_refusal(refused.message)
            return
        if amount > self.left:
            self.show_refusal(text.more_than_left(self.left))
            return
        try:
            reason = clean_reason(self.reason.text())
        except RefundRefused as refused:
            self.show_refusal(refused.message)
            return
        self.show_working()
        self.submitted.emit(self.sale.order_id, amount, reason)

    def show_working(self) -> None:
        self.go.setEnabled(False)
        self.amount.setEnabled(False)
        self.reason.setEnabled(False)
        self._say(text.REFUNDING)
        # Closing now does not stop the refund: the console reports how it ended.
        self.close_button.setText(text.REFUND_CLOSE)

    def show_refusal(self, message: str) -> None:
        self._say(message)
        self.close_button.setText(text.REFUND_CANCEL)
        self.go.setEnabled(True)
        self.amount.setEnabled(True)
        self.reason.setEnabled(True)

    def show_outcome(self, outcome: RefundOutcome) -> None:
        self.outcome = outcome
        self._say(outcome.message)
        self.go.hide()
        self.close_button.setText(text.REFUND_CLOSE)
        self.close_button.setDefault(True)
        self.close_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _say(self, message: str) -> None:
        self.status.setText(message)
        self.status.setVisible(bool(message))
