"""The card form: number, expiry MM/YY, CVV and (optional) name, big enough to be filled on
a customer-facing touchscreen.

`take_card()` checks everything (domain/card.py) and returns a CardDetails, clearing the
fields at once whatever the outcome of the sale: the typed text stays nowhere in the desk.
The CVV never shows; no field offers copy or drag.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLineEdit, QWidget

from pos_app.domain.card import CardDetails, parse_card
from pos_app.domain.validate import ValidationError
from pos_app.ui import text

__all__ = ["CardForm"]


def _today() -> date:
    return datetime.now(UTC).date()


class CardForm(QWidget):
    def __init__(self, parent: QWidget | None = None, *, today: Callable[[], date] = _today):
        super().__init__(parent)
        self.setObjectName("cardForm")
        self._today = today
        self.number = self._edit(text.CARD_NUMBER, "digits on the front", 23)
        self.expiry = self._edit(text.CARD_EXPIRY, "MM/YY", 7)
        self.cvv = self._edit(text.CARD_CVV, "3 or 4 digits", 4)
        self.cvv.setEchoMode(QLineEdit.EchoMode.Password)
        self.name = self._edit(text.CARD_NAME, "optional", 100)
        for edit in (self.number, self.expiry, self.cvv):
            edit.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        for label, edit in (
            (text.CARD_NUMBER, self.number),
            (text.CARD_EXPIRY, self.expiry),
            (text.CARD_CVV, self.cvv),
            (text.CARD_NAME, self.name),
        ):
            form.addRow(label, edit)

    def _edit(self, label: str, placeholder: str, limit: int) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setObjectName("cardField")
        edit.setAccessibleName(label)
        edit.setPlaceholderText(placeholder)
        edit.setMaxLength(limit)
        edit.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        edit.setDragEnabled(False)
        edit.textEdited.connect(lambda _: self._mark(edit, False))
        return edit

    @property
    def fields(self) -> dict[str, QLineEdit]:
        return {
            "card_number": self.number,
            "card_expiry": self.expiry,
            "card_cvv": self.cvv,
            "card_holder": self.name,
        }

    def take_card(self) -> CardDetails:
        """The checked card, the fields cleared. Raises ValidationError (the field is
        marked and focused, and keeps what was typed so it can be corrected)."""
        try:
            card = parse_card(
                self.number.text(),
                self.expiry.text(),
                self.cvv.text(),
                self.name.text(),
                today=self._today(),
            )
        except ValidationError as refused:
            edit = self.fields.get(refused.field)
            if edit is not None:
                self._mark(edit, True)
                edit.setFocus(Qt.FocusReason.OtherFocusReason)
            raise
        self.clear()
        return card

    def clear(self) -> None:
        for edit in self.fields.values():
            edit.clear()
            self._mark(edit, False)

    def _mark(self, edit: QLineEdit, invalid: bool) -> None:
        edit.setProperty("invalid", invalid)
        edit.style().unpolish(edit)
        edit.style().polish(edit)
