"""Background work for the setup dialogs, on the qasync loop.

A dialog hands `Jobs.run` an awaitable and what to do with its result or its failure; the
work never blocks the GUI thread, every task is kept until it ends, and `cancel_all` stops
them when the dialog closes. An error the dialog did not ask to handle (a bug) goes to
sys.excepthook, like an asyncSlot's.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import shiboken6
from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)

T = TypeVar("T")


def _loop() -> asyncio.AbstractEventLoop:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.get_event_loop_policy().get_event_loop()


class Jobs(QObject):
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def busy(self) -> bool:
        return bool(self._tasks)

    def run(
        self,
        work: Awaitable[T],
        done: Callable[[T], object],
        failed: Callable[[Exception], object] | None = None,
        *,
        handles: tuple[type[Exception], ...] = (Exception,),
    ) -> asyncio.Task[None]:
        """Await `work` in the background; then call `done(result)` or, for an error of a
        kind in `handles`, `failed(error)`. Both run on the GUI thread."""

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
            if shiboken6.isValid(self):
                done(value)

        was_busy = self.busy
        task = _loop().create_task(runner())
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        if not was_busy:
            self.busy_changed.emit(True)
        return task

    def cancel_all(self) -> None:
        for task in list(self._tasks):
            task.cancel()

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        # The dialog (and this object with it) may be gone by the time a cancelled task's
        # callback runs: then there is nobody left to tell.
        if not self._tasks and shiboken6.isValid(self):
            self.busy_changed.emit(False)
        if task.cancelled():
            return
        error = task.exception()
        if error is not None:
            sys.excepthook(type(error), error, error.__traceback__)
