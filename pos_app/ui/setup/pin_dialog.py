"""The manager PIN dialog, `ask_manager_pin`, and `gate_manager_action`, the GUI's gate
before settings, refunds and manager views.

`gate_manager_action` decides without blocking the GUI thread (policy file, password store
entry, settings fingerprint: services.manager.gate.aresolve_access) and then runs the action (no PIN, demo only),
opens the PIN dialog, or says why manager actions are refused or locked.

Opened with open(), never exec(): the answer arrives as the `granted` signal. The check
(scrypt, tens of milliseconds) runs off the GUI thread through the shared PinGuard, so the
desk and the command line count wrong tries together; the password store's entry is read
and written through its async calls (one keyring worker each, started from the loop).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pos_app.config import Paths, load_settings
from pos_app.secrets import TillRecordStore
from pos_app.services.manager.gate import aresolve_access, pin_guard
from pos_app.services.manager.pin import PinGuard, PinLockedError
from pos_app.ui.setup import wording
from pos_app.ui.setup.jobs import Jobs

__all__ = ["PinDialog", "ask_manager_pin", "gate_manager_action"]

_DAMAGED = (
    "The stored manager PIN is damaged, so it cannot be checked. Set a new one with "
    "`pos-app config set manager_pin --reset` (recorded in the journal for the manager)."
)
REFUSED_TITLE = "Manager PIN"


class PinDialog(QDialog):
    granted = Signal()

    def __init__(
        self,
        guard: PinGuard,
        encoded: str,
        what: str,
        parent: QWidget | None = None,
        *,
        clock: Callable[[], float] = time.time,  # the guard's clock
    ) -> None:
        super().__init__(parent)
        self._clock = clock
        self.setWindowTitle(wording.PIN_TITLE)
        self.setModal(True)
        self._guard = guard
        self._encoded = encoded
        self.jobs = Jobs(self)
        prompt = QLabel(wording.pin_prompt(what), self)
        prompt.setWordWrap(True)
        self.pin = QLineEdit(self)
        self.pin.setAccessibleName(wording.PIN_TITLE)
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setMaxLength(8)
        self.pin.returnPressed.connect(self.submit)
        self.problem = QLabel("", self)
        self.problem.setObjectName("refusal")
        self.problem.setAccessibleName("Problem")
        self.problem.setWordWrap(True)
        self.problem.hide()
        self.ok_button = QPushButton(wording.OK, self)
        self.ok_button.setDefault(True)
        self.ok_button.clicked.connect(lambda _=False: self.submit())
        self.jobs.busy_changed.connect(lambda busy: self.ok_button.setEnabled(not busy))
        cancel = QPushButton(wording.CANCEL, self)
        cancel.clicked.connect(lambda _=False: self.reject())
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.ok_button)
        column = QVBoxLayout(self)
        column.addWidget(prompt)
        column.addWidget(self.pin)
        column.addWidget(self.problem)
        column.addLayout(buttons)
        self.pin.setFocus(Qt.FocusReason.OtherFocusReason)

    def submit(self) -> None:
        if self.jobs.busy:
            return
        pin = self.pin.text().strip()
        if not pin:
            self._say(wording.ENTER_PIN)
            return
        self.jobs.run(
            self._attempt(pin),
            self._checked,
            self._refused,
            handles=(PinLockedError, ValueError),
        )

    async def _attempt(self, pin: str) -> tuple[bool, float | None]:
        """The check, and after a wrong PIN whether it locked (no blocking call here)."""
        right = await self._guard.acheck(pin, self._encoded)
        return right, None if right else await self._guard.alocked_until()

    def _checked(self, answer: tuple[bool, float | None]) -> None:
        right, locked = answer
        self.pin.clear()
        if right:
            self.granted.emit()
            self.accept()
            return
        if locked is not None:
            self._say(PinLockedError(locked - self._clock()).message)
        else:
            self._say(wording.WRONG_PIN)

    def _refused(self, error: Exception) -> None:
        self.pin.clear()
        self._say(error.message if isinstance(error, PinLockedError) else _DAMAGED)

    def _say(self, message: str) -> None:
        self.problem.setText(message)
        self.problem.show()
        self.pin.setFocus(Qt.FocusReason.OtherFocusReason)

    def done(self, result: int) -> None:
        self.jobs.cancel_all()
        super().done(result)


def ask_manager_pin(
    parent: QWidget | None,
    guard: PinGuard,
    encoded: str | None,
    what: str,
    on_granted: Callable[[], object],
) -> PinDialog | None:
    """Call `on_granted` once the manager PIN is given (at once when no PIN is set).

    Returns the open dialog (keep it if you need to close it), or None when no PIN was
    needed.
    """
    if encoded is None:
        on_granted()
        return None
    dialog = PinDialog(guard, encoded, what, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    dialog.granted.connect(lambda: on_granted())
    dialog.open()
    return dialog


def gate_manager_action(
    parent: QWidget,
    what: str,
    on_granted: Callable[[], object],
    *,
    paths: Paths,
    environment: str,
    vault: TillRecordStore,
    on_refused: Callable[[], object] | None = None,
    clock: Callable[[], float] = time.time,
) -> asyncio.Task[QWidget | None]:
    """Run `on_granted` once the manager may act; returns the task (keep it), whose result
    is the dialog shown (PIN dialog or refusal box) or None when no PIN was needed."""

    async def decide() -> QWidget | None:
        settings = (await asyncio.to_thread(load_settings, paths)).settings
        access = await aresolve_access(paths, settings, environment, vault)
        if access.state == "open":
            on_granted()
            return None
        if access.state == "refused":  # no PIN at all: the first one may be set right here
            from pos_app.ui.setup.first_pin import offer_first_pin

            return offer_first_pin(parent, paths, environment, vault, on_granted, on_refused)
        if access.state != "ask" or access.encoded is None:
            box = QMessageBox(
                QMessageBox.Icon.Warning, REFUSED_TITLE, access.message or "", parent=parent
            )
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
            if on_refused is not None:
                box.finished.connect(lambda _r: on_refused())
            box.open()
            return box
        guard = pin_guard(vault, clock)  # no password store call until a check
        dialog = PinDialog(guard, access.encoded, what, parent, clock=clock)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.granted.connect(lambda: on_granted())
        if on_refused is not None:
            dialog.rejected.connect(lambda: on_refused())
        dialog.open()
        return dialog

    task = asyncio.ensure_future(decide())
    _TASKS.add(task)
    task.add_done_callback(_TASKS.discard)
    return task


_TASKS: set[asyncio.Task[QWidget | None]] = set()
