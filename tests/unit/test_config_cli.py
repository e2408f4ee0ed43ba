"""`pos-app config show|set`: every setting shown (the PIN only as set / not set), values
checked before the PIN is asked, the manager PIN gate, the switch to production, a damaged
settings file."""

from __future__ import annotations

import dataclasses
import io
import json
from pathlib import Path

import pytest

from pos_app.cli import main
from pos_app.commands import exit_codes
from pos_app.config import Settings, load_settings, paths, save_settings, settings_file
from pos_app.secrets import KeyringSecretStore
from pos_app.services.manager.pin import hash_pin, verify_pin
from pos_app.services.manager.pin_vault import adopt_legacy, fingerprint, read_vault

PIN = "2580"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> io.StringIO:
    stream = io.StringIO(text)
    monkeypatch.setattr("sys.stdin", stream)
    return stream


def _settings() -> Settings:
    return load_settings(paths()).settings


def _save(**changes: object) -> Settings:
    """Settings as given; a manager_pin_hash goes where the till keeps it (the password
    store, with its fingerprint in the settings)."""
    encoded = changes.pop("manager_pin_hash", None)
    if isinstance(encoded, str):
        changes["manager_pin_fingerprint"] = adopt_legacy(KeyringSecretStore(), encoded)
    settings = dataclasses.replace(Settings(), **changes)  # type: ignore[arg-type]
    save_settings(paths(), settings)
    return settings


def _stored_hash() -> str | None:
    """The PIN hash the till checks (password store), if its fingerprint is in the settings."""
    record = read_vault(KeyringSecretStore())
    if record is None or record.pin_hash is None:
        return None
    settings = _settings()
    assert settings.manager_pin_hash is None  # never in the settings file
    matches = settings.manager_pin_fingerprint == fingerprint(record.pin_hash)
    return record.pin_hash if matches else None


# ---- show --------------------------------------------------------------------------------------
def test_show_lists_every_setting_and_never_the_pin_hash(
    capsys: pytest.CaptureFixture[str],
) -> None:
    saved = _save(manager_pin_hash=hash_pin(PIN), store_name="Sharma General Store")
    assert main(["config", "show"]) == 0
    out = capsys.readouterr().out
    for key in Settings().to_dict():
        assert f"\n{key} " in out or out.startswith(f"{key} ")
    assert "manager_pin_fingerprint  = set" in out
    assert "store_name               = Sharma General Store" in out
    assert "enabled_methods          = upi-qr,link" in out
    assert saved.manager_pin_fingerprint is not None
    assert saved.manager_pin_fingerprint not in out and "scrypt" not in out


def test_show_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "show", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["manager_pin_hash"] == "not set"
    assert shown["environment"] == "demo" and shown["collect_enabled"] is False


def test_what_show_prints_set_accepts_back(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _save(default_customer_phone="9876543210", customer_display_screen=1)
    assert main(["config", "show"]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if " = " in line]
    before = _settings()
    for line in lines:
        key, value = (part.strip() for part in line.split(" = ", 1))
        if key in ("manager_pin_hash", "manager_pin_fingerprint"):
            continue
        assert before.replace_value(key, value) == before, key


def test_a_damaged_settings_file_is_set_aside_with_a_notice(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = settings_file(paths())
    path.write_text("{not json", encoding="utf-8")
    assert main(["config", "show"]) == 0
    out, err = capsys.readouterr()
    assert "could not be used (it is not valid JSON)" in err and "kept as" in err
    assert "store_name               = My Store" in out
    assert not path.exists()
    assert [p.name.split(".corrupt-")[0] for p in path.parent.glob("*.corrupt-*")] == [
        "settings.json"
    ]


# ---- set ---------------------------------------------------------------------------------------
def test_set_without_a_pin_saves_and_says_anyone_could(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["config", "set", "store_name", "Sharma General Store"]) == 0
    out, err = capsys.readouterr()
    assert "store_name = Sharma General Store" in out
    assert "No manager PIN is set" in err
    assert _settings().store_name == "Sharma General Store"


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("order_expiry_minutes", "2", "from 5 to 1440"),
        ("terminal_id", "T 1", "letters or digits"),
        ("no_such_setting", "1", "no setting called"),
        ("manager_pin_hash", "scrypt$1", "config set manager_pin"),
    ],
)
def test_a_bad_value_is_refused_before_the_pin_is_asked(
    key: str,
    value: str,
    words: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = _save(manager_pin_hash=hash_pin(PIN))
    stream = _stdin(monkeypatch, f"{PIN}\n")
    assert main(["config", "set", key, value]) == exit_codes.BAD_INPUT
    assert words in capsys.readouterr().err
    assert stream.tell() == 0
    assert _settings() == before


def test_set_needs_the_manager_pin_once_one_is_set(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _save(manager_pin_hash=hash_pin(PIN))
    _stdin(monkeypatch, "1397\n")
    assert main(["config", "set", "sound", "off"]) == exit_codes.REFUSED
    assert "Wrong manager PIN" in capsys.readouterr().err
    assert _settings() == before
    _stdin(monkeypatch, "")
    assert main(["config", "set", "sound", "off"]) == exit_codes.REFUSED
    assert _settings() == before
    _stdin(monkeypatch, f"{PIN}\n")
    assert main(["config", "set", "sound", "off"]) == 0
    assert _settings().sound is False


def test_a_value_that_does_not_change_anything_asks_nothing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _save(manager_pin_hash=hash_pin(PIN))
    stream = _stdin(monkeypatch, "")
    assert main(["config", "set", "sound", "yes"]) == 0
    assert "already true" in capsys.readouterr().out
    assert stream.tell() == 0


def test_switching_on_upi_requests_explains_npci(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "set", "collect_enabled", "on"]) == 0
    assert "NPCI" in capsys.readouterr().err
    assert _settings().collect_enabled is True


# ---- production ------------------------------------------------------------------------------
def test_production_needs_a_manager_pin_to_exist(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "set", "environment", "production"]) == exit_codes.REFUSED
    assert "set a manager PIN before switching to production" in capsys.readouterr().err
    assert _settings().environment == "demo"


