"""End-to-end desk tests: a real window on the qasync loop, the real composition root
(pos_app.app.open_runtime in demo mode) and the in-process simulated Cashfree."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import qasync
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from pos_app.app import open_runtime

sys.path.insert(0, str(Path(__file__).resolve().parent))  # desk_drive.py

from desk_drive import LiveDesk, close_desk, open_desk


@pytest.fixture
def qloop(qapp: QApplication) -> Iterator[asyncio.AbstractEventLoop]:
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    asyncio._set_running_loop(loop)  # qtbot's waits spin Qt, which runs the asyncio tasks
    try:
        yield loop
    finally:
        pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in pending:
            task.cancel()
        end = loop.time() + 2
        while any(not t.done() for t in pending) and loop.time() < end:
            qapp.processEvents()
        asyncio._set_running_loop(None)
        asyncio.set_event_loop(None)
        loop.close()  # never loop.stop(): it poisons every later qtbot wait


@pytest.fixture
def desk(qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> Iterator[LiveDesk]:
    live = open_desk(qtbot, open_runtime("demo"))
    try:
        yield live
    finally:
        close_desk(qtbot, live)
