"""`pos-app say`: the words for both languages, and a WAV that is speech, not silence."""

from __future__ import annotations

from pathlib import Path

import pytest

from pos_app.cli import main
from pos_app.commands import exit_codes
from pos_app.config import load_settings, paths, save_settings
from pos_app.voice.wav import read_wav

SPEECH_RMS = 500.0


@pytest.mark.parametrize(
    ("lang", "words", "at_least"),
    [
        ("en", "Four hundred fifty rupees received.", 1.2),
        ("hi", "चार सौ पचास रुपये प्राप्त हुए।", 1.2),
    ],
)
def test_say_writes_the_announcement(
    espeak: str,
    lang: str,
    words: str,
    at_least: float,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "said.wav"
    assert main(["say", "450", "--lang", lang, "--output", str(out)]) == exit_codes.PAID
    assert capsys.readouterr().out.strip() == words
    pcm = read_wav(out.read_bytes())
    assert at_least < pcm.seconds < 8
    assert pcm.rms() > SPEECH_RMS


def test_say_the_long_amount_in_hindi(
    espeak: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "long.wav"
    assert main(["say", "1,23,45,678.50", "--lang", "hi", "--output", str(out)]) == 0
    assert capsys.readouterr().out.strip() == (
        "एक करोड़ तेईस लाख पैंतालीस हज़ार छह सौ अठहत्तर रुपये और पचास पैसे प्राप्त हुए।"
    )
    assert read_wav(out.read_bytes()).seconds > 4


def test_volume_and_language_default_to_the_settings(
    espeak: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    loud, quiet = tmp_path / "loud.wav", tmp_path / "quiet.wav"
    assert main(["say", "450", "--volume", "100", "--output", str(loud)]) == 0
    where = paths()
    settings = load_settings(where).settings.replace_value("voice_language", "hi")
    save_settings(where, settings.replace_value("voice_volume", "25"))
    capsys.readouterr()
    assert main(["say", "450", "--output", str(quiet)]) == 0
    assert capsys.readouterr().out.strip() == "चार सौ पचास रुपये प्राप्त हुए।"
    assert read_wav(quiet.read_bytes()).rms() < read_wav(loud.read_bytes()).rms() / 2


def test_late_payment_with_its_bill(espeak: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["say", "450", "--late", "--bill", "7", "--output", "/dev/null"]) == 0
    assert capsys.readouterr().out.strip() == (
        "Late payment received: four hundred fifty rupees, for bill seven."
    )


@pytest.mark.parametrize("amount", ["abc", "0", "-5", "1.234"])
def test_a_bad_amount_is_refused(amount: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["say", amount, "--output", "/dev/null"]) == exit_codes.BAD_INPUT
    assert "Refused" in capsys.readouterr().err


def test_a_bad_volume_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["say", "5", "--volume", "150"]) == exit_codes.BAD_INPUT
    assert "0 to 100" in capsys.readouterr().err


def test_an_unknown_language_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["say", "5", "--lang", "xx"])
    assert caught.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_without_the_engine_it_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no espeak-ng, no player
    out = tmp_path / "never.wav"
    assert main(["say", "450", "--output", str(out)]) == exit_codes.SETUP
    captured = capsys.readouterr()
    assert captured.out.strip() == "Four hundred fifty rupees received."
    assert "apt install espeak-ng" in captured.err
    assert not out.exists()


def test_without_a_player_it_offers_output(
    espeak: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "espeak-ng").symlink_to(espeak)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert main(["say", "450"]) == exit_codes.SETUP
    assert "--output" in capsys.readouterr().err


def test_with_a_player_it_plays(
    espeak: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import sys

    (tmp_path / "espeak-ng").symlink_to(espeak)
    copy = tmp_path / "heard.wav"
    player = tmp_path / "aplay"
    player.write_text(f'#!/bin/sh\n/bin/cp "$2" {copy}\n')  # aplay is given -q first
    player.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:{Path(sys.executable).parent}")
    assert main(["say", "99"]) == exit_codes.PAID
    assert read_wav(copy.read_bytes()).rms() > SPEECH_RMS
