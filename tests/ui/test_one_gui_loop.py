"""One Qt bootstrap for the whole process (pos_app/ui/qt_app.py): the first-run wizard and
the desk run in one QApplication, on one qasync loop, under one GUI-thread collector; the
loop is closed when the GUI run ends. And the tests' own loop fixture uses qasync's public
API: no private asyncio call, nothing left running after a test."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from pos_app.app import run_gui
from pos_app.ui import qt_app
from pos_app.ui.main_window import MainWindow
from pos_app.ui.setup.wizard import FirstRunWizard

CONFTEST = Path(__file__).resolve().parent.parent / "conftest.py"


def _when_the_wizard_shows(act: Callable[[FirstRunWizard], None], tries: int = 150) -> None:
    def look(left: int) -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, FirstRunWizard) and widget.isVisible():
                act(widget)
                return
        if left > 0:
            QTimer.singleShot(20, lambda: look(left - 1))

    QTimer.singleShot(0, lambda: look(tries))


@pytest.fixture
def loops_made(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every qasync loop made from now on, whoever makes it."""
    made: list[object] = []
    real = qasync.QEventLoop

    def counting(*args: object, **kwargs: object) -> object:
        loop = real(*args, **kwargs)
        made.append(loop)
        return loop

    monkeypatch.setattr(qasync, "QEventLoop", counting)
    return made


def test_the_wizard_and_the_desk_share_one_application_and_one_loop(
    qapp: QApplication, monkeypatch: pytest.MonkeyPatch, loops_made: list[object]
) -> None:
    seen: dict[str, object] = {}

    def in_the_wizard(wizard: FirstRunWizard) -> None:
        seen["wizard app"] = QApplication.instance()
        seen["wizard loop"] = asyncio.get_event_loop()
        seen["wizard gc"] = gc.isenabled()
        wizard.demo_button.click()

    def ready(window: MainWindow) -> None:
        seen["desk app"] = QApplication.instance()
        seen["desk loop"] = asyncio.get_running_loop()
        seen["desk gc"] = gc.isenabled()
        window.close()

    _when_the_wizard_shows(in_the_wizard)
    assert run_gui(on_ready=[ready]) == 0
    assert seen["wizard app"] is seen["desk app"] is qapp
    assert len(loops_made) == 1
    assert seen["wizard loop"] is seen["desk loop"] is loops_made[0]
    assert seen["wizard gc"] is False and seen["desk gc"] is False  # the GUI-thread collector
    the_loop = loops_made[0]
    assert isinstance(the_loop, asyncio.AbstractEventLoop) and the_loop.is_closed()
    assert not qt_app.gc_guard_active()


def test_nested_blocks_share_the_loop_and_the_outermost_closes_it(qapp: QApplication) -> None:
    async def where() -> asyncio.AbstractEventLoop:
        await asyncio.sleep(0)
        return asyncio.get_running_loop()

    async def forever() -> None:
        await asyncio.Event().wait()

    left_over: list[asyncio.Task[None]] = []

    async def leave_a_task() -> None:
        left_over.append(asyncio.get_running_loop().create_task(forever()))

    with qt_app.gui_thread_gc():
        first = qt_app.run_on_gui_loop(where())
        with qt_app.gui_thread_gc():  # the setup message, the desk: nested blocks
            second = qt_app.run_on_gui_loop(where())
            qt_app.run_on_gui_loop(leave_a_task())
        assert not first.is_closed()
    assert first is second
    assert first.is_closed()
    assert left_over[0].cancelled()  # cancelled and given its chance to end
    with pytest.raises(RuntimeError):
        qt_app.gui_loop()  # outside any block there is no GUI loop


def test_the_loop_fixture_uses_no_private_asyncio_api() -> None:
    source = CONFTEST.read_text(encoding="utf-8")
    assert "_set_running_loop" not in source
    assert "already_running=True" in source  # qasync's documented way


def test_inside_a_qloop_test_the_loop_runs_for_tasks_and_for_the_test(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    assert asyncio.get_running_loop() is qloop

    async def nap() -> asyncio.AbstractEventLoop:
        await asyncio.sleep(0.01)
        return asyncio.get_running_loop()

    task = qloop.create_task(nap())
    qtbot.waitUntil(task.done, timeout=2000)
    assert task.result() is qloop


def test_after_a_qloop_test_nothing_is_left_running_and_qt_waits_still_wait(
    qtbot: QtBot,
) -> None:
    # Runs after the test above (file order): its loop must be gone from asyncio, and
    # Qt's nested loops (qtbot's waits) must not return at once.
    with pytest.raises(RuntimeError):
        asyncio.get_running_loop()
    fired: list[bool] = []
    QTimer.singleShot(30, lambda: fired.append(True))
    qtbot.waitUntil(lambda: bool(fired), timeout=2000)
    asyncio.run(asyncio.sleep(0))  # a plain asyncio run is possible again
