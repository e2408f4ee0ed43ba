"""The header's "store sync: N events waiting" line, for a till joined to a store database.

`attach_store_sync` puts the label into the header, follows the pusher's announcements and
runs the pusher's loop for as long as the window is open (the task is kept and cancelled
when the window closes).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, Protocol

from PySide6.QtWidgets import QBoxLayout, QLabel, QWidget

__all__ = [
    "ACCESSIBLE_NAME",
    "StoreSyncLabel",
    "SyncPort",
    "attach_store_sync",
    "stop_store_sync",
    "sync_text",
]

ACCESSIBLE_NAME = "Store database sync"


class SyncPort(Protocol):
    """What the desk needs of services.sync.StoreSync."""

    def waiting(self) -> int: ...

    def on_waiting(self, listener: Callable[[int], None]) -> None: ...

    def run(self, interval: float = ...) -> Coroutine[Any, Any, None]: ...


def sync_text(waiting: int) -> str:
    if waiting == 0:
        return "store sync: up to date"
    return f"store sync: {waiting} event{'s' if waiting != 1 else ''} waiting"


class StoreSyncLabel(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("", parent)
        self.setObjectName("storeSync")
        self.setAccessibleName(ACCESSIBLE_NAME)
        self.task: asyncio.Task[None] | None = None

    def show_waiting(self, waiting: int) -> None:
        self.setText(sync_text(waiting))
        self.setProperty("behind", waiting > 0)
        self.style().unpolish(self)
        self.style().polish(self)


def attach_store_sync(header: QWidget, port: SyncPort, *, start: bool = True) -> StoreSyncLabel:
    """Add the label to `header` (a StatusHeader: before its connection label) and, with
    `start`, run the pusher in the current asyncio loop."""
    label = StoreSyncLabel(header)
    row = header.layout()
    connection = getattr(header, "connection", None)
    if isinstance(row, QBoxLayout):
        at = row.indexOf(connection) if isinstance(connection, QWidget) else -1
        row.insertWidget(at if at >= 0 else row.count(), label)
    label.show_waiting(port.waiting())
    port.on_waiting(label.show_waiting)
    if start:
        label.task = asyncio.get_running_loop().create_task(port.run())
    return label


def stop_store_sync(label: StoreSyncLabel) -> None:
    task, label.task = label.task, None
    if task is not None:
        task.cancel()
