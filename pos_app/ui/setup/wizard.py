"""The first-run wizard: try the demo at once, or set up sandbox / production.

Pages: welcome (with "Try the demo now" and the choice of Cashfree), credentials (with
"Test connection"), store details, the manager PIN. Finish saves the credentials to the
password store first and the settings file last, so a password store that fails leaves no
settings behind and the wizard comes back on the next start. Nothing blocks the GUI thread:
the password store, the check, the PIN hash and the file write all run as jobs.
"""

from __future__ import annotations

import asyncio
import dataclasses

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from pos_app.config import Settings, save_settings
from pos_app.domain.store_phone import needs_store_phone
from pos_app.secrets import SecretStoreError
from pos_app.services.manager.gate import aset_manager_pin
from pos_app.ui.setup import wording
from pos_app.ui.setup.context import SetupServices
from pos_app.ui.setup.credentials_flow import CredentialsFlow, TypedCredentials
from pos_app.ui.setup.credentials_page import CredentialsPage
from pos_app.ui.setup.jobs import Jobs
from pos_app.ui.setup.pages import ModePage, PageProblem, PinPage, StorePage

__all__ = ["FirstRunWizard"]


class FirstRunWizard(QDialog):
    completed = Signal(str)  # the environment the till was set up for

    def __init__(self, services: SetupServices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(wording.WIZARD_TITLE)
        self.setMinimumSize(620, 460)
        self.services = services
        self.jobs = Jobs(self)
        self.jobs.busy_changed.connect(self._busy)
        self.result_settings: Settings | None = None
        self.leave_box: QMessageBox | None = None

        self.welcome = QWidget(self)
        intro = QLabel(wording.WELCOME, self.welcome)
        intro.setWordWrap(True)
        self.demo_button = QPushButton(wording.TRY_DEMO, self.welcome)
        self.demo_button.setAccessibleName(wording.TRY_DEMO)
        self.demo_button.setObjectName("methodButton")
        self.demo_button.clicked.connect(lambda _=False: self.try_demo())
        self.mode = ModePage(include_demo=False, parent=self.welcome)
        column = QVBoxLayout(self.welcome)
        column.addWidget(intro)
        column.addWidget(self.demo_button)
        column.addWidget(QLabel(wording.OR_ACCOUNT, self.welcome))
        column.addWidget(self.mode, 1)

        self.credentials = CredentialsPage(self)
        self.flow = CredentialsFlow(self.credentials, services, self)
        self.store = StorePage(self)
        self.store.load(Settings())
        self.pin = PinPage(required=True, parent=self)
        self.pages: list[QWidget] = [self.welcome, self.credentials, self.store, self.pin]
        self.stack = QStackedWidget(self)
        for page in self.pages:
            self.stack.addWidget(page)

        self.problem = QLabel("", self)
        self.problem.setObjectName("refusal")
        self.problem.setAccessibleName("Problem")
        self.problem.setWordWrap(True)
        self.problem.hide()
        self.back_button = QPushButton(wording.BACK, self)
        self.next_button = QPushButton(wording.NEXT, self)
        self.cancel_button = QPushButton(wording.CANCEL, self)
        self.back_button.clicked.connect(lambda _=False: self.back())
        self.next_button.clicked.connect(lambda _=False: self.next())
        self.cancel_button.clicked.connect(lambda _=False: self.reject())
        self.next_button.setDefault(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.next_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.problem)
        layout.addLayout(buttons)
        self._show_page(0)

    # ---- moving between pages ----------------------------------------------------------------
    @property
    def page_index(self) -> int:
        return self.stack.currentIndex()

    def next(self) -> None:
        try:
            self._check_page(self.page_index)
        except PageProblem as problem:
            self._show_problem(problem)
            return
        if self.page_index == len(self.pages) - 1:
            self._finish()
            return
        if self.stack.currentWidget() is self.credentials and self.flow.store_works is not True:
            # The secret can only be kept in the password store: make sure there is one
            # before the manager fills in the rest, and keep what was typed either way.
            self._probe_store()
            return
        if self.page_index == 0:
            environment = self.mode.environment()
            self.flow.load(environment)
            self.store.set_phone_required(needs_store_phone(environment))
        self._show_page(self.page_index + 1)

    def _probe_store(self) -> None:
        here = self.page_index

        def works() -> None:
            if self.page_index == here:
                self._show_page(here + 1)

        def fails(message: str) -> None:
            if self.page_index == here:
                self._show_problem(PageProblem(message))

        self.problem.hide()
        self.flow.probe(works, fails)

    def back(self) -> None:
        if self.page_index > 0:
            self._show_page(self.page_index - 1)

    def _show_page(self, index: int) -> None:
        self.problem.hide()
        self.stack.setCurrentIndex(index)
        self._update_buttons()

    def _update_buttons(self) -> None:
        busy = self.jobs.busy
        index = self.page_index
        self.back_button.setEnabled(index > 0 and not busy)
        self.next_button.setEnabled(not busy)
        self.demo_button.setEnabled(not busy)
        last = index == len(self.pages) - 1
        if busy:
            self.next_button.setText(wording.SAVING)
        else:
            self.next_button.setText(wording.FINISH if last else wording.NEXT)

    def _check_page(self, index: int) -> None:
        page = self.pages[index]
        if page is self.welcome:
            self.mode.check()
        elif page is self.credentials:
            self.flow.typed()
        elif page is self.store:
            self.store.apply(Settings())
        elif page is self.pin:
            self.pin.new_pin()

    def _show_problem(self, problem: PageProblem) -> None:
        self.problem.setText(problem.message)
        self.problem.show()
        if problem.widget is not None:
            problem.widget.setFocus(Qt.FocusReason.OtherFocusReason)

    # ---- finishing -----------------------------------------------------------------------------
    def try_demo(self) -> None:
        """No account: save demo settings and finish."""
        settings = Settings(environment="demo")
        self.jobs.run(self._save_settings(settings), self._done, self._failed, handles=_SAVE_ERRORS)

    def _finish(self) -> None:
        environment = self.mode.environment()
        try:
            typed = self.flow.typed()
            settings = dataclasses.replace(self.store.apply(Settings()), environment=environment)
            pin = self.pin.new_pin()
        except PageProblem as problem:
            self._show_problem(problem)
            return
        self.problem.hide()
        self.jobs.run(
            self._save_all(environment, typed, settings, pin),
            self._done,
            self._failed,
            handles=_SAVE_ERRORS,
        )

    async def _save_all(
        self, environment: str, typed: TypedCredentials, settings: Settings, pin: str | None
    ) -> Settings:
        await self.flow.save(environment, typed)
        settings = await self._save_settings(settings)
        if pin is not None:
            # The PIN lives in the password store; the settings keep its fingerprint.
            settings = await aset_manager_pin(
                self.services.paths,
                settings,
                environment,
                self.services.secrets,
                pin,
            )
        return settings

    async def _save_settings(self, settings: Settings) -> Settings:
        await asyncio.to_thread(save_settings, self.services.paths, settings)
        return settings

    def _done(self, settings: Settings) -> None:
        self.result_settings = settings
        self.credentials.forget_typed_secret()
        self.pin.clear()
        self.completed.emit(settings.environment)
        self.accept()

    def _failed(self, error: Exception) -> None:
        if isinstance(error, PageProblem):
            self._show_problem(error)
        elif isinstance(error, SecretStoreError):
            self._show_problem(PageProblem(error.message))
        else:
            self._show_problem(PageProblem(_file_problem(error)))

    def _busy(self, _busy: bool) -> None:
        self._update_buttons()

    # ---- leaving without finishing ---------------------------------------------------------------
    def typed_something(self) -> bool:
        page, store, default = self.credentials, self.store, Settings()
        return any(
            (
                page.app_id.text().strip(),
                page.secret.text(),
                self.pin.pin.text(),
                self.pin.repeat.text(),
                store.store_name.text() != default.store_name,
                store.terminal_id.text() != default.terminal_id,
                store.phone.text().strip(),
            )
        )

    def reject(self) -> None:
        """Cancel or Esc: ask first when something was typed (the question does not block)."""
        if self.jobs.busy or self.leave_box is not None:
            return
        if not self.typed_something():
            super().reject()
            return
        box = QMessageBox(
            QMessageBox.Icon.Question, wording.WIZARD_TITLE, wording.DISCARD_QUESTION, parent=self
        )
        discard = box.addButton(wording.DISCARD, QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton(wording.KEEP_EDITING, QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        self.leave_box = box

        def answered(button: object) -> None:
            self.leave_box = None
            if button is discard:
                super(FirstRunWizard, self).reject()

        box.buttonClicked.connect(answered)
        box.open()

    def done(self, result: int) -> None:
        self.jobs.cancel_all()
        self.flow.cancel()
        super().done(result)


_SAVE_ERRORS: tuple[type[Exception], ...] = (SecretStoreError, PageProblem, OSError)


def _file_problem(error: Exception) -> str:
    detail = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
    return f"The settings could not be saved ({detail}). Check the disk and try again."
