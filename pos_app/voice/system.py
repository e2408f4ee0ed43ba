"""Starting the machine's own programs (the speech engine, the audio player) from the till.

Inside a PyInstaller bundle LD_LIBRARY_PATH points at the bundle's libraries; a system
program must load the system's, so the value from before the bundle started is put back
(the chime's player in ui/sound.py uses the same two).
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path

PLAYERS = ("pw-play", "paplay", "aplay")  # PipeWire, PulseAudio, ALSA


def child_environment(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ if environ is None else environ)
    original = env.pop("LD_LIBRARY_PATH_ORIG", None)
    if getattr(sys, "frozen", False) or original is not None:
        if original:
            env["LD_LIBRARY_PATH"] = original
        else:
            env.pop("LD_LIBRARY_PATH", None)
    return env


def find_player() -> list[str] | None:
    """The argv (without the file) of the first WAV player on PATH, or None."""
    for name in PLAYERS:
        found = shutil.which(name)
        if found:
            return [found, "-q"] if Path(found).name == "aplay" else [found]
    return None
