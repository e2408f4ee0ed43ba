"""Whether this machine can speak, and the one sentence that says why not."""

from __future__ import annotations

from collections.abc import Callable

from pos_app.voice.engine import ENGINE_PROGRAM, SpeechEngine, find_engine
from pos_app.voice.speaker import Speaker
from pos_app.voice.system import PLAYERS, find_player

__all__ = ["NO_ENGINE", "NO_PLAYER", "open_speaker"]

NO_ENGINE = (
    "Spoken confirmation is silent: the speech engine is not installed "
    f"(on Debian or Ubuntu: sudo apt install {ENGINE_PROGRAM}). Payments are shown as usual."
)
NO_PLAYER = (
    f"Spoken confirmation is silent: no audio player ({', '.join(PLAYERS)}) was found. "
    "Payments are shown as usual."
)


def open_speaker(
    engine: Callable[[], SpeechEngine | None] = find_engine,
    player: Callable[[], list[str] | None] = find_player,
) -> tuple[Speaker | None, str | None]:
    """A running Speaker, or None and the sentence for the visible notice."""
    found = engine()
    if found is None:
        return None, NO_ENGINE
    argv = player()
    if argv is None:
        return None, NO_PLAYER
    return Speaker(found, argv), None
