"""Settings and folders: defaults, checks, atomic save, damaged files set aside, POS_DATA_DIR."""

from __future__ import annotations

import json
import os
import stat
from dataclasses import fields
from pathlib import Path

import pytest

from pos_app.config import (
    Paths,
    Settings,
    journal_path,
    load_settings,
    paths,
    save_settings,
    settings_file,
)
from pos_app.domain.sale import Method


def test_defaults() -> None:
    s = Settings()
    assert (s.store_name, s.terminal_id, s.environment) == ("My Store", "T1", "demo")
    assert s.default_customer_phone is None
    assert s.order_expiry_minutes == 15
    assert s.enabled_methods == ("upi-qr", "link")
    assert s.methods == (Method.UPI_QR, Method.LINK)
    assert s.collect_enabled is False
    assert s.max_amount_paise == 1_00_000_00
    assert s.sound is True
    assert s.customer_display_screen is None and s.manager_pin_hash is None
    assert (s.poll_fast_interval, s.poll_fast_for) == (1.6, 120.0)
    assert (s.poll_medium_interval, s.poll_medium_until, s.poll_slow_interval) == (3.0, 300.0, 10.0)
    assert (s.late_sweep_hours, s.duplicate_window_minutes) == (24.0, 5.0)


def test_no_secret_field() -> None:
    names = {f.name for f in fields(Settings)}
    assert not {n for n in names if any(w in n for w in ("secret", "password", "token", "app_id"))}
    assert "client_id" not in names


def test_pos_data_dir_moves_all_three_folders(_isolated_data_dir: Path) -> None:
    where = paths()
    assert where == Paths(
        data_dir=_isolated_data_dir / "data",
        config_dir=_isolated_data_dir / "config",
        log_dir=_isolated_data_dir / "logs",
    )
    assert all(p.is_dir() for p in (where.data_dir, where.config_dir, where.log_dir))


def test_platform_folders_without_pos_data_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("POS_DATA_DIR")
    monkeypatch.setenv("HOME", str(tmp_path))
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    where = paths()
    for folder in (where.data_dir, where.config_dir, where.log_dir):
        assert folder.is_dir()
        assert tmp_path in folder.parents
        assert "pos_app" in folder.parts
    assert where.data_dir != where.config_dir


def test_journal_path_keeps_environments_apart() -> None:
    where = paths()
    assert journal_path(where, "demo") == where.data_dir / "journal-demo.sqlite3"
    assert journal_path(where, "production") == where.data_dir / "journal-production.sqlite3"
    assert journal_path(where, "sandbox") != journal_path(where, "demo")
    with pytest.raises(ValueError):
        journal_path(where, "../elsewhere")


def test_missing_file_gives_defaults_without_notice() -> None:
    result = load_settings(paths())
    assert result.settings == Settings()
    assert result.notice is None


def test_round_trip() -> None:
    where = paths()
    chosen = Settings(
        store_name="Lakshmi Stores",
        terminal_id="Till2",
        default_customer_phone="9876543210",
        environment="sandbox",
        order_expiry_minutes=30,
        enabled_methods=("link", "collect"),
        collect_enabled=True,
        max_amount_paise=5_000_00,
        sound=False,
        customer_display_screen=1,
        manager_pin_hash="scrypt$16384$8$1$c2FsdA==$aGFzaA==",
        poll_fast_interval=2.0,
        poll_fast_for=60.0,
        poll_medium_interval=5.0,
        poll_medium_until=600.0,
        poll_slow_interval=20.0,
        late_sweep_hours=48.0,
        duplicate_window_minutes=2.5,
    )
    target = save_settings(where, chosen)
    assert target == settings_file(where)
    result = load_settings(where)
    assert result.notice is None
    assert result.settings == chosen
    assert json.loads(target.read_text(encoding="utf-8"))["enabled_methods"] == ["link", "collect"]


def test_save_is_atomic_and_private() -> None:
    where = paths()
    save_settings(where, Settings(store_name="First"))
    save_settings(where, Settings(store_name="Second"))
    assert [p.name for p in where.config_dir.iterdir()] == ["settings.json"]  # no temp left
    mode = stat.S_IMODE(os.stat(settings_file(where)).st_mode)
    assert mode == 0o600
    assert load_settings(where).settings.store_name == "Second"


def test_failed_save_leaves_the_old_file_and_no_temp(monkeypatch: pytest.MonkeyPatch) -> None:
    where = paths()
    save_settings(where, Settings(store_name="Kept"))
    before = settings_file(where).read_bytes()

    def broken_replace(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        save_settings(where, Settings(store_name="Lost"))
    monkeypatch.undo()
    assert settings_file(where).read_bytes() == before
    assert [p.name for p in where.config_dir.iterdir()] == ["settings.json"]


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"\xff\xfe\x00garbage",
        b"[1, 2, 3]",
        json.dumps({"terminal_id": "TILL-NUMBER-ONE"}).encode(),  # invalid value
        json.dumps({"order_expiry_minutes": 2}).encode(),
        json.dumps({"enabled_methods": ["upi-qr", "cash"]}).encode(),
        json.dumps({"sound": "yes"}).encode(),
        json.dumps({"environment": "live"}).encode(),
    ],
)
def test_unusable_file_is_moved_aside_with_a_notice(content: bytes) -> None:
    where = paths()
    settings_file(where).write_bytes(content)
    result = load_settings(where)
    assert result.settings == Settings()
    assert result.notice is not None
    moved = list(where.config_dir.glob("settings.json.corrupt-*"))
    assert len(moved) == 1
    assert moved[0].read_bytes() == content
    assert not settings_file(where).exists()
    assert "default settings are in use" in result.notice
    assert str(moved[0]) in result.notice
    # the next start is quiet: defaults, no notice, and the set-aside file is kept
    again = load_settings(where)
    assert again.notice is None and again.settings == Settings()
    assert len(list(where.config_dir.glob("settings.json.corrupt-*"))) == 1


