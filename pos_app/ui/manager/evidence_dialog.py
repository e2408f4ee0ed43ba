""" "The customer says they paid": the manager types the UPI reference (UTR) and the amount
the customer's phone shows; the till looks for it at Cashfree.

The dialog only collects and shows: it emits `submitted(order_id, utr, Money)` and renders
the EvidenceOutcome the console hands back. The amount is NOT filled in for the manager:
it must be read off the customer's screen, not confirmed blindly. Opened with open().
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pos_app.domain.money import Money
from pos_app.domain.sale import Sale
from pos_app.domain.validate import ValidationError
from pos_app.services.checkout.paid_evidence import EvidenceOutcome, clean_utr
from pos_app.services.wording import status_name

__all__ = ["EvidenceDialog"]

TITLE = "The customer says they paid"
INTRO = (
    "Ask the customer for the payment on their phone. Type its UPI reference (UTR: 12 digits, "
    "or at least the last 4) and the amount it shows. The till looks for that payment at "
    "Cashfree; only a match records the sale as paid."
)
UTR_LABEL = "UPI reference (UTR)"
AMOUNT_LABEL = "Amount on the customer's screen"
LOOK = "Look it up at Cashfree"
LOOKING = "Looking for the payment at Cashfree…"
CLOSE = "Close"


class EvidenceDialog(QDialog):
    submitted = Signal(str, str, object)  # order id, reference, Money

    def __init__(self, sale: Sale, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sale = sale
        self.outcome: EvidenceOutcome | None = None
        self.setWindowTitle(TITLE)
        self.setMinimumWidth(560)
        intro = QLabel(INTRO, self)
        intro.setWordWrap(True)
        facts = QLabel(
            f"Sale {sale.order_id} · {sale.amount.format()} · {status_name(sale.status).lower()}",
            self,
        )
        self.utr = QLineEdit(self)
        self.utr.setAccessibleName(UTR_LABEL)
        self.utr.setPlaceholderText("e.g. 412345678901 or 8901")
        self.utr.setMaxLength(40)
        self.amount = QLineEdit(self)
        self.amount.setAccessibleName(AMOUNT_LABEL)
        self.amount.setPlaceholderText("e.g. 450 or 1,250.50")
        self.status = QLabel("", self)
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Result")
        self.look = QPushButton(LOOK, self)
        self.look.setDefault(True)
        buttons = QDialogButtonBox(self)
        buttons.addButton(self.look, QDialogButtonBox.ButtonRole.ActionRole)
        close = buttons.addButton(CLOSE, QDialogButtonBox.ButtonRole.RejectRole)
        close.clicked.connect(self.reject)
        form = QFormLayout()
        form.addRow(UTR_LABEL, self.utr)
        form.addRow(AMOUNT_LABEL, self.amount)
        column = QVBoxLayout(self)
        column.addWidget(intro)
        column.addWidget(facts)
        column.addLayout(form)
        column.addWidget(self.status)
        column.addWidget(buttons)
        self.look.clicked.connect(lambda _=False: self.submit())

    def submit(self) -> bool:
        """Check what was typed; emit `submitted` only when both fields make sense."""
        try:
            utr = clean_utr(self.utr.text())
        except ValueError as exc:
            self.status.setText(str(exc))
            self.utr.setFocus()
            return False
        try:
            amount = Money.parse(self.amount.text(), field="amount")
        except ValidationError as exc:
            self.status.setText(exc.message)
            self.amount.setFocus()
            return False
        self.status.setText(LOOKING)
        self.look.setEnabled(False)
        self.submitted.emit(self.sale.order_id, utr, amount)
        return True

    def show_outcome(self, outcome: EvidenceOutcome) -> None:
        self.outcome = outcome
        self.status.setText(outcome.message)
        self.look.setEnabled(not outcome.recorded)
