"""Faults on demand: 500s, malformed bodies, dropped connections, a dead host, latency;
set at construction, through Python, or through the control API."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from simulator.simkit import AUTH, PG, ManualClock, SpecCheckingTransport, SpecLog, order_body

from pos_app.simulator import Faults, Simulator, SimulatorTransport

pytestmark = pytest.mark.asyncio

CONTROL = "http://simulator.invalid/_sim/faults"


def _client(sim: Simulator, log: SpecLog) -> httpx.AsyncClient:
    transport = SpecCheckingTransport(SimulatorTransport(sim), log)
    return httpx.AsyncClient(transport=transport, base_url=PG, headers=AUTH)


async def test_error_rate_one_answers_500_api_error_and_does_nothing(spec_log: SpecLog) -> None:
    sim = Simulator(clock=ManualClock(), faults=Faults(error_rate=1.0))
    async with _client(sim, spec_log) as client:
        answer = await client.post(
            "/orders", json=order_body("F-1"), headers={"x-request-id": "r-500"}
        )
        assert answer.status_code == 500
        assert answer.json()["type"] == "api_error"
        assert answer.json()["code"] == "internal_error"
        assert answer.headers["x-request-id"] == "r-500"
        sim.set_faults(error_rate=0.0)
        assert (await client.get("/orders/F-1")).status_code == 404
    assert ("POST", "/orders", 500) in spec_log.checked


async def test_malformed_rate_one_answers_200_that_is_not_json(spec_log: SpecLog) -> None:
    sim = Simulator(clock=ManualClock(), faults=Faults(malformed_rate=1.0))
    async with _client(sim, spec_log) as client:
        answer = await client.get("/orders/ANY")
        assert answer.status_code == 200
        assert not answer.headers["content-type"].startswith("application/json")
        with pytest.raises(ValueError):
            answer.json()


async def test_drop_raises_connect_error_after_the_work_is_done(spec_log: SpecLog) -> None:
    sim = Simulator(clock=ManualClock(), faults=Faults(drop_rate=1.0))
    async with _client(sim, spec_log) as client:
        with pytest.raises(httpx.ConnectError):
            await client.post("/orders", json=order_body("F-DROP"))
    assert sim.order("F-DROP")["order_status"] == "ACTIVE"  # processed; only the answer was lost


async def test_down_raises_connect_error_and_does_nothing(spec_log: SpecLog) -> None:
    sim = Simulator(clock=ManualClock())
    sim.set_faults(down=True)
    async with _client(sim, spec_log) as client:
        with pytest.raises(httpx.ConnectError):
            await client.post("/orders", json=order_body("F-DOWN"))
        sim.set_faults(down=False)
        assert (await client.get("/orders/F-DOWN")).status_code == 404


async def test_latency_delays_the_answer(spec_log: SpecLog) -> None:
    sim = Simulator(clock=ManualClock(), faults=Faults(latency=0.2))
    async with _client(sim, spec_log) as client:
        started = time.perf_counter()
        answer = await client.get("/orders/ANY")
        assert answer.status_code == 404
        assert time.perf_counter() - started >= 0.19


async def test_latency_does_not_block_the_event_loop(spec_log: SpecLog) -> None:
    sim = Simulator(clock=ManualClock(), faults=Faults(latency=0.3))
    async with _client(sim, spec_log) as client:
        started = time.perf_counter()
        await asyncio.gather(*(client.get(f"/orders/N{i}") for i in range(5)))
        assert time.perf_counter() - started < 1.0


async def test_rates_are_shares_and_reproducible_with_a_seed(spec_log: SpecLog) -> None:
    async def outcomes(seed: int) -> list[str]:
        sim = Simulator(clock=ManualClock(), rate_limits={}, seed=seed)
        sim.set_faults(Faults(error_rate=0.2, drop_rate=0.2, malformed_rate=0.2))
        seen: list[str] = []
        async with _client(sim, spec_log) as client:
            for _ in range(300):
                try:
                    answer = await client.get("/orders/NOPE")
                except httpx.ConnectError:
                    seen.append("drop")
                    continue
                seen.append({404: "ok", 500: "error", 200: "malformed"}[answer.status_code])
        return seen

    first = await outcomes(11)
    assert first == await outcomes(11)
    assert first != await outcomes(12)
    for kind in ("ok", "error", "drop", "malformed"):
        share = first.count(kind) / len(first)
        expected = 0.4 if kind == "ok" else 0.2
        assert abs(share - expected) < 0.1, (kind, share)


@pytest.mark.parametrize(
    "bad",
    [
        {"error_rate": 1.5},
        {"drop_rate": -0.1},
        {"latency": -1.0},
        {"error_rate": 0.6, "drop_rate": 0.6},
        {"latency": float("nan")},
    ],
)
async def test_impossible_faults_are_refused(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        Faults(**bad)


async def test_control_api_sets_and_reads_faults(api: httpx.AsyncClient, sim: Simulator) -> None:
    answer = await api.post(CONTROL, json={"error_rate": 1.0})
    assert answer.status_code == 200
    assert answer.json() == {
        "latency": 0.0,
        "error_rate": 1.0,
        "drop_rate": 0.0,
        "malformed_rate": 0.0,
        "down": False,
        "refuse_terminate": False,
        "lie": "",
    }
    assert sim.faults.error_rate == 1.0
    assert (await api.get("/orders/X")).status_code == 500
    # faults never touch the control API itself, so it can always switch them off
    await api.post(CONTROL, json={"down": True})
    assert (await api.get(CONTROL)).json()["down"] is True
    await api.post(CONTROL, json={"down": False, "error_rate": 0})
    assert (await api.get("/orders/X")).status_code == 404


@pytest.mark.parametrize(
    "body", [{"error_rate": 2}, {"down": "yes"}, {"speed": 1}, {"latency": "1"}, [1, 2]]
)
async def test_control_api_refuses_bad_faults(
    api: httpx.AsyncClient, sim: Simulator, body: object
) -> None:
    answer = await api.post(CONTROL, json=body)
    assert answer.status_code == 400
    assert sim.faults == Faults()


async def test_refuse_terminate_answers_400_and_leaves_the_order_payable(
    api: httpx.AsyncClient, sim: Simulator
) -> None:
    assert (await api.post("/orders", json=order_body("ORD-R"))).status_code == 200
    sim.set_faults(refuse_terminate=True)
    answer = await api.patch("/orders/ORD-R", json={"order_status": "TERMINATED"})
    assert answer.status_code == 400
    assert answer.json()["type"] == "invalid_request_error"
    assert sim.order("ORD-R")["order_status"] == "ACTIVE"
    sim.set_faults(refuse_terminate=False)
    answer = await api.patch("/orders/ORD-R", json={"order_status": "TERMINATED"})
    assert answer.status_code == 200


@pytest.mark.parametrize(
    ("lie", "field", "told"),
    [("order_id", "order_id", "ORD-L-OTHER"), ("currency", "order_currency", "USD")],
)
async def test_lies_change_what_get_order_says(
    api: httpx.AsyncClient, sim: Simulator, lie: str, field: str, told: str
) -> None:
    assert (await api.post("/orders", json=order_body("ORD-L"))).status_code == 200
    sim.set_faults(lie=lie)
    assert (await api.get("/orders/ORD-L")).json()[field] == told
    sim.set_faults(lie="")
    assert (await api.get("/orders/ORD-L")).json()[field] != told


async def test_faults_refuse_unknown_lies() -> None:
    with pytest.raises(ValueError):
        Faults.from_mapping({"lie": "amount"})
    with pytest.raises(ValueError):
        Faults.from_mapping({"refuse_terminate": 1})
