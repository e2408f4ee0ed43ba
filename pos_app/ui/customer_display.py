"""The customer-facing window for a second screen: welcome, amount and QR, thank you."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from pos_app.domain.sale import Method, SaleStatus
from pos_app.services.checkout.state import SaleState
from pos_app.ui import text
from pos_app.ui.widgets.qr_view import QrView


class CustomerDisplay(QWidget):
    otp_submitted = Signal(str)  # card sales: the customer typed the bank's OTP here

    def __init__(self, store_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("customerDisplay")
        self.setWindowTitle(f"{store_name}: customer display")
        self.setAccessibleName("Customer display")
        self.pages = QStackedWidget(self)
        self._columns: dict[QWidget, QVBoxLayout] = {}

        self.welcome = self._page("customerWelcome")
        self.welcome_text = self._text(self.welcome, "customerTitle", text.CUSTOMER_WELCOME)
        self._text(self.welcome, "customerStore", store_name)

        self.paying = self._page("customerPaying")
        self.amount = self._text(self.paying, "customerAmount", "")
        self.instruction = self._text(self.paying, "customerInstruction", text.CUSTOMER_SCAN)
        self.qr = QrView(self.paying)
        self._columns[self.paying].addWidget(self.qr, 1)
        self.status = self._text(self.paying, "customerStatus", "")
        self.otp_row = QWidget(self.paying)
        self.otp = QLineEdit(self.otp_row)
        self.otp.setObjectName("otpField")
        self.otp.setAccessibleName(text.OTP)
        self.otp.setPlaceholderText(text.CUSTOMER_OTP_HINT)
        self.otp.setEchoMode(QLineEdit.EchoMode.Password)
        self.otp.setMaxLength(8)
        self.otp.setValidator(QRegularExpressionValidator(r"[0-9]{0,8}", self.otp))
        self.otp.returnPressed.connect(self._submit_otp)
        self.otp_button = QPushButton(text.SUBMIT_OTP, self.otp_row)
        self.otp_button.setAccessibleName(text.SUBMIT_OTP)
        self.otp_button.clicked.connect(lambda _=False: self._submit_otp())
        row = QHBoxLayout(self.otp_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.otp, 1)
        row.addWidget(self.otp_button)
        self._columns[self.paying].addWidget(self.otp_row)
        self.otp_row.setVisible(False)

        self.paid = self._page("customerPaid")
        self.paid_title = self._text(self.paid, "customerPaidTitle", text.CUSTOMER_PAID)
        self.paid_amount = self._text(self.paid, "customerAmount", "")

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.pages)
        self.show_welcome()

    def _page(self, name: str) -> QWidget:
        page = QWidget(self.pages)
        page.setObjectName(name)
        column = QVBoxLayout(page)
        column.setContentsMargins(32, 24, 32, 24)
        column.setSpacing(12)
        self.pages.addWidget(page)
        self._columns[page] = column
        return page

    def _text(self, page: QWidget, name: str, caption: str) -> QLabel:
        label = QLabel(caption, page)
        label.setObjectName(name)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setWordWrap(True)
        label.setAccessibleName(name)
        self._columns[page].addWidget(label)
        return label

    def show_welcome(self) -> None:
        self.otp.clear()
        self.pages.setCurrentWidget(self.welcome)

    def _submit_otp(self) -> None:
        value = self.otp.text().strip()
        self.otp.clear()
        if value:
            self.otp_submitted.emit(value)

    def show_state(self, state: SaleState) -> None:
        if state.status is SaleStatus.PAID:
            self.paid_amount.setText(state.amount.format())
            self.pages.setCurrentWidget(self.paid)
            return
        if state.is_final:
            self.show_welcome()
            return
        self.amount.setText(state.amount.format())
        shows_code = state.method is not Method.COLLECT and state.has_qr
        self.qr.setVisible(shows_code)
        self.qr.set_code(*((state.qr, state.qr_image) if shows_code else (None, None)))
        if state.method is Method.COLLECT:
            instruction = text.COLLECT_INSTRUCTION
        elif state.method in (Method.CARD, Method.CHECKOUT):
            instruction = _customer_instruction(state)
        elif not shows_code:  # never "Scan…" without a code to scan
            instruction = text.CUSTOMER_WAIT
        else:
            instruction = text.CUSTOMER_SCAN
        self.instruction.setText(instruction)
        wants_otp = state.card is not None and state.card.needs_otp
        self.otp_row.setVisible(wants_otp)
        if not wants_otp:
            self.otp.clear()
        self.status.setText(
            text.attempt_failed(state.attempt_failed) if state.attempt_failed else ""
        )
        self.pages.setCurrentWidget(self.paying)


def _customer_instruction(state: SaleState) -> str:
    if state.method is Method.COLLECT:
        return text.COLLECT_INSTRUCTION
    if state.method is Method.CARD:
        card = state.card
        if card is not None and card.bank_page and state.has_qr:
            return text.CUSTOMER_BANK_PAGE
        return text.CUSTOMER_CARD_OTP
    if state.method is Method.CHECKOUT:
        return text.CHECKOUT_INSTRUCTION
    return text.CUSTOMER_SCAN
