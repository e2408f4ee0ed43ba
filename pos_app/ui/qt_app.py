"""The process's one QApplication and its GUI-thread garbage collector.

Every window of the till (the first-run wizard, the blocking setup message, the desk) is
started through `application()` inside `gui_thread_gc()`. While at least one of those
blocks is open, automatic garbage collection is off for the whole process and a timer on
the GUI thread collects instead (ui/gc_guard.py): keyring, scrypt and settings writes run
on worker threads, and a collection started there could free Qt objects off the GUI
thread. `pos_app.app.run_gui` holds the guard for its whole run, so the wizard, the setup
message and the desk all run under the same one.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtWidgets import QApplication

from pos_app.ui import text
from pos_app.ui.gc_guard import GuiThreadCollector
from pos_app.ui.resources import icon, stylesheet

__all__ = ["application", "gc_guard_active", "gui_thread_gc"]

_lock = threading.Lock()
_collector: GuiThreadCollector | None = None
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
    """Garbage collection on the GUI thread only, for as long as the block runs (nested
    blocks share the one collector; the outermost one ends it)."""
    global _collector, _holders
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
            if ending is not None:
                _collector = None
        if ending is not None:
            ending.stop()


def gc_guard_active() -> bool:
    return _collector is not None
