"""End-to-end desk tests: a real window on the qasync loop, the real composition root
(pos_app.app.open_runtime in demo mode) and the in-process simulated Cashfree."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from pos_app.app import open_runtime

sys.path.insert(0, str(Path(__file__).resolve().parent))  # desk_drive.py

from desk_drive import LiveDesk, close_desk, open_desk


@pytest.fixture
def desk(qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> Iterator[LiveDesk]:
    live = open_desk(qtbot, open_runtime("demo"))
    try:
        yield live
    finally:
        close_desk(qtbot, live)
