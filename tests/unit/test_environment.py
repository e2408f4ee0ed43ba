"""The environments keep the names written on disk and typed after --env."""

from __future__ import annotations

from pos_app.cli import build_parser
from pos_app.domain.environment import CREDENTIALED, NAMES, Environment


def test_the_names_on_disk_and_in_argv_are_unchanged() -> None:
    assert NAMES == ("demo", "sandbox", "production")
    assert [str(e) for e in CREDENTIALED] == ["sandbox", "production"]
    assert "sandbox" in CREDENTIALED and "demo" not in CREDENTIALED
    assert f"journal-{Environment.SANDBOX}.sqlite3" == "journal-sandbox.sqlite3"


def test_parse_names_an_environment_or_none() -> None:
    assert Environment.parse("production") is Environment.PRODUCTION
    assert Environment.parse("Production") is None
    assert Environment.parse(None) is None


def test_the_command_line_still_takes_and_shows_the_plain_names() -> None:
    args = build_parser().parse_args(["--env", "sandbox", "report"])
    assert args.env == "sandbox"
    assert "{demo,sandbox,production}" in build_parser().format_help()
