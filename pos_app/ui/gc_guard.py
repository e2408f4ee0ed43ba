"""Garbage collection only on the GUI thread.

A collection that starts on a worker thread (keyring calls and other small jobs run on
threads) can free Qt objects there, and Qt then dispatches into freed memory. So while the
desk runs, automatic collection is off and a timer on the GUI thread collects instead:
the young generation often, the whole heap rarely.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

__all__ = ["GuiThreadCollector"]


class GuiThreadCollector(QObject):
    TICK_MS = 500
    MIDDLE_EVERY = 10  # ticks: generation 1 every 5 s
    FULL_EVERY = 120  # ticks: the whole heap every minute

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ticks = 0
        self._was_enabled = gc.isenabled()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._collect)

    def start(self) -> None:
        gc.disable()
        self._timer.start(self.TICK_MS)

    def stop(self) -> None:
        self._timer.stop()
        gc.collect()
        if self._was_enabled:
            gc.enable()

    def _collect(self) -> None:
        self._ticks += 1
        if self._ticks % self.FULL_EVERY == 0:
            gc.collect(2)
        elif self._ticks % self.MIDDLE_EVERY == 0:
            gc.collect(1)
        else:
            gc.collect(0)
