"""Display wording, reading Settings into DeskOptions, and the PAID chime."""

from __future__ import annotations

import os
import stat
import time
import wave
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from desk_kit import final_state, waiting_state

from pos_app.config import Settings
from pos_app.domain.money import DEFAULT_MAXIMUM, Money
from pos_app.domain.sale import Method, SaleStatus
from pos_app.ui import text
from pos_app.ui.options import DeskOptions
from pos_app.ui.resources import resource_path, stylesheet
from pos_app.ui.sound import CommandSound, SilentSound, make_sound, write_chime

T = datetime(2026, 3, 2, 9, 0, 0, tzinfo=UTC)


def test_countdown_wording() -> None:
    assert text.countdown(T + timedelta(minutes=14, seconds=5), T) == "Expires in 14:05"
    assert text.countdown(T + timedelta(hours=1, seconds=3), T) == "Expires in 1:00:03"
    assert text.countdown(T - timedelta(seconds=1), T) == "Expiring now…"
    assert text.countdown(None, T) == ""


def test_duplicate_question_wording() -> None:
    amount = Money(50000)
    assert text.duplicate_question(amount, T - timedelta(minutes=1, seconds=20), T) == (
        "₹500.00 was paid at this till 1 minute ago. Charge again?"
    )
    assert "12 minutes ago" in text.duplicate_question(amount, T - timedelta(minutes=12), T)
    assert "moments ago" in text.duplicate_question(amount, None, T)


def test_status_titles_cover_every_status() -> None:
    titles = {status: text.status_title(status) for status in SaleStatus}
    assert titles[SaleStatus.PAID] == "PAID"
    assert len(set(titles.values())) == len(SaleStatus)


def test_attempt_failed_sentence() -> None:
    assert text.attempt_failed("Insufficient funds.") == (
        "The customer's attempt failed: Insufficient funds. They can try again."
    )


def test_paid_details_without_optional_parts() -> None:
    state = final_state(SaleStatus.PAID, bank_reference=None, paid_at=None, payment_group=None)
    assert text.paid_details(state) == ["Method: UPI QR", "Order T1-260302093000-ABCDEF"]


def test_late_payment_is_marked_on_the_result() -> None:
    lines = text.paid_details(final_state(SaleStatus.PAID, late=True))
    assert "Paid late: after the sale was cancelled or expired." in lines


def test_result_reason_prefers_the_gateway_error() -> None:
    assert text.result_reason(waiting_state(error="E (id 1)", message="m")) == "E (id 1)"


def _settings(**changes: object) -> Settings:
    base: dict[str, Any] = {
        "store_name": "Asha Stores",
        "terminal_id": "T7",
        "environment": "sandbox",
        "enabled_methods": ("link", "upi-qr", "collect"),
        "collect_enabled": False,
        "max_amount_paise": 2_500_000,
        "sound": False,
        "customer_display_screen": 1,
    }
    return Settings(**{**base, **changes})


def test_options_from_settings() -> None:
    options = DeskOptions.from_settings(_settings(), "sandbox")
    assert options.store_name == "Asha Stores" and options.terminal_id == "T7"
    assert options.methods == (Method.LINK, Method.UPI_QR)  # collect is off; order kept
    assert options.default_method is Method.LINK
    assert options.maximum == Money(2_500_000)
    assert options.sound is False
    assert options.customer_display_screen == 1


def test_upi_request_only_when_switched_on() -> None:
    on = DeskOptions.from_settings(_settings(collect_enabled=True), "demo")
    assert on.methods == (Method.LINK, Method.UPI_QR, Method.COLLECT)
    assert on.environment == "demo"


def test_options_from_default_settings() -> None:
    options = DeskOptions.from_settings(Settings(), "production")
    assert options.methods == (Method.UPI_QR, Method.LINK)
    assert options.maximum == DEFAULT_MAXIMUM
    assert options.customer_display_screen is None


def test_resources_are_found() -> None:
    assert "#amountDisplay" in stylesheet()
    for name in ("qr", "link", "request", "copy", "refresh", "cancel", "app"):
        assert resource_path("icons", f"{name}.svg") is not None, name


def test_the_shipped_chime_is_a_short_valid_wav() -> None:
    path = resource_path("sounds", "paid.wav")
    assert path is not None
    with wave.open(str(path)) as chime:
        seconds = chime.getnframes() / chime.getframerate()
        assert chime.getnchannels() == 1 and chime.getsampwidth() == 2
    assert 0.2 < seconds < 1.5


def test_write_chime(tmp_path: Path) -> None:
    target = tmp_path / "c.wav"
    write_chime(target, rate=8000)
    with wave.open(str(target)) as chime:
        assert chime.getframerate() == 8000
        assert chime.getnframes() == int(8000 * 0.22) + int(8000 * 0.38)


def test_sound_switched_off_is_silent() -> None:
    assert isinstance(make_sound(False), SilentSound)


def test_without_a_player_the_chime_is_silent(monkeypatch: object, tmp_path: Path) -> None:
    import pytest

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.setenv("PATH", str(tmp_path))  # no pw-play, paplay or aplay here
    assert isinstance(make_sound(True), SilentSound)


def test_command_sound_runs_the_player_without_waiting(tmp_path: Path) -> None:
    marker = tmp_path / "played"
    player = tmp_path / "paplay"
    player.write_text(f'#!/bin/sh\nsleep 0.3\necho "$1" > {marker}\n')
    player.chmod(player.stat().st_mode | stat.S_IEXEC)
    wav = tmp_path / "c.wav"
    write_chime(wav, rate=8000)
    sound = CommandSound(str(player), wav)
    started = time.monotonic()
    sound.paid()
    assert time.monotonic() - started < 0.25  # returned before the player finished
    deadline = time.monotonic() + 5
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.read_text().strip() == str(wav)
    assert os.access(player, os.X_OK)
