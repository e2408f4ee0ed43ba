"""The settings dialog's store database section: joined or not (never the password), join
(the password to the keyring, the address without it to the settings) and leave."""

from __future__ import annotations

import dataclasses

from pytestqt.qtbot import QtBot
from setup_kit import services

from pos_app.config import Settings, load_settings, paths, save_settings, settings_file
from pos_app.ui.setup.settings_dialog import SettingsDialog

KEY = ("pos_app", "store/database_password")


def _saved(**changes: object) -> Settings:
    base = Settings(environment="demo", default_customer_phone="9876543210")
    settings = dataclasses.replace(base, **changes)  # type: ignore[arg-type]
    save_settings(paths(), settings)
    return settings


def _dialog(qtbot: QtBot, settings: Settings) -> SettingsDialog:
    dialog = SettingsDialog(services(), settings)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_joining_puts_the_password_in_the_keyring_and_the_address_in_the_settings(
    qtbot: QtBot, qloop: object, _memory_keyring: object
) -> None:
    dialog = _dialog(qtbot, _saved())
    section = dialog.store_database
    assert "not joined" in section.state.text() and not section.leave_button.isEnabled()
    section.url.setText("postgresql://till@db.shop.lan:5432/store")
    section.password.setText("s3cret-pw")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save_button.click()
    settings = load_settings(paths()).settings
    assert settings.store_database_url == "postgresql://till@db.shop.lan:5432/store"
    assert _memory_keyring.entries[KEY] == "s3cret-pw"  # type: ignore[attr-defined]
    assert "s3cret-pw" not in settings_file(paths()).read_text(encoding="utf-8")


def test_a_password_inside_the_address_is_taken_out(
    qtbot: QtBot, qloop: object, _memory_keyring: object
) -> None:
    dialog = _dialog(qtbot, _saved())
    dialog.store_database.url.setText("postgresql://till:in%40url@db:5432/store")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save_button.click()
    assert load_settings(paths()).settings.store_database_url == "postgresql://till@db:5432/store"
    assert _memory_keyring.entries[KEY] == "in@url"  # type: ignore[attr-defined]


def test_joined_shows_the_address_never_the_password_and_leaving_forgets_both(
    qtbot: QtBot, qloop: object, _memory_keyring: object
) -> None:
    _memory_keyring.entries[KEY] = "old-pw"  # type: ignore[attr-defined]
    dialog = _dialog(qtbot, _saved(store_database_url="postgresql://till@db:5432/store"))
    section = dialog.store_database
    assert "postgresql://till@db:5432/store" in section.state.text()
    assert section.password.text() == "" and "old-pw" not in section.state.text()
    section.leave_button.click()
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save_button.click()
    assert load_settings(paths()).settings.store_database_url is None
    assert KEY not in _memory_keyring.entries  # type: ignore[attr-defined]


def test_a_bad_address_is_refused_on_the_store_tab(
    qtbot: QtBot, qloop: object, _memory_keyring: object
) -> None:
    dialog = _dialog(qtbot, _saved())
    dialog.tabs.setCurrentIndex(0)
    dialog.store_database.url.setText("mysql://db/store")
    dialog.save_button.click()
    assert "postgresql://" in dialog.problem.text()
    assert dialog.tabs.tabText(dialog.tabs.currentIndex()) == "Store"
    assert load_settings(paths()).settings.store_database_url is None
