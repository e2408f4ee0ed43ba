"""Announcements said one after another, away from the caller's thread.

``say()`` only puts the sentence in a queue and returns: a worker thread renders it with
the engine, scales it to the volume, writes a private temporary WAV and runs the audio
player as a child process until it ends, so two announcements never talk over each other
and the GUI thread never waits for either program.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pos_app.voice.engine import EngineError, SpeechEngine
from pos_app.voice.languages import Language
from pos_app.voice.system import child_environment

__all__ = ["Speaker"]

log = logging.getLogger(__name__)

MAX_WAITING = 8  # sentences queued behind the one being said; more are dropped (and logged)
PLAYER_SLACK = 5.0  # seconds a player may take beyond the sound's length before it is stopped


@dataclass(frozen=True, slots=True)
class _Job:
    text: str
    language: Language
    volume: int
    asked_at: float  # time.monotonic() when say() was called


class Speaker:
    def __init__(
        self,
        engine: SpeechEngine,
        player: list[str],
        *,
        on_playing: Callable[[float], None] | None = None,
    ) -> None:
        """player: the argv of a program that plays the WAV file appended to it.
        on_playing(seconds): called on the worker thread when a player starts, with the
        time since say() (the announcement's start latency)."""
        self.engine = engine
        self.player = list(player)
        self._on_playing = on_playing
        self._jobs: queue.Queue[_Job | None] = queue.Queue(maxsize=MAX_WAITING)
        self._folder = Path(tempfile.mkdtemp(prefix="pos-voice-"))
        self._child: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._closed = False
        self.said = 0  # announcements handed to the player
        self.failures = 0
        self._thread = threading.Thread(target=self._work, name="pos-voice", daemon=True)
        self._thread.start()

    def say(self, text: str, language: Language, volume: int = 100) -> bool:
        """Queue a sentence; False when it was not queued (closed, or too many waiting)."""
        if self._closed or not text.strip():
            return False
        try:
            self._jobs.put_nowait(_Job(text, language, volume, time.monotonic()))
        except queue.Full:
            log.warning("voice: %d announcements already waiting; one was dropped", MAX_WAITING)
            return False
        return True

    def idle(self) -> bool:
        """Nothing waiting and nothing being said (for tests and the benchmark)."""
        return self._jobs.unfinished_tasks == 0

    def close(self, timeout: float = 2.0) -> None:
        """Stop: what is being said is cut short, what waits is dropped."""
        if self._closed:
            return
        self._closed = True
        while True:
            try:
                self._jobs.get_nowait()
                self._jobs.task_done()
            except queue.Empty:
                break
        with self._lock:
            child = self._child
        if child is not None and child.poll() is None:
            child.kill()
        with contextlib.suppress(queue.Full):
            self._jobs.put_nowait(None)
        self._thread.join(timeout)
        shutil.rmtree(self._folder, ignore_errors=True)

    # ---- the worker thread ------------------------------------------------------------------
    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                self._jobs.task_done()
                return
            try:
                if not self._closed:
                    self._say(job)
            except Exception:
                self.failures += 1
                log.exception("voice: the announcement could not be said")
            finally:
                self._jobs.task_done()

    def _say(self, job: _Job) -> None:
        try:
            pcm = self.engine.render(job.text, job.language).scaled(job.volume)
        except EngineError as exc:
            self.failures += 1
            log.warning("voice: %s", exc)
            return
        handle, name = tempfile.mkstemp(suffix=".wav", dir=self._folder)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(pcm.to_wav())
            self._play(Path(name), pcm.seconds, job.asked_at)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(name)

    def _play(self, wav: Path, seconds: float, asked_at: float) -> None:
        with self._lock:
            if self._closed:
                return
            try:
                child = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
                    [*self.player, str(wav)],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    env=child_environment(),
                )
            except OSError as exc:
                self.failures += 1
                log.warning("voice: the player %s could not start (%s)", self.player[0], exc)
                return
            self._child = child
        self.said += 1
        if self._on_playing is not None:
            self._on_playing(time.monotonic() - asked_at)
        try:
            child.wait(timeout=seconds + PLAYER_SLACK)
        except subprocess.TimeoutExpired:
            log.warning("voice: the player %s hung; stopped", self.player[0])
            child.kill()
            child.wait()
        finally:
            with self._lock:
                self._child = None
