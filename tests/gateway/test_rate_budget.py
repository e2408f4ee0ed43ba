"""RateBudget under virtual time: the per-minute promise, priorities, penalties."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from pos_app.gateway.retry import ENDPOINTS, RateBudget


class VirtualTime:
    """A clock and a sleep for many concurrent tasks: time jumps to the next wake-up once
    every task is blocked, so minutes pass instantly and exactly."""

    def __init__(self) -> None:
        self.now = 0.0
        self._timers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._timers, (self.now + max(0.0, seconds), next(self._order), future))
        await future

    async def run(self, *coros: Awaitable[Any], limit: float = 3600.0) -> list[Any]:
        tasks = [asyncio.ensure_future(c) for c in coros]
        while True:
            for _ in range(50):  # let every runnable task reach its next sleep
                await asyncio.sleep(0)
            if all(t.done() for t in tasks):
                return [t.result() for t in tasks]
            assert self._timers, "deadlock: tasks wait but nobody will wake them"
            when, _, future = heapq.heappop(self._timers)
            assert when <= limit, "virtual time ran away"
            self.now = max(self.now, when)
            future.set_result(None)


def budget(vt: VirtualTime, limit: int = 10, **kw: Any) -> RateBudget:
    return RateBudget({"get_order": limit}, headroom=0.0, clock=vt, sleep=vt.sleep, **kw)


def grant_recorder(
    rb: RateBudget, vt: VirtualTime, log: list[tuple[str, float]]
) -> Callable[[str, bool], Awaitable[None]]:
    async def call(tag: str, in_background: bool) -> None:
        await rb.acquire("get_order", background=in_background)
        log.append((tag, vt.now))

    return call


def max_in_any_window(times: list[float], window: float = 60.0) -> int:
    times = sorted(times)
    return max(sum(1 for t in times if start <= t < start + window) for start in times)


# ---- limits ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("environment", "endpoint", "capacity"),
    [
        ("sandbox", "create_order", 22),  # 30 * 0.75 = 22.5
        ("sandbox", "get_order", 45),
        ("sandbox", "pay_order", 22),
        ("sandbox", "cancel_link", 22),
        ("demo", "get_order", 45),
        ("production", "create_order", 150),
        ("production", "get_order", 300),
        ("production", "list_payments", 75),
        ("production", "pay_order", 75),
        ("production", "create_refund", 75),
        ("production", "get_refund", 22),
        ("production", "link_orders", 75),
    ],
)
def test_capacities_from_published_limits(environment: str, endpoint: str, capacity: int) -> None:
    assert RateBudget.for_environment(environment).capacity(endpoint) == capacity


def test_every_endpoint_has_a_bucket() -> None:
    rb = RateBudget.for_environment("production", headroom=0.0)
    assert set(rb.granted) == set(ENDPOINTS)
    assert len(ENDPOINTS) == 17
    assert rb.capacity("get_order") == 400


def test_bad_configuration() -> None:
    with pytest.raises(ValueError):
        RateBudget.for_environment("staging")
    with pytest.raises(ValueError):
        RateBudget({"get_order": 10}, headroom=1.0)
    with pytest.raises(ValueError):
        RateBudget({"get_order": 0})
    with pytest.raises(ValueError):
        RateBudget({"get_order": 10}).capacity("nope")


@pytest.mark.asyncio
async def test_unknown_endpoint() -> None:
    with pytest.raises(ValueError):
        await RateBudget({"get_order": 10}).acquire("get_orders")


# ---- the per-minute promise -----------------------------------------------------------------


@pytest.mark.asyncio
async def test_never_more_than_the_budget_in_any_minute() -> None:
    vt = VirtualTime()
    rb = RateBudget.for_environment("sandbox", clock=vt, sleep=vt.sleep)  # get_order: 45/min
    log: list[tuple[str, float]] = []
    call = grant_recorder(rb, vt, log)

    await vt.run(*(call(f"c{i}", False) for i in range(200)))

    times = [t for _, t in log]
    assert len(times) == 200
    assert max_in_any_window(times) == 45
    assert rb.granted["get_order"] == 200
    assert vt.now < 4 * 60 + 1  # and it does not hold calls back more than it must


@pytest.mark.asyncio
async def test_a_quiet_spell_does_not_allow_a_double_burst() -> None:
    vt = VirtualTime()
    rb = budget(vt, limit=10)
    log: list[tuple[str, float]] = []
    call = grant_recorder(rb, vt, log)

    async def steady_then_burst() -> None:
        for i in range(5):
            await call(f"s{i}", False)
            await vt.sleep(10.0)
        await vt.sleep(35.0)
        await asyncio.gather(*(call(f"b{i}", False) for i in range(15)))

    await vt.run(steady_then_burst())
    assert max_in_any_window([t for _, t in log]) <= 10


# ---- priorities -----------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_background_keeps_a_reserve_for_the_counter() -> None:
    vt = VirtualTime()
    rb = budget(vt, limit=10)  # reserve 30%: background stops while 3 or fewer remain
    log: list[tuple[str, float]] = []
    call = grant_recorder(rb, vt, log)

    await vt.run(*(call(f"bg{i}", True) for i in range(7)))
    assert rb.available("get_order") == 3 and vt.now == 0.0

    await vt.run(call("bg7", True), call("fg", False))
    assert log[7] == ("fg", 0.0)  # the counter got a reserved token at once
    assert log[8][0] == "bg7" and log[8][1] == 60.0  # background waited for a token to return


@pytest.mark.asyncio
async def test_background_yields_to_waiting_foreground() -> None:
    vt = VirtualTime()
    rb = budget(vt, limit=10, reserve=0.0)
    log: list[tuple[str, float]] = []
    call = grant_recorder(rb, vt, log)

    async def fill() -> None:
        for i in range(10):  # one token a second, all spent
            await call(f"fill{i}", False)
            await vt.sleep(1.0)

    await vt.run(fill())
    log.clear()

    # Background callers queue first, then the counter; tokens come back one a second from t=60.
    await vt.run(
        *(call(f"bg{i}", True) for i in range(3)), *(call(f"fg{i}", False) for i in range(3))
    )

    order = [tag for tag, _ in log]
    assert sorted(order[:3]) == ["fg0", "fg1", "fg2"]
    assert sorted(order[3:]) == ["bg0", "bg1", "bg2"]
    assert [t for _, t in log[:3]] == [60.0, 61.0, 62.0]


# ---- penalties ------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_penalise_blocks_until_it_ends() -> None:
    vt = VirtualTime()
    rb = budget(vt, limit=10)
    log: list[tuple[str, float]] = []
    call = grant_recorder(rb, vt, log)

    rb.penalise("get_order", 5.0)
    assert rb.available("get_order") == 0

    await vt.run(call("fg", False), call("bg", True))

    assert sorted(log) == [("bg", 5.0), ("fg", 5.0)]
    assert rb.available("get_order") == 8


@pytest.mark.asyncio
async def test_penalties_do_not_shorten() -> None:
    vt = VirtualTime()
    rb = budget(vt)
    rb.penalise("get_order", 10.0)
    rb.penalise("get_order", 2.0)
    log: list[tuple[str, float]] = []
    await vt.run(grant_recorder(rb, vt, log)("fg", False))
    assert log == [("fg", 10.0)]


@pytest.mark.asyncio
async def test_penalty_is_per_endpoint() -> None:
    vt = VirtualTime()
    rb = RateBudget({"get_order": 10, "create_order": 10}, clock=vt, sleep=vt.sleep)
    rb.penalise("get_order", 30.0)
    await vt.run(rb.acquire("create_order"))
    assert vt.now == 0.0 and rb.granted == {"get_order": 0, "create_order": 1}
