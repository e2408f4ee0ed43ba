"""Demo mode only: buttons that make the simulated customer act on the current sale."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from pos_app.services.demo_customer import DemoAction
from pos_app.ui import text

ACTIONS: tuple[tuple[DemoAction, str], ...] = (
    (DemoAction.PAY, text.DEMO_PAYS),
    (DemoAction.DECLINE, text.DEMO_FAILS),
    (DemoAction.WALK_AWAY, text.DEMO_WALKS_AWAY),
)


class DemoPanel(QFrame):
    action = Signal(str)  # a DemoAction's value: what the demo customer does

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("demoPanel")
        self.setAccessibleName("Demo customer controls")
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 4, 12, 4)
        label = QLabel(text.DEMO_PANEL, self)
        row.addWidget(label)
        self.buttons: dict[str, QPushButton] = {}  # by DemoAction value
        for name, caption in ACTIONS:
            button = QPushButton(caption, self)
            button.setAccessibleName(caption)
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            button.clicked.connect(lambda _=False, n=name.value: self.action.emit(n))
            row.addWidget(button)
            self.buttons[name.value] = button
        row.addStretch(1)
        self.set_active(False)

    def set_active(self, active: bool) -> None:
        """Usable only while a customer is paying."""
        for button in self.buttons.values():
            button.setEnabled(active)
