"""On the desk, every password-store call is one thread hop: the keyring worker is started
by the GUI (loop) thread itself, never by a pool thread that would then wait on it."""

from __future__ import annotations

import threading

import pytest
from pytestqt.qtbot import QtBot
from setup_kit import services

from pos_app.config import Settings, paths, save_settings
from pos_app.secrets import KeyringSecretStore
from pos_app.services.manager.gate import pin_guard
from pos_app.services.manager.pin_vault import read_vault, write_new_pin
from pos_app.ui.setup import wording
from pos_app.ui.setup.about import AboutDialog
from pos_app.ui.setup.pin_dialog import PinDialog, gate_manager_action


@pytest.fixture
def keyring_starts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The thread that started each keyring worker during the test."""
    starts: list[str] = []
    real_start = threading.Thread.start

    def start(self: threading.Thread) -> None:
        if self.name == "pos_app-keyring":
            starts.append(threading.current_thread().name)
        real_start(self)

    monkeypatch.setattr(threading.Thread, "start", start)
    return starts


def test_the_manager_gate_reads_the_pin_entry_from_the_gui_thread(
    qtbot: QtBot, qloop: object, keyring_starts: list[str]
) -> None:
    from PySide6.QtWidgets import QWidget

    store = KeyringSecretStore(timeout=3)
    mark = write_new_pin(store, "2580")
    save_settings(paths(), Settings(environment="sandbox", manager_pin_fingerprint=mark))
    keyring_starts.clear()
    parent = QWidget()
    qtbot.addWidget(parent)
    task = gate_manager_action(
        parent, "refund", lambda: None, paths=paths(), environment="sandbox", vault=store
    )
    qtbot.waitUntil(task.done, timeout=5000)
    dialog = task.result()
    assert isinstance(dialog, PinDialog)
    assert keyring_starts == [threading.current_thread().name]
    dialog.reject()


def test_about_asks_the_password_store_only_from_the_gui_thread(
    qtbot: QtBot, qloop: object, keyring_starts: list[str]
) -> None:
    dialog = AboutDialog(services(environment="sandbox"))
    qtbot.addWidget(dialog)
    qtbot.waitUntil(dialog.copy_button.isEnabled, timeout=5000)
    assert "Password store: " in dialog.details.toPlainText()
    # the backend's name and each environment's saved secret: all started by this thread
    assert keyring_starts and set(keyring_starts) == {threading.current_thread().name}


def test_the_pin_check_reads_and_writes_the_entry_from_the_gui_thread(
    qtbot: QtBot, qloop: object, keyring_starts: list[str]
) -> None:
    store = KeyringSecretStore(timeout=3)
    write_new_pin(store, "2580")
    record = read_vault(store)
    assert record is not None and record.pin_hash is not None
    dialog = PinDialog(pin_guard(store), record.pin_hash, "refund")
    qtbot.addWidget(dialog)
    dialog.open()
    gui = threading.current_thread().name
    keyring_starts.clear()
    dialog.pin.setText("1397")
    dialog.submit()
    qtbot.waitUntil(lambda: dialog.problem.text() == wording.WRONG_PIN, timeout=5000)
    # read, read + write the count, read whether it locked: each worker started here
    assert keyring_starts == [gui] * 4
    counted = read_vault(store)
    assert counted is not None and counted.failures == 1  # the wrong try is kept
    keyring_starts.clear()
    dialog.pin.setText("2580")
    with qtbot.waitSignal(dialog.granted, timeout=5000):
        dialog.submit()
    assert keyring_starts == [gui] * 3  # read, read + write the cleared count
    cleared = read_vault(store)
    assert cleared is not None and cleared.failures == 0


def test_the_first_pin_is_kept_from_the_gui_thread(
    qtbot: QtBot, qloop: object, keyring_starts: list[str]
) -> None:
    from pos_app.ui.setup.first_pin import FirstPinDialog

    store = KeyringSecretStore(timeout=3)
    save_settings(paths(), Settings(environment="sandbox"))
    dialog = FirstPinDialog(paths(), "sandbox", store)
    qtbot.addWidget(dialog)
    dialog.open()
    dialog.page.pin.setText("4826")
    dialog.page.repeat.setText("4826")
    keyring_starts.clear()
    with qtbot.waitSignal(dialog.saved, timeout=5000):
        dialog.save()
    # read the entry (was a PIN in place?), then write the new one: both started here
    assert keyring_starts == [threading.current_thread().name] * 2
    kept = read_vault(store)
    assert kept is not None and kept.pin_hash is not None and kept.failures == 0
