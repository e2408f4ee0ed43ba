"""`pos-app credentials set|test|delete`: the keyring (in memory here), the secret's way in
(stdin or a hidden prompt, never argv), the manager PIN gate, and `test` against the
simulated Cashfree over loopback."""

from __future__ import annotations

import dataclasses
import io
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import keyring
import pytest
import respx
from keyring.backends import fail

from pos_app.app import check_connection
from pos_app.cli import main
from pos_app.commands import exit_codes
from pos_app.commands.pin_prompt import require_manager_pin
from pos_app.config import load_settings, paths, save_settings
from pos_app.gateway.cashfree import PRODUCTION_URL
from pos_app.secrets import NO_BACKEND_MESSAGE, TILL_ACCOUNT, KeyringSecretStore, Secret
from pos_app.services.diagnostics import PROBE_PREFIX
from pos_app.services.manager.pin import FREE_TRIES, hash_pin
from pos_app.services.manager.pin_vault import adopt_legacy
from pos_app.simulator import SIM_CLIENT_ID, SIM_CLIENT_SECRET, Simulator, start_server

SECRET = "test-secret-5d1f0e7a9b3c"  # a made-up value, shaped nothing like a real key
PIN = "2580"


class Terminal(io.StringIO):
    """A stdin that says it is a terminal (so the hidden prompt is used)."""

    def isatty(self) -> bool:
        return True


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> io.StringIO:
    stream = io.StringIO(text)
    monkeypatch.setattr("sys.stdin", stream)
    return stream


def _entries(backend: object) -> dict[tuple[str, str], str]:
    """The credentials in the keyring (not the till's manager PIN entry)."""
    entries = dict(backend.entries)  # type: ignore[attr-defined]
    return {k: v for k, v in entries.items() if k[1] != TILL_ACCOUNT}


def _files_text(root: Path) -> str:
    return "".join(
        p.read_bytes().decode("utf-8", "replace") for p in root.rglob("*") if p.is_file()
    )


def _with_pin() -> None:
    where = paths()
    settings = load_settings(where).settings
    mark = adopt_legacy(KeyringSecretStore(), hash_pin(PIN))
    save_settings(where, dataclasses.replace(settings, manager_pin_fingerprint=mark))


# ---- set ---------------------------------------------------------------------------------------
def test_set_reads_the_secret_from_stdin_and_keeps_it_only_in_the_keyring(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    _memory_keyring: object,
    _isolated_data_dir: Path,
) -> None:
    _stdin(monkeypatch, SECRET + "\n")
    assert main(["credentials", "set", "--app-id", "TEST-APP-1"]) == 0
    out, err = capsys.readouterr()
    assert "Saved the Cashfree sandbox App ID (TEST-APP-1)" in out
    assert SECRET not in out + err
    assert _entries(_memory_keyring) == {
        ("pos_app", "sandbox/app_id"): "TEST-APP-1",
        ("pos_app", "sandbox/client_secret"): SECRET,
    }
    assert SECRET not in _files_text(_isolated_data_dir)  # settings, logs: nowhere


def test_set_at_a_terminal_uses_the_hidden_prompt(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], _memory_keyring: object
) -> None:
    monkeypatch.setattr("sys.stdin", Terminal(""))
    prompts: list[str] = []

    def hidden(prompt: str = "") -> str:
        prompts.append(prompt)
        return f"  {SECRET}  "

    monkeypatch.setattr("getpass.getpass", hidden)
    assert main(["credentials", "set", "--env", "production", "--app-id", "LIVE-APP"]) == 0
    assert prompts == ["Cashfree production client secret (typing is hidden): "]
    assert _entries(_memory_keyring)[("pos_app", "production/client_secret")] == SECRET
    err = capsys.readouterr().err
    assert "real money" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["--secret", SECRET],
        [f"--client-secret={SECRET}"],
        [SECRET],
    ],
)
def test_a_secret_on_the_command_line_is_refused_without_repeating_it(
    argv: list[str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    _memory_keyring: object,
) -> None:
    stream = _stdin(monkeypatch, "other-secret-value\n")
    assert main(["credentials", "set", "--app-id", "TEST-APP-1", *argv]) == exit_codes.BAD_INPUT
    out, err = capsys.readouterr()
    assert "never taken from the command line" in err
    assert SECRET not in out + err
    assert _entries(_memory_keyring) == {}
    assert stream.tell() == 0  # stdin was not even read


@pytest.mark.parametrize("given", ["", "\n", "has a space\n", "tab\there\n"])
def test_an_empty_or_malformed_secret_saves_nothing(
    given: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    _memory_keyring: object,
) -> None:
    _stdin(monkeypatch, given)
    assert main(["credentials", "set", "--app-id", "TEST-APP-1"]) == exit_codes.BAD_INPUT
    out, err = capsys.readouterr()
    assert "nothing was saved" in err.lower()
    if given.strip():
        assert given.strip() not in out + err
    assert _entries(_memory_keyring) == {}


def test_app_id_is_needed_when_stdin_is_a_pipe(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], _memory_keyring: object
) -> None:
    _stdin(monkeypatch, SECRET + "\n")
    assert main(["credentials", "set"]) == exit_codes.BAD_INPUT
    assert "--app-id" in capsys.readouterr().err
    assert main(["credentials", "set", "--app-id", "two words"]) == exit_codes.BAD_INPUT
    assert _entries(_memory_keyring) == {}


