"""Send a payment link by SMS / e-mail from the waiting screen.

Cashfree has no "send the notification again" call, so sending means: the cashier gives the
customer's mobile number and/or e-mail, the link on screen is closed, and a new link for the
same amount is created with Cashfree's own SMS / e-mail switched on. This dialog only asks
and validates (pos_app.domain.validate); the window and the controller do the rest.

The wording of this feature lives here, beside the one widget that shows most of it.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from pos_app.domain import validate
from pos_app.domain.validate import ValidationError

# ---- wording ------------------------------------------------------------------------------
SEND_LINK = "Send SMS / e-mail"
SEND_TITLE = "Send the payment link"
SEND_EXPLAIN = (
    "Cashfree texts and/or e-mails the customer a payment link for the same amount. "
    "The link on screen is closed first; if the customer has already paid it, "
    "the payment is kept and nothing new is sent."
)
SEND_YES = "Send the link"
SEND_NO = "Keep waiting"
PHONE = "Customer mobile"
EMAIL = "Customer e-mail"
NEED_ONE = "Enter the customer's mobile number, e-mail address, or both."
RESENDING = "Closing this link to send a new one…"
NOT_RESENT = (
    "No new payment link was made: the payment on screen could not be closed yet. The till "
    "keeps checking it; try again once this sale has ended."
)


@dataclass(frozen=True, slots=True)
class LinkRecipients:
    """Where Cashfree should send the new link (validated; at least one is set)."""

    phone: str | None = None  # 10 digits
    email: str | None = None


def read_recipients(phone_text: str, email_text: str) -> LinkRecipients:
    """Validate what the cashier typed. Raises ValidationError(field, message)."""
    phone = validate.phone(phone_text) if phone_text.strip() else None
    email = validate.email(email_text) if email_text.strip() else None
    if phone is None and email is None:
        raise ValidationError("phone", NEED_ONE)
    return LinkRecipients(phone=phone, email=email)


class SendLinkDialog(QDialog):
    """Asks for the mobile number / e-mail; emits `chosen(LinkRecipients)` and closes only
    when the input is valid. Shown with open(), never exec() (the loop keeps running)."""

    chosen = Signal(object)  # LinkRecipients

    def __init__(self, parent: QWidget | None = None, *, phone: str = "", email: str = "") -> None:
        super().__init__(parent)
        self.setObjectName("sendLinkDialog")
        self.setWindowTitle(SEND_TITLE)
        self.setAccessibleName(SEND_TITLE)
        explain = QLabel(SEND_EXPLAIN, self)
        explain.setWordWrap(True)
        explain.setMinimumWidth(440)  # wraps to a few lines; the dialog fits around it
        self.phone = self._field(PHONE, "10-digit mobile", 16, phone)
        self.email = self._field(EMAIL, "name@example.com", 100, email)
        self.refusal = QLabel("", self)
        self.refusal.setObjectName("refusal")
        self.refusal.setAccessibleName("Problem with the input")
        self.refusal.setWordWrap(True)
        self.refusal.setVisible(False)

        buttons = QDialogButtonBox(self)
        self.send_button = buttons.addButton(SEND_YES, QDialogButtonBox.ButtonRole.AcceptRole)
        self.keep_button = buttons.addButton(SEND_NO, QDialogButtonBox.ButtonRole.RejectRole)
        self.send_button.setAccessibleName(SEND_YES)
        self.keep_button.setAccessibleName(SEND_NO)
        self.send_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow(PHONE, self.phone)
        form.addRow(EMAIL, self.email)
        column = QVBoxLayout(self)
        # The dialog takes the size its content needs, and grows when a refusal shows.
        column.setSizeConstraint(QLayout.SizeConstraint.SetFixedSize)
        column.addWidget(explain)
        column.addLayout(form)
        column.addWidget(self.refusal)
        column.addWidget(buttons)
        QWidget.setTabOrder(self.phone, self.email)
        QWidget.setTabOrder(self.email, self.send_button)
        QWidget.setTabOrder(self.send_button, self.keep_button)
        self.phone.setFocus(Qt.FocusReason.OtherFocusReason)

    def _field(self, label: str, placeholder: str, limit: int, value: str) -> QLineEdit:
        edit = QLineEdit(value, self)
        edit.setPlaceholderText(placeholder)
        edit.setMaxLength(limit)
        edit.setAccessibleName(label)
        edit.textEdited.connect(lambda _: self._mark(edit, False))
        return edit

    @staticmethod
    def _mark(edit: QLineEdit, invalid: bool) -> None:
        edit.setProperty("invalid", invalid)
        edit.style().unpolish(edit)
        edit.style().polish(edit)

    def accept(self) -> None:
        try:
            recipients = read_recipients(self.phone.text(), self.email.text())
        except ValidationError as refused:
            edit = self.email if refused.field == "email" else self.phone
            self._mark(edit, True)
            self.refusal.setText(refused.message)
            self.refusal.setVisible(True)
            edit.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        super().accept()
        self.chosen.emit(recipients)
