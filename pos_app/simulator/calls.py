"""What reached the simulated Cashfree: every /pg request, with the time it arrived.

Benchmarks and tests read it through the control API (GET /_sim/calls) to count calls
where Cashfree would count them, at the server. Bounded: the oldest calls are forgotten
past `MAX_CALLS`.
"""

from __future__ import annotations

import re
import threading
import time
from collections import deque
from dataclasses import dataclass

__all__ = ["MAX_CALLS", "CallLog", "SeenCall", "operation"]

MAX_CALLS = 200_000

_OPERATIONS = (
    ("GET", re.compile(r"^/pg/orders/[^/]+$"), "get_order"),
    ("PATCH", re.compile(r"^/pg/orders/[^/]+$"), "terminate_order"),
    ("POST", re.compile(r"^/pg/orders$"), "create_order"),
    ("POST", re.compile(r"^/pg/orders/sessions$"), "pay_order"),
    ("GET", re.compile(r"^/pg/orders/[^/]+/payments$"), "list_payments"),
)


def operation(method: str, path: str) -> str:
    """The Cashfree operation a request is, by method and path ("other" when unknown)."""
    for verb, pattern, name in _OPERATIONS:
        if method == verb and pattern.match(path):
            return name
    return "other"


@dataclass(frozen=True, slots=True)
class SeenCall:
    at: float  # wall-clock seconds when the request arrived
    operation: str
    outcome: str  # "answered", or the fault: "error", "malformed", "drop", "down"


class CallLog:
    def __init__(self, clock: object = time.time) -> None:
        self._clock = clock
        self._calls: deque[SeenCall] = deque(maxlen=MAX_CALLS)
        self._lock = threading.Lock()

    def record(self, method: str, path: str, outcome: str) -> None:
        at = float(self._clock())  # type: ignore[operator]
        with self._lock:
            self._calls.append(SeenCall(at, operation(method, path), outcome))

    def since(self, start: float = 0.0) -> list[SeenCall]:
        with self._lock:
            return [call for call in self._calls if call.at >= start]

    def clear(self) -> None:
        with self._lock:
            self._calls.clear()
