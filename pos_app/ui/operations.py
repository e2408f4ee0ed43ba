"""Operations: the one adapter between the core's coroutines and the widgets.

Every piece of background work a window or controller starts goes through `run`: the
coroutine becomes a task on the qasync loop (the GUI thread's loop), the task is kept
until it ends (asyncio itself holds tasks only weakly), and its result or failure comes
back as a plain call on the GUI thread. `busy` says whether any of them is still running
(`busy_changed` fires on each change), and `cancel_all` stops them when the owner closes.

A failure the caller did not ask to handle is a bug: it goes to sys.excepthook, like an
exception escaping an asyncSlot (the desk's hook logs it in full and shows one calm
sentence; in tests it fails the test). Before the desk installs its hook it is logged here.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import sys
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

import shiboken6
from PySide6.QtCore import QObject, Signal

__all__ = ["Operations"]

log = logging.getLogger(__name__)

T = TypeVar("T")


def _loop() -> asyncio.AbstractEventLoop:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:  # called from a Qt slot while the qasync loop is between steps
        return asyncio.get_event_loop_policy().get_event_loop()


class Operations(QObject):
    """Background work on the qasync loop, owned by one QObject (a dialog, a controller)."""

    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def busy(self) -> bool:
        return bool(self._tasks)

    @property
    def running(self) -> int:
        """How many operations have not ended yet."""
        return len(self._tasks)

    def run(
        self,
        work: Awaitable[T],
        done: Callable[[T], object] | None = None,
        failed: Callable[[Exception], object] | None = None,
        *,
        handles: tuple[type[Exception], ...] = (Exception,),
    ) -> asyncio.Task[None]:
        """Await `work` in the background; then call `done(result)` or, for an error of a
        kind in `handles`, `failed(error)`. Both run on the GUI thread, and neither runs
        once the owner is gone. Returns the task (already kept here)."""

        async def runner() -> None:
            try:
                value = await work
            except asyncio.CancelledError:
                raise
            except handles as error:
                if failed is None:
                    raise
                if shiboken6.isValid(self):
                    failed(error)
                return
            if done is not None and shiboken6.isValid(self):
                done(value)

        was_busy = self.busy
        task = _loop().create_task(runner())
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        if inspect.iscoroutine(work):
            task.add_done_callback(lambda _task: _close_unstarted(work))
        if not was_busy:
            self.busy_changed.emit(True)
        return task

    def cancel_all(self) -> list[asyncio.Task[None]]:
        """Cancel every operation still running; returns them, to await if wanted."""
        tasks = [task for task in self._tasks if not task.done()]
        for task in tasks:
            task.cancel()
        return tasks

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        # The owner (and this object with it) may be gone by the time a cancelled task's
        # callback runs: then there is nobody left to tell.
        if not self._tasks and shiboken6.isValid(self):
            self.busy_changed.emit(False)
        if task.cancelled():
            return
        error = task.exception()
        if error is not None:
            report_unexpected(error)


def _close_unstarted(work: Coroutine[Any, Any, Any]) -> None:
    """Cancelled before its first step: close it, so Python does not warn that it was
    never awaited."""
    if inspect.getcoroutinestate(work) == inspect.CORO_CREATED:
        work.close()


def report_unexpected(error: BaseException) -> None:
    """A bug in background work: to sys.excepthook, and into the log when nobody else
    would put it there (the interpreter's own hook only prints)."""
    hook = sys.excepthook
    if hook is sys.__excepthook__:
        log.error(
            "a background operation failed", exc_info=(type(error), error, error.__traceback__)
        )
    hook(type(error), error, error.__traceback__)
