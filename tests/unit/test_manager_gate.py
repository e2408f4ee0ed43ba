"""The manager PIN as a dishonest cashier would try it, with the till's own OS account:
edit the settings, delete the lockout state, copy the journal to another folder, or point
the till at a policy file of their own. Each is refused (or recorded for the manager).

The keyring is the in-memory one from conftest (the OS password store's stand-in)."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import shutil
from pathlib import Path

import pytest

from pos_app.cli import main
from pos_app.commands import exit_codes
from pos_app.commands.pin_prompt import require_manager_pin
from pos_app.config import journal_path, load_settings, paths, save_settings, settings_file
from pos_app.secrets import TILL_ACCOUNT, KeyringSecretStore
from pos_app.services.manager.gate import resolve_access
from pos_app.services.manager.pin import FREE_TRIES, hash_pin, verify_pin
from pos_app.services.manager.pin_vault import fingerprint, read_vault
from pos_app.services.manager.policy import POLICY_ENV, load_policy
from pos_app.store.journal import Journal
from pos_app.store.till_records import till_events

PIN = "2580"


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> io.StringIO:
    stream = io.StringIO(text)
    monkeypatch.setattr("sys.stdin", stream)
    return stream


def _set_environment(name: str) -> None:
    where = paths()
    save_settings(where, dataclasses.replace(load_settings(where).settings, environment=name))


def _set_pin(monkeypatch: pytest.MonkeyPatch, pin: str = PIN, *extra: str) -> int:
    _stdin(monkeypatch, "\n".join([*extra, pin, ""]))
    return main(["config", "set", "manager_pin"])


def _events(environment: str) -> list[str]:
    journal = Journal.open(journal_path(paths(), environment))
    try:
        return [e.kind for e in till_events(journal)]
    finally:
        journal.close()


def _gate(monkeypatch: pytest.MonkeyPatch, pin: str | None, environment: str = "sandbox") -> bool:
    _stdin(monkeypatch, f"{pin}\n" if pin else "")
    where = paths()
    return require_manager_pin(load_settings(where).settings, where, environment=environment)


# ---- no PIN is not "open" -------------------------------------------------------------------
@pytest.mark.parametrize("environment", ["sandbox", "production"])
def test_no_pin_refuses_manager_actions_outside_demo(
    environment: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _gate(monkeypatch, None, environment) is False
    err = capsys.readouterr().err
    assert "No manager PIN is set" in err and "pos-app config set manager_pin" in err
    assert environment in err


def test_no_pin_in_demo_is_allowed_and_says_so(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _gate(monkeypatch, None, "demo") is True
    assert "allowed in demo mode only" in capsys.readouterr().err


def test_the_first_pin_is_kept_in_the_password_store_and_recorded_in_the_journal(
    monkeypatch: pytest.MonkeyPatch, _memory_keyring: object
) -> None:
    _set_environment("sandbox")
    assert _set_pin(monkeypatch) == 0
    settings = load_settings(paths()).settings
    assert settings.manager_pin_hash is None  # no hash in a file the cashier can edit
    record = read_vault(KeyringSecretStore())
    assert record is not None and record.pin_hash is not None
    assert verify_pin(PIN, record.pin_hash)
    assert settings.manager_pin_fingerprint == fingerprint(record.pin_hash)
    assert PIN not in settings_file(paths()).read_text(encoding="utf-8")
    assert "scrypt" not in settings_file(paths()).read_text(encoding="utf-8")
    assert _events("sandbox") == ["manager_pin_set"]
    assert _gate(monkeypatch, PIN) is True
    # Changing it needs the old one, and is recorded too.
    assert _set_pin(monkeypatch, "7391", PIN) == 0
    assert _events("sandbox") == ["manager_pin_set", "manager_pin_changed"]
    assert _gate(monkeypatch, "7391") is True


# ---- edited settings ------------------------------------------------------------------------
def _edit_settings(change: dict[str, object]) -> None:
    path = settings_file(paths())
    data = json.loads(path.read_text(encoding="utf-8"))
    data.update(change)
    path.write_text(json.dumps(data), encoding="utf-8")


@pytest.mark.parametrize(
    "edit",
    [
        {"manager_pin_fingerprint": None},  # "no PIN" by removing it
        {"manager_pin_fingerprint": "0123456789abcdef"},  # replaced by hand
        {"manager_pin_fingerprint": None, "manager_pin_hash": "mine"},  # own PIN, old style
    ],
    ids=["removed", "replaced", "own-hash"],
)
def test_edited_settings_lock_manager_actions(
    edit: dict[str, object],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _set_environment("sandbox")
    assert _set_pin(monkeypatch) == 0
    if edit.get("manager_pin_hash") == "mine":
        edit = {**edit, "manager_pin_hash": hash_pin("1397")}
    _edit_settings(edit)
    capsys.readouterr()
    assert _gate(monkeypatch, "1397") is False
    assert _gate(monkeypatch, PIN) is False  # locked, whatever PIN is typed
    err = capsys.readouterr().err
    assert "Manager actions are locked" in err and "does not match" in err
    assert main(["config", "set", "sound", "off"]) == exit_codes.REFUSED


def test_a_locked_pin_is_repaired_by_the_manager_who_knows_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _set_environment("sandbox")
    assert _set_pin(monkeypatch) == 0
    _edit_settings({"manager_pin_fingerprint": None})
    assert _set_pin(monkeypatch, "7391", "1111") == exit_codes.REFUSED  # wrong stored PIN
    assert _gate(monkeypatch, PIN) is False
    assert _set_pin(monkeypatch, "7391", PIN) == 0
    assert _gate(monkeypatch, "7391") is True


def test_the_entry_deleted_from_the_password_store_locks_and_a_reset_is_recorded(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], _memory_keyring: object
) -> None:
    _set_environment("sandbox")
    assert _set_pin(monkeypatch) == 0
    KeyringSecretStore().delete_till_record()
    assert _gate(monkeypatch, PIN) is False
    assert "missing from this computer's password store" in capsys.readouterr().err
    # Settings edited too (no fingerprint, own hash): the journal says a PIN was set here.
    _edit_settings({"manager_pin_fingerprint": None, "manager_pin_hash": hash_pin("1397")})
    assert _gate(monkeypatch, "1397") is False
    assert "written into the settings file by hand" in capsys.readouterr().err
    # The way out is a recorded reset, which the manager sees in the journal.
    _stdin(monkeypatch, "7391\n")
    assert main(["config", "set", "manager_pin", "--reset"]) == 0
    assert _events("sandbox")[-1] == "manager_pin_replaced"
    assert _gate(monkeypatch, "7391") is True
    # The report lists it first for the manager.
    entries = _memory_keyring.entries  # type: ignore[attr-defined]
    entries[("pos_app", "sandbox/app_id")] = "APP-1"
    entries[("pos_app", "sandbox/client_secret")] = "a-secret-value-1"
    capsys.readouterr()
    assert main(["report"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("NEEDS A LOOK: the manager PIN was replaced")
    assert main(["report", "--format", "json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["needs_a_look"][0]["kind"] == "manager_pin_replaced"
    assert main(["report", "--format", "csv"]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert "EXCEPTION: manager_pin_replaced" in rows[1]


# ---- deleted lockout state ----------------------------------------------------------------
def test_deleting_files_does_not_reset_the_lockout(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _set_environment("sandbox")
    assert _set_pin(monkeypatch) == 0
    for _ in range(FREE_TRIES):
        assert _gate(monkeypatch, "1111") is False
    assert "Too many wrong PINs" in capsys.readouterr().err
    # Delete every file the till keeps beside its settings (the old lockout file too).
    config = paths().config_dir
    for path in config.iterdir():
        if path.name != "settings.json":
            path.unlink()
    (config / "manager_pin_state.json").unlink(missing_ok=True)
    assert _gate(monkeypatch, PIN) is False
    assert "Too many wrong PINs" in capsys.readouterr().err


def test_a_damaged_entry_counts_as_one_wrong_try_short_of_a_lock(
    monkeypatch: pytest.MonkeyPatch, _memory_keyring: object
) -> None:
    _set_environment("sandbox")
    assert _set_pin(monkeypatch) == 0
    entries = _memory_keyring.entries  # type: ignore[attr-defined]
    record = json.loads(entries[("pos_app", TILL_ACCOUNT)])
    record["failures"] = "zero"
    entries[("pos_app", TILL_ACCOUNT)] = json.dumps(record)
    assert _gate(monkeypatch, PIN) is False  # damaged entry: locked, says so


# ---- the journal copied to another folder -------------------------------------------------
def test_a_journal_copied_to_another_folder_still_needs_the_pin(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    _set_environment("sandbox")
    assert _set_pin(monkeypatch) == 0
    real = paths()
    Journal.open(journal_path(real, "sandbox")).close()
    copy = tmp_path / "copy"
    shutil.copytree(real.data_dir, copy / "data")
    monkeypatch.setenv("POS_DATA_DIR", str(copy))  # no settings there: "No PIN"?
    _stdin(monkeypatch, "")
    assert main(["--env", "sandbox", "refund", "T1-000001", "--amount", "100"]) == (
        exit_codes.REFUSED
    )
    err = capsys.readouterr().err
    assert "Manager actions are locked" in err and "No manager PIN is set" not in err
    # With the settings copied too, the PIN of the password store is asked.
    shutil.copytree(real.config_dir, copy / "config", dirs_exist_ok=True)
    _stdin(monkeypatch, "")
    assert main(["--env", "sandbox", "refund", "T1-000001"]) == exit_codes.REFUSED
    assert "No manager PIN was given" in capsys.readouterr().err


# ---- the shop policy file -----------------------------------------------------------------
def _policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **values: object) -> Path:
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(values), encoding="utf-8")
    path.chmod(0o644)
    monkeypatch.setenv(POLICY_ENV, str(path))
    return path


def _owner() -> int:
    return os.geteuid() if hasattr(os, "geteuid") else 0


def test_a_policy_pin_is_obeyed_over_the_tills_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _set_environment("sandbox")
    assert _set_pin(monkeypatch) == 0
    path = _policy(tmp_path, monkeypatch, manager_pin_hash=hash_pin("4826"))
    policy = load_policy(path, trusted_owner=_owner())
    where = paths()
    access = resolve_access(
        where, load_settings(where).settings, "sandbox", KeyringSecretStore(), policy
    )
    assert access.state == "ask" and access.source == "policy"
    assert access.encoded is not None and verify_pin("4826", access.encoded)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to chown")
def test_a_policy_file_not_owned_by_root_locks_manager_actions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _policy(tmp_path, monkeypatch, manager_pin_hash=hash_pin("4826"))
    os.chown(path, 12345, 12345)  # a cashier's own file
    result = load_policy()
    assert result.policy is None and result.problem and "not owned by root" in result.problem
    assert _gate(monkeypatch, "4826", "demo") is False
    assert "policy file" in capsys.readouterr().err
    os.chown(path, 0, 0)
    path.chmod(0o666)
    assert "other users may write it" in (load_policy().problem or "")


def test_policy_refuses_cli_refunds_locks_the_environment_and_is_strict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _policy(tmp_path, monkeypatch, cli_refunds=False, environment="demo")
    if _owner() != 0:
        pytest.skip("the policy is trusted only when root owns it")
    assert main(["--demo", "refund", "T1-000001"]) == exit_codes.REFUSED
    assert "only at the till's manager console" in capsys.readouterr().err
    assert main(["--env", "sandbox", "status", "X"]) == exit_codes.SETUP
    assert "locks this till to demo" in capsys.readouterr().err
    assert main(["config", "set", "environment", "sandbox"]) == exit_codes.REFUSED
    _set_environment("sandbox")  # the settings say sandbox; the policy wins
    assert main(["status", "X"]) == exit_codes.BAD_INPUT
    assert "(environment demo)" in capsys.readouterr().out
    path.write_text(json.dumps({"cli_refunds": "no"}), encoding="utf-8")
    assert "cli_refunds must be true or false" in (load_policy().problem or "")
    path.write_text(json.dumps({"max_refunds": 5}), encoding="utf-8")
    assert "unknown key 'max_refunds'" in (load_policy().problem or "")
