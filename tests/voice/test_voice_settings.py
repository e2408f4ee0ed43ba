"""The four voice settings: defaults, checks, `pos-app config set`, and the desk's reading."""

from __future__ import annotations

import pytest

from pos_app.cli import main
from pos_app.commands import exit_codes
from pos_app.config import Settings, load_settings, paths
from pos_app.voice.phrases import VoiceOptions


def test_defaults_speak_english_at_eighty_percent_without_the_bill() -> None:
    settings = Settings()
    assert (settings.voice, settings.voice_language, settings.voice_volume) == (True, "en", 80)
    assert settings.voice_say_bill is False
    assert VoiceOptions.from_settings(settings) == VoiceOptions()


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("voice_language", "xx", "voice_language: must be one of en, hi"),
        ("voice_volume", 101, "voice_volume: must be from 0 to 100 percent"),
        ("voice_volume", "loud", "voice_volume: must be a whole number percent"),
        ("voice", "yes", "voice: must be true or false"),
    ],
)
def test_bad_values_are_refused_with_a_sentence(key: str, value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Settings.from_mapping({key: value})


def test_typed_values(capsys: pytest.CaptureFixture[str]) -> None:
    settings = Settings().replace_value("voice_language", " HI ").replace_value("voice", "off")
    assert settings.voice_language == "hi" and settings.voice is False
    assert main(["config", "set", "voice_volume", "35"]) == exit_codes.PAID
    assert load_settings(paths()).settings.voice_volume == 35
    assert main(["config", "set", "voice_volume", "350"]) == exit_codes.BAD_INPUT
    assert "0 to 100" in capsys.readouterr().err
    assert load_settings(paths()).settings.voice_volume == 35  # nothing lost