def test_default_environment_is_the_configured_one(
    monkeypatch: pytest.MonkeyPatch, _memory_keyring: object
) -> None:
    where = paths()
    save_settings(
        where, dataclasses.replace(load_settings(where).settings, environment="production")
    )
    _stdin(monkeypatch, SECRET + "\n")
    # No PIN in production: refused, with the way to set one.
    assert main(["credentials", "set", "--app-id", "LIVE-APP"]) == exit_codes.REFUSED
    assert _entries(_memory_keyring) == {}
    _with_pin()
    _stdin(monkeypatch, f"{PIN}\n{SECRET}\n")
    assert main(["credentials", "set", "--app-id", "LIVE-APP"]) == 0
    assert set(_entries(_memory_keyring)) == {
        ("pos_app", "production/app_id"),
        ("pos_app", "production/client_secret"),
    }


def test_demo_has_no_credentials(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--demo", "credentials", "test"]) == exit_codes.BAD_INPUT
    assert "needs none" in capsys.readouterr().err


def test_no_password_store_is_explained_and_nothing_is_written(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], _isolated_data_dir: Path
) -> None:
    keyring.set_keyring(fail.Keyring())  # the conftest fixture restores the previous one
    _stdin(monkeypatch, SECRET + "\n")
    assert main(["credentials", "set", "--app-id", "TEST-APP-1"]) == exit_codes.SETUP
    out, err = capsys.readouterr()
    assert NO_BACKEND_MESSAGE in err
    assert SECRET not in out + err
    assert SECRET not in _files_text(_isolated_data_dir)


# ---- the manager PIN gate --------------------------------------------------------------------
def test_set_asks_for_the_manager_pin_first_once_one_is_set(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], _memory_keyring: object
) -> None:
    _with_pin()
    _stdin(monkeypatch, f"1111\n{SECRET}\n")
    assert main(["credentials", "set", "--app-id", "TEST-APP-1"]) == exit_codes.REFUSED
    assert "Wrong manager PIN" in capsys.readouterr().err
    assert _entries(_memory_keyring) == {}

    _stdin(monkeypatch, f"{PIN}\n{SECRET}\n")
    assert main(["credentials", "set", "--app-id", "TEST-APP-1"]) == 0
    assert _entries(_memory_keyring)[("pos_app", "sandbox/client_secret")] == SECRET


def test_wrong_pins_lock_across_runs_and_a_locked_pin_is_not_even_read(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], _memory_keyring: object
) -> None:
    _with_pin()
    for _ in range(FREE_TRIES):
        _stdin(monkeypatch, f"9999\n{SECRET}\n")
        assert main(["credentials", "delete"]) == exit_codes.REFUSED
    assert "Try again in 30 seconds" in capsys.readouterr().err
    stream = _stdin(monkeypatch, f"{PIN}\n")
    assert main(["credentials", "delete"]) == exit_codes.REFUSED
    assert "Too many wrong PINs" in capsys.readouterr().err
    assert stream.tell() == 0


def test_require_manager_pin_without_a_pin_says_anyone_can(
    capsys: pytest.CaptureFixture[str],
) -> None:
    where = paths()
    assert require_manager_pin(load_settings(where).settings, where) is True
    assert "No manager PIN is set" in capsys.readouterr().err


