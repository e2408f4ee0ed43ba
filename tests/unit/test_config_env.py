"""`pos-app config show|set` take --env / --demo like every other command (issue 13)."""

from __future__ import annotations

import json

import pytest

from pos_app.cli import main
from pos_app.config import Settings, load_settings, paths, save_settings


@pytest.mark.parametrize(
    "argv",
    [
        ["config", "show", "--demo"],
        ["config", "show", "--env", "sandbox"],
        ["--demo", "config", "show"],
        ["config", "--env", "production", "show"],
    ],
)
def test_show_accepts_the_environment_options(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "store_name" in out
    assert "# for --env " in out


def test_show_says_which_store_number_each_environment_sends(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["config", "show", "--env", "sandbox"]) == 0
    assert "none set: a sale without the customer's number is refused" in capsys.readouterr().out
    assert main(["config", "show", "--demo"]) == 0
    assert "9999999999 (the demo's stand-in)" in capsys.readouterr().out
    save_settings(paths(), Settings(default_customer_phone="9876543210"))
    assert main(["config", "show", "--demo", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["for_run"] == {"environment": "demo", "store_phone_sent": "9876543210"}


def test_set_accepts_the_environment_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "set", "store_name", "Sharma Store", "--demo"]) == 0
    assert main(["--env", "sandbox", "config", "set", "terminal_id", "T2"]) == 0
    settings = load_settings(paths()).settings
    assert (settings.store_name, settings.terminal_id) == ("Sharma Store", "T2")


def test_show_without_the_option_is_unchanged(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "show"]) == 0
    assert "# for --env" not in capsys.readouterr().out
