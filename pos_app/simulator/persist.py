"""The demo's pretend Cashfree remembers its account across restarts.

The in-process simulator keeps orders, payments, links and refunds in memory; for the
demo that made yesterday's training sales unknown today (no refund, no status) and let
payment ids start again from the first one. This module saves the simulator's ledger to
one JSON file in the demo data folder after every change and loads it on the next start.

The file holds only the simulator's own records (no secrets, no real money), written
atomically (temporary file, then rename). It is read with a whitelist of record types,
never unpickled: a damaged or foreign file is set aside with a `.unreadable` suffix and the
demo starts afresh, saying so in the log.
"""

from __future__ import annotations

import atexit
import dataclasses
import enum
import json
import logging
import os
import tempfile
import threading
import time
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pos_app.domain.clock import Clock
from pos_app.domain.money import Money
from pos_app.simulator.core import Simulator
from pos_app.simulator.models import (
    LinkState,
    OrderState,
    PayState,
    RefundState,
    Scheduled,
    SimCard,
    SimLink,
    SimOrder,
    SimPayment,
    SimRefund,
    SimSimulation,
)

__all__ = ["FORMAT", "STATE_FILE", "SimulatorStore", "open_demo_simulator"]

log = logging.getLogger(__name__)

STATE_FILE = "demo-cashfree.json"
FORMAT = 1
_RECORDS: dict[str, type[Any]] = {
    cls.__name__: cls
    for cls in (Scheduled, SimCard, SimLink, SimOrder, SimPayment, SimRefund, SimSimulation)
}
_ENUMS: dict[str, type[enum.Enum]] = {
    cls.__name__: cls for cls in (LinkState, OrderState, PayState, RefundState)
}


