"""The pages the wizard and the settings dialog share (sync pytest-qt, no loop): what they
show, what they accept, what they refuse."""

from __future__ import annotations

import dataclasses

import pytest
from pytestqt.qtbot import QtBot

from pos_app.config import Settings
from pos_app.domain.sale import Method
from pos_app.secrets import Secret
from pos_app.services.diagnostics import ConnectionCheck
from pos_app.ui.setup import wording
from pos_app.ui.setup.credentials_page import CredentialsPage
from pos_app.ui.setup.pages import ModePage, PageProblem, PinPage, StorePage, TillPage


def test_production_shows_the_real_money_warning_and_needs_a_tick(qtbot: QtBot) -> None:
    page = ModePage(include_demo=True)
    qtbot.addWidget(page)
    page.show()
    assert list(page.radios) == ["demo", "sandbox", "production"]
    assert page.environment() == "sandbox" and not page.warning.isVisible()
    seen: list[str] = []
    page.environment_changed.connect(seen.append)
    page.radios["production"].click()
    assert seen == ["production"]
    assert page.warning.isVisible() and "real money" in page.warning.text()
    with pytest.raises(PageProblem) as caught:
        page.check()
    assert caught.value.widget is page.confirm
    page.check(already_production=True)  # already there: nothing new to confirm
    page.confirm.click()
    page.check()
    page.radios["demo"].click()
    assert not page.warning.isVisible()


def test_the_wizard_mode_page_has_no_demo_choice(qtbot: QtBot) -> None:
    page = ModePage(include_demo=False)
    qtbot.addWidget(page)
    assert list(page.radios) == ["sandbox", "production"]


def test_store_page_round_trip_and_refusals(qtbot: QtBot) -> None:
    page = StorePage()
    qtbot.addWidget(page)
    settings = dataclasses.replace(Settings(), store_name="Sharma Store", terminal_id="T2")
    page.load(settings)
    assert page.store_name.text() == "Sharma Store" and page.phone.text() == ""
    assert page.apply(settings) == settings
    page.phone.setText("+91 98765 43210")
    assert page.apply(settings).default_customer_phone == "9876543210"
    page.terminal_id.setText("T 2")
    with pytest.raises(PageProblem) as caught:
        page.apply(settings)
    assert caught.value.widget is page.terminal_id
    assert caught.value.message == "Use 1 to 8 letters or digits, like T1."
    assert page.terminal_id.property("invalid") is True
    page.terminal_id.setText("T2")
    page.store_name.setText("   ")
    with pytest.raises(PageProblem):
        page.apply(settings)


@pytest.mark.parametrize(
    ("first", "second", "words"),
    [
        ("", "", wording.PIN_REQUIRED),
        ("1111", "1111", "one digit repeated"),
        ("4321", "4321", "run of digits"),
        ("2580", "2581", wording.PIN_MISMATCH),
    ],
)
def test_pin_page_refuses(first: str, second: str, words: str, qtbot: QtBot) -> None:
    page = PinPage(required=True)
    qtbot.addWidget(page)
    page.pin.setText(first)
    page.repeat.setText(second)
    with pytest.raises(PageProblem) as caught:
        page.new_pin()
    assert words in caught.value.message


def test_pin_page_accepts_and_may_be_left_empty_when_not_required(qtbot: QtBot) -> None:
    page = PinPage(required=False)
    qtbot.addWidget(page)
    page.show()
    assert page.keep_note.isVisible()
    assert page.new_pin() is None
    page.pin.setText("2580")
    page.repeat.setText("2580")
    assert page.new_pin() == "2580"
    page.pin.clear()
    qtbot.keyClicks(page.pin, "25a0")  # the validator lets digits only in
    assert page.pin.text() == "250"


def test_till_page_upi_request_is_off_by_default_with_npcis_warning_beside_it(
    qtbot: QtBot,
) -> None:
    page = TillPage()
    qtbot.addWidget(page)
    page.show()
    page.load(Settings())
    assert page.methods[Method.UPI_QR].isChecked() and page.methods[Method.LINK].isChecked()
    assert not page.methods[Method.COLLECT].isChecked()
    assert page.collect_warning.isVisible() and "NPCI" in page.collect_warning.text()
    assert page.display.currentData() is None
    page.methods[Method.COLLECT].click()
    page.methods[Method.LINK].click()
    page.expiry.setValue(30)
    page.sound.click()
    changed = page.apply(Settings())
    assert changed.enabled_methods == ("upi-qr", "collect")
    assert changed.collect_enabled is True
    assert changed.order_expiry_minutes == 30 and changed.sound is False


def test_till_page_keeps_a_screen_that_is_not_connected_now(qtbot: QtBot) -> None:
    page = TillPage()
    qtbot.addWidget(page)
    page.load(dataclasses.replace(Settings(), customer_display_screen=7))
    assert page.display.currentData() == 7
    assert page.apply(Settings()).customer_display_screen == 7
    page.display.setCurrentIndex(0)
    assert page.apply(Settings()).customer_display_screen is None


def test_till_page_needs_one_method(qtbot: QtBot) -> None:
    page = TillPage()
    qtbot.addWidget(page)
    page.load(Settings())
    for box in page.methods.values():
        box.setChecked(False)
    with pytest.raises(PageProblem, match="at least one"):
        page.apply(Settings())


def test_credentials_page_keeps_a_saved_secret_it_never_shows(qtbot: QtBot) -> None:
    page = CredentialsPage()
    qtbot.addWidget(page)
    page.set_environment("production")
    assert page.heading.text() == "Cashfree production credentials"
    page.set_saved(Secret("LIVE-APP"), has_secret=True)
    assert page.app_id.text() == "LIVE-APP" and page.secret.text() == ""
    assert page.secret.placeholderText() == wording.CLIENT_KEY_KEEP
    assert page.typed_app_id() == "LIVE-APP"
    assert page.typed_secret() is None  # keep the saved one
    page.secret.setText("new-secret-value-1")
    assert page.typed_secret() == Secret("new-secret-value-1")
    page.secret.setText("two words")
    with pytest.raises(PageProblem) as caught:
        page.typed_secret()
    assert "two words" not in caught.value.message


def test_credentials_page_without_a_saved_secret_needs_one(qtbot: QtBot) -> None:
    page = CredentialsPage()
    qtbot.addWidget(page)
    page.set_saved(None, has_secret=False)
    page.app_id.setText(" APP-1 ")
    assert page.typed_app_id() == "APP-1"
    with pytest.raises(PageProblem):
        page.typed_secret()
    page.app_id.setText("")
    with pytest.raises(PageProblem):
        page.typed_app_id()


def test_credentials_page_shows_the_check_and_its_request_id(qtbot: QtBot) -> None:
    page = CredentialsPage()
    qtbot.addWidget(page)
    page.show()
    page.set_testing(True)
    assert not page.test_button.isEnabled() and page.result.text() == wording.TESTING
    page.set_testing(False)
    page.show_check(ConnectionCheck("refused", "Cashfree refused these credentials.", "req-9"))
    assert page.test_button.isEnabled()
    assert page.result.text() == "Cashfree refused these credentials. (Cashfree request id: req-9)"
    page.app_id.setText("X")
    page.app_id.textEdited.emit("X")
    assert not page.result.isVisible()
