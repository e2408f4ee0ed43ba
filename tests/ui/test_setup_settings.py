"""The settings dialog (the wizard's pages plus the till's) and the desk's way in: the
"Till" menu, the manager PIN dialog in front of Settings, a lockout shared with the CLI."""

from __future__ import annotations

import dataclasses
import io
import json
from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QMainWindow
from pytestqt.qtbot import QtBot
from setup_kit import PIN, LoopbackCashfree, loopback_cashfree, services

from pos_app.commands.pin_prompt import pin_state_path, require_manager_pin
from pos_app.config import Settings, load_settings, paths, save_settings, settings_file
from pos_app.domain.sale import Method
from pos_app.secrets import TILL_ACCOUNT, KeyringSecretStore
from pos_app.services.manager.pin import FREE_TRIES, hash_pin, verify_pin
from pos_app.services.manager.pin_vault import fingerprint, read_vault
from pos_app.simulator import SIM_CLIENT_ID, SIM_CLIENT_SECRET
from pos_app.ui.setup import entry, wording
from pos_app.ui.setup.pin_dialog import PinDialog
from pos_app.ui.setup.settings_dialog import SettingsDialog


@pytest.fixture
def cashfree(monkeypatch: pytest.MonkeyPatch) -> Iterator[LoopbackCashfree]:
    yield from loopback_cashfree(monkeypatch)


@pytest.fixture
def sandbox_keys(_memory_keyring: object) -> object:
    entries = _memory_keyring.entries  # type: ignore[attr-defined]
    entries[("pos_app", "sandbox/app_id")] = SIM_CLIENT_ID
    entries[("pos_app", "sandbox/client_secret")] = SIM_CLIENT_SECRET
    return _memory_keyring


def _saved(**changes: object) -> Settings:
    base = Settings(environment="sandbox", default_customer_phone="9876543210")
    settings = dataclasses.replace(base, **changes)  # type: ignore[arg-type]
    save_settings(paths(), settings)
    return settings


def _dialog(qtbot: QtBot, settings: Settings) -> SettingsDialog:
    dialog = SettingsDialog(services(), settings)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: not dialog.flow.jobs.busy, timeout=5000)
    return dialog


def _save(qtbot: QtBot, dialog: SettingsDialog) -> None:
    dialog.save_button.click()
    qtbot.waitUntil(lambda: not dialog.jobs.busy, timeout=10000)


def test_opens_with_the_settings_and_the_saved_app_id_but_never_the_secret(
    qtbot: QtBot, qloop: object, sandbox_keys: object
) -> None:
    dialog = _dialog(qtbot, _saved(store_name="Sharma Store", order_expiry_minutes=20))
    assert dialog.mode.environment() == "sandbox"
    assert dialog.credentials.app_id.text() == SIM_CLIENT_ID
    assert dialog.credentials.secret.text() == ""
    assert dialog.credentials.secret.placeholderText() == wording.CLIENT_KEY_KEEP
    assert dialog.store.store_name.text() == "Sharma Store"
    assert dialog.till.expiry.value() == 20
    assert [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())] == [
        "Cashfree",
        "Store",
        "Till",
        "Voice",
        "Manager PIN",
    ]


def test_test_connection_uses_the_saved_secret(
    qtbot: QtBot, qloop: object, sandbox_keys: object, cashfree: LoopbackCashfree
) -> None:
    dialog = _dialog(qtbot, _saved())
    dialog.credentials.test_button.click()
    qtbot.waitUntil(dialog.credentials.test_button.isEnabled, timeout=10000)
    assert "These credentials work" in dialog.credentials.result.text()


def test_save_writes_the_settings_and_keeps_the_saved_secret(
    qtbot: QtBot, qloop: object, sandbox_keys: object
) -> None:
    dialog = _dialog(qtbot, _saved())
    dialog.store.store_name.setText("Sharma General Store")
    dialog.till.methods[Method.COLLECT].click()
    dialog.till.sound.click()
    with qtbot.waitSignal(dialog.saved, timeout=10000) as saved:
        dialog.save_button.click()
    settings = load_settings(paths()).settings
    assert saved.args == [settings]
    assert settings.store_name == "Sharma General Store"
    assert settings.collect_enabled and Method.COLLECT in settings.methods
    assert settings.sound is False and settings.environment == "sandbox"
    entries = sandbox_keys.entries  # type: ignore[attr-defined]
    assert entries[("pos_app", "sandbox/client_secret")] == SIM_CLIENT_SECRET
    assert SIM_CLIENT_SECRET not in settings_file(paths()).read_text(encoding="utf-8")