def test_two_damaged_files_in_the_same_second_both_kept() -> None:
    where = paths()
    for content in (b"{", b"}"):
        settings_file(where).write_bytes(content)
        assert load_settings(where).notice is not None
    kept = sorted(p.read_bytes() for p in where.config_dir.glob("settings.json.corrupt-*"))
    assert kept == [b"{", b"}"]


def test_unknown_keys_are_ignored_and_dropped_on_save() -> None:
    where = paths()
    settings_file(where).write_text(
        json.dumps({"store_name": "Ravi Tea", "client_secret": "cfsk_live_x", "future": 1})
    )
    result = load_settings(where)
    assert result.notice is None
    assert result.settings.store_name == "Ravi Tea"
    save_settings(where, result.settings)
    text = settings_file(where).read_text()
    assert "client_secret" not in text and "cfsk_live_x" not in text


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"terminal_id": ""}, "terminal_id"),
        ({"terminal_id": "T-1"}, "terminal_id"),
        ({"terminal_id": "ABCDEFGHI"}, "terminal_id"),
        ({"default_customer_phone": "12345"}, "default_customer_phone"),
        ({"default_customer_phone": "+919876543210"}, "default_customer_phone"),
        ({"environment": "prod"}, "environment"),
        ({"order_expiry_minutes": 4}, "order_expiry_minutes"),
        ({"order_expiry_minutes": 1441}, "order_expiry_minutes"),
        ({"order_expiry_minutes": 15.5}, "order_expiry_minutes"),
        ({"enabled_methods": ()}, "enabled_methods"),
        ({"enabled_methods": ("link", "link")}, "enabled_methods"),
        ({"enabled_methods": "link"}, "enabled_methods"),
        ({"max_amount_paise": 99}, "max_amount_paise"),
        ({"max_amount_paise": True}, "max_amount_paise"),
        ({"sound": 1}, "sound"),
        ({"customer_display_screen": -1}, "customer_display_screen"),
        ({"poll_fast_interval": 0}, "poll_fast_interval"),
        ({"poll_slow_interval": float("nan")}, "poll_slow_interval"),
        ({"late_sweep_hours": -1}, "late_sweep_hours"),
        ({"poll_fast_for": 400.0}, "poll_medium_until"),
        ({"store_name": "  "}, "store_name"),
    ],
)
def test_invalid_values_are_refused(changes: dict[str, object], field: str) -> None:
    with pytest.raises(ValueError, match=f"^{field}: "):
        Settings(**changes)  # type: ignore[arg-type]


def test_values_are_normalised() -> None:
    s = Settings(
        store_name="  Corner Shop ",
        enabled_methods=[Method.COLLECT, "upi-qr"],  # type: ignore[arg-type]
        poll_fast_interval=2,
    )
    assert s.store_name == "Corner Shop"
    assert s.enabled_methods == ("collect", "upi-qr")
    assert isinstance(s.poll_fast_interval, float)


@pytest.mark.parametrize(
    ("key", "text", "value"),
    [
        ("store_name", " Ravi Tea Stall ", "Ravi Tea Stall"),
        ("terminal_id", "T2", "T2"),
        ("default_customer_phone", "+91 98765 43210", "9876543210"),
        ("default_customer_phone", "none", None),
        ("environment", "Sandbox", "sandbox"),
        ("order_expiry_minutes", "30", 30),
        ("enabled_methods", "upi-qr, collect", ("upi-qr", "collect")),
        ("collect_enabled", "yes", True),
        ("sound", "off", False),
        ("max_amount_paise", "5000000", 5000000),
        ("customer_display_screen", "1", 1),
        ("customer_display_screen", "", None),
        ("poll_fast_interval", "2.5", 2.5),
        ("late_sweep_hours", "12", 12.0),
    ],
)
def test_replace_value_parses_text(key: str, text: str, value: object) -> None:
    changed = Settings().replace_value(key, text)
    assert getattr(changed, key) == value
    others = {f.name for f in fields(Settings)} - {key}
    assert all(getattr(changed, n) == getattr(Settings(), n) for n in others)


@pytest.mark.parametrize(
    ("key", "text", "words"),
    [
        ("colour", "red", "There is no setting called 'colour'"),
        ("terminal_id", "T 1", "terminal_id: use 1 to 8 letters or digits"),
        ("order_expiry_minutes", "ten", "order_expiry_minutes: must be a whole number"),
        ("order_expiry_minutes", "2", "order_expiry_minutes: must be from 5 to 1440"),
        ("sound", "maybe", "sound: type true or false"),
        ("default_customer_phone", "12345", "default_customer_phone: "),
        ("enabled_methods", "upi-qr,cash", "enabled_methods: choose one or more of"),
        ("poll_fast_interval", "1e3", "poll_fast_interval: must be a number"),
        ("max_amount_paise", "1,000", "max_amount_paise: must be a whole number of paise"),
        ("manager_pin_hash", "abc", "manager_pin_hash: the manager PIN is set from"),
    ],
)
def test_replace_value_explains_refusals(key: str, text: str, words: str) -> None:
    with pytest.raises(ValueError) as caught:
        Settings().replace_value(key, text)
    assert words in str(caught.value)


def test_every_setting_has_a_rule() -> None:
    # A new field without a rule would skip validation (and could not be set by text).
    from pos_app import config

    assert list(config._RULES) == [f.name for f in fields(Settings)]
