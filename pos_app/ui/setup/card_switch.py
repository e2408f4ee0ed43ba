"""The card-payments switch on the Till tab of Settings.

Off by default. Switching it on shows what the manager acknowledges (Cashfree has enabled
native OTP / server-to-server card payments for the account; the shop's PCI DSS
obligations apply; Cashfree's page) and needs that box ticked, and a manager PIN that
already exists (Settings itself opens only behind it). Switching off needs nothing more.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QLabel, QVBoxLayout, QWidget

from pos_app.config import Settings
from pos_app.services.manager.card_policy import CARD_ACKNOWLEDGEMENT, CARD_HELP_URL

__all__ = ["CARD_CHOICE", "CHECKOUT_CHOICE", "CardSwitch", "CardSwitchProblem", "checkout_box"]

CHECKOUT_CHOICE = "Cashfree checkout on the customer screen (F5; customer-facing display)"
CARD_CHOICE = "Card payments: card number and OTP at the till (off by default)"
CONFIRM = "I confirm both: Cashfree enabled it for this account, and PCI DSS applies to us."
NEED_CONFIRM = "Tick the confirmation under Card payments first, or leave card payments off."
NEED_PIN = "Set a manager PIN first (on the Manager PIN tab, then Save) to switch card payments on."


class CardSwitchProblem(Exception):
    def __init__(self, message: str, widget: QWidget) -> None:
        super().__init__(message)
        self.message = message
        self.widget = widget


class CardSwitch(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._was_on = False
        self.enable = QCheckBox(CARD_CHOICE, self)
        self.enable.setAccessibleName("Card payments")
        self.notice = QLabel(
            CARD_ACKNOWLEDGEMENT.replace(
                CARD_HELP_URL, f"<a href='{CARD_HELP_URL}'>{CARD_HELP_URL}</a>"
            ),
            self,
        )
        self.notice.setObjectName("warning")
        self.notice.setWordWrap(True)
        self.notice.setTextFormat(Qt.TextFormat.RichText)
        self.notice.setOpenExternalLinks(True)
        self.notice.setAccessibleName("Card payments: what you confirm")
        self.confirm = QCheckBox(CONFIRM, self)
        self.confirm.setAccessibleName("Confirm card payments")
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.enable)
        column.addWidget(self.notice)
        column.addWidget(self.confirm)
        self.enable.toggled.connect(lambda _: self._show())
        self._show()

    def _show(self) -> None:
        asking = self.enable.isChecked() and not self._was_on
        self.notice.setVisible(asking)
        self.confirm.setVisible(asking)
        if not asking:
            self.confirm.setChecked(False)

    def load(self, settings: Settings) -> None:
        self._was_on = settings.card_payments_enabled
        self.enable.setChecked(settings.card_payments_enabled)
        self._show()

    def chosen(self, settings: Settings) -> bool:
        """The new value; raises CardSwitchProblem when it may not go on yet."""
        on = self.enable.isChecked()
        if on and not settings.card_payments_enabled:
            if settings.manager_pin_hash is None and settings.manager_pin_fingerprint is None:
                raise CardSwitchProblem(NEED_PIN, self.enable)
            if not self.confirm.isChecked():
                raise CardSwitchProblem(NEED_CONFIRM, self.confirm)
        return on


def checkout_box(parent: QWidget) -> QCheckBox | None:
    """The embedded-checkout choice, or None where the kiosk extra cannot run (then the
    option is hidden; About says why)."""
    from pos_app.ui.embedded_checkout import unavailable_reason

    if unavailable_reason() is not None:
        return None
    box = QCheckBox(CHECKOUT_CHOICE, parent)
    box.setAccessibleName("Cashfree checkout on the customer screen")
    return box
