"""The first-run wizard (pytest-qt, sync tests; the dialog's background jobs run on a qasync
loop that qtbot's waits spin): the demo in one click, a sandbox set-up proven against the
simulated Cashfree over loopback, production's warning, a failing password store."""

from __future__ import annotations

import json
from collections.abc import Iterator

import keyring
import pytest
from keyring.backends import fail
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot
from setup_kit import PIN, LoopbackCashfree, loopback_cashfree, services

from pos_app.config import paths, settings_file
from pos_app.secrets import NO_BACKEND_MESSAGE, TILL_ACCOUNT
from pos_app.services.manager.pin import verify_pin
from pos_app.services.manager.pin_vault import fingerprint
from pos_app.simulator import SIM_CLIENT_ID, SIM_CLIENT_SECRET
from pos_app.ui.setup import wording
from pos_app.ui.setup.wizard import FirstRunWizard


@pytest.fixture
def cashfree(monkeypatch: pytest.MonkeyPatch) -> Iterator[LoopbackCashfree]:
    yield from loopback_cashfree(monkeypatch)


def _wizard(qtbot: QtBot) -> FirstRunWizard:
    wizard = FirstRunWizard(services())
    qtbot.addWidget(wizard)
    wizard.show()
    return wizard


def _entries(backend: object) -> dict[tuple[str, str], str]:
    return dict(backend.entries)  # type: ignore[attr-defined]


def _to_credentials(qtbot: QtBot, wizard: FirstRunWizard) -> None:
    wizard.next_button.click()
    assert wizard.stack.currentWidget() is wizard.credentials
    qtbot.waitUntil(lambda: not wizard.flow.jobs.busy, timeout=5000)  # the saved ones are read


def _test_connection(qtbot: QtBot, wizard: FirstRunWizard) -> str:
    page = wizard.credentials
    page.test_button.click()
    assert not page.test_button.isEnabled()  # the check runs in the background
    qtbot.waitUntil(page.test_button.isEnabled, timeout=10000)
    return page.result.text()


def test_try_the_demo_now_saves_demo_settings_and_asks_nothing(
    qtbot: QtBot, qloop: object, _memory_keyring: object
) -> None:
    wizard = _wizard(qtbot)
    with qtbot.waitSignal(wizard.completed, timeout=5000) as done:
        wizard.demo_button.click()
    assert done.args == ["demo"]
    assert wizard.result() == QDialog.DialogCode.Accepted
    saved = json.loads(settings_file(paths()).read_text(encoding="utf-8"))
    assert saved["environment"] == "demo" and saved["manager_pin_hash"] is None
    assert _entries(_memory_keyring) == {}


def test_sandbox_set_up_tests_the_connection_and_saves_everything(
    qtbot: QtBot, qloop: object, cashfree: LoopbackCashfree, _memory_keyring: object
) -> None:
    wizard = _wizard(qtbot)
    assert wizard.mode.environment() == "sandbox"
    _to_credentials(qtbot, wizard)
    page = wizard.credentials
    assert page.heading.text() == "Cashfree sandbox credentials"

    qtbot.keyClicks(page.app_id, SIM_CLIENT_ID)
    qtbot.keyClicks(page.secret, "not-the-right-secret")
    assert "Cashfree refused these credentials" in _test_connection(qtbot, wizard)
    page.secret.clear()
    qtbot.keyClicks(page.secret, SIM_CLIENT_SECRET)
    result = _test_connection(qtbot, wizard)
    assert "These credentials work" in result and "request id" in result
    assert cashfree.sim.order_ids() == []  # testing created nothing

    wizard.next_button.click()
    assert wizard.stack.currentWidget() is wizard.store
    wizard.store.store_name.setText("Sharma General Store")
    wizard.store.phone.setText("9876543210")
    wizard.next_button.click()
    assert wizard.stack.currentWidget() is wizard.pin
    assert wizard.next_button.text() == wording.FINISH
    wizard.next_button.click()  # no PIN yet
    assert wizard.problem.text() == wording.PIN_REQUIRED
    qtbot.keyClicks(wizard.pin.pin, PIN)
    qtbot.keyClicks(wizard.pin.repeat, PIN)
    with qtbot.waitSignal(wizard.completed, timeout=10000) as done:
        wizard.next_button.click()
    assert done.args == ["sandbox"]

    entries = _entries(_memory_keyring)
    kept = json.loads(entries.pop(("pos_app", TILL_ACCOUNT)))["pin_hash"]  # the manager PIN
    assert entries == {
        ("pos_app", "sandbox/app_id"): SIM_CLIENT_ID,
        ("pos_app", "sandbox/client_secret"): SIM_CLIENT_SECRET,
    }
    text = settings_file(paths()).read_text(encoding="utf-8")
    saved = json.loads(text)
    assert saved["environment"] == "sandbox"
    assert saved["store_name"] == "Sharma General Store"
    assert saved["default_customer_phone"] == "9876543210"
    assert saved["manager_pin_hash"] is None and verify_pin(PIN, kept)
    assert saved["manager_pin_fingerprint"] == fingerprint(kept)
    assert SIM_CLIENT_SECRET not in text
    assert page.secret.text() == "" and wizard.pin.pin.text() == ""


