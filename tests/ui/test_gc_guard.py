"""While the desk runs, garbage is collected by a GUI-thread timer, never automatically."""

from __future__ import annotations

import gc

from pytestqt.qtbot import QtBot

from pos_app.ui.gc_guard import GuiThreadCollector


def test_collection_moves_to_a_gui_thread_timer(qtbot: QtBot) -> None:
    was_enabled = gc.isenabled()
    gc.enable()
    collector = GuiThreadCollector()
    collector.TICK_MS = 10  # type: ignore[misc]
    try:
        collector.start()
        assert not gc.isenabled()
        before = gc.get_stats()[0]["collections"]
        qtbot.waitUntil(lambda: gc.get_stats()[0]["collections"] >= before + 3, timeout=3000)
    finally:
        collector.stop()
    assert gc.isenabled()
    if not was_enabled:
        gc.disable()
