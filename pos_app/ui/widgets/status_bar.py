"""The always-visible header: store and till, environment, connection, open payments."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QWidget

from pos_app.services.checkout.state import Offline
from pos_app.ui import text
from pos_app.ui.widgets.env_badge import EnvBadge


class StatusHeader(QFrame):
    def __init__(
        self, store_name: str, terminal_id: str, environment: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("statusHeader")
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 6, 12, 6)
        row.setSpacing(12)
        self.store = QLabel(text.store_line(store_name, terminal_id), self)
        self.store.setObjectName("storeLine")
        self.store.setAccessibleName("Store and till")
        self.badge = EnvBadge(environment, self)
        self.connection = QLabel(text.ONLINE, self)
        self.connection.setObjectName("connection")
        self.connection.setAccessibleName("Connection to Cashfree")
        self.open_count = QLabel(text.open_payments(0), self)
        self.open_count.setObjectName("openCount")
        self.open_count.setAccessibleName("Open background payments")
        self.sound_notice = QLabel("", self)
        self.sound_notice.setObjectName("soundNotice")
        self.sound_notice.setAccessibleName("Sound")
        self.sound_notice.hide()
        row.addWidget(self.store)
        row.addWidget(self.badge)
        row.addStretch(1)
        row.addWidget(self.sound_notice)
        row.addWidget(self.connection)
        row.addWidget(self.open_count)

    def show_connection(self, offline: Offline | None) -> None:
        self.connection.setText(text.connection(offline))
        self.connection.setProperty("offline", offline is not None)
        self.connection.style().unpolish(self.connection)
        self.connection.style().polish(self.connection)

    def show_sound_notice(self, sentence: str) -> None:
        """Short in the header ("No sound"), the whole sentence as its tooltip."""
        self.sound_notice.setText("No sound" if sentence else "")
        self.sound_notice.setToolTip(sentence)
        self.sound_notice.setAccessibleDescription(sentence)
        self.sound_notice.setVisible(bool(sentence))

    def show_open_count(self, count: int) -> None:
        self.open_count.setText(text.open_payments(count))
