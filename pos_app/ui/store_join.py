"""The desk joined to its store database: the header shows "store sync: N events waiting"
while the outbox is pushed, and the ear for the store's webhooks runs with the window.
Both stop when the window closes."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from pos_app.ui.widgets.store_sync_label import attach_store_sync, stop_store_sync

if TYPE_CHECKING:
    from pos_app.ui.main_window import MainWindow
    from pos_app.ui.services import StoreLink

__all__ = ["join_store"]


def join_store(window: MainWindow, link: StoreLink) -> None:
    """Start the pusher (its label in the header) and the webhook listener for `window`
    (needs the running loop)."""
    label = attach_store_sync(window.header, link.sync)
    listener = link.listener
    tasks = [asyncio.get_running_loop().create_task(listener.run())] if listener else []

    def leave() -> None:
        stop_store_sync(label)
        for task in tasks:
            task.cancel()

    window.closed.connect(leave)
