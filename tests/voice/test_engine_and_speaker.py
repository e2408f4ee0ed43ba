"""The real engine (espeak-ng) renders both languages, and the speaker hands the player a
real WAV, one announcement after another, without making the caller wait."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import pytest

from pos_app.voice.engine import EngineError, EspeakEngine, find_engine
from pos_app.voice.languages import language
from pos_app.voice.languages.base import Language
from pos_app.voice.ready import NO_ENGINE, NO_PLAYER, open_speaker
from pos_app.voice.speaker import Speaker
from pos_app.voice.wav import Pcm, read_wav

SPEECH_RMS = 500.0  # espeak-ng speaks at about 3000; silence is 0


@pytest.mark.parametrize("code", ["en", "hi"])
def test_the_engine_renders_speech_in_both_languages(espeak: str, code: str) -> None:
    lang = language(code)
    short = EspeakEngine(espeak).render(lang.received(450_00, None), lang)
    long = EspeakEngine(espeak).render(lang.received(1_23_45_678_50, None), lang)
    assert 1.0 < short.seconds < 6.0
    assert long.seconds > short.seconds + 2.0  # many more words, so much longer
    assert short.rms() > SPEECH_RMS
    assert short.rate >= 16000


def test_words_the_voice_says_wrongly_are_respelled_for_it_only() -> None:
    en = language("en")
    said = en.received(1_00_000_50, None)
    assert said == "One lakh rupees and fifty paise received."
    assert EspeakEngine.prepared(said, en) == "One laakh rupees and fifty pysay received."
    hi = language("hi")
    assert EspeakEngine.prepared(hi.received(450_00, None), hi) == hi.received(450_00, None)


def test_find_engine_finds_espeak(espeak: str) -> None:
    engine = find_engine()
    assert isinstance(engine, EspeakEngine)
    assert engine.program == espeak


def test_an_unknown_voice_is_a_clear_engine_error(espeak: str) -> None:
    class Klingon(type(language("en"))):  # type: ignore[misc]
        espeak_voice = "tlh-nope"

    with pytest.raises(EngineError, match="espeak-ng failed"):
        EspeakEngine(espeak).render("qapla", Klingon())


def test_a_missing_program_is_a_clear_engine_error() -> None:
    with pytest.raises(EngineError, match="could not be started"):
        EspeakEngine("/nonexistent/espeak-ng").render("one", language("en"))


def test_text_that_looks_like_an_option_is_just_said(espeak: str) -> None:
    pcm = EspeakEngine(espeak).render("--help -v xx", language("en"))
    assert pcm.seconds > 0.5


def _copying_player(folder: Path) -> list[str]:
    """A 'player' that keeps a copy of each WAV it is given, numbered in order."""
    script = (
        "import shutil, sys, pathlib; d = pathlib.Path(sys.argv[1]); "
        "n = len(list(d.iterdir())); shutil.copy(sys.argv[2], d / f'{n:02d}.wav')"
    )
    return [sys.executable, "-c", script, str(folder)]


def _wait(predicate: object, seconds: float = 20.0) -> None:
    end = time.monotonic() + seconds
    while not predicate():  # type: ignore[operator]
        assert time.monotonic() < end, "timed out"
        time.sleep(0.02)


def test_the_speaker_plays_each_announcement_in_order(espeak: str, tmp_path: Path) -> None:
    played = tmp_path / "played"
    played.mkdir()
    latencies: list[float] = []
    speaker = Speaker(EspeakEngine(espeak), _copying_player(played), on_playing=latencies.append)
    try:
        assert speaker.say(language("en").received(450_00, None), language("en"), volume=100)
        assert speaker.say(language("hi").received(1_23_45_678_50, None), language("hi"), 50)
        _wait(lambda: speaker.idle() and len(list(played.iterdir())) == 2)
    finally:
        speaker.close()
    first, second = (read_wav(p.read_bytes()) for p in sorted(played.iterdir()))
    assert first.seconds < second.seconds  # the Hindi sentence is the long one: order kept
    assert first.rms() > SPEECH_RMS
    assert second.rms() > SPEECH_RMS / 2  # said at half volume
    assert speaker.said == 2
    assert speaker.failures == 0
    assert len(latencies) == 2  # the start latency is reported (tests/bench measures it)


def test_say_returns_while_the_engine_is_still_busy(tmp_path: Path) -> None:
    release = threading.Event()
    rendering = threading.Event()

    class Slow:
        name = "slow"

        def render(self, text: str, language: Language) -> Pcm:
            rendering.set()
            release.wait(10)
            return Pcm(8000, 1, b"\x10\x00" * 800)

    played = tmp_path / "played"
    played.mkdir()
    speaker = Speaker(Slow(), _copying_player(played))
    try:
        assert speaker.say("one", language("en"))  # returns although nothing is rendered
        assert rendering.wait(10)
        assert speaker.say("two", language("en"))  # queued behind the first, still at once
        assert not speaker.idle() and list(played.iterdir()) == []
        release.set()
        _wait(lambda: speaker.idle() and len(list(played.iterdir())) == 2)
    finally:
        release.set()
        speaker.close()


def test_a_closed_speaker_says_nothing_and_cleans_up(espeak: str, tmp_path: Path) -> None:
    speaker = Speaker(EspeakEngine(espeak), _copying_player(tmp_path))
    folder = speaker._folder
    speaker.close()
    assert not speaker.say("one", language("en"))
    assert not folder.exists()


def test_a_player_that_hangs_is_cut_short_at_close(espeak: str) -> None:
    hang = [sys.executable, "-c", "import time; time.sleep(60)"]
    speaker = Speaker(EspeakEngine(espeak), hang)
    speaker.say("one", language("en"))
    _wait(lambda: speaker.said == 1)
    started = time.monotonic()
    speaker.close()
    assert time.monotonic() - started < 3


def test_engine_failures_are_counted_not_raised(tmp_path: Path) -> None:
    class Broken:
        name = "broken"

        def render(self, text: str, language: Language) -> object:
            raise EngineError("broken")

    played = tmp_path / "played"
    played.mkdir()
    speaker = Speaker(Broken(), _copying_player(played))  # type: ignore[arg-type]
    try:
        speaker.say("one", language("en"))
        _wait(speaker.idle)
    finally:
        speaker.close()
    assert speaker.failures == 1
    assert list(played.iterdir()) == []


def test_open_speaker_explains_what_is_missing() -> None:
    assert open_speaker(lambda: None, lambda: ["aplay"]) == (None, NO_ENGINE)
    engine = EspeakEngine("espeak-ng")
    assert open_speaker(lambda: engine, lambda: None) == (None, NO_PLAYER)
    speaker, problem = open_speaker(lambda: engine, lambda: ["true"])
    assert problem is None and speaker is not None
    speaker.close()
