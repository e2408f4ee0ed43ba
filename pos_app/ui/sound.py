"""The PAID chime behind a small interface.

QtMultimedia is not part of PySide6-Essentials, so the WAV is handed to a command-line
player when one is installed (PipeWire, PulseAudio or ALSA); otherwise the desk is silent.
Playing never blocks the GUI thread: the player runs as a child process that is reaped later.
"""

from __future__ import annotations

import logging
import math
import shutil
import struct
import subprocess
import sys
import wave
from pathlib import Path
from typing import Protocol

from pos_app.ui.resources import resource_path
from pos_app.voice.system import PLAYERS, child_environment

log = logging.getLogger(__name__)


class Sound(Protocol):
    def paid(self) -> None:
        """Play the short "money received" chime; must return at once."""


class SilentSound:
    missing_player = False  # True when sound is on but no player program was found

    def paid(self) -> None:
        return None

    def failed(self) -> None:
        return None


class CommandSound:
    """Plays a WAV file through an external player command, without waiting for it."""

    def __init__(self, player: str, wav: Path, failed_wav: Path | None = None) -> None:
        self._argv = _argv(player, wav)
        self._failed_argv = _argv(player, failed_wav) if failed_wav is not None else None
        self._children: list[subprocess.Popen[bytes]] = []

    def paid(self) -> None:
        self._play(self._argv)

    def failed(self) -> None:
        """The low "attempt failed" tone, distinct from the PAID chime."""
        if self._failed_argv is not None:
            self._play(self._failed_argv)

    def _play(self, argv: list[str]) -> None:
        self._children = [c for c in self._children if c.poll() is None]
        if len(self._children) >= 2:
            return  # do not pile up chimes
        try:
            child = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
                argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env=child_environment(),
            )
        except OSError:
            log.warning("could not start the sound player %s", argv[0])
            return
        self._children.append(child)


def _argv(player: str, wav: Path) -> list[str]:
    return [player, "-q", str(wav)] if Path(player).name == "aplay" else [player, str(wav)]


def make_sound(enabled: bool) -> Sound:
    """The best available Sound: a player command with the chime, else silence."""
    if not enabled:
        return SilentSound()
    wav = resource_path("sounds", "paid.wav")
    if wav is None:
        return SilentSound()
    for name in PLAYERS:
        player = shutil.which(name)
        if player:
            return CommandSound(player, wav, resource_path("sounds", "failed.wav"))
    log.info("no sound player found (%s); the PAID chime is silent", ", ".join(PLAYERS))
    silent = SilentSound()
    silent.missing_player = True
    return silent


def write_chime(path: Path, *, rate: int = 22050) -> None:
    """Synthesise the two-note chime (about 0.6 s, 16-bit mono) into a WAV file."""
    notes = ((880.0, 0.22), (1318.5, 0.38))  # A5 then E6, a rising "ding-dong"
    frames = bytearray()
    for frequency, seconds in notes:
        count = int(rate * seconds)
        for i in range(count):
            t = i / rate
            envelope = min(1.0, i / (0.01 * rate)) * math.exp(-4.0 * t / seconds)
            sample = 0.45 * envelope * math.sin(2 * math.pi * frequency * t)
            frames += struct.pack("<h", int(sample * 32767))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(bytes(frames))


if __name__ == "__main__":  # regenerate resources/sounds/paid.wav
    import sys

    write_chime(Path(sys.argv[1]))
