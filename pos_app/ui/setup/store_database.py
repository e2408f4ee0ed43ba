"""The settings dialog's store database section (on its Store tab): is this till joined to a store's shared
database, and joining or leaving it (as `pos-app config set store_database_url` does).

The address is shown and kept without its password; a password (typed in its own field,
or inside the address) goes to the OS keyring when the dialog saves, never into the
settings. Leaving forgets the address and the password. The till uses the change from
its next start.
"""

from __future__ import annotations

import dataclasses

from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pos_app.config import Settings
from pos_app.domain.store_url import split_store_url
from pos_app.secrets import STORE_DATABASE, Secret
from pos_app.ui.setup.context import AsyncSecretStore
from pos_app.ui.setup.pages import PageProblem

__all__ = ["StoreDatabasePage"]

TITLE = "Store database"
NOT_JOINED = (
    "This till is not joined to a store database: it keeps its sales to itself. Several "
    "tills of one shop share their day through one (PostgreSQL, prepared once with "
    "`pos-app store init`)."
)
URL_HINT = "postgresql://USER@HOST:5432/DATABASE"
KEPT_HINT = "kept in the OS keyring; type to change"
NEXT_START = "The till uses a change from its next start."


def joined_line(url: str) -> str:
    return f"Joined to the store database at {url} (its password, if any, is in the OS keyring)."


class StoreDatabasePage(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = QLabel("", self)
        self.state.setObjectName("storeDatabaseState")
        self.state.setWordWrap(True)
        self.url = QLineEdit(self)
        self.url.setAccessibleName("Store database address")
        self.url.setPlaceholderText(URL_HINT)
        self.password = QLineEdit(self)
        self.password.setAccessibleName("Store database password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.leave_button = QPushButton("Leave the store database", self)
        self.leave_button.clicked.connect(lambda _=False: self.leave())
        form = QFormLayout()
        form.addRow("Address", self.url)
        form.addRow("Password", self.password)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(QLabel(f"<b>{TITLE}</b>", self))
        column.addWidget(self.state)
        column.addLayout(form)
        column.addWidget(self.leave_button)
        column.addWidget(QLabel(NEXT_START, self))
        self._joined: str | None = None
        self._new_password: str | None = None
        self._forget_password = False

    def load(self, settings: Settings) -> None:
        self._joined = settings.store_database_url
        self.url.setText(settings.store_database_url or "")
        self.password.clear()
        self.password.setPlaceholderText(KEPT_HINT if self._joined else "")
        self.state.setText(joined_line(self._joined) if self._joined else NOT_JOINED)
        self.leave_button.setEnabled(self._joined is not None)

    def leave(self) -> None:
        """Empty the address: saving then leaves the store database."""
        self.url.clear()
        self.password.clear()

    def apply(self, settings: Settings) -> Settings:
        """The settings with the address as typed (without its password). PageProblem when
        the address is not one; the password change waits for `save_password`."""
        typed = self.url.text().strip()
        self._new_password = None
        self._forget_password = False
        if not typed:
            self._forget_password = self._joined is not None
            return dataclasses.replace(settings, store_database_url=None)
        try:
            split = split_store_url(typed)
        except ValueError as exc:
            raise PageProblem(str(exc), self.url) from None
        self._new_password = self.password.text() or split.password
        return dataclasses.replace(settings, store_database_url=split.url)

    async def save_password(self, secrets: AsyncSecretStore) -> None:
        """After `apply`: the new password to the keyring, or forget it when leaving
        (before the settings are written, so a keyring that fails changes nothing)."""
        if self._new_password:
            await secrets.aset(*STORE_DATABASE, Secret(self._new_password))
        elif self._forget_password:
            await secrets.adelete(*STORE_DATABASE)

    def forget_typed(self) -> None:
        self.password.clear()
        self._new_password = None
