"""The result screen: PAID unmistakable; expired, cancelled, failed or unconfirmed say why.

PAID stays in view until the cashier starts the next sale: Enter, the button, or simply
typing the next amount (`next_sale_typed(key)` carries the first key on). Emits
new_sale_requested, next_sale_typed, try_again_requested (same amount, a new order) and
fallback_requested.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from pos_app.domain.sale import SaleStatus
from pos_app.services import wording
from pos_app.services.checkout.state import SaleState
from pos_app.ui import text
from pos_app.ui.resources import icon

AUTO_NEW_SALE_MS = 0  # 0: PAID stays until the cashier starts the next sale
_AMOUNT_KEYS = frozenset("0123456789.")


class ResultScreen(QWidget):
    new_sale_requested = Signal()
    next_sale_typed = Signal(str)  # the first key of the next amount, typed on this screen
    try_again_requested = Signal()
    fallback_requested = Signal()

    def __init__(self, parent: QWidget | None = None, *, auto_ms: int = AUTO_NEW_SALE_MS) -> None:
        super().__init__(parent)
        self.setObjectName("resultScreen")
        self.setAccessibleName("Payment result")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._state: SaleState | None = None

        self.title = self._label("resultTitle", "Result")
        self.amount = self._label("resultAmount", "Amount")
        self.details = self._label("resultDetails", "Payment details")
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reason = self._label("resultReason", "Why")
        self.try_again = QPushButton(text.TRY_AGAIN, self)
        self.try_again.setIcon(icon("refresh"))
        self.try_again.setAccessibleName(text.TRY_AGAIN)
        self.try_again.clicked.connect(lambda _=False: self.try_again_requested.emit())
        self.fallback = QPushButton(text.SHOW_LINK_QR, self)
        self.fallback.setIcon(icon("link"))
        self.fallback.setAccessibleName(text.SHOW_LINK_QR)
        self.fallback.clicked.connect(lambda _=False: self.fallback_requested.emit())
        self.new_sale = QPushButton(text.NEW_SALE, self)
        self.new_sale.setObjectName("newSaleButton")
        self.new_sale.setAccessibleName("New sale")
        self.new_sale.clicked.connect(lambda _=False: self.new_sale_requested.emit())

        self.auto_timer = QTimer(self)
        self.auto_timer.setSingleShot(True)
        self.auto_timer.setInterval(auto_ms)
        self.auto_timer.timeout.connect(self.new_sale_requested.emit)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.fallback, self.try_again, self.new_sale):
            button.setMinimumHeight(48)
            button.setAutoDefault(True)  # Enter on a focused button presses it
            buttons.addWidget(button)
        buttons.addStretch(1)
        column = QVBoxLayout(self)
        column.setContentsMargins(24, 16, 24, 16)
        column.addStretch(1)
        for label in (self.title, self.amount, self.details, self.reason):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            column.addWidget(label)
        column.addStretch(1)
        column.addLayout(buttons)
        QWidget.setTabOrder(self.new_sale, self.try_again)
        QWidget.setTabOrder(self.try_again, self.fallback)

    def _label(self, name: str, accessible: str) -> QLabel:
        label = QLabel("", self)
        label.setObjectName(name)
        label.setAccessibleName(accessible)
        label.setWordWrap(True)
        return label

    @property
    def state(self) -> SaleState | None:
        return self._state

    def show_state(self, state: SaleState) -> None:
        self._state = state
        paid = state.status is SaleStatus.PAID
        # The style is named by the one table; the stylesheet gives each its colours.
        self.setProperty("kind", wording.status_style(state.status).value)
        for widget in (self, self.title, self.amount):
            widget.style().unpolish(widget)
            widget.style().polish(widget)
        self.title.setText(text.status_title(state.status))
        self.amount.setText(state.amount.format())
        self.details.setText("\n".join(text.paid_details(state)) if paid else "")
        self.details.setVisible(paid)
        self.reason.setText("" if paid else text.result_reason(state))
        self.reason.setVisible(not paid)
        # Trying again is safe only when no money can arrive for this order any more.
        self.try_again.setVisible(
            state.status in (SaleStatus.EXPIRED, SaleStatus.CANCELLED, SaleStatus.FAILED)
        )
        self.fallback.setVisible(state.link_fallback and not paid)
        self.new_sale.setDefault(True)
        if paid and self.auto_timer.interval() > 0:
            self.auto_timer.start()
        else:
            self.auto_timer.stop()
        self.setFocus(Qt.FocusReason.OtherFocusReason)

    def stop(self) -> None:
        self.auto_timer.stop()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Escape):
            self.new_sale_requested.emit()
            return
        typed = event.text()
        if typed in _AMOUNT_KEYS and typed and self._state is not None:
            # The cashier is typing the next amount: that starts the next sale.
            self.next_sale_typed.emit(typed)
            return
        super().keyPressEvent(event)
