"""The till-wide rate budget (store/rate_budget.py): several budgets on one file — as the
desk, `pos-app charge` and the MCP server of one till each hold — share one allowance.

Counts, not durations, are asserted: a trigger in the file logs every grant with the time
the budget recorded it, and no window may hold more than the capacity."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import stat
import threading
import time
from pathlib import Path

import pytest

from pos_app.gateway.retry import RateBudget
from pos_app.store import rate_budget
from pos_app.store.rate_budget import SharedRateBudget, budget_path

WINDOW = 1.0
LIMITS = {"get_order": 6, "create_order": 3}


def _open(path: Path, **kw: object) -> SharedRateBudget:
    return SharedRateBudget.open(path, LIMITS, headroom=0.0, reserve=0.0, window=WINDOW, **kw)  # type: ignore[arg-type]


def _log_grants(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE IF NOT EXISTS grant_log (endpoint TEXT, at REAL)")
        db.execute(
            "CREATE TRIGGER IF NOT EXISTS log_grants AFTER INSERT ON grants BEGIN "
            "INSERT INTO grant_log VALUES (new.endpoint, new.at); END"
        )


def _logged(path: Path, endpoint: str) -> list[float]:
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT at FROM grant_log WHERE endpoint = ? ORDER BY at", (endpoint,)
        ).fetchall()
    return [float(at) for (at,) in rows]


def _most_in_any_window(times: list[float], window: float) -> int:
    most, first = 0, 0
    for last, at in enumerate(times):
        while at - times[first] >= window:
            first += 1
        most = max(most, last - first + 1)
    return most


def _hammer(path: Path, endpoint: str, tasks: int, until: float, background: bool) -> int:
    """In its own thread and event loop (a process of its own, as far as SQLite cares)."""

    async def main() -> int:
        budget = _open(path)
        granted = 0

        async def caller() -> None:
            nonlocal granted
            while time.time() < until:
                await budget.acquire(endpoint, background=background)
                granted += 1

        try:
            await asyncio.gather(*(caller() for _ in range(tasks)))
        finally:
            budget.close()
        return granted

    return asyncio.run(main())


def test_two_budgets_on_one_file_never_exceed_the_capacity_in_a_window(tmp_path: Path) -> None:
    path = tmp_path / "rate-demo.sqlite3"
    _open(path).close()
    _log_grants(path)
    until = time.time() + 3 * WINDOW
    results: list[int] = []
    threads = [
        threading.Thread(
            target=lambda bg=bg: results.append(_hammer(path, "get_order", 4, until, bg))
        )
        for bg in (False, False, True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    times = _logged(path, "get_order")
    assert sum(results) == len(times)
    # Alone, each budget would have allowed 6 a window: together they still allow 6.
    assert len(times) >= 12  # the callers really pressed on the limit ...
    assert _most_in_any_window(times, WINDOW) <= 6  # ... and never got past it


def test_endpoints_have_their_own_allowance(tmp_path: Path) -> None:
    path = tmp_path / "rate.sqlite3"

    async def main() -> tuple[int, int]:
        one, two = _open(path), _open(path)
        try:
            for _ in range(3):
                await one.acquire("create_order")
            return two.available("create_order"), two.available("get_order")
        finally:
            one.close()
            two.close()

    assert asyncio.run(main()) == (0, 6)


def test_a_429_seen_by_one_process_holds_back_the_other(tmp_path: Path) -> None:
    path = tmp_path / "rate.sqlite3"
    one, two = _open(path), _open(path)
    try:
        assert two.available("get_order") == 6
        one.penalise("get_order", 30)
        assert two.available("get_order") == 0
        assert two.available("create_order") == 3
    finally:
        one.close()
        two.close()


def test_a_waiting_foreground_call_goes_before_another_processes_background(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "rate.sqlite3"
    order: list[str] = []
    # On a loaded machine the waiting caller's next look can come late; its note must not
    # lapse meanwhile (a lapsed note is how a dead process's wait stops counting, tested
    # below), or this test would measure the machine's load instead of the priority.
    monkeypatch.setattr(rate_budget, "WAITER_TTL", 30.0)

    async def main() -> None:
        # A longer window, so that a loaded machine still fills the bucket well before the
        # first call comes back.
        counter = SharedRateBudget.open(path, LIMITS, headroom=0.0, reserve=0.0, window=4.0)
        poller = SharedRateBudget.open(path, LIMITS, headroom=0.0, reserve=0.0, window=4.0)
        try:
            # The first call a second before the other five: when its slot comes back, it
            # is the only free one (two free at once would serve both waiters, in any order).
            await poller.acquire("get_order", background=True)
            await asyncio.sleep(1.0)
            for _ in range(5):
                await poller.acquire("get_order", background=True)
            assert counter.available("get_order") == 0

            async def take(budget: SharedRateBudget, who: str, background: bool) -> None:
                await budget.acquire("get_order", background=background)
                order.append(who)

            # The poller asks first and keeps asking; the counter asks a little later.
            background_task = asyncio.create_task(take(poller, "background", True))
            await asyncio.sleep(0.1)
            foreground_task = asyncio.create_task(take(counter, "foreground", False))
            await asyncio.wait_for(asyncio.gather(background_task, foreground_task), 30)
        finally:
            counter.close()
            poller.close()

    asyncio.run(main())
    assert order[0] == "foreground"


def test_background_leaves_the_reserve_to_the_counter(tmp_path: Path) -> None:
    path = tmp_path / "rate.sqlite3"

    async def main() -> tuple[int, bool, int]:
        budget = SharedRateBudget.open(
            path, {"get_order": 10}, headroom=0.0, reserve=0.3, window=60.0
        )
        try:
            for _ in range(7):
                await budget.acquire("get_order", background=True)
            left = budget.available("get_order")
            eighth = asyncio.create_task(budget.acquire("get_order", background=True))
            await asyncio.sleep(0.3)
            blocked = not eighth.done()
            eighth.cancel()
            for _ in range(3):  # the counter still has its three
                await asyncio.wait_for(budget.acquire("get_order"), 5)
            return left, blocked, budget.available("get_order")
        finally:
            budget.close()

    assert asyncio.run(main()) == (3, True, 0)


def test_a_failing_file_falls_back_to_the_processs_own_budget(tmp_path: Path) -> None:
    fallback = RateBudget({"get_order": 100}, headroom=0.0)

    async def main() -> int:
        budget = _open(tmp_path / "rate.sqlite3", fallback=lambda: fallback)
        budget.close()  # from now on every transaction fails
        await budget.acquire("get_order")
        budget.penalise("get_order", 5)
        return budget.granted["get_order"]

    assert asyncio.run(main()) == 1
    assert fallback.granted["get_order"] == 1
    assert fallback.available("get_order") == 0  # the penalty reached the fallback


def test_the_file_is_private_and_named_per_environment(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        path = budget_path(tmp_path, "sandbox")
        _open(path).close()
    finally:
        os.umask(previous)
    assert path.name == "rate-sandbox.sqlite3"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_sandbox_get_order_allows_40_a_minute_for_the_till(tmp_path: Path) -> None:
    from pos_app.gateway.retry import published_limits

    budget = SharedRateBudget.open(tmp_path / "r.sqlite3", published_limits("sandbox"))
    try:
        assert budget.capacity("get_order") == 40
    finally:
        budget.close()


def test_a_waiter_that_stopped_looking_no_longer_holds_back_the_background(
    tmp_path: Path,
) -> None:
    """A foreground caller's note lapses WAITER_TTL after its last look (its process died,
    say): background calls then take free slots again instead of waiting for it forever."""
    now = [1000.0]
    path = tmp_path / "rate.sqlite3"
    budget = SharedRateBudget.open(
        path, {"get_order": 2}, headroom=0.0, reserve=0.0, window=10.0, clock=lambda: now[0]
    )
    try:
        assert budget._try_take("get_order", None) is None
        assert budget._try_take("get_order", None) is None
        assert budget._try_take("get_order", "gone-waiter") is not None  # full: it waits
        now[0] += 10.5  # both slots free again; the waiter looked last 10.5 s ago
        assert rate_budget.WAITER_TTL < 10.5
        assert budget._try_take("get_order", None) is None  # background goes ahead
    finally:
        budget.close()


def test_a_waiter_still_looking_holds_back_the_background(tmp_path: Path) -> None:
    now = [1000.0]
    path = tmp_path / "rate.sqlite3"
    budget = SharedRateBudget.open(
        path, {"get_order": 2}, headroom=0.0, reserve=0.0, window=10.0, clock=lambda: now[0]
    )
    try:
        assert budget._try_take("get_order", None) is None
        assert budget._try_take("get_order", None) is None
        now[0] += 9.5
        assert budget._try_take("get_order", "waiter") is not None  # full: it notes its wait
        now[0] += 1.0  # slots free; the waiter looked 1 s ago (within WAITER_TTL)
        assert budget._try_take("get_order", None) is not None  # background waits for it
        assert budget._try_take("get_order", "waiter") is None  # the waiter gets it
    finally:
        budget.close()
