"""The amount being typed: a small key buffer and the big label that shows it.

The buffer only collects keys (digits, 00, '.', backspace, clear) and refuses a third
decimal or an absurd length on the spot; whether the amount may be charged is decided by
Money.parse when the cashier charges.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from pos_app.domain.money import Money

MAX_WHOLE_DIGITS = 9  # ₹99,99,99,999: far above any till's maximum

DIGITS = frozenset("0123456789")


class AmountBuffer:
    """What the cashier typed so far, as plain text like "1250.5"."""

    def __init__(self) -> None:
        self._text = ""

    @property
    def text(self) -> str:
        return self._text

    def clear(self) -> None:
        self._text = ""

    def backspace(self) -> None:
        self._text = self._text[:-1]

    def press(self, key: str) -> str | None:
        """Add a key ("0"-"9", "00" or "."); returns a refusal sentence or None."""
        if key == ".":
            if "." not in self._text:
                self._text = (self._text or "0") + "."
            return None
        if not key or any(ch not in DIGITS for ch in key):
            return None
        for digit in key:
            refusal = self._digit(digit)
            if refusal:
                return refusal
        return None

    def _digit(self, digit: str) -> str | None:
        whole, dot, frac = self._text.partition(".")
        if dot:
            if len(frac) >= 2:
                return "Use at most two decimals (paise)."
            self._text += digit
            return None
        if whole == "0" or (whole == "" and digit == "0"):
            self._text = "" if digit == "0" else digit
            return None
        if len(whole) >= MAX_WHOLE_DIGITS:
            return "That amount is far too large."
        self._text += digit
        return None

    def paise(self) -> int:
        whole, _, frac = self._text.partition(".")
        return int(whole or "0") * 100 + int(frac.ljust(2, "0"))

    def display(self) -> str:
        """₹1,250.50 for "1250.5": Indian grouping, always two decimals."""
        return Money(self.paise()).format()


class AmountDisplay(QLabel):
    """The large amount, right-aligned like a calculator."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Money(0).format(), parent)
        self.setObjectName("amountDisplay")
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName("Amount")
        self.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)

    def show_text(self, text: str, *, empty: bool) -> None:
        self.setText(text)
        self.setProperty("empty", empty)
        self.style().unpolish(self)
        self.style().polish(self)
        self.setAccessibleDescription(text)