def test_each_page_is_checked_before_the_next(qtbot: QtBot, qloop: object) -> None:
    wizard = _wizard(qtbot)
    _to_credentials(qtbot, wizard)
    wizard.next_button.click()
    assert wizard.stack.currentWidget() is wizard.credentials
    assert wizard.problem.text() == "Enter the Cashfree App ID."
    wizard.credentials.app_id.setText("APP-1")
    wizard.next_button.click()
    assert wizard.problem.text() == "Enter the Cashfree client secret."
    wizard.credentials.secret.setText("a-secret-value-1")
    wizard.next_button.click()
    wizard.store.terminal_id.setText("")
    wizard.next_button.click()
    assert wizard.stack.currentWidget() is wizard.store
    assert "letters or digits" in wizard.problem.text()
    wizard.back_button.click()
    assert wizard.stack.currentWidget() is wizard.credentials
    assert not wizard.problem.isVisible()


def test_production_says_real_money_will_move_and_needs_a_tick(qtbot: QtBot, qloop: object) -> None:
    wizard = _wizard(qtbot)
    wizard.mode.radios["production"].click()
    assert wizard.mode.warning.isVisible()
    wizard.next_button.click()
    assert wizard.stack.currentWidget() is wizard.welcome
    assert wizard.problem.text() == wording.PRODUCTION_NOT_CONFIRMED
    wizard.mode.confirm.click()
    _to_credentials(qtbot, wizard)
    assert wizard.credentials.heading.text() == "Cashfree production credentials"


def test_a_failing_password_store_is_explained_and_no_settings_are_written(
    qtbot: QtBot, qloop: object
) -> None:
    keyring.set_keyring(fail.Keyring())  # the conftest fixture puts the previous one back
    wizard = _wizard(qtbot)
    _to_credentials(qtbot, wizard)
    assert wizard.credentials.result.text() == NO_BACKEND_MESSAGE  # reading failed too
    wizard.credentials.app_id.setText("APP-1")
    wizard.credentials.secret.setText("a-secret-value-1")
    wizard.next_button.click()  # the page asks the store again, and stays
    qtbot.waitUntil(lambda: not wizard.flow.jobs.busy, timeout=10000)
    assert wizard.stack.currentWidget() is wizard.credentials
    assert wizard.problem.isVisible() and wizard.problem.text() == NO_BACKEND_MESSAGE
    assert wizard.isVisible() and wizard.next_button.isEnabled()
    assert wizard.credentials.secret.text() == "a-secret-value-1"
    assert not settings_file(paths()).exists()


def test_closing_the_wizard_saves_nothing(qtbot: QtBot, qloop: object) -> None:
    wizard = _wizard(qtbot)
    with qtbot.waitSignal(wizard.finished, timeout=2000):
        wizard.cancel_button.click()
    assert wizard.result() == QDialog.DialogCode.Rejected
    assert wizard.result_settings is None
    assert not settings_file(paths()).exists()
