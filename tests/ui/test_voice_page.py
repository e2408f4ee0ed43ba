"""The Voice tab of the settings: it loads and saves the four settings, "Test voice" says
the sample in the chosen language at once (or says why it cannot), and it is saved with
the rest of the settings."""

from __future__ import annotations

import sys
from pathlib import Path

from pytestqt.qtbot import QtBot
from voice_kit import need_espeak

from pos_app.config import Settings
from pos_app.ui.setup.voice_page import VoicePage
from pos_app.voice.engine import EspeakEngine
from pos_app.voice.ready import NO_ENGINE
from pos_app.voice.speaker import Speaker
from pos_app.voice.wav import read_wav


def _page(qtbot: QtBot, **kwargs: object) -> VoicePage:
    page = VoicePage(**kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(page)
    page.show()
    return page


def test_loads_and_applies_the_voice_settings(qtbot: QtBot) -> None:
    page = _page(qtbot)
    page.load(Settings(voice=True, voice_language="hi", voice_volume=35, voice_say_bill=True))
    assert page.enabled.isChecked()
    assert page.language.currentData() == "hi"
    assert page.volume.value() == 35 and page.volume_value.text() == "35 %"
    assert page.say_bill.isChecked()
    page.language.setCurrentIndex(page.language.findData("en"))
    page.volume.setValue(90)
    page.say_bill.setChecked(False)
    page.enabled.setChecked(False)
    assert not page.language.isEnabled() and not page.volume.isEnabled()
    saved = page.apply(Settings())
    assert (saved.voice, saved.voice_language, saved.voice_volume, saved.voice_say_bill) == (
        False,
        "en",
        90,
        False,
    )


def test_test_voice_without_an_engine_says_why(qtbot: QtBot) -> None:
    page = _page(qtbot, opener=lambda: (None, NO_ENGINE))
    page.load(Settings())
    page.test_button.click()
    assert page.status.text() == NO_ENGINE
    assert page.status.isVisible()


def test_test_voice_says_the_sample_in_the_chosen_language(qtbot: QtBot, tmp_path: Path) -> None:
    engine = EspeakEngine(need_espeak())
    played = tmp_path / "played"
    played.mkdir()
    player = [
        sys.executable,
        "-c",
        "import shutil, sys; shutil.copy(sys.argv[2], sys.argv[1] + '/test.wav')",
        str(played),
    ]
    speakers: list[Speaker] = []

    def opener() -> tuple[Speaker | None, str | None]:
        speakers.append(Speaker(engine, player))
        return speakers[-1], None

    page = _page(qtbot, opener=opener)
    page.load(Settings(voice_language="hi", voice_say_bill=True))
    page.test_button.click()
    assert page.status.text() == "Saying: “चार सौ पचास रुपये प्राप्त हुए, बिल चार दो।”"
    qtbot.waitUntil(lambda: (played / "test.wav").exists() and speakers[0].idle(), timeout=20000)
    assert read_wav((played / "test.wav").read_bytes()).rms() > 300
    page.close_voice()
