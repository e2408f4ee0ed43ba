"""The process's one QApplication, its one qasync loop and its GUI-thread garbage collector.

Every window of the till (the first-run wizard, the blocking setup message, the desk) is
started through `application()` inside `gui_thread_gc()`, and every coroutine that drives
a window runs through `run_on_gui_loop()`. While at least one of those blocks is open:

- automatic garbage collection is off for the whole process and a timer on the GUI thread
  collects instead (ui/gc_guard.py): keyring, scrypt and settings writes run on worker
  threads, and a collection started there could free Qt objects off the GUI thread;
- there is one qasync loop, made on first use; the wizard and the desk run on it one after
  the other (Qt's own modal loops, like the setup message, run in between, never inside).

`pos_app.app.run_gui` holds the block for its whole run, so the wizard, the setup message
and the desk share the collector and the loop. When the outermost block ends, the loop's
leftover tasks are cancelled, the loop is closed, and the collector's last collection on
the GUI thread frees it there: nothing needs keeping alive afterwards.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import qasync
from PySide6.QtWidgets import QApplication

from pos_app.ui import text
from pos_app.ui.gc_guard import GuiThreadCollector
from pos_app.ui.resources import icon, stylesheet

__all__ = ["application", "gc_guard_active", "gui_loop", "gui_thread_gc", "run_on_gui_loop"]

log = logging.getLogger(__name__)

T = TypeVar("T")

_LEFTOVER_GRACE = 2.0  # seconds the loop's cancelled leftovers get to end, at the very end

_lock = threading.Lock()
_collector: GuiThreadCollector | None = None
_loop: asyncio.AbstractEventLoop | None = None
_holders = 0


def application() -> QApplication:
    """The QApplication (made once), dressed with the till's name, icon and style."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName("pos-app")
    app.setApplicationDisplayName(text.APP_TITLE)
    app.setWindowIcon(icon("app"))
    app.setStyleSheet(stylesheet())
    app.setQuitOnLastWindowClosed(False)  # each window's runner decides when to stop
    return app


@contextmanager
def gui_thread_gc() -> Iterator[None]:
    """Garbage collection on the GUI thread only, and one qasync loop, for as long as the
    block runs (nested blocks share them; the outermost one ends them)."""
    global _collector, _loop, _holders
    if threading.current_thread() is not threading.main_thread():
        raise RuntimeError("the GUI-thread collector is started from the GUI thread")
    application()
    with _lock:
        _holders += 1
        if _collector is None:
            _collector = GuiThreadCollector()
            _collector.start()
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            ending = _collector if _holders == 0 else None
            loop = _loop if _holders == 0 else None
            if ending is not None:
                _collector = None
                _loop = None
        if loop is not None:
            _close(loop)
        if ending is not None:
            ending.stop()  # its last collection frees the closed loop, on this thread


def gui_loop() -> asyncio.AbstractEventLoop:
    """The process's one qasync loop (made on first use), inside `gui_thread_gc()`."""
    global _loop
    if _holders == 0:
        raise RuntimeError("the GUI loop lives inside gui_thread_gc()")
    if _loop is None:
        _loop = qasync.QEventLoop(application())
    asyncio.set_event_loop(_loop)
    return _loop


def run_on_gui_loop(work: Coroutine[Any, Any, T]) -> T:
    """Run `work` to its end on the process's one qasync loop (Qt's event loop turns
    meanwhile). Called from the GUI thread, inside `gui_thread_gc()`, never from a
    coroutine."""
    return gui_loop().run_until_complete(work)


def _close(loop: asyncio.AbstractEventLoop) -> None:
    leftovers = [task for task in asyncio.all_tasks(loop) if not task.done()]
    try:
        if leftovers:
            log.info("cancelling %d task(s) left at the end of the GUI run", len(leftovers))
            for task in leftovers:
                task.cancel()
            loop.run_until_complete(asyncio.wait(leftovers, timeout=_LEFTOVER_GRACE))
    finally:
        asyncio.set_event_loop(None)
        loop.close()


def gc_guard_active() -> bool:
    return _collector is not None
