"""A one-line message across the window: a notice, a calm error, the demo explanation."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from pos_app.ui import text


class Banner(QFrame):
    def __init__(self, kind: str, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.setProperty("kind", kind)  # info, warning, error: coloured by the stylesheet
        self.setAccessibleName(name)
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 6, 8, 6)
        self.label = QLabel("", self)
        self.label.setWordWrap(True)
        self.label.setAccessibleName(name)
        self.action = QPushButton("", self)
        self.action.setAccessibleName(f"{name}: action")
        self.action.setVisible(False)
        self.dismiss = QPushButton(text.NOTICE_DISMISS, self)
        self.dismiss.setAccessibleName(f"Dismiss: {name}")
        self.dismiss.clicked.connect(lambda _=False: self.hide())
        row.addWidget(self.label, 1)
        row.addWidget(self.action)
        row.addWidget(self.dismiss)
        self.hide()

    def show_message(self, message: str) -> None:
        self.label.setText(message)
        self.setVisible(bool(message))

    def offer(self, caption: str, slot: Callable[[], object]) -> None:
        self.action.setText(caption)
        self.action.setAccessibleName(caption)
        self.action.clicked.connect(lambda _=False: slot())
        self.action.setVisible(True)