def test_production_asks_the_pin_and_says_real_money_will_move(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _save(manager_pin_hash=hash_pin(PIN), environment="sandbox")
    _stdin(monkeypatch, "0000\n")
    assert main(["config", "set", "environment", "PRODUCTION"]) == exit_codes.REFUSED
    err = capsys.readouterr().err
    assert "real money moves" in err
    assert _settings().environment == "sandbox"

    _stdin(monkeypatch, f"{PIN}\n")
    assert main(["config", "set", "environment", "production"]) == 0
    out, err = capsys.readouterr()
    assert "environment = production" in out
    assert "real money moves" in err
    assert "no production credentials" in err  # none are in the (memory) keyring yet
    assert _settings().environment == "production"


def test_switching_to_sandbox_says_when_its_credentials_are_missing(
    capsys: pytest.CaptureFixture[str], _memory_keyring: object
) -> None:
    assert main(["config", "set", "environment", "sandbox"]) == 0
    assert "no sandbox credentials" in capsys.readouterr().err
    entries = _memory_keyring.entries  # type: ignore[attr-defined]
    entries[("pos_app", "sandbox/app_id")] = "APP-1"
    entries[("pos_app", "sandbox/client_secret")] = "a-secret-value-1"
    # In sandbox, settings need a manager PIN: none is set, so it is refused, saying how.
    assert main(["config", "set", "environment", "demo"]) == exit_codes.REFUSED
    err = capsys.readouterr().err
    assert "No manager PIN is set" in err and "config set manager_pin" in err
    _save(environment="demo")
    assert main(["config", "set", "environment", "sandbox"]) == 0
    assert "credentials" not in capsys.readouterr().err


# ---- the manager PIN itself ------------------------------------------------------------------
def test_set_manager_pin_from_stdin_stores_only_a_hash(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], _isolated_data_dir: Path
) -> None:
    _stdin(monkeypatch, f"{PIN}\n")
    assert main(["config", "set", "manager_pin"]) == 0
    assert "manager PIN is set" in capsys.readouterr().out
    stored = _stored_hash()
    assert stored is not None and verify_pin(PIN, stored)
    text = settings_file(paths()).read_text(encoding="utf-8")
    assert f'"{PIN}"' not in text and PIN not in text.replace(stored, "")


def test_the_pin_is_never_taken_from_argv(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stream = _stdin(monkeypatch, "")
    assert main(["config", "set", "manager_pin", PIN]) == exit_codes.BAD_INPUT
    err = capsys.readouterr().err
    assert "never taken from the command line" in err and PIN not in err
    assert stream.tell() == 0
    assert _stored_hash() is None


@pytest.mark.parametrize(("pin", "words"), [("1234", "run of digits"), ("12", "4 to 8 digits")])
def test_a_weak_pin_is_refused(
    pin: str, words: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _stdin(monkeypatch, f"{pin}\n")
    assert main(["config", "set", "manager_pin"]) == exit_codes.BAD_INPUT
    assert words in capsys.readouterr().err
    assert _stored_hash() is None


def test_at_a_terminal_the_new_pin_is_asked_twice(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", Terminal(""))
    answers = iter(["2580", "2581"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert main(["config", "set", "manager_pin"]) == exit_codes.BAD_INPUT
    assert "not the same" in capsys.readouterr().err
    assert _stored_hash() is None

    answers = iter(["2580", "2580"])
    assert main(["config", "set", "manager_pin"]) == 0
    stored = _stored_hash()
    assert stored is not None and verify_pin("2580", stored)


def test_changing_the_pin_needs_the_old_one(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _save(manager_pin_hash=hash_pin(PIN))
    _stdin(monkeypatch, "1111\n7391\n")
    assert main(["config", "set", "manager_pin"]) == exit_codes.REFUSED
    stored = _stored_hash()
    assert stored is not None and verify_pin(PIN, stored)

    _stdin(monkeypatch, f"{PIN}\n7391\n")
    assert main(["config", "set", "manager_pin"]) == 0
    stored = _stored_hash()
    assert stored is not None and verify_pin("7391", stored)


# ---- POS_LOG_LEVEL -------------------------------------------------------------------------------
@pytest.mark.parametrize(("level", "logged"), [("WARNING", False), ("debug", True), ("loud", True)])
def test_pos_log_level_sets_what_reaches_the_log_file(
    level: str, logged: bool, monkeypatch: pytest.MonkeyPatch, _isolated_data_dir: Path
) -> None:
    monkeypatch.setenv("POS_LOG_LEVEL", level)
    assert main(["config", "show"]) == 0
    log = (_isolated_data_dir / "logs" / "pos_app.log").read_text(encoding="utf-8")
    assert ("pos-app config" in log) is logged  # an INFO line; unknown levels mean INFO
