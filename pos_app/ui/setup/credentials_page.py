"""The credentials page: App ID, client secret and "Test connection".

The page only collects and shows; the dialog that owns it reads the password store, runs
the check off the GUI thread and saves. The secret field never shows a saved secret: when
one is saved it stays empty with a note, and an empty field means "keep it".
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pos_app.domain.validate import ValidationError
from pos_app.secrets import Secret
from pos_app.services.diagnostics import (
    MAX_APP_ID,
    MAX_SECRET,
    ConnectionCheck,
    clean_app_id,
    clean_secret,
)
from pos_app.ui.setup import wording
from pos_app.ui.setup.pages import PageProblem, bold_heading, mark_invalid

__all__ = ["CredentialsPage"]


class CredentialsPage(QWidget):
    test_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(wording.TAB_CASHFREE)
        self._has_saved_secret = False
        column = QVBoxLayout(self)
        self.heading = QLabel("", self)
        self.heading.setObjectName("pageHeading")
        bold_heading(self.heading)
        column.addWidget(self.heading)
        intro = QLabel(wording.CREDENTIALS_INTRO, self)
        intro.setWordWrap(True)
        column.addWidget(intro)
        form = QFormLayout()
        self.app_id = QLineEdit(self)
        self.app_id.setAccessibleName(wording.APP_ID)
        self.app_id.setMaxLength(MAX_APP_ID)
        self.secret = QLineEdit(self)
        self.secret.setAccessibleName(wording.CLIENT_KEY_LABEL)
        self.secret.setMaxLength(MAX_SECRET)
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret.setPlaceholderText(wording.CLIENT_KEY_NONE)
        for edit in (self.app_id, self.secret):
            edit.textEdited.connect(lambda _text, e=edit: self._edited(e))
        form.addRow(wording.APP_ID, self.app_id)
        form.addRow(wording.CLIENT_KEY_LABEL, self.secret)
        column.addLayout(form)
        row = QHBoxLayout()
        self.test_button = QPushButton(wording.TEST_CONNECTION, self)
        self.test_button.setAccessibleName(wording.TEST_CONNECTION)
        self.test_button.clicked.connect(lambda _=False: self.test_requested.emit())
        row.addWidget(self.test_button)
        row.addStretch(1)
        column.addLayout(row)
        self.result = QLabel("", self)
        self.result.setObjectName("checkResult")
        self.result.setAccessibleName("Connection test result")
        self.result.setWordWrap(True)
        self.result.hide()
        column.addWidget(self.result)
        column.addStretch(1)
        self.set_environment("sandbox")

    # ---- what the dialog sets ----
    def set_environment(self, environment: str) -> None:
        self.heading.setText(wording.credentials_heading(environment))

    def set_saved(self, app_id: Secret | None, has_secret: bool) -> None:
        """Show what the password store holds for the chosen environment."""
        self.app_id.setText(app_id.reveal() if app_id is not None else "")
        self.secret.clear()
        self._has_saved_secret = has_secret
        self.secret.setPlaceholderText(
            wording.CLIENT_KEY_KEEP if has_secret else wording.CLIENT_KEY_NONE
        )
        self.result.hide()

    def set_testing(self, testing: bool) -> None:
        self.test_button.setEnabled(not testing)
        if testing:
            self.show_note(wording.TESTING, "busy")

    def show_check(self, check: ConnectionCheck) -> None:
        self.show_note(check.describe(), "works" if check.works else "problem")

    def show_note(self, message: str, kind: str = "problem") -> None:
        self.result.setText(message)
        self.result.setObjectName("checkResult" if kind != "problem" else "refusal")
        self.result.setProperty("outcome", kind)
        style = self.result.style()
        style.unpolish(self.result)
        style.polish(self.result)
        self.result.show()

    # ---- what the dialog reads ----
    @property
    def has_saved_secret(self) -> bool:
        return self._has_saved_secret

    def typed_app_id(self) -> str:
        try:
            return clean_app_id(self.app_id.text())
        except ValidationError as error:
            mark_invalid(self.app_id, True)
            raise PageProblem(error.message, self.app_id) from None

    def typed_secret(self) -> Secret | None:
        """The secret typed now; None when the field is empty and a saved one is kept."""
        if not self.secret.text().strip() and self._has_saved_secret:
            return None
        try:
            return clean_secret(self.secret.text())
        except ValidationError as error:
            mark_invalid(self.secret, True)
            raise PageProblem(error.message, self.secret) from None

    def forget_typed_secret(self) -> None:
        self.secret.clear()

    def _edited(self, edit: QLineEdit) -> None:
        mark_invalid(edit, False)
        self.result.hide()
