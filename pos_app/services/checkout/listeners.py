"""The checkout's one event channel out: who hears about sales followed in the background.

`subscribe(listener)` returns the way to stop listening; `tell(state)` calls every
listener in the order they subscribed. A listener that raises is logged and skipped: the
others still hear the news, and the sale being followed never dies of a listener's bug.
Qt-free; the desk's SaleController subscribes through CheckoutService.subscribe.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["Listeners"]

log = logging.getLogger(__name__)

E = TypeVar("E")


class Listeners(Generic[E]):
    def __init__(self, what: str) -> None:
        self._what = what  # for the log: "background change", "late payment"
        self._listeners: list[Callable[[E], None]] = []

    def __len__(self) -> int:
        return len(self._listeners)

    def subscribe(self, listener: Callable[[E], None]) -> Callable[[], None]:
        """Call `listener` with each event from now on; returns the unsubscribe (which may
        be called more than once)."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def tell(self, event: E) -> None:
        """Every listener hears `event`, even when one before it raises."""
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:
                log.exception("a %s listener failed; the others still hear it", self._what)
