"""The refund dialog: how much (all that is left by default) and why; then the outcome.

Opened with open(). It checks what it can on the spot (an amount, at most what is left, a
sensible reason) and emits `submitted(order_id, Money, reason)`; the console runs the
refund and calls `show_outcome` (or `show_refusal`). The manager PIN was asked before the
dialog opened.

Outcomes wear their meaning: success green, in progress (not confirmed, pending at the
bank, or a refund already on its way) neutral, failure or refusal red; the "refunded"
line updates with the outcome. While a refund of the sale is on its way the dialog says
so ("₹100.00 is already on its way (refund RF-…, pending since …)"); a further refund
then needs "Refund another amount…", which asks the manager PIN again
(`another_requested`).
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
from pos_app.services.refunds.service import (
    RefundOutcome,
    RefundRecord,
    RefundRefused,
    clean_reason,
    on_its_way,
)
from pos_app.ui.manager import text

__all__ = ["RefundDialog"]


_FAILED = ("FAILED", "CANCELLED")


class RefundDialog(QDialog):
    submitted = Signal(str, object, object)  # order id, Money, reason (str | None)
    another_requested = Signal(str, object, object)  # the same, as a FURTHER refund

    def __init__(
        self,
        sale: Sale,
        refundable: Money,
        parent: QWidget | None = None,
        *,
        waiting: RefundRecord | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{text.REFUND_TITLE}: {sale.order_id}")
        self.setModal(True)
        self.setMinimumWidth(520)
        self.sale = sale
        self.left = refundable
        self.outcome: RefundOutcome | None = None
        self.waiting = waiting
        heading = QLabel(
            text.refundable_line(sale.amount, sale.amount - refundable, refundable), self
        )
        heading.setWordWrap(True)
        heading.setAccessibleName("Refund totals")
        self.heading = heading
        self.amount = QLineEdit(refundable.format(symbol=False), self)
        self.amount.setAccessibleName(text.REFUND_AMOUNT)
        self.reason = QLineEdit(self)
        self.reason.setAccessibleName(text.REFUND_REASON)
        self.reason.setMaxLength(100)
        self.status = QLabel("", self)
        self.status.setObjectName("refundStatus")
        self.status.setProperty("tone", "failure")
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Refund status")
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status.hide()
        self.go = QPushButton(text.REFUND_GO, self)
        self.go.setDefault(True)
        self.go.clicked.connect(lambda _=False: self.submit())
        self.close_button = QPushButton(text.REFUND_CANCEL, self)
        self.close_button.clicked.connect(lambda _=False: self.reject())
        self.another = QPushButton(text.REFUND_ANOTHER, self)
        self.another.clicked.connect(lambda _=False: self.submit(another=True))
        self.another.hide()
        form = QFormLayout()
        form.addRow(text.REFUND_AMOUNT, self.amount)
        form.addRow(text.REFUND_REASON, self.reason)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.another)
        buttons.addWidget(self.go)
        column = QVBoxLayout(self)
        column.addWidget(QLabel(f"<b>{sale.amount.format()}</b> · {sale.order_id}", self))
        column.addWidget(heading)
        column.addLayout(form)
        column.addWidget(self.status)
        column.addLayout(buttons)
        self.amount.selectAll()
        self.amount.setFocus(Qt.FocusReason.OtherFocusReason)
        if waiting is not None:
            # "Refund" as it stands asks about THAT refund; a further one is typed in.
            self.amount.setText(waiting.amount.format(symbol=False))
            self.amount.selectAll()
            self.show_waiting(waiting)

    def show_waiting(self, waiting: RefundRecord, message: str | None = None) -> None:
        """A refund of this sale is on its way: say so; a further one needs "another"."""
        self.waiting = waiting
        self._say(
            message
            or f"{on_its_way(waiting)} Refund sends nothing new: it checks that "
            'refund. For a further refund use "Refund another amount…" (PIN again).',
            "progress",
        )
        self.another.show()
        self.another.setEnabled(True)
        self.go.setEnabled(True)
        self.amount.setEnabled(True)
        self.reason.setEnabled(True)
        self.close_button.setText(text.REFUND_CANCEL)

    def submit(self, another: bool = False) -> None:
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
        if another:
            self.another_requested.emit(self.sale.order_id, amount, reason)
        else:
            self.submitted.emit(self.sale.order_id, amount, reason)

    def show_working(self) -> None:
        self.go.setEnabled(False)
        self.another.setEnabled(False)
        self.amount.setEnabled(False)
        self.reason.setEnabled(False)
        self._say(text.REFUNDING, "progress")
        # Closing now does not stop the refund: the console reports how it ended.
        self.close_button.setText(text.REFUND_CLOSE)

    def show_refusal(self, message: str) -> None:
        self._say(message, "failure")
        self.close_button.setText(text.REFUND_CANCEL)
        self.another.setEnabled(True)
        self.go.setEnabled(True)
        self.amount.setEnabled(True)
        self.reason.setEnabled(True)

    def show_outcome(self, outcome: RefundOutcome, taken: Money | None = None) -> None:
        """The refund's outcome in its colour; `taken` (refunded or on its way, from the
        journal) updates the totals line."""
        self.outcome = outcome
        status = outcome.refund.status
        tone = "success" if status == "SUCCESS" else "failure" if status in _FAILED else "progress"
        self._say(outcome.message, tone)
        if taken is None:
            earlier = self.sale.amount - self.left
            new = Money(0) if outcome.resumed or status in _FAILED else outcome.refund.amount
            taken = earlier + new
        self.heading.setText(
            text.refundable_line(self.sale.amount, taken, self.sale.amount - taken)
        )
        self.go.hide()
        self.another.hide()
        self.close_button.setText(text.REFUND_CLOSE)
        self.close_button.setDefault(True)
        self.close_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _say(self, message: str, tone: str = "failure") -> None:
        self.status.setProperty("tone", tone)
        style = self.status.style()
        style.unpolish(self.status)
        style.polish(self.status)
        self.status.setText(message)
        self.status.setVisible(bool(message))
        self.adjustSize()  # grow around a longer sentence; never clip it