def test_a_damaged_pin_hash_refuses_and_says_how_to_recover(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    where = paths()
    settings = dataclasses.replace(load_settings(where).settings, manager_pin_hash="scrypt$broken")
    _stdin(monkeypatch, f"{PIN}\n")
    assert require_manager_pin(settings, where) is False
    assert "damaged" in capsys.readouterr().err


# ---- delete ------------------------------------------------------------------------------------
def test_delete_removes_both_and_test_then_says_what_to_do(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], _memory_keyring: object
) -> None:
    _stdin(monkeypatch, SECRET + "\n")
    assert main(["credentials", "set", "--app-id", "TEST-APP-1"]) == 0
    assert main(["credentials", "delete", "--env", "sandbox"]) == 0
    assert _entries(_memory_keyring) == {}
    assert main(["credentials", "delete"]) == 0  # nothing there is not an error
    capsys.readouterr()
    assert main(["credentials", "test"]) == exit_codes.SETUP
    assert "credentials set --env sandbox" in capsys.readouterr().err


# ---- test, against the simulated Cashfree over loopback ------------------------------------
@pytest.fixture
def sim_url(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Simulator, str]]:
    sim = Simulator()
    handle = start_server(sim)
    monkeypatch.setenv("POS_CASHFREE_BASE_URL", handle.url + "/pg")
    try:
        yield sim, handle.url
    finally:
        handle.stop()


def _set(monkeypatch: pytest.MonkeyPatch, app_id: str, secret: str) -> None:
    _stdin(monkeypatch, secret + "\n")
    assert main(["credentials", "set", "--env", "sandbox", "--app-id", app_id]) == 0


def test_the_simulators_keys_work_and_nothing_is_created(
    sim_url: tuple[Simulator, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sim, _ = sim_url
    _set(monkeypatch, SIM_CLIENT_ID, SIM_CLIENT_SECRET)
    capsys.readouterr()
    assert main(["credentials", "test", "--env", "sandbox"]) == 0
    out, err = capsys.readouterr()
    assert "These credentials work" in out and "request id" in out
    assert SIM_CLIENT_SECRET not in out + err
    assert sim.order_ids() == []


@pytest.mark.parametrize(
    ("app_id", "secret"),
    [(SIM_CLIENT_ID, "wrong-secret-value-1"), ("SOMEONE-ELSE", SIM_CLIENT_SECRET)],
)
def test_wrong_keys_are_refused(
    app_id: str,
    secret: str,
    sim_url: tuple[Simulator, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _set(monkeypatch, app_id, secret)
    capsys.readouterr()
    assert main(["credentials", "test"]) == exit_codes.SETUP
    out, err = capsys.readouterr()
    assert "Cashfree refused these credentials" in err
    assert secret not in out + err


def test_cashfree_down_is_a_network_problem(
    sim_url: tuple[Simulator, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sim, _ = sim_url
    _set(monkeypatch, SIM_CLIENT_ID, SIM_CLIENT_SECRET)
    sim.set_faults(down=True)
    capsys.readouterr()
    assert main(["credentials", "test"]) == exit_codes.GATEWAY_TROUBLE
    assert "Could not reach Cashfree sandbox" in capsys.readouterr().err


def test_nothing_listening_is_a_network_problem(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("POS_CASHFREE_BASE_URL", f"http://127.0.0.1:{port}/pg")
    _set(monkeypatch, SIM_CLIENT_ID, SIM_CLIENT_SECRET)
    assert main(["credentials", "test"]) == exit_codes.GATEWAY_TROUBLE
    assert "Could not reach" in capsys.readouterr().err


def test_server_errors_are_trouble_not_a_verdict(
    sim_url: tuple[Simulator, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sim, _ = sim_url
    _set(monkeypatch, SIM_CLIENT_ID, SIM_CLIENT_SECRET)
    sim.set_faults(error_rate=1.0)
    capsys.readouterr()
    assert main(["credentials", "test"]) == exit_codes.GATEWAY_TROUBLE
    err = capsys.readouterr().err
    assert "could not check these credentials right now" in err and "HTTP 500" in err


@pytest.mark.asyncio
async def test_production_always_asks_cashfrees_production_host(
    monkeypatch: pytest.MonkeyPatch, respx_mock: respx.MockRouter
) -> None:
    monkeypatch.setenv("POS_CASHFREE_BASE_URL", "http://127.0.0.1:9/pg")
    route = respx_mock.get(url__startswith=f"{PRODUCTION_URL}/orders/{PROBE_PREFIX}").mock(
        return_value=httpx.Response(
            404,
            json={
                "message": "order does not exist",
                "code": "order_not_found",
                "type": "invalid_request_error",
            },
            headers={"x-request-id": "req-prod-1"},
        )
    )
    check = await check_connection("production", "LIVE-APP", Secret(SECRET))
    assert check.works and check.request_id == "req-prod-1"
    sent = route.calls.last.request
    assert sent.headers["x-client-id"] == "LIVE-APP"
    assert len(sent.url.path.rsplit("/", 1)[1]) <= 45  # Cashfree's order id limit
