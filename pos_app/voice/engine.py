"""Text to speech, rendered to PCM. The engine is espeak-ng (GPL-3, Debian package
``espeak-ng``) run as a separate program: the till only starts it, never links it, and it
has voices for English, Hindi and the other Indian languages; it needs no network.
tests/bench/bench_voice.py holds the measurements behind this choice.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
from typing import Protocol

from pos_app.voice.languages import Language
from pos_app.voice.system import child_environment
from pos_app.voice.wav import Pcm, WavError, read_wav

__all__ = ["ENGINE_PROGRAM", "EngineError", "EspeakEngine", "SpeechEngine", "find_engine"]

log = logging.getLogger(__name__)

ENGINE_PROGRAM = "espeak-ng"
RENDER_TIMEOUT = 10.0  # seconds; a sentence takes a few milliseconds
WORDS_PER_MINUTE = 150
_WORD = re.compile(r"[A-Za-z]+")  # a little slower than espeak-ng's 175: amounts must be understood


class EngineError(RuntimeError):
    """The engine could not render the text (the message says why, in plain words)."""


class SpeechEngine(Protocol):
    name: str

    def render(self, text: str, language: Language) -> Pcm:
        """The text said in the language, as PCM; raises EngineError."""


class EspeakEngine:
    name = ENGINE_PROGRAM

    def __init__(self, program: str, *, speed: int = WORDS_PER_MINUTE) -> None:
        self.program = program
        self.speed = speed

    def argv(self, language: Language) -> list[str]:
        # The text goes in on stdin (UTF-8), so nothing in it can be taken for an option.
        return [
            self.program,
            "-v",
            language.espeak_voice,
            "-s",
            str(self.speed),
            "-b",
            "1",
            "--stdin",
            "--stdout",
        ]

    @staticmethod
    def prepared(text: str, language: Language) -> str:
        """The text as the voice should get it: words it mispronounces respelled."""
        respell = language.espeak_respellings
        if not respell:
            return text
        return _WORD.sub(lambda m: respell.get(m.group(0).lower(), m.group(0)), text)

    def render(self, text: str, language: Language) -> Pcm:
        try:
            done = subprocess.run(  # noqa: S603 - fixed argv, no shell, text on stdin
                self.argv(language),
                input=self.prepared(text, language).encode("utf-8"),
                capture_output=True,
                timeout=RENDER_TIMEOUT,
                env=child_environment(),
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise EngineError(f"{self.name} did not finish within {RENDER_TIMEOUT:g} s") from None
        except OSError as exc:
            raise EngineError(f"{self.name} could not be started ({exc.strerror or exc})") from None
        if done.returncode != 0:
            why = done.stderr.decode("utf-8", "replace").strip().splitlines()
            detail = why[-1] if why else f"exit status {done.returncode}"
            raise EngineError(f"{self.name} failed: {detail}")
        try:
            return read_wav(done.stdout)
        except WavError as exc:
            raise EngineError(f"{self.name} gave no usable sound ({exc})") from None


def find_engine() -> SpeechEngine | None:
    """The speech engine installed on this machine, or None (the till is then silent)."""
    program = shutil.which(ENGINE_PROGRAM)
    if program is None:
        log.info("no speech engine: %s is not installed", ENGINE_PROGRAM)
        return None
    return EspeakEngine(program)
