"""Helpers for the setup dialog tests: a qasync loop for the dialogs' background jobs, the
simulated Cashfree on loopback, and the services the composition root would hand over."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass

import qasync
from PySide6.QtWidgets import QApplication

from pos_app.app import check_connection
from pos_app.commands.pin_prompt import manager_pin_guard
from pos_app.config import paths
from pos_app.gateway.simulator import Simulator, start_server
from pos_app.secrets import KeyringSecretStore
from pos_app.ui.setup.context import SetupServices

PIN = "2580"

# Closed loops are kept, never collected: a qasync loop holds a QObject whose Qt timers
# (asyncio.wait_for's, for one) may still be pending when it closes. Collected by the
# garbage collector on another thread, that QObject would leave them armed, and Qt would
# fire them at freed memory later. Kept, they fire harmlessly into a stopped timer.
_CLOSED_LOOPS: list[asyncio.AbstractEventLoop] = []


def event_loop(qapp: QApplication) -> Iterator[asyncio.AbstractEventLoop]:
    """The qasync loop as TESTING.md describes it (qtbot's waits run its tasks)."""
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    asyncio._set_running_loop(loop)
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
        loop.close()
        _CLOSED_LOOPS.append(loop)


@dataclass
class LoopbackCashfree:
    sim: Simulator
    url: str


def loopback_cashfree(monkeypatch: object) -> Iterator[LoopbackCashfree]:
    """The simulated Cashfree on 127.0.0.1, with POS_CASHFREE_BASE_URL pointing at it."""
    sim = Simulator()
    handle = start_server(sim)
    monkeypatch.setenv("POS_CASHFREE_BASE_URL", handle.url + "/pg")  # type: ignore[attr-defined]
    try:
        yield LoopbackCashfree(sim, handle.url)
    finally:
        handle.stop()


def services(**changes: object) -> SetupServices:
    where = paths()
    made = SetupServices(
        paths=where,
        secrets=KeyringSecretStore(timeout=3),
        check=check_connection,
        guard=manager_pin_guard(where),
    )
    for name, value in changes.items():
        setattr(made, name, value)
    return made
