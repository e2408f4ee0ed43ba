"""The blocking message shown when a real till (sandbox or production) cannot start.

A locked, missing or silent password store, or no Cashfree credentials: the desk must not
quietly open the demo instead, since a cashier could then take "payments" that are not
real. This window says what is wrong and offers Retry (after unlocking the store or
adding credentials), Quit, and — only as the user's own choice — the demo.

`ask_about_setup_problem` runs the window with its own modal loop. It is called before any
asyncio loop runs (never from inside a coroutine).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pos_app.ui.qt_app import application, gui_thread_gc

__all__ = [
    "DEMO",
    "QUIT",
    "RETRY",
    "SetupChoice",
    "SetupProblem",
    "SetupProblemDialog",
    "ask_about_setup_problem",
]

SetupChoice = Literal["retry", "demo", "quit"]
RETRY: Final = "retry"
DEMO: Final = "demo"
QUIT: Final = "quit"

_HEADINGS = {
    "locked": "The password store is locked",
    "timeout": "The password store does not answer",
    "no_backend": "There is no password store on this computer",
    "refused_backend": "This password store cannot be used",
    "no_credentials": "This till has no Cashfree credentials yet",
}
_DEFAULT_HEADING = "The password store could not be read"
_ENV_NAMES = {"production": "PRODUCTION", "sandbox": "SANDBOX"}


@dataclass(frozen=True, slots=True)
class SetupProblem:
    """What stops the real till, in words for the shop owner (never a secret)."""

    environment: str  # "sandbox" or "production"
    reason: str  # the secret store's reason, or "no_credentials"
    message: str  # what to do, from the secret store or the composition root


def heading_for(problem: SetupProblem) -> str:
    return _HEADINGS.get(problem.reason, _DEFAULT_HEADING)


def explanation_for(problem: SetupProblem) -> str:
    env = _ENV_NAMES.get(problem.environment, problem.environment.upper())
    return (
        f"This till is set up to take real payments ({env}), so it will not start without "
        "its Cashfree credentials, and it will not switch to the demo by itself. Fix the "
        "problem above and press Retry."
    )


class SetupProblemDialog(QDialog):
    """Retry (default), Quit, or the demo on purpose. Closing the window means Quit."""

    def __init__(self, problem: SetupProblem, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.problem = problem
        self.choice: SetupChoice = QUIT
        self.setObjectName("setupProblem")
        self.setWindowTitle("pos-app cannot start")
        self.setModal(True)
        self.setMinimumWidth(520)

        self.heading = QLabel(heading_for(problem))
        self.heading.setObjectName("setupProblemHeading")
        # Its own style: the till's style sheet sets every widget's font size.
        self.heading.setStyleSheet("font-size: 21px; font-weight: bold;")
        self.message = QLabel(problem.message)
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.explanation = QLabel(explanation_for(problem))
        self.explanation.setWordWrap(True)

        self.retry_button = QPushButton("Retry")
        self.retry_button.setDefault(True)
        self.retry_button.setAutoDefault(True)
        self.demo_button = QPushButton("Open the demo instead")
        self.demo_button.setToolTip("Training only: nothing is charged and no money moves.")
        self.demo_button.setAutoDefault(False)
        self.quit_button = QPushButton("Quit")
        self.quit_button.setAutoDefault(False)
        self.retry_button.clicked.connect(lambda _=False: self._choose(RETRY))
        self.demo_button.clicked.connect(lambda _=False: self._choose(DEMO))
        self.quit_button.clicked.connect(lambda _=False: self._choose(QUIT))

        buttons = QHBoxLayout()
        buttons.addWidget(self.demo_button)
        buttons.addStretch(1)
        buttons.addWidget(self.quit_button)
        buttons.addWidget(self.retry_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.message)
        layout.addWidget(self.explanation)
        layout.addSpacing(8)
        layout.addLayout(buttons)
        self.retry_button.setFocus()

    def _choose(self, choice: SetupChoice) -> None:
        self.choice = choice
        if choice == QUIT:
            self.reject()
        else:
            self.accept()


def ask_about_setup_problem(problem: SetupProblem) -> SetupChoice:
    """Show the message until the user chooses. Only from the GUI thread, outside any
    running asyncio loop (it runs Qt's own modal loop)."""
    with gui_thread_gc():
        application()
        dialog = SetupProblemDialog(problem)
        dialog.exec()
        choice = dialog.choice
        dialog.deleteLater()
        return choice
