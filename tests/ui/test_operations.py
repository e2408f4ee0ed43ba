"""The one asyncio<->Qt adapter (pos_app/ui/operations.py) on the qasync loop: results and
handled failures come back as calls, bugs reach sys.excepthook, busy follows the running
work, cancel_all stops it, and no task is lost to the garbage collector."""

from __future__ import annotations

import asyncio
import gc
import logging
import sys
from types import TracebackType

import pytest
from PySide6.QtCore import QObject
from pytestqt.qtbot import QtBot

from pos_app.ui.operations import Operations


async def answer(value: int, gate: asyncio.Event | None = None) -> int:
    if gate is not None:
        await gate.wait()
    await asyncio.sleep(0)
    return value


async def refuse(error: Exception) -> int:
    await asyncio.sleep(0)
    raise error


@pytest.fixture
def operations(qloop: asyncio.AbstractEventLoop) -> Operations:
    return Operations()


def test_done_gets_the_result_and_busy_follows(qtbot: QtBot, operations: Operations) -> None:
    busy: list[bool] = []
    results: list[int] = []
    operations.busy_changed.connect(busy.append)
    gate = asyncio.Event()
    first = operations.run(answer(1, gate), results.append)
    second = operations.run(answer(2, gate), results.append)
    assert operations.busy and operations.running == 2
    gate.set()
    qtbot.waitUntil(lambda: not operations.busy, timeout=2000)
    assert first.done() and second.done()
    assert sorted(results) == [1, 2]
    assert busy == [True, False]  # once for the pair, not once per task


def test_a_handled_failure_goes_to_failed_not_to_the_excepthook(
    qtbot: QtBot, operations: Operations
) -> None:
    failures: list[Exception] = []
    task = operations.run(
        refuse(LookupError("no such sale")),
        lambda _v: None,
        failures.append,
        handles=(LookupError,),
    )
    qtbot.waitUntil(task.done, timeout=2000)
    assert [str(f) for f in failures] == ["no such sale"]


def test_an_unhandled_failure_reaches_the_excepthook(
    qtbot: QtBot, operations: Operations, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[BaseException] = []

    def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        seen.append(error)

    monkeypatch.setattr(sys, "excepthook", hook)
    failures: list[Exception] = []
    # a ValueError the caller did not say it handles: a bug
    operations.run(refuse(ValueError("bug")), lambda _v: None, failures.append, handles=(OSError,))
    operations.run(refuse(KeyError("also a bug")))  # nobody to tell at all
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=2000)
    assert sorted(type(e).__name__ for e in seen) == ["KeyError", "ValueError"]
    assert failures == []


def test_cancel_all_stops_the_work_and_calls_nobody(qtbot: QtBot, operations: Operations) -> None:
    called: list[object] = []
    never = asyncio.Event()
    operations.run(answer(1, never), called.append, called.append)
    operations.run(answer(2, never), called.append, called.append)
    tasks = operations.cancel_all()
    assert len(tasks) == 2
    qtbot.waitUntil(lambda: not operations.busy, timeout=2000)
    assert all(t.cancelled() for t in tasks)
    assert called == []
    assert operations.cancel_all() == []


def test_nothing_is_called_once_the_owner_is_gone(qtbot: QtBot, qloop: object) -> None:
    owner = QObject()
    operations = Operations(owner)
    results: list[int] = []
    gate = asyncio.Event()
    task = operations.run(answer(5, gate), results.append)
    owner.deleteLater()
    qtbot.waitUntil(lambda: not _alive(operations), timeout=2000)
    gate.set()
    qtbot.waitUntil(task.done, timeout=2000)
    assert results == []


def _alive(obj: QObject) -> bool:
    import shiboken6

    return bool(shiboken6.isValid(obj))


def test_a_task_nobody_else_holds_survives_a_collection(
    qtbot: QtBot, operations: Operations
) -> None:
    results: list[int] = []
    gate = asyncio.Event()
    operations.run(answer(9, gate), results.append)  # the returned task is dropped here
    gc.collect()
    gate.set()
    qtbot.waitUntil(lambda: results == [9], timeout=2000)


def test_a_bug_is_logged_when_only_the_interpreters_hook_would_print_it(
    qtbot: QtBot,
    operations: Operations,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.__excepthook__)  # before the desk sets its own
    with caplog.at_level(logging.ERROR, logger="pos_app.ui.operations"):
        task = operations.run(refuse(ValueError("a bug in the wizard")))
        qtbot.waitUntil(lambda: not operations.busy, timeout=2000)
    assert task.done()
    [record] = caplog.records
    assert record.exc_info is not None and str(record.exc_info[1]) == "a bug in the wizard"
