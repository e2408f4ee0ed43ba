"""Issue 11 items 9 and 12: a real till never opens the demo by itself, and every window of
the till runs under the one GUI-thread garbage collector.

With environment=production (or sandbox) and a locked, silent or empty password store,
`run_gui` shows a blocking message (Retry / Quit / the demo on purpose). The choice is
injected here; the dialog itself is tested below as a widget."""

from __future__ import annotations

import dataclasses
import gc
from collections.abc import Callable, Iterator
from pathlib import Path

import keyring
import keyring.errors
import pytest
from keyring.backend import KeyringBackend
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from pos_app.app import run_gui
from pos_app.commands import exit_codes
from pos_app.config import load_settings, paths, save_settings
from pos_app.ui import qt_app
from pos_app.ui.main_window import MainWindow
from pos_app.ui.setup.wizard import FirstRunWizard
from pos_app.ui.setup_problem import (
    DEMO,
    QUIT,
    RETRY,
    SetupChoice,
    SetupProblem,
    SetupProblemDialog,
)


class LockedKeyring(KeyringBackend):
    priority = -10  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("Prompt dismissed")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.KeyringLocked("Prompt dismissed")

    def delete_password(self, service: str, username: str) -> None:
        raise keyring.errors.KeyringLocked("Prompt dismissed")


@pytest.fixture
def locked() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(LockedKeyring())
    try:
        yield
    finally:
        keyring.set_keyring(previous)


def _real_till(environment: str = "production") -> None:
    where = paths()
    save_settings(
        where, dataclasses.replace(load_settings(where).settings, environment=environment)
    )


class Desks:
    """Records every desk that opened (its environment and notice), then closes it."""

    def __init__(self) -> None:
        self.opened: list[tuple[str, str]] = []

    def __call__(self, window: MainWindow) -> None:
        self.opened.append((window.options.environment, window.notice.label.text()))
        window.close()


@pytest.fixture
def desks() -> Desks:
    return Desks()


def _answers(*choices: SetupChoice) -> tuple[list[SetupProblem], Callable[..., SetupChoice]]:
    asked: list[SetupProblem] = []
    left = list(choices)

    def ask(problem: SetupProblem) -> SetupChoice:
        asked.append(problem)
        return left.pop(0)

    return asked, ask


def test_production_with_a_locked_keyring_does_not_open_the_demo(
    qapp: QApplication, locked: None, desks: Desks
) -> None:
    _real_till("production")
    asked, ask = _answers(QUIT)
    code = run_gui(ask=ask, on_ready=[desks])
    assert desks.opened == []  # no desk at all, demo or otherwise
    assert code == exit_codes.SETUP != 0
    assert [(p.environment, p.reason) for p in asked] == [("production", "locked")]
    assert "locked" in asked[0].message


def test_retry_asks_the_password_store_again(
    qapp: QApplication, locked: None, desks: Desks
) -> None:
    _real_till("sandbox")
    asked, ask = _answers(RETRY, RETRY, QUIT)
    assert run_gui(ask=ask, on_ready=[desks]) == exit_codes.SETUP
    assert len(asked) == 3
    assert desks.opened == []


def test_retry_after_the_store_is_unlocked_opens_the_real_till(
    qapp: QApplication,
    locked: None,
    desks: Desks,
    _memory_keyring: KeyringBackend,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _real_till("sandbox")
    monkeypatch.setenv("POS_CASHFREE_BASE_URL", "http://127.0.0.1:9/pg")  # never called

    def unlock_then_retry(problem: SetupProblem) -> SetupChoice:
        _memory_keyring.set_password("pos_app", "sandbox/app_id", "TEST-APP-ID")
        _memory_keyring.set_password("pos_app", "sandbox/client_secret", "sim-secret-abcdef")
        keyring.set_keyring(_memory_keyring)
        return RETRY

    assert run_gui(ask=unlock_then_retry, on_ready=[desks]) == 0
    assert [env for env, _ in desks.opened] == ["sandbox"]


def test_missing_credentials_are_asked_about_too(qapp: QApplication, desks: Desks) -> None:
    _real_till("production")
    asked, ask = _answers(QUIT)
    assert run_gui(ask=ask, on_ready=[desks]) == exit_codes.SETUP
    assert [p.reason for p in asked] == ["no_credentials"]
    assert desks.opened == []


def test_the_demo_only_on_the_users_choice(qapp: QApplication, locked: None, desks: Desks) -> None:
    _real_till("production")
    asked, ask = _answers(DEMO)
    assert run_gui(ask=ask, on_ready=[desks]) == 0
    assert len(asked) == 1
    [(environment, notice)] = desks.opened
    assert environment == "demo"
    assert "You chose the demo" in notice


def test_an_explicit_demo_never_asks(qapp: QApplication, locked: None, desks: Desks) -> None:
    _real_till("production")
    asked, ask = _answers()
    assert run_gui("demo", ask=ask, on_ready=[desks]) == 0
    assert asked == []
    assert [env for env, _ in desks.opened] == ["demo"]


# ---- the window itself -------------------------------------------------------------------------
PROBLEM = SetupProblem(
    environment="production",
    reason="locked",
    message=(
        "The password store is locked, or its unlock prompt was closed, so the Cashfree App ID "
        "could not be read. Unlock it (on Linux: GNOME Keyring or KWallet, usually by logging "
        "in to the desktop) and try again."
    ),
)


@pytest.mark.parametrize(
    ("button", "choice", "accepted"),
    [("retry_button", RETRY, True), ("demo_button", DEMO, True), ("quit_button", QUIT, False)],
)
def test_each_button_is_one_choice(qtbot: QtBot, button: str, choice: str, accepted: bool) -> None:
    dialog = SetupProblemDialog(PROBLEM)
    qtbot.addWidget(dialog)
    dialog.open()
    getattr(dialog, button).click()
    assert dialog.choice == choice
    assert dialog.result() == (1 if accepted else 0)


def test_closing_the_window_is_quit_and_retry_is_the_default(qtbot: QtBot) -> None:
    dialog = SetupProblemDialog(PROBLEM)
    qtbot.addWidget(dialog)
    dialog.open()
    assert dialog.retry_button.isDefault()
    assert not dialog.demo_button.isDefault()
    dialog.reject()
    assert dialog.choice == QUIT


def test_the_message_says_what_is_wrong_and_what_to_do(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = SetupProblemDialog(PROBLEM)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.heading.text() == "The password store is locked"
    assert "Unlock it" in dialog.message.text()
    assert "PRODUCTION" in dialog.explanation.text()
    assert "will not switch to the demo by itself" in dialog.explanation.text()
    picture = tmp_path / "setup-problem.png"
    assert dialog.grab().save(str(picture))
    assert picture.stat().st_size > 1000


# ---- item 12: the wizard runs under the GUI-thread collector ------------------------------------
def test_the_first_run_wizard_runs_under_the_gui_thread_collector(
    qapp: QApplication, desks: Desks
) -> None:
    seen: dict[str, bool] = {}
    gc.enable()

    def look(left: int = 150) -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, FirstRunWizard) and widget.isVisible():
                seen["automatic gc"] = gc.isenabled()
                seen["guard"] = qt_app.gc_guard_active()
                widget.reject()
                return
        if left > 0:
            QTimer.singleShot(20, lambda: look(left - 1))

    QTimer.singleShot(0, look)
    assert run_gui(on_ready=[desks]) == 0
    assert seen == {"automatic gc": False, "guard": True}
    assert gc.isenabled()  # handed back once the till's windows are gone
    assert not qt_app.gc_guard_active()
