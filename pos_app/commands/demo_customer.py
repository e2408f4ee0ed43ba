"""`pos-app charge --demo`: the terminal user plays the customer with one key.

p pays, f fails the attempt (the customer may try again), w walks away (the sale times
out). On a terminal the keys work without Enter (cbreak mode, restored at the end); from
a pipe each character read counts the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from pos_app.simulator.core import Simulator

log = logging.getLogger(__name__)

__all__ = ["HELP", "KEYS", "DemoCustomer"]

HELP = (
    "Demo: you play the customer. Press p to pay, f to make the attempt fail (the customer "
    "can try again), w to walk away (the sale times out); Ctrl-C cancels."
)
KEYS = {"p": "customer_pays", "f": "customer_fails", "w": "customer_leaves"}
SAID = {
    "customer_pays": "(the customer pays)",
    "customer_fails": "(the customer's attempt fails)",
    "customer_leaves": "(the customer walks away)",
}


class DemoCustomer:
    """Reads keys from `keys` while a sale runs and makes the simulator act on it."""

    def __init__(
        self,
        simulator: Simulator,
        check_now: Callable[[str], None],
        keys: TextIO,
        out: TextIO,
    ) -> None:
        self._acts: dict[str, Callable[[str], object]] = {
            "customer_pays": simulator.customer_pays,
            "customer_fails": simulator.customer_fails,
            "customer_leaves": simulator.customer_leaves,
        }
        self._check_now = check_now
        self._keys = keys
        self._out = out
        self.order_id: str | None = None
        self.acted: list[str] = []
        self._pending: list[str] = []  # keys pressed before the customer could act

    def ready(self, order_id: str) -> None:
        """The order exists at Cashfree: the customer can act; keys typed early count now."""
        if self.order_id == order_id:
            return
        self.order_id = order_id
        pending, self._pending = self._pending, []
        for key in pending:
            self.press(key)

    @contextlib.contextmanager
    def listening(self, loop: asyncio.AbstractEventLoop) -> Iterator[None]:
        try:
            fd = self._keys.fileno()
        except (OSError, ValueError):
            yield  # no file descriptor (a test's StringIO): nothing to read
            return
        with _cbreak(fd):
            try:
                loop.add_reader(fd, self._readable, fd)
            except (NotImplementedError, RuntimeError, ValueError, OSError):
                yield
                return
            try:
                yield
            finally:
                loop.remove_reader(fd)

    def _readable(self, fd: int) -> None:
        try:
            data = os.read(fd, 64).decode(errors="ignore")
        except OSError:
            return
        for key in data.lower():
            self.press(key)

    def press(self, key: str) -> None:
        action = KEYS.get(key)
        if action is None:
            return
        if self.order_id is None:
            self._pending.append(key)
            return
        try:
            self._acts[action](self.order_id)
        except Exception as exc:  # the simulator refuses, e.g. already paid
            print(f"(the demo customer cannot do that now: {exc})", file=self._out, flush=True)
            return
        self.acted.append(action)
        print(SAID[action], file=self._out, flush=True)
        self._check_now(self.order_id)


@contextlib.contextmanager
def _cbreak(fd: int) -> Iterator[None]:
    """Single keys without Enter on a terminal; nothing changes for a pipe."""
    try:
        import termios
        import tty
    except ImportError:  # Windows: keys need Enter
        yield
        return
    if not os.isatty(fd):
        yield
        return
    saved = termios.tcgetattr(fd)
    try:
        tty.setcbreak(fd)
        yield
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)
