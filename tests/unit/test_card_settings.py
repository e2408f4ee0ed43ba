"""Card payments are off by default; switching them on takes a manager PIN that exists, the
typed acknowledgement (Cashfree enabled native OTP / S2S cards; PCI DSS applies) and the PIN."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import pytest

from pos_app.app import make_checkout
from pos_app.cli import main
from pos_app.commands import exit_codes
from pos_app.config import Settings, load_settings, paths, save_settings
from pos_app.domain.sale import Method
from pos_app.secrets import KeyringSecretStore
from pos_app.services.manager.card_policy import CARD_HELP_URL
from pos_app.services.manager.pin import hash_pin
from pos_app.services.manager.pin_vault import adopt_legacy

PIN = "2580"


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> io.StringIO:
    stream = io.StringIO(text)
    monkeypatch.setattr("sys.stdin", stream)
    return stream


def _save(**changes: object) -> None:
    """Settings as given; a manager_pin_hash goes where the till keeps it (the password
    store, with its fingerprint in the settings)."""
    encoded = changes.pop("manager_pin_hash", None)
    if isinstance(encoded, str):
        changes["manager_pin_fingerprint"] = adopt_legacy(KeyringSecretStore(), encoded)
    save_settings(paths(), dataclasses.replace(Settings(), **changes))  # type: ignore[arg-type]


def _card_on() -> bool:
    return load_settings(paths()).settings.card_payments_enabled


def test_off_by_default() -> None:
    assert Settings().card_payments_enabled is False
    assert not _card_on()


def test_needs_a_manager_pin_to_exist(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "set", "card_payments_enabled", "on"]) == exit_codes.REFUSED
    assert "set a manager PIN before switching card payments on" in capsys.readouterr().err
    assert not _card_on()


def test_acknowledgement_then_pin_switches_it_on(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _save(manager_pin_hash=hash_pin(PIN))
    _stdin(monkeypatch, f"YES\n{PIN}\n")
    assert main(["config", "set", "card_payments_enabled", "on"]) == 0
    err = capsys.readouterr().err
    assert "native OTP" in err and "PCI DSS" in err and CARD_HELP_URL in err
    assert _card_on()


@pytest.mark.parametrize("answer", ["no\n", "yes please\n", ""])
def test_anything_but_the_word_keeps_it_off(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], answer: str
) -> None:
    _save(manager_pin_hash=hash_pin(PIN))
    _stdin(monkeypatch, answer + f"{PIN}\n")
    assert main(["config", "set", "card_payments_enabled", "true"]) == exit_codes.REFUSED
    assert "card payments stay off" in capsys.readouterr().err
    assert not _card_on()


def test_a_wrong_pin_after_the_acknowledgement_keeps_it_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _save(manager_pin_hash=hash_pin(PIN))
    _stdin(monkeypatch, "YES\n0000\n")
    assert main(["config", "set", "card_payments_enabled", "on"]) == exit_codes.REFUSED
    assert not _card_on()


def test_switching_off_needs_only_the_pin(monkeypatch: pytest.MonkeyPatch) -> None:
    _save(manager_pin_hash=hash_pin(PIN), card_payments_enabled=True)
    _stdin(monkeypatch, f"{PIN}\n")
    assert main(["config", "set", "card_payments_enabled", "off"]) == 0
    assert not _card_on()


def test_the_checkout_offers_cards_only_when_switched_on(tmp_path: Path) -> None:
    from till_fakes import make_till

    till = make_till(tmp_path)
    try:
        off = make_checkout(Settings(enabled_methods=("upi-qr", "card")), till.deps)
        assert Method.CARD not in off.enabled_methods
        on = make_checkout(Settings(card_payments_enabled=True), till.deps)
        assert Method.CARD in on.enabled_methods
    finally:
        till.journal.close()
