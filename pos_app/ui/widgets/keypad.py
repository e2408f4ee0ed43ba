"""The on-screen keypad: 1-9, 0, 00, '.', backspace and clear. It only emits key names."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QPushButton, QSizePolicy, QWidget

BACKSPACE = "back"
CLEAR = "clear"

# (key, label, accessible name, row, column, column span), laid out like a calculator
_LAYOUT = (
    ("7", "7", "7", 0, 0, 1),
    ("8", "8", "8", 0, 1, 1),
    ("9", "9", "9", 0, 2, 1),
    (BACKSPACE, "⌫", "Delete last digit", 0, 3, 1),
    ("4", "4", "4", 1, 0, 1),
    ("5", "5", "5", 1, 1, 1),
    ("6", "6", "6", 1, 2, 1),
    (CLEAR, "C", "Clear amount", 1, 3, 1),
    ("1", "1", "1", 2, 0, 1),
    ("2", "2", "2", 2, 1, 1),
    ("3", "3", "3", 2, 2, 1),
    (".", ".", "Decimal point", 2, 3, 1),
    ("0", "0", "0", 3, 0, 2),
    ("00", "00", "Double zero", 3, 2, 2),
)


class Keypad(QWidget):
    key_pressed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("keypad")
        self.setAccessibleName("Amount keypad")
        grid = QGridLayout(self)
        grid.setSpacing(6)
        grid.setContentsMargins(0, 0, 0, 0)
        self.buttons: dict[str, QPushButton] = {}
        for key, label, name, row, col, span in _LAYOUT:
            button = QPushButton(label, self)
            button.setObjectName("keypadKey")
            button.setAccessibleName(name)
            # The keypad is for touch; the physical keyboard goes to the amount screen, so
            # its keys never take focus (Enter must charge, not press the last key again).
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
            button.setMinimumSize(56, 40)
            button.clicked.connect(lambda _=False, k=key: self.key_pressed.emit(k))
            grid.addWidget(button, row, col, 1, span)
            self.buttons[key] = button
