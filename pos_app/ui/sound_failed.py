"""The desk's second sound (a customer's attempt failed) and the notice shown when the
till cannot play any sound at all.

The failure tone is low and falling, unlike the rising PAID chime, so a cashier who is
not looking at the screen still tells the two apart.
"""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

from pos_app.voice.system import PLAYERS

__all__ = ["NO_PLAYER", "play_failed", "sound_notice", "write_failure_tone"]

NO_PLAYER = (
    "No sound: no sound player was found ({players}). Install PipeWire, PulseAudio or ALSA "
    "utilities to hear payments arrive."
).format(players=", ".join(PLAYERS))


def play_failed(sound: object) -> None:
    """Play the failure tone when the sound in use has one; never raises."""
    failed = getattr(sound, "failed", None)
    if callable(failed):
        failed()


def sound_notice(sound: object, enabled: bool) -> str:
    """A sentence for the header and About when sound is on but cannot play; else ""."""
    if enabled and bool(getattr(sound, "missing_player", False)):
        return NO_PLAYER
    return ""


def write_failure_tone(path: Path, *, rate: int = 22050) -> None:
    """Synthesise the falling two-note tone (about 0.7 s, 16-bit mono) into a WAV file."""
    notes = ((392.0, 0.28), (261.6, 0.42))  # G4 then C4: down, and lower than the chime
    frames = bytearray()
    for frequency, seconds in notes:
        count = int(rate * seconds)
        for i in range(count):
            t = i / rate
            envelope = min(1.0, i / (0.01 * rate)) * math.exp(-2.5 * t / seconds)
            # A square-ish wave (odd harmonics) sounds harsher than the chime's sine.
            sample = sum(math.sin(2 * math.pi * frequency * k * t) / k for k in (1, 3, 5))
            frames += struct.pack("<h", int(0.35 * envelope * sample * 32767 / 1.5))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(bytes(frames))


if __name__ == "__main__":  # regenerate resources/sounds/failed.wav
    import sys

    write_failure_tone(Path(sys.argv[1]))
