"""About and diagnostics: the shop's policy file (what it pins, or why it cannot be
obeyed), versions, folders, environment, password store, the last Cashfree call and its
request id, with "Copy diagnostics". The text is built by
pos_app.services.diagnostics, which redacts it like the log; it never holds a secret."""

from __future__ import annotations

import asyncio

import PySide6
from PySide6.QtCore import qVersion
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pos_app.domain.environment import CREDENTIALED
from pos_app.secrets import Secret, SecretStoreError
from pos_app.services.diagnostics import diagnostics_text, gather
from pos_app.services.manager.policy import describe_policy, load_policy
from pos_app.ui import text
from pos_app.ui.embedded_checkout import unavailable_reason
from pos_app.ui.setup import wording
from pos_app.ui.setup.context import SetupServices
from pos_app.ui.setup.jobs import Jobs
from pos_app.ui.setup.pages import bold_heading

__all__ = ["AboutDialog"]


class AboutDialog(QDialog):
    def __init__(self, services: SetupServices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(wording.ABOUT_TITLE)
        self.setMinimumSize(640, 420)
        self.services = services
        self.jobs = Jobs(self)
        heading = QLabel(text.APP_TITLE, self)
        heading.setObjectName("pageHeading")
        bold_heading(heading)
        self.details = QPlainTextEdit(self)
        self.details.setReadOnly(True)
        self.details.setAccessibleName("Diagnostics")
        self.details.setPlainText(wording.GATHERING)
        self.copy_button = QPushButton(wording.COPY_DIAGNOSTICS, self)
        self.copy_button.setAccessibleName(wording.COPY_DIAGNOSTICS)
        self.copy_button.setEnabled(False)
        self.copy_button.clicked.connect(lambda _=False: self.copy())
        self.copied = QLabel("", self)
        close = QPushButton(wording.CLOSE, self)
        close.clicked.connect(lambda _=False: self.accept())
        buttons = QHBoxLayout()
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.copied, 1)
        buttons.addWidget(close)
        column = QVBoxLayout(self)
        column.addWidget(heading)
        self.sound_notice = QLabel(services.sound_notice, self)
        self.sound_notice.setObjectName("refusal")
        self.sound_notice.setWordWrap(True)
        self.sound_notice.setAccessibleName("Sound")
        self.sound_notice.setVisible(bool(services.sound_notice))
        column.addWidget(self.sound_notice)
        column.addWidget(self.details, 1)
        column.addLayout(buttons)
        self.text = ""
        self.jobs.run(self._gather(), self._show)

    async def _gather(self) -> str:
        services = self.services
        backend = await services.secrets.abackend_name()
        saved: dict[str, bool | None] = {}
        found: list[Secret] = []
        for environment in CREDENTIALED:
            try:
                secret = await services.secrets.aget(environment, "client_secret")
            except SecretStoreError:
                saved[environment] = None
                continue
            saved[environment] = secret is not None
            if secret is not None:
                found.append(secret)
        diag = gather(
            environment=services.environment,
            data_dir=services.paths.data_dir,
            config_dir=services.paths.config_dir,
            log_dir=services.paths.log_dir,
            keyring_backend=backend,
            credentials=saved,
            last_call=services.last_call(),
            now=services.monotonic(),
            extra_versions={
                "Qt runtime": qVersion(),
                "PySide6 module": PySide6.__version__,
                "Embedded checkout": unavailable_reason(load=False) or "installed (Qt WebEngine)",
            },
        )
        policy = await asyncio.to_thread(load_policy)
        rows = "\n".join(f"{label}: {value}" for label, value in describe_policy(policy))
        return f"{rows}\n\n{diagnostics_text(diag, secrets=found)}"

    def _show(self, diagnostics: str) -> None:
        self.text = diagnostics
        self.details.setPlainText(diagnostics)
        self.copy_button.setEnabled(True)

    def copy(self) -> None:
        clipboard = QGuiApplication.clipboard()
        clipboard.setText(self.text)
        self.copied.setText(wording.COPIED)

    def done(self, result: int) -> None:
        self.jobs.cancel_all()
        super().done(result)
