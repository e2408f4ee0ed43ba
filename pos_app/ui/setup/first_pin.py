"""The first manager PIN, set at the till when none exists (sandbox and production refuse
manager actions without one). Anyone may set the FIRST PIN, as on the command line; it is
kept in the password store and recorded in the journal ("manager_pin_set"), and the
action that asked for it goes on once it is saved.

Opened with open(); the hashing and the password store run off the GUI thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from pos_app.config import Paths, load_settings
from pos_app.secrets import SecretStoreError, TillRecordStore
from pos_app.services.manager.gate import aset_manager_pin
from pos_app.ui.setup import wording
from pos_app.ui.setup.jobs import Jobs
from pos_app.ui.setup.pages import PageProblem, PinPage

__all__ = ["FirstPinDialog"]

TITLE = "Set the manager PIN"
INTRO = (
    "No manager PIN is set yet, and outside the demo this till refuses manager actions "
    "without one. Choose it now: it is kept in this computer's password store, and "
    "setting it is recorded in the journal."
)
SAVE = "Set PIN"


class FirstPinDialog(QDialog):
    saved = Signal()

    def __init__(
        self,
        paths: Paths,
        environment: str,
        vault: TillRecordStore,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.setModal(True)
        self.setMinimumWidth(480)
        self._paths = paths
        self._environment = environment
        self._vault = vault
        self.jobs = Jobs(self)
        intro = QLabel(INTRO, self)
        intro.setWordWrap(True)
        self.page = PinPage(required=True, parent=self)
        self.problem = QLabel("", self)
        self.problem.setObjectName("refusal")
        self.problem.setWordWrap(True)
        self.problem.hide()
        self.save_button = QPushButton(SAVE, self)
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(lambda _=False: self.save())
        self.jobs.busy_changed.connect(lambda busy: self.save_button.setEnabled(not busy))
        cancel = QPushButton(wording.CANCEL, self)
        cancel.clicked.connect(lambda _=False: self.reject())
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.save_button)
        column = QVBoxLayout(self)
        column.addWidget(intro)
        column.addWidget(self.page)
        column.addWidget(self.problem)
        column.addLayout(buttons)
        self.page.pin.setFocus(Qt.FocusReason.OtherFocusReason)

    def save(self) -> None:
        if self.jobs.busy:
            return
        try:
            pin = self.page.new_pin()
        except PageProblem as problem:
            self._say(problem.message)
            return
        assert pin is not None  # required
        self.jobs.run(
            self._store(pin),
            lambda _done: self._done(),
            self._failed,
            handles=(SecretStoreError, OSError),
        )

    async def _store(self, pin: str) -> bool:
        settings = (await asyncio.to_thread(load_settings, self._paths)).settings
        await aset_manager_pin(self._paths, settings, self._environment, self._vault, pin)
        return True

    def _done(self) -> None:
        self.page.clear()
        self.saved.emit()
        self.accept()

    def _failed(self, error: Exception) -> None:
        if isinstance(error, SecretStoreError):
            self._say(error.message)
        else:
            self._say(f"The PIN could not be saved ({error}). Nothing was changed.")

    def _say(self, message: str) -> None:
        self.problem.setText(message)
        self.problem.show()

    def done(self, result: int) -> None:
        self.jobs.cancel_all()
        super().done(result)


def offer_first_pin(
    parent: QWidget,
    paths: Paths,
    environment: str,
    vault: TillRecordStore,
    on_saved: Callable[[], object],
    on_refused: Callable[[], object] | None = None,
) -> FirstPinDialog:
    dialog = FirstPinDialog(paths, environment, vault, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    dialog.saved.connect(lambda: on_saved())
    if on_refused is not None:
        dialog.rejected.connect(lambda: on_refused())
    dialog.open()
    return dialog