# ---- encoding ------------------------------------------------------------------------------
def _encode(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return {"$enum": type(value).__name__, "v": value.value}
    if isinstance(value, Money):
        return {"$paise": value.paise}
    if isinstance(value, datetime):
        return {"$time": value.isoformat()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        name = type(value).__name__
        if name not in _RECORDS:
            raise TypeError(f"not a simulator record: {name}")
        fields = {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"$record": name, "f": fields}
    if isinstance(value, dict):
        return {"$dict": [[_encode(k), _encode(v)] for k, v in value.items()]}
    if isinstance(value, list | tuple):
        return [_encode(item) for item in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"cannot save a {type(value).__name__}")


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(item) for item in value]
    if not isinstance(value, dict):
        return value
    if "$enum" in value:
        return _ENUMS[value["$enum"]](value["v"])
    if "$paise" in value:
        return Money(int(value["$paise"]))
    if "$time" in value:
        return datetime.fromisoformat(value["$time"])
    if "$record" in value:
        cls = _RECORDS[value["$record"]]
        return cls(**{k: _decode(v) for k, v in value["f"].items()})
    if "$dict" in value:
        return {_decode(k): _decode(v) for k, v in value["$dict"]}
    raise ValueError("unknown value in the simulator's state file")


# ---- the ledger ------------------------------------------------------------------------------
def _card_mark(payment: SimPayment) -> tuple[int, int] | None:
    card = payment.card  # a card attempt's OTP tries and resends change without a status
    return None if card is None else (card.otp_tries_left, card.resends)


def _order_mark(order: SimOrder) -> tuple[Any, ...]:
    """Changes whenever anything saved about the order can have changed."""
    return (
        order.status,
        order.expires_at,
        tuple(
            (p.cf_payment_id, p.status, p.scheduled, p.completed_at, _card_mark(p))
            for p in order.payments
        ),
        tuple((r.refund_id, r.status, r.arn, r.processed_at) for r in order.refunds),
    )


def _link_mark(link: SimLink) -> tuple[Any, ...]:
    return (link.status, link.expires_at, len(link.order_ids), len(link.notifications))


class _Encoded:
    """Encoded records kept between saves: a record whose mark did not change is not
    encoded again, so a save of a long demo day costs about the sale that changed."""

    def __init__(self) -> None:
        self.orders: dict[str, tuple[tuple[Any, ...], Any]] = {}
        self.links: dict[str, tuple[tuple[Any, ...], Any]] = {}

    def order(self, order: SimOrder) -> Any:
        mark = _order_mark(order)
        kept = self.orders.get(order.order_id)
        if kept is None or kept[0] != mark:
            kept = (mark, _encode(order))
            self.orders[order.order_id] = kept
        return kept[1]

    def link(self, link: SimLink) -> Any:
        mark = _link_mark(link)
        kept = self.links.get(link.link_id)
        if kept is None or kept[0] != mark:
            kept = (mark, _encode(link))
            self.links[link.link_id] = kept
        return kept[1]


def snapshot(sim: Simulator, cache: _Encoded | None = None) -> dict[str, Any]:
    """Everything the simulator must remember, as JSON-ready data (under its lock)."""
    cache = cache or _Encoded()
    with sim._lock:
        state = sim._state
        return {
            "format": FORMAT,
            "serial": state.ids._serial,
            "orders": [cache.order(order) for order in state.orders.values()],
            "links": [cache.link(link) for link in sim._links.links.values()],
            "simulations": _encode(list(state._simulations.values())),
        }


def restore(sim: Simulator, data: dict[str, Any]) -> int:
    """Load a snapshot into a fresh simulator; returns how many orders it knows now."""
    if data.get("format") != FORMAT:
        raise ValueError(f"unknown state file format {data.get('format')!r}")
    orders: list[SimOrder] = _decode(data["orders"])
    links: list[SimLink] = _decode(data["links"])
    simulations: list[SimSimulation] = _decode(data["simulations"])
    with sim._lock:
        state = sim._state
        state.ids._serial = max(state.ids._serial, int(data["serial"]))
        for order in orders:
            state.orders[order.order_id] = order
            state._sessions[order.session_id] = order.order_id
            for payment in order.payments:  # the same objects, as the live ledger has them
                state._payments[payment.cf_payment_id] = payment
            for refund in order.refunds:
                sim._refunds._owner[refund.refund_id] = order.order_id
        for link in links:
            sim._links.links[link.link_id] = link
        for simulation in simulations:
            state._simulations[simulation.simulation_id] = simulation
    return len(orders)


class SimulatorStore:
    """Saves and loads one simulator's ledger in `path`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._encoded = _Encoded()

    def load_into(self, sim: Simulator) -> int:
        """How many orders were loaded (0 when there was no file or it was unreadable)."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return 0
        try:
            return restore(sim, json.loads(text))
        except (ValueError, KeyError, TypeError) as exc:
            aside = self.path.with_name(self.path.name + ".unreadable")
            os.replace(self.path, aside)
            log.warning(
                "the demo's pretend Cashfree could not read %s (%s); it starts afresh and "
                "the file was kept as %s",
                self.path,
                exc,
                aside,
            )
            return 0

    def save(self, sim: Simulator) -> None:
        data = json.dumps(snapshot(sim, self._encoded), separators=(",", ":"))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".demo-cashfree-", dir=self.path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


class BackgroundSaver:
    """Saves off the caller's thread, at most once per `pause` seconds: a change marks the
    ledger dirty and returns at once (the desk's loop never waits for the file), and
    `flush()` writes what is pending now (at close and at exit)."""

    def __init__(self, sim: Simulator, store: SimulatorStore, *, pause: float = 0.3) -> None:
        self._sim = sim
        self._store = store
        self._pause = pause
        self._dirty = threading.Event()
        self._writing = threading.Lock()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="demo-cashfree-saver", daemon=True)
        self._thread.start()
        atexit.register(self.flush)

    def changed(self) -> None:
        self._dirty.set()

    def flush(self) -> None:
        if self._dirty.is_set():
            self._save()

    def close(self) -> None:
        self._stopped = True
        self.flush()
        self._dirty.set()  # wake the thread so that it ends
        atexit.unregister(self.flush)

    def _run(self) -> None:
        while not self._stopped:
            self._dirty.wait()
            if self._stopped:
                return
            time.sleep(self._pause)  # gather the changes of one sale step into one write
            self._save()

    def _save(self) -> None:
        with self._writing:
            if not self._dirty.is_set():
                return
            self._dirty.clear()
            try:
                self._store.save(self._sim)
            except OSError:
                log.exception("could not save the demo's pretend Cashfree to %s", self._store.path)


def open_demo_simulator(
    data_dir: Path,
    *,
    clock: Clock | None = None,
    rate_limits: Mapping[str, int] | Literal["sandbox"] | None = "sandbox",
) -> Simulator:
    """The demo's simulator, with what it knew when the till last ran; every change from
    now on is saved in `data_dir` (in the background; `sim.close()` writes what is left).
    `rate_limits=None` lifts the simulated sandbox limits (benchmarks)."""
    options: dict[str, Any] = {} if clock is None else {"clock": clock}
    if rate_limits != "sandbox":
        options["rate_limits"] = rate_limits
    sim = Simulator(**options)
    store = SimulatorStore(data_dir / STATE_FILE)
    loaded = store.load_into(sim)
    if loaded:
        log.info("the demo's pretend Cashfree remembers %d order(s)", loaded)
    saver = BackgroundSaver(sim, store)
    sim.on_change = saver.changed
    sim.on_close = saver.close
    return sim
