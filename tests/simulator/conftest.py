"""Fixtures: a simulator on a hand-moved clock, raw httpx clients to it (in-process and
over loopback), and the real CashfreeGateway driving it. Every /pg answer any of these
clients receives is checked against the official spec; a mismatch fails the test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import pytest_asyncio
from simulator.simkit import AUTH, PG, ManualClock, Rig, SpecCheckingTransport, SpecLog

from pos_app.simulator import Simulator, SimulatorTransport, start_server
from pos_app.simulator.server import ServerHandle


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def sim(clock: ManualClock) -> Simulator:
    return Simulator(clock=clock, seed=7)


@pytest.fixture
def spec_log() -> Iterator[SpecLog]:
    log = SpecLog()
    yield log
    assert log.problems == [], "answers that do not fit the spec:\n" + "\n".join(log.problems)


@pytest_asyncio.fixture
async def api(sim: Simulator, spec_log: SpecLog) -> AsyncIterator[httpx.AsyncClient]:
    """Raw httpx to the in-process simulator, authenticated, base URL .../pg."""
    transport = SpecCheckingTransport(SimulatorTransport(sim), spec_log)
    async with httpx.AsyncClient(transport=transport, base_url=PG, headers=AUTH) as client:
        yield client


@pytest_asyncio.fixture
async def anon(sim: Simulator, spec_log: SpecLog) -> AsyncIterator[httpx.AsyncClient]:
    """Raw httpx to the in-process simulator without credentials (x-api-version only)."""
    transport = SpecCheckingTransport(SimulatorTransport(sim), spec_log)
    headers = {"x-api-version": AUTH["x-api-version"]}
    async with httpx.AsyncClient(transport=transport, base_url=PG, headers=headers) as client:
        yield client


@pytest.fixture
def server(sim: Simulator) -> Iterator[ServerHandle]:
    handle = start_server(sim)
    yield handle
    handle.stop()


@pytest_asyncio.fixture(params=["in-process", "loopback"])
async def rig(
    request: pytest.FixtureRequest, sim: Simulator, clock: ManualClock, spec_log: SpecLog
) -> AsyncIterator[Rig]:
    handle: ServerHandle | None = None
    if request.param == "in-process":
        inner: httpx.AsyncBaseTransport = SimulatorTransport(sim)
        base = PG
    else:
        handle = start_server(sim)
        inner = httpx.AsyncHTTPTransport()
        base = handle.url + "/pg"
    client = httpx.AsyncClient(
        transport=SpecCheckingTransport(inner, spec_log), base_url=base, headers=AUTH, timeout=10
    )
    rig = Rig(request.param, sim, clock, None, client)  # type: ignore[arg-type]
    rig.gateway = rig.make_gateway()
    try:
        yield rig
    finally:
        await client.aclose()
        if handle is not None:
            handle.stop()
