"""The settings dialog: the wizard's pages again, plus how the counter works.

Opened behind the manager PIN (see entry.py). Tabs: Cashfree (which one, and its
credentials with "Test connection"), Store (with the store database this till shares:
joined or not, join or leave), Till (order expiry, payment methods with the
NPCI warning beside UPI request, sound, customer display), Voice (spoken confirmation,
with "Test voice"), Manager PIN. Save writes the
credentials to the password store first and the settings file last; a password store that
fails leaves the settings as they were.
"""

from __future__ import annotations

import asyncio
import dataclasses

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
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
from pos_app.ui.setup.pages import ModePage, PageProblem, PinPage, StorePage, TillPage
from pos_app.ui.setup.store_database import StoreDatabasePage
from pos_app.ui.setup.voice_page import TAB_VOICE, VoicePage

__all__ = ["SettingsDialog"]

_SAVE_ERRORS: tuple[type[Exception], ...] = (SecretStoreError, PageProblem, OSError)


class SettingsDialog(QDialog):
    saved = Signal(object)  # the Settings now in the file

    def __init__(
        self, services: SetupServices, settings: Settings, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(wording.SETTINGS_TITLE)
        self.setMinimumSize(680, 520)
        self.services = services
        self.original = settings
        self.jobs = Jobs(self)
        self.jobs.busy_changed.connect(self._busy)

        self.cashfree = QWidget(self)
        self.mode = ModePage(include_demo=True, parent=self.cashfree)
        self.credentials = CredentialsPage(self.cashfree)
        self.flow = CredentialsFlow(self.credentials, services, self)
        column = QVBoxLayout(self.cashfree)
        column.addWidget(self.mode)
        column.addWidget(self.credentials, 1)
        # The Store tab: the shop's details, and the store database this till shares.
        self.store_box = QWidget(self)
        self.store = StorePage(self.store_box)
        self.store_database = StoreDatabasePage(self.store_box)
        store_column = QVBoxLayout(self.store_box)
        store_column.addWidget(self.store)
        store_column.addWidget(self.store_database)
        self.till = TillPage(self)
        self.voice = VoicePage(self)
        self.pin = PinPage(required=False, parent=self)
        self.tabs = QTabWidget(self)
        for page, title in (
            (self.cashfree, wording.TAB_CASHFREE),
            (self.store_box, wording.TAB_STORE),
            (self.till, wording.TAB_TILL),
            (self.voice, TAB_VOICE),
            (self.pin, wording.TAB_PIN),
        ):
            self.tabs.addTab(page, title)

        self.problem = QLabel("", self)
        self.problem.setObjectName("refusal")
        self.problem.setAccessibleName("Problem")
        self.problem.setWordWrap(True)
        self.problem.hide()
        self.save_button = QPushButton(wording.SAVE, self)
        self.save_button.setDefault(True)
        self.cancel_button = QPushButton(wording.CANCEL, self)
        self.save_button.clicked.connect(lambda _=False: self.save())
        self.cancel_button.clicked.connect(lambda _=False: self.reject())
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.problem)
        layout.addLayout(buttons)

        production = settings.environment == "production"
        self.mode.set_environment(settings.environment, confirmed=production)
        self.mode.environment_changed.connect(self._environment_changed)
        self.store.load(settings)
        self.till.load(settings)
        self.voice.load(settings)
        self.store_database.load(settings)
        self._environment_changed(settings.environment)

    # ---- reacting ------------------------------------------------------------------------------
    def _environment_changed(self, environment: str) -> None:
        needs_keys = environment in ("sandbox", "production")
        self.credentials.setVisible(needs_keys)
        self.store.set_phone_required(needs_store_phone(environment))
        if needs_keys:
            self.flow.load(environment)

    def _busy(self, busy: bool) -> None:
        self.save_button.setEnabled(not busy)
        self.save_button.setText(wording.SAVING if busy else wording.SAVE)

    def _show_problem(self, problem: PageProblem) -> None:
        self.problem.setText(problem.message)
        self.problem.show()
        widget = problem.widget
        if widget is None:
            return
        for index in range(self.tabs.count()):
            page = self.tabs.widget(index)
            if page is not None and (page is widget or page.isAncestorOf(widget)):
                self.tabs.setCurrentIndex(index)
                break
        widget.setFocus(Qt.FocusReason.OtherFocusReason)

    # ---- saving --------------------------------------------------------------------------------
    def save(self) -> None:
        original = self.original
        environment = self.mode.environment()
        typed: TypedCredentials | None = None
        try:
            self.mode.check(already_production=original.environment == "production")
            settings = self.voice.apply(self.till.apply(self.store.apply(original)))
            settings = self.store_database.apply(settings)
            settings = dataclasses.replace(settings, environment=environment)
            pin = self.pin.new_pin()
            has_pin = (original.manager_pin_fingerprint or original.manager_pin_hash) is not None
            if environment == "production" and not has_pin and pin is None:
                raise PageProblem(wording.PIN_NEEDED_FOR_PRODUCTION, self.pin.pin)
            if environment in ("sandbox", "production"):
                typed = self.flow.typed()
        except PageProblem as problem:
            self._show_problem(problem)
            return
        self.problem.hide()
        self.jobs.run(
            self._store(environment, typed, settings, pin),
            self._done,
            self._failed,
            handles=_SAVE_ERRORS,
        )

    async def _store(
        self,
        environment: str,
        typed: TypedCredentials | None,
        settings: Settings,
        pin: str | None,
    ) -> Settings:
        if typed is not None:
            await self.flow.save(environment, typed)
        await self.store_database.save_password(self.services.secrets)
        await asyncio.to_thread(save_settings, self.services.paths, settings)
        if pin is not None:
            # The hash and its wrong-try count go to the password store, the fingerprint to
            # the settings, and the journal records it (services.manager_gate).
            settings = await aset_manager_pin(
                self.services.paths,
                settings,
                environment,
                self.services.secrets,
                pin,
            )
        return settings

    def _done(self, settings: Settings) -> None:
        self.credentials.forget_typed_secret()
        self.store_database.forget_typed()
        self.pin.clear()
        self.saved.emit(settings)
        self.accept()

    def _failed(self, error: Exception) -> None:
        if isinstance(error, PageProblem):
            self._show_problem(error)
        elif isinstance(error, SecretStoreError):
            self._show_problem(PageProblem(error.message))
        else:
            detail = error.strerror if isinstance(error, OSError) and error.strerror else error
            self._show_problem(
                PageProblem(f"The settings file could not be written ({detail}). Try again.")
            )

    def done(self, result: int) -> None:
        self.jobs.cancel_all()
        self.flow.cancel()
        self.voice.close_voice()
        super().done(result)
