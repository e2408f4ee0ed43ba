"""Questions and announcements over the main window, never blocking the event loop.

Each is a QMessageBox shown with open() and answered through its signals, so the asyncio
tasks keep running while the cashier reads (exec() inside a coroutine would hang them).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QMessageBox, QWidget

from pos_app.domain.clock import Clock, utc_now
from pos_app.services.checkout.state import SaleState
from pos_app.ui import text
from pos_app.ui.controller import DuplicateWarning


class Announcer:
    def __init__(self, parent: QWidget, clock: Clock = utc_now) -> None:
        self._parent = parent
        self._clock = clock
        self.duplicate_box: QMessageBox | None = None
        self.late_box: QMessageBox | None = None
        self._late_queue: list[SaleState] = []

    # ---- "charge the same amount again?" ------------------------------------------------
    def ask_duplicate(self, warning: DuplicateWarning, on_yes: Callable[[], object]) -> None:
        if self.duplicate_box is not None:
            self.duplicate_box.close()
        previous = warning.previous
        box = QMessageBox(self._parent)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(text.DUPLICATE_TITLE)
        box.setText(
            text.duplicate_question(
                previous.amount, previous.paid_at or previous.updated_at, self._clock()
            )
        )
        yes = box.addButton(text.DUPLICATE_YES, QMessageBox.ButtonRole.AcceptRole)
        no = box.addButton(text.DUPLICATE_NO, QMessageBox.ButtonRole.RejectRole)
        yes.setAccessibleName(text.DUPLICATE_YES)
        no.setAccessibleName(text.DUPLICATE_NO)
        box.setDefaultButton(no)
        box.setEscapeButton(no)

        def answered(_: int) -> None:
            confirmed = box.clickedButton() is yes
            if self.duplicate_box is box:
                self.duplicate_box = None
            box.deleteLater()
            if confirmed:
                on_yes()

        box.finished.connect(answered)
        self.duplicate_box = box
        box.open()

    # ---- late payments: each must be acknowledged ------------------------------------------
    def announce_late(self, state: SaleState) -> None:
        self._late_queue.append(state)
        if self.late_box is None:
            self._next_late()

    @property
    def pending_late(self) -> int:
        return len(self._late_queue) + (1 if self.late_box is not None else 0)

    def _next_late(self) -> None:
        if not self._late_queue:
            return
        state = self._late_queue.pop(0)
        box = _MustAcknowledge(self._parent)
        box.setIcon(QMessageBox.Icon.Information)
        box.setWindowTitle(text.LATE_TITLE)
        box.setText(text.LATE_TITLE)
        box.setInformativeText(text.late_payment(state))
        ack = box.addButton(text.LATE_ACK, QMessageBox.ButtonRole.AcceptRole)
        ack.setAccessibleName(text.LATE_ACK)

        def acknowledged(_: int) -> None:
            self.late_box = None
            box.deleteLater()
            self._next_late()

        box.finished.connect(acknowledged)
        self.late_box = box
        box.open()


class _MustAcknowledge(QMessageBox):
    """Esc does not dismiss it: a cashier pressing Esc to cancel a sale must not lose it."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            event.accept()
            return
        super().keyPressEvent(event)
