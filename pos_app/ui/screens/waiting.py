"""The waiting screen: the QR (or link, or request) while the customer pays.

It renders one SaleState at a time and emits intents: cancel (after a non-blocking
confirmation), check now, copy the link, send it (asks where: a new link goes by SMS /
e-mail), switch to a payment-link QR.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QKeyEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pos_app.domain.clock import Clock, utc_now
from pos_app.domain.sale import Method, SaleStatus
from pos_app.services.checkout.state import SaleState
from pos_app.ui import text
from pos_app.ui.resources import icon
from pos_app.ui.widgets.card_panel import CardPanel
from pos_app.ui.widgets.qr_view import QrView
from pos_app.ui.widgets.send_link import SEND_LINK, LinkRecipients, SendLinkDialog


class WaitingScreen(QWidget):
    cancel_requested = Signal()
    check_now_requested = Signal()
    fallback_requested = Signal()
    send_link_requested = Signal(object)  # LinkRecipients, validated
    otp_submitted = Signal(str)  # card sales: the OTP the customer read out
    resend_otp_requested = Signal()
    bank_page_requested = Signal()
    another_card_requested = Signal(object)  # CardDetails

    def __init__(self, parent: QWidget | None = None, *, clock: Clock = utc_now) -> None:
        super().__init__(parent)
        self.setObjectName("waitingScreen")
        self.setAccessibleName("Waiting for payment")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._clock = clock
        self._state: SaleState | None = None
        self.store_name = ""  # shown under the QR with the payee's UPI id, when known
        self.confirm_box: QMessageBox | None = None
        self.send_dialog: SendLinkDialog | None = None
        self._recipients = ("", "")  # what the send dialog starts with: phone, e-mail

        self.qr = QrView(self)
        self.payee = self._label("payee", "Paid to")
        self.payee.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.amount = self._label("waitAmount", "Amount to pay")
        self.instruction = self._label("instruction", "What the customer does")
        self.countdown = self._label("countdown", "Time left")
        self.status = self._label("statusLine", "Status")
        self.attempt = self._label("attemptFailed", "Failed attempt")
        self.offline = self._label("offlineBanner", "Connection problem")
        self.link = self._label("linkUrl", "Payment link")
        self.link.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.link_note = self._label("linkNote", "Link sent to")
        self.card = CardPanel(self, clock=clock)
        self.card.setVisible(False)
        self.card.otp_submitted.connect(self.otp_submitted.emit)
        self.card.resend_requested.connect(self.resend_otp_requested.emit)
        self.card.bank_page_requested.connect(self.bank_page_requested.emit)
        self.card.card_entered.connect(self.another_card_requested.emit)

        self.copy_button = self._button(text.COPY_LINK, "copy", self._copy_link)
        self.send_button = self._button(SEND_LINK, "request", self.ask_send_link)
        self.fallback_button = self._button(text.SHOW_LINK_QR, "link", self.fallback_requested.emit)
        self.check_button = self._button(text.CHECK_NOW, "refresh", self.check_now_requested.emit)
        self.cancel_button = self._button(text.CANCEL, "cancel", self.ask_cancel)
        self.cancel_button.setObjectName("cancelButton")
        self._cancelling: str | None = None  # order id being cancelled
        self._cancel_message = text.CANCELLING

        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self._tick)
        self._layout()

    # ---- construction ---------------------------------------------------------------------
    def _label(self, name: str, accessible: str) -> QLabel:
        label = QLabel("", self)
        label.setObjectName(name)
        label.setAccessibleName(accessible)
        label.setWordWrap(True)
        return label

    def _button(self, caption: str, icon_name: str, slot: Callable[[], object]) -> QPushButton:
        button = QPushButton(caption, self)
        button.setIcon(icon(icon_name))
        button.setAccessibleName(caption.replace(" (Esc)", ""))
        button.clicked.connect(lambda _=False: slot())
        return button

    def _layout(self) -> None:
        link_row = QHBoxLayout()  # under the URL, which gets the full width
        link_row.addWidget(self.copy_button)
        link_row.addWidget(self.send_button)
        link_row.addStretch(1)
        actions = QHBoxLayout()
        actions.addWidget(self.check_button)
        actions.addStretch(1)
        actions.addWidget(self.cancel_button)

        info = QVBoxLayout()
        info.setSpacing(8)
        for widget in (self.amount, self.instruction, self.countdown, self.status, self.attempt):
            info.addWidget(widget)
        info.addWidget(self.offline)
        info.addWidget(self.link)
        info.addLayout(link_row)
        info.addWidget(self.link_note)
        info.addWidget(self.fallback_button)
        info.addWidget(self.card)
        info.addStretch(1)
        info.addLayout(actions)

        outer = QHBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 12)
        outer.setSpacing(20)
        code = QVBoxLayout()
        code.setSpacing(4)
        code.addWidget(self.qr, 1)
        code.addWidget(self.payee)
        outer.addLayout(code, 6)
        outer.addLayout(info, 5)
        # Lines that come and go keep their place: nothing below them jumps.
        for label in (self.attempt, self.offline, self.payee):
            policy = label.sizePolicy()
            policy.setRetainSizeWhenHidden(True)
            label.setSizePolicy(policy)
        for first, second in (
            (self.cancel_button, self.check_button),
            (self.check_button, self.copy_button),
            (self.copy_button, self.send_button),
            (self.send_button, self.fallback_button),
        ):
            QWidget.setTabOrder(first, second)

    # ---- rendering ------------------------------------------------------------------------
    @property
    def state(self) -> SaleState | None:
        return self._state

    def show_state(self, state: SaleState) -> None:
        self._state = state
        self.amount.setText(state.amount.format())
        shows_code = state.method not in (Method.COLLECT, Method.CHECKOUT) and (
            state.method is not Method.CARD or state.has_qr
        )
        has_code = shows_code and state.has_qr
        # Never "Scan…" without a code on screen: until there is one, say what the till
        # is waiting for.
        if state.card is not None and state.card.bank_page:
            instruction = text.CARD_BANK_INSTRUCTION
        elif has_code or not shows_code:
            instruction = text.instruction(state.method)
        else:
            instruction = text.waiting_for_code(state.offline is not None)
        self.instruction.setText(instruction)
        self.status.setText(text.status_line(state))
        self.attempt.setText(
            text.attempt_failed(state.attempt_failed) if state.attempt_failed else ""
        )
        self.attempt.setVisible(bool(state.attempt_failed))
        self.offline.setText(text.offline_banner(state.offline) if state.offline else "")
        self.offline.setVisible(state.offline is not None)
        warn = bool(state.error and not state.offline)
        if state.error and warn:
            self.status.setText(state.error)
        if self.status.property("tone") != ("warning" if warn else "plain"):
            # A problem the cashier must act on (Cashfree refused to close the payment, ...)
            # stands out from the ordinary status line.
            self.status.setProperty("tone", "warning" if warn else "plain")
            self.status.style().unpolish(self.status)
            self.status.style().polish(self.status)

        self.card.show_prompt(state.card, final=state.is_final or self._cancelling is not None)
        self.qr.setVisible(shows_code)
        self.qr.set_code(*((state.qr, state.qr_image) if shows_code else (None, None)))
        payee = text.payee_line(self.store_name, state.qr_text) if has_code else ""
        self.payee.setText(payee)
        self.payee.setVisible(bool(payee))

        is_link = state.method is Method.LINK and bool(state.link_url)
        self.link.setText(state.link_url or "")
        self.link.setVisible(is_link)
        self.copy_button.setVisible(is_link)
        self.copy_button.setText(text.COPY_LINK)
        self.send_button.setVisible(is_link)
        if state.order_id != self._cancelling or (state.error and not state.offline):
            # A new sale, or Cashfree answered the close by refusing it: the payment is
            # still open, so say why and offer Cancel again.
            self._cancelling = None
        self.cancel_button.setEnabled(self._cancelling is None and not state.is_final)
        self.send_button.setEnabled(self.cancel_button.isEnabled())
        if self._cancelling is not None and state.status is not SaleStatus.UNCERTAIN:
            self.status.setText(self._cancel_message)
        self.fallback_button.setVisible(state.link_fallback)
        self._tick()
        if state.expires_at is not None and not self._ticker.isActive():
            self._ticker.start()

    def mark_cancelling(self, message: str = text.CANCELLING) -> None:
        """The cashier confirmed Cancel (or a new link): say so and stop offering it."""
        if self._state is None:
            return
        self._cancelling = self._state.order_id
        self._cancel_message = message
        self.cancel_button.setEnabled(False)
        self.send_button.setEnabled(False)
        self.status.setText(message)
        if self.send_dialog is not None:
            self.send_dialog.close()

    def prefill_recipients(self, phone: str | None, email: str | None) -> None:
        """What the send dialog offers first (the sale's customer, when known)."""
        self._recipients = (phone or "", email or "")

    def show_link_note(self, message: str) -> None:
        self.link_note.setText(message)
        self.link_note.setVisible(bool(message))

    def _tick(self) -> None:
        state = self._state
        if state is None or state.expires_at is None:
            self.countdown.setVisible(False)
            self._ticker.stop()
            return
        self.countdown.setVisible(True)
        self.countdown.setText(text.countdown(state.expires_at, self._clock()))

    def stop(self) -> None:
        """The sale left this screen: stop the countdown and drop any open question."""
        self._ticker.stop()
        self.card.stop()
        if self.confirm_box is not None:
            self.confirm_box.close()
            self.confirm_box = None
        if self.send_dialog is not None:
            self.send_dialog.close()

    # ---- intents --------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.ask_cancel()
            return
        super().keyPressEvent(event)

    def ask_cancel(self) -> None:
        """Ask before terminating; non-blocking (open() + signals, never exec())."""
        if self.confirm_box is not None:
            self.confirm_box.raise_()
            return
        if not self.cancel_button.isEnabled():
            return
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(text.CONFIRM_CANCEL_TITLE)
        box.setText(text.CONFIRM_CANCEL_TITLE)
        box.setInformativeText(text.CONFIRM_CANCEL)
        yes = box.addButton(text.CANCEL_YES, QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton(text.CANCEL_NO, QMessageBox.ButtonRole.RejectRole)
        yes.setAccessibleName(text.CANCEL_YES)
        keep.setAccessibleName(text.CANCEL_NO)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)

        def answered(_: int) -> None:
            confirmed = box.clickedButton() is yes
            self.confirm_box = None
            box.deleteLater()
            if confirmed:
                self.cancel_requested.emit()

        box.finished.connect(answered)
        self.confirm_box = box
        box.open()
        self._beside_the_code(box)
        # The question takes the keyboard: Enter presses the highlighted choice (Keep
        # waiting first; Tab moves to Cancel the payment), never a key of the screen below.
        box.activateWindow()
        keep.setFocus(Qt.FocusReason.ActiveWindowFocusReason)

    def _beside_the_code(self, box: QWidget) -> None:
        """Put a question over the right-hand column, so the QR stays in full view (the
        customer may be scanning it while the cashier reads)."""
        box.adjustSize()
        right = self.mapToGlobal(self.rect().topRight()).x() - 12
        left = self.mapToGlobal(self.qr.geometry().topRight()).x() + 8
        bottom = self.mapToGlobal(self.cancel_button.geometry().topLeft()).y() - 8
        x = max(left, right - box.width())
        y = max(self.mapToGlobal(self.rect().topLeft()).y(), bottom - box.height())
        box.move(x, y)

    def ask_send_link(self) -> None:
        """Ask where to send a new link (non-blocking: open() + signals, never exec())."""
        if self.send_dialog is not None:
            self.send_dialog.raise_()
            return
        state = self._state
        if state is None or state.method is not Method.LINK or not self.send_button.isEnabled():
            return
        phone, email = self._recipients
        dialog = SendLinkDialog(self, phone=phone, email=email)
        dialog.chosen.connect(self._send_chosen)

        def closed(_: int) -> None:
            if self.send_dialog is dialog:
                self.send_dialog = None
            dialog.deleteLater()

        dialog.finished.connect(closed)
        self.send_dialog = dialog
        dialog.open()

    def _send_chosen(self, recipients: LinkRecipients) -> None:
        self._recipients = (recipients.phone or "", recipients.email or "")
        self.send_link_requested.emit(recipients)

    def _copy_link(self) -> None:
        if self._state is not None and self._state.link_url:
            QGuiApplication.clipboard().setText(self._state.link_url)
            self.copy_button.setText(text.LINK_COPIED)