def test_switching_to_production_needs_the_tick_a_pin_and_credentials(
    qtbot: QtBot, qloop: object, sandbox_keys: object
) -> None:
    before = _saved()
    dialog = _dialog(qtbot, before)
    dialog.mode.radios["production"].click()
    qtbot.waitUntil(lambda: not dialog.flow.jobs.busy, timeout=5000)
    assert dialog.credentials.app_id.text() == ""  # production has nothing saved yet

    dialog.save_button.click()
    assert dialog.problem.text() == wording.PRODUCTION_NOT_CONFIRMED
    dialog.mode.confirm.click()
    dialog.save_button.click()
    assert dialog.problem.text() == wording.PIN_NEEDED_FOR_PRODUCTION
    assert dialog.tabs.currentWidget() is dialog.pin
    dialog.pin.pin.setText(PIN)
    dialog.pin.repeat.setText(PIN)
    dialog.save_button.click()
    assert dialog.tabs.currentWidget() is dialog.cashfree
    assert dialog.problem.text() == "Enter the Cashfree App ID."
    assert load_settings(paths()).settings == before  # nothing saved so far

    dialog.credentials.app_id.setText("LIVE-APP-1")
    dialog.credentials.secret.setText("live-secret-value-1")
    with qtbot.waitSignal(dialog.saved, timeout=10000):
        dialog.save_button.click()
    settings = load_settings(paths()).settings
    assert settings.environment == "production"
    entries = sandbox_keys.entries  # type: ignore[attr-defined]
    # The PIN went to the password store; the settings keep only its fingerprint.
    kept = json.loads(entries[("pos_app", TILL_ACCOUNT)])["pin_hash"]
    assert settings.manager_pin_hash is None and verify_pin(PIN, kept)
    assert settings.manager_pin_fingerprint == fingerprint(kept)
    assert entries[("pos_app", "production/app_id")] == "LIVE-APP-1"
    assert entries[("pos_app", "production/client_secret")] == "live-secret-value-1"


def test_demo_needs_no_credentials(qtbot: QtBot, qloop: object) -> None:
    dialog = _dialog(qtbot, _saved())
    dialog.mode.radios["demo"].click()
    assert not dialog.credentials.isVisibleTo(dialog)
    with qtbot.waitSignal(dialog.saved, timeout=10000):
        dialog.save_button.click()
    assert load_settings(paths()).settings.environment == "demo"


# ---- the way in: the "Till" menu and the PIN ---------------------------------------------------
@pytest.fixture
def window(qtbot: QtBot, qloop: object) -> Iterator[tuple[QMainWindow, entry.SetupEntry]]:
    main = QMainWindow()
    qtbot.addWidget(main)
    attached = entry.attach_setup_entry(main, services())
    assert attached is not None
    main.show()
    yield main, attached


def test_without_services_no_menu_is_added(qtbot: QtBot) -> None:
    main = QMainWindow()
    qtbot.addWidget(main)
    assert entry.attach_setup_entry(main, None) is None
    assert main.menuBar().actions() == []


def test_menu_has_settings_and_about(window: tuple[QMainWindow, entry.SetupEntry]) -> None:
    main, _ = window
    [menu] = main.menuBar().actions()
    assert menu.text() == wording.SETTINGS_MENU
    assert [a.text() for a in menu.menu().actions()] == [
        wording.SETTINGS_ACTION,
        wording.ABOUT_ACTION,
    ]


def test_without_a_pin_settings_open_at_once(
    qtbot: QtBot, window: tuple[QMainWindow, entry.SetupEntry]
) -> None:
    _, attached = window
    attached.settings_action.trigger()
    qtbot.waitUntil(lambda: isinstance(attached.dialog, SettingsDialog))
    qtbot.waitUntil(lambda: attached.dialog is not None and attached.dialog.isVisible())


def test_settings_wait_for_the_right_pin(
    qtbot: QtBot, window: tuple[QMainWindow, entry.SetupEntry]
) -> None:
    _saved(manager_pin_hash=hash_pin(PIN))
    _, attached = window
    attached.settings_action.trigger()
    qtbot.waitUntil(lambda: isinstance(attached.dialog, PinDialog))
    pin_dialog = attached.dialog
    assert isinstance(pin_dialog, PinDialog) and pin_dialog.isVisible()
    qtbot.keyClicks(pin_dialog.pin, "1397")
    pin_dialog.ok_button.click()
    qtbot.waitUntil(lambda: pin_dialog.problem.isVisible(), timeout=5000)
    assert pin_dialog.problem.text() == wording.WRONG_PIN
    assert pin_dialog.pin.text() == ""
    qtbot.keyClicks(pin_dialog.pin, PIN)
    with qtbot.waitSignal(pin_dialog.granted, timeout=5000):
        pin_dialog.ok_button.click()
    assert isinstance(attached.dialog, SettingsDialog)
    assert attached.dialog.original.manager_pin_fingerprint is not None  # moved to the store


def test_wrong_pins_in_the_desk_lock_the_command_line_too(
    qtbot: QtBot,
    window: tuple[QMainWindow, entry.SetupEntry],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = _saved(manager_pin_hash=hash_pin(PIN))
    _, attached = window
    attached.settings_action.trigger()
    qtbot.waitUntil(lambda: isinstance(attached.dialog, PinDialog))
    pin_dialog = attached.dialog
    assert isinstance(pin_dialog, PinDialog)
    for _ in range(FREE_TRIES):
        qtbot.keyClicks(pin_dialog.pin, "1397")
        pin_dialog.ok_button.click()
        qtbot.waitUntil(lambda: pin_dialog.ok_button.isEnabled(), timeout=5000)
    assert "Too many wrong PINs" in pin_dialog.problem.text()
    qtbot.keyClicks(pin_dialog.pin, PIN)  # even the right PIN waits now
    pin_dialog.ok_button.click()
    qtbot.waitUntil(lambda: pin_dialog.ok_button.isEnabled(), timeout=5000)
    assert "Too many wrong PINs" in pin_dialog.problem.text()
    # The count lives in the password store entry, beside the hash (no file to delete).
    record = read_vault(KeyringSecretStore())
    assert record is not None and record.failures == FREE_TRIES
    assert not pin_state_path(paths()).exists()

    monkeypatch.setattr("sys.stdin", io.StringIO(f"{PIN}\n"))
    del settings
    assert require_manager_pin(load_settings(paths()).settings, paths()) is False
    assert "Too many wrong PINs" in capsys.readouterr().err
