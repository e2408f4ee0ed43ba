"""The refund request dialog: a refund asked for through the MCP server, which the manager
approves (the refund is then made, as with Refund…) or rejects. Opened with open(), after
the manager PIN; it emits `approved(request_id)` or `rejected(request_id, note)` and the
console answers with `show_outcome` or `show_refusal`."""

from __future__ import annotations

from datetime import tzinfo

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

from pos_app.domain.sale import Sale
from pos_app.services.refunds.requests import RefundRequest
from pos_app.ui.manager import text

__all__ = ["RefundRequestDialog"]


class RefundRequestDialog(QDialog):
    approved = Signal(str)  # request id
    rejected = Signal(str, object)  # request id, note (str | None)

    def __init__(
        self, sale: Sale, request: RefundRequest, zone: tzinfo, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{text.REQUEST_TITLE}: {sale.order_id}")
        self.setModal(True)
        self.setMinimumWidth(460)
        self.sale = sale
        self.request = request
        self.decided: str | None = None  # the outcome's message, once there is one
        facts = QFormLayout()
        for label, value in (
            ("Sale", f"{sale.order_id} · {sale.amount.format()}"),
            ("Refund asked", request.amount.format()),
            ("Reason given", request.reason),
            ("Asked by", f"{request.source.upper()} at {text.local(request.created_at, zone)}"),
            ("Request", request.request_id),
        ):
            shown = QLabel(value, self)
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            shown.setAccessibleName(label)
            shown.setWordWrap(True)
            facts.addRow(label, shown)
        self.note = QLineEdit(self)
        self.note.setAccessibleName(text.REQUEST_NOTE)
        self.note.setMaxLength(100)
        facts.addRow(text.REQUEST_NOTE, self.note)
        self.status = QLabel("", self)
        self.status.setObjectName("refusal")
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Refund request status")
        self.status.hide()
        self.approve_button = QPushButton(text.REQUEST_APPROVE, self)
        self.approve_button.clicked.connect(lambda _=False: self.approve())
        self.reject_button = QPushButton(text.REQUEST_REJECT, self)
        self.reject_button.clicked.connect(lambda _=False: self.reject_request())
        self.close_button = QPushButton(text.REFUND_CANCEL, self)
        self.close_button.clicked.connect(lambda _=False: self.reject())
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.reject_button)
        buttons.addWidget(self.approve_button)
        column = QVBoxLayout(self)
        column.addLayout(facts)
        column.addWidget(self.status)
        column.addLayout(buttons)

    def approve(self) -> None:
        if not self.approve_button.isEnabled():
            return
        self._working(text.REQUEST_WORKING)
        self.approved.emit(self.request.request_id)

    def reject_request(self) -> None:
        if not self.reject_button.isEnabled():
            return
        note = " ".join(self.note.text().split()) or None
        self._working("")
        self.rejected.emit(self.request.request_id, note)

    def show_outcome(self, message: str) -> None:
        self.decided = message
        self._say(message)
        self.approve_button.hide()
        self.reject_button.hide()
        self.close_button.setText(text.REFUND_CLOSE)
        self.close_button.setEnabled(True)
        self.close_button.setDefault(True)

    def show_refusal(self, message: str) -> None:
        self._say(message)
        self.approve_button.setEnabled(True)
        self.reject_button.setEnabled(True)
        self.note.setEnabled(True)

    def _working(self, message: str) -> None:
        self.approve_button.setEnabled(False)
        self.reject_button.setEnabled(False)
        self.note.setEnabled(False)
        self._say(message)
        self.close_button.setText(text.REFUND_CLOSE)

    def _say(self, message: str) -> None:
        self.status.setText(message)
        self.status.setVisible(bool(message))
