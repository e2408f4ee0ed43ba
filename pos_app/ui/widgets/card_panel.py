"""The card step on the waiting screen: the OTP entry with Submit and "Send OTP again"
(after its cool-down), Cashfree's word on the last OTP, and, when the card did not work,
the card form again for another card.

It renders SaleState.card (a CardPrompt: never card data) and emits intents only.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from pos_app.domain.clock import Clock, utc_now
from pos_app.domain.validate import ValidationError
from pos_app.services.checkout.card_prompt import CardPrompt
from pos_app.ui import text
from pos_app.ui.widgets.card_form import CardForm

__all__ = ["CardPanel"]


class CardPanel(QWidget):
    otp_submitted = Signal(str)
    resend_requested = Signal()
    bank_page_requested = Signal()
    card_entered = Signal(object)  # CardDetails for another try

    def __init__(self, parent: QWidget | None = None, *, clock: Clock = utc_now) -> None:
        super().__init__(parent)
        self.setObjectName("cardPanel")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self._clock = clock
        self._prompt: CardPrompt | None = None
        self.label = QLabel("", self)
        self.label.setObjectName("cardLabel")
        self.label.setAccessibleName("Card")
        self.notice = QLabel("", self)
        self.notice.setObjectName("cardNotice")
        self.notice.setAccessibleName("Card notice")
        self.notice.setWordWrap(True)
        self.otp = QLineEdit(self)
        self.otp.setObjectName("otpField")
        self.otp.setAccessibleName(text.OTP)
        self.otp.setPlaceholderText("OTP from the bank's SMS")
        self.otp.setEchoMode(QLineEdit.EchoMode.Password)
        self.otp.setMaxLength(8)
        self.otp.setValidator(QRegularExpressionValidator(r"[0-9]{0,8}", self.otp))
        self.otp.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.otp.returnPressed.connect(self._submit)
        self.submit = QPushButton(text.SUBMIT_OTP, self)
        self.submit.setAccessibleName(text.SUBMIT_OTP)
        self.submit.clicked.connect(lambda _=False: self._submit())
        self.resend = QPushButton(text.RESEND_OTP, self)
        self.resend.setAccessibleName(text.RESEND_OTP)
        self.resend.clicked.connect(lambda _=False: self._resend())
        self.bank_page = QPushButton(text.USE_BANK_PAGE, self)
        self.bank_page.setAccessibleName(text.USE_BANK_PAGE)
        self.bank_page.clicked.connect(lambda _=False: self.bank_page_requested.emit())
        self.form = CardForm(self)
        self.another = QPushButton(text.ANOTHER_CARD, self)
        self.another.setAccessibleName(text.ANOTHER_CARD)
        self.another.clicked.connect(lambda _=False: self._another())
        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self._tick)

        otp_row = QHBoxLayout()
        otp_row.addWidget(self.otp, 1)
        otp_row.addWidget(self.submit)
        otp_row.addWidget(self.resend)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.label)
        column.addWidget(self.notice)
        column.addLayout(otp_row)
        column.addWidget(self.bank_page)
        column.addWidget(self.form)
        column.addWidget(self.another)

    @property
    def prompt(self) -> CardPrompt | None:
        return self._prompt

    def show_prompt(self, prompt: CardPrompt | None, *, final: bool = False) -> None:
        self._prompt = prompt
        wants_otp = prompt is not None and prompt.needs_otp and not final
        wants_card = prompt is not None and prompt.failed is not None and not final
        self.setVisible(prompt is not None)
        if prompt is None:
            self._ticker.stop()
            self.otp.clear()
            self.form.clear()
            return
        self.label.setText(prompt.label)
        notice = prompt.failed or prompt.otp_message or ""
        if wants_card:
            notice = f"{notice} {text.TRY_ANOTHER_CARD}".strip()
        self.notice.setText(notice)
        self.notice.setVisible(bool(notice))
        for widget in (self.otp, self.submit, self.resend):
            widget.setVisible(wants_otp)
        self.bank_page.setVisible(wants_otp and prompt.bank_page_offered)
        self.form.setVisible(wants_card)
        self.another.setVisible(wants_card)
        if not wants_card:
            self.form.clear()
        if wants_otp:
            self.otp.setFocus(Qt.FocusReason.OtherFocusReason)
            self._ticker.start()
        else:
            self._ticker.stop()
            self.otp.clear()
        self._tick()

    def show_refusal(self, message: str) -> None:
        self.notice.setText(message)
        self.notice.setVisible(True)

    def _tick(self) -> None:
        prompt = self._prompt
        wait = 0
        if prompt is not None and prompt.resend_at is not None:
            wait = int((prompt.resend_at - self._clock()).total_seconds() + 0.999)
        self.resend.setEnabled(wait <= 0)
        self.resend.setText(text.resend_wait(wait) if wait > 0 else text.RESEND_OTP)

    def _submit(self) -> None:
        value = self.otp.text().strip()
        self.otp.clear()
        if value:
            self.otp_submitted.emit(value)

    def _resend(self) -> None:
        if self.resend.isEnabled():
            self.resend_requested.emit()

    def _another(self) -> None:
        try:
            card = self.form.take_card()
        except ValidationError as refused:
            self.show_refusal(refused.message)
            return
        self.card_entered.emit(card)

    def stop(self) -> None:
        self._ticker.stop()
        self.otp.clear()
        self.form.clear()
