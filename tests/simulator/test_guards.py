"""The checks before any work: credentials, api version, request ids, idempotency,
and per-endpoint rate limits with Cashfree's headers."""

from __future__ import annotations

import httpx
import pytest
from simulator.simkit import (
    AUTH,
    PG,
    ManualClock,
    SpecCheckingTransport,
    SpecLog,
    link_body,
    order_body,
    pay_body,
)

from pos_app.simulator import SANDBOX_RATE_LIMITS, Simulator, SimulatorTransport

pytestmark = pytest.mark.asyncio


# ---- credentials and version ------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {"x-client-id": "SIM-APP-ID", "x-client-secret": "wrong", "x-api-version": "2025-01-01"},
        {
            "x-client-id": "OTHER",
            "x-client-secret": "sim-secret-not-real",
            "x-api-version": "2025-01-01",
        },
        {"x-client-id": "SIM-APP-ID", "x-api-version": "2025-01-01"},
        {"x-api-version": "2025-01-01"},
    ],
)
async def test_wrong_or_missing_credentials_are_401(
    anon: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    answer = await anon.post("/orders", json=order_body(), headers=headers)
    assert answer.status_code == 401
    assert answer.json() == {
        "message": "authentication Failed",
        "code": "request_failed",
        "type": "authentication_error",
    }
    assert "sim-secret-not-real" not in answer.text


async def test_401_changes_nothing(anon: httpx.AsyncClient, api: httpx.AsyncClient) -> None:
    await anon.post("/orders", json=order_body("AUTH-1"), headers={"x-client-secret": "nope"})
    assert (await api.get("/orders/AUTH-1")).status_code == 404


async def test_every_authenticated_route_checks_credentials(anon: httpx.AsyncClient) -> None:
    calls = [
        ("GET", "/orders/X"),
        ("PATCH", "/orders/X"),
        ("GET", "/orders/X/payments"),
        ("GET", "/orders/X/payments/1"),
        ("POST", "/orders/X/refunds"),
        ("GET", "/orders/X/refunds"),
        ("GET", "/orders/X/refunds/1"),
        ("POST", "/simulate"),
        ("GET", "/simulate/1"),
        ("POST", "/links"),
        ("GET", "/links/X"),
        ("POST", "/links/X/cancel"),
        ("GET", "/links/X/orders"),
    ]
    for method, path in calls:
        answer = await anon.request(method, path, json={})
        assert answer.status_code == 401, (method, path)


async def test_order_pay_needs_no_credentials(
    api: httpx.AsyncClient, anon: httpx.AsyncClient
) -> None:
    order = (await api.post("/orders", json=order_body())).json()
    answer = await anon.post("/orders/sessions", json=pay_body(order["payment_session_id"]))
    assert answer.status_code == 200
    assert answer.headers["x-ratelimit-type"] == "ip"


async def test_missing_api_version_is_400(api: httpx.AsyncClient) -> None:
    request = api.build_request("POST", "/orders", json=order_body())
    del request.headers["x-api-version"]
    answer = await api.send(request)
    assert answer.status_code == 400
    assert answer.json()["code"] == "x-api-version_missing"
    assert "x-api-version" not in answer.headers
    malformed = await api.get("/orders/X", headers={"x-api-version": "v5"})
    assert malformed.status_code == 400


async def test_request_id_and_api_version_are_echoed(api: httpx.AsyncClient) -> None:
    answer = await api.post("/orders", json=order_body(), headers={"x-request-id": "till-7-req-1"})
    assert answer.headers["x-request-id"] == "till-7-req-1"
    assert answer.headers["x-api-version"] == "2025-01-01"
    other = await api.get("/orders/ORD-1", headers={"x-api-version": "2023-08-01"})
    assert other.headers["x-api-version"] == "2023-08-01"


async def test_a_request_id_is_made_when_none_is_sent(api: httpx.AsyncClient) -> None:
    first = await api.get("/orders/NONE")
    second = await api.get("/orders/NONE")
    assert first.headers["x-request-id"] and second.headers["x-request-id"]
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


# ---- idempotency ------------------------------------------------------------------------


async def test_same_key_same_body_replays_the_first_answer(api: httpx.AsyncClient) -> None:
    key = {"x-idempotency-key": "1d3c7a52-0000-4000-8000-000000000001"}
    first = await api.post("/orders", json=order_body("IDEM-1"), headers=key)
    assert first.status_code == 200
    assert first.headers["x-idempotency-replayed"] == "false"
    assert first.headers["x-idempotency-key"] == key["x-idempotency-key"]
    again = await api.post(
        "/orders", json=order_body("IDEM-1"), headers={**key, "x-request-id": "r2"}
    )
    assert again.status_code == 200
    assert again.headers["x-idempotency-replayed"] == "true"
    assert again.headers["x-request-id"] == "r2"
    assert again.json() == first.json()  # not a 409: the first answer, replayed


async def test_replay_keeps_an_error_answer_too(api: httpx.AsyncClient) -> None:
    await api.post("/orders", json=order_body("IDEM-E"))
    key = {"x-idempotency-key": "k-err"}
    first = await api.post("/orders", json=order_body("IDEM-E"), headers=key)
    assert first.status_code == 409
    again = await api.post("/orders", json=order_body("IDEM-E"), headers=key)
    assert again.status_code == 409
    assert again.headers["x-idempotency-replayed"] == "true"


async def test_same_key_different_body_is_422(api: httpx.AsyncClient) -> None:
    key = {"x-idempotency-key": "k-422"}
    await api.post("/orders", json=order_body("IDEM-2", 100), headers=key)
    other = await api.post("/orders", json=order_body("IDEM-2", 101), headers=key)
    assert other.status_code == 422
    assert other.json()["type"] == "idempotency_error"
    assert (await api.get("/orders/IDEM-2")).json()["order_amount"] == 100


async def test_idempotency_covers_patch_and_order_pay(api: httpx.AsyncClient) -> None:
    order = (await api.post("/orders", json=order_body("IDEM-3"))).json()
    body = pay_body(order["payment_session_id"])
    first = await api.post("/orders/sessions", json=body, headers={"x-idempotency-key": "pay-1"})
    again = await api.post("/orders/sessions", json=body, headers={"x-idempotency-key": "pay-1"})
    assert again.headers["x-idempotency-replayed"] == "true"
    assert again.json()["cf_payment_id"] == first.json()["cf_payment_id"]
    assert len((await api.get("/orders/IDEM-3/payments")).json()) == 1
    patch = {"x-idempotency-key": "term-1"}
    await api.patch("/orders/IDEM-3", json={"order_status": "TERMINATED"}, headers=patch)
    replay = await api.patch("/orders/IDEM-3", json={"order_status": "TERMINATED"}, headers=patch)
    assert replay.headers["x-idempotency-replayed"] == "true"


async def test_no_key_means_no_replay_header(api: httpx.AsyncClient) -> None:
    answer = await api.post("/orders", json=order_body("IDEM-4"))
    assert "x-idempotency-replayed" not in answer.headers
    assert (await api.post("/orders", json=order_body("IDEM-4"))).status_code == 409


# ---- rate limits ------------------------------------------------------------------------


async def test_rate_limit_headers_on_every_answer(
    api: httpx.AsyncClient, anon: httpx.AsyncClient, sim: Simulator
) -> None:
    answers = [
        await api.post("/orders", json=order_body("RL-1")),
        await api.get("/orders/RL-1"),
        await api.get("/orders/NOPE"),
        await api.get("/links/NOPE"),
        await api.post("/orders", json={}),
        await anon.get("/orders/RL-1"),  # 401
        await api.get("/orders/RL-1", headers={"x-api-version": "soon"}),  # 400
        await api.get("/no/such/path"),  # 404
    ]
    sim.set_faults(error_rate=1.0)
    answers.append(await api.get("/orders/RL-1"))  # 500
    sim.set_faults(error_rate=0.0, malformed_rate=1.0)
    answers.append(await api.get("/orders/RL-1"))  # garbage 200
    sim.set_faults(malformed_rate=0.0)
    assert [a.status_code for a in answers] == [200, 200, 404, 404, 400, 401, 400, 404, 500, 200]
    for answer in answers:
        for name in ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-retry"):
            assert answer.headers[name].isdigit(), name
        assert answer.headers["x-ratelimit-type"] == "app_id"
    assert answers[0].headers["x-ratelimit-limit"] == "30"
    assert answers[0].headers["x-ratelimit-remaining"] == "29"
    assert answers[1].headers["x-ratelimit-limit"] == "60"
    assert answers[1].headers["x-ratelimit-retry"] == "0"
    # answers refused before the limiter, and faults, report the window without using it
    assert answers[5].headers["x-ratelimit-remaining"] == "58"
    assert answers[8].headers["x-ratelimit-remaining"] == "58"
    assert (await api.get("/orders/RL-1")).headers["x-ratelimit-remaining"] == "57"


async def test_sandbox_defaults_follow_the_reference() -> None:
    assert dict(SANDBOX_RATE_LIMITS) == {
        "create_order": 30,
        "get_order": 60,
        "get_payments": 30,
        "pay_order": 30,
        "initiate_refund": 30,
        "settlements": 20,
    }


async def test_429_past_the_limit_then_the_window_slides(
    api: httpx.AsyncClient, clock: ManualClock
) -> None:
    await api.post("/orders", json=order_body("RL-2"))
    for i in range(60):
        answer = await api.get("/orders/RL-2")
        assert answer.status_code == 200, i
        assert answer.headers["x-ratelimit-remaining"] == str(59 - i)
        clock.advance(0.5)  # 60 calls over 30 s
    limited = await api.get("/orders/RL-2")
    assert limited.status_code == 429
    assert limited.json() == {
        "message": "Too many requests from app id. Check headers",
        "code": "request_failed",
        "type": "rate_limit_error",
    }
    assert limited.headers["x-ratelimit-remaining"] == "0"
    assert limited.headers["x-ratelimit-retry"] == "30"  # the oldest call leaves the window in 30 s
    clock.advance(29.9)
    assert (await api.get("/orders/RL-2")).status_code == 429
    clock.advance(0.1)
    recovered = await api.get("/orders/RL-2")
    assert recovered.status_code == 200
    # Other endpoints have their own windows.
    assert (await api.get("/orders/RL-2/payments")).status_code == 200


async def test_retry_header_stays_within_1_and_59(
    api: httpx.AsyncClient, clock: ManualClock
) -> None:
    for i in range(30):
        await api.post("/orders", json=order_body(f"RL3-{i}"))
    clock.advance(59.5)
    limited = await api.post("/orders", json=order_body("RL3-X"))
    assert limited.status_code == 429
    assert limited.headers["x-ratelimit-retry"] == "1"


async def test_order_pay_is_limited_per_ip(
    sim: Simulator, api: httpx.AsyncClient, spec_log: SpecLog
) -> None:
    order = (await api.post("/orders", json=order_body("RL-IP"))).json()
    body = pay_body(order["payment_session_id"])
    for _ in range(30):
        assert (await api.post("/orders/sessions", json=body)).status_code == 200
    assert (await api.post("/orders/sessions", json=body)).status_code == 429
    other_ip = SpecCheckingTransport(SimulatorTransport(sim, client_ip="10.1.2.3"), spec_log)
    async with httpx.AsyncClient(transport=other_ip, base_url=PG, headers=AUTH) as client:
        assert (await client.post("/orders/sessions", json=body)).status_code == 200


@pytest.mark.parametrize("limits", [{}, None])
async def test_rate_limits_can_be_switched_off(
    limits: dict[str, int] | None, spec_log: SpecLog
) -> None:
    sim = Simulator(clock=ManualClock(), rate_limits=limits)
    transport = SpecCheckingTransport(SimulatorTransport(sim), spec_log)
    async with httpx.AsyncClient(transport=transport, base_url=PG, headers=AUTH) as client:
        await client.post("/orders", json=order_body("OFF-1"))
        for _ in range(200):
            answer = await client.get("/orders/OFF-1")
            assert answer.status_code == 200
        assert int(answer.headers["x-ratelimit-limit"]) >= 1_000_000
        assert answer.headers["x-ratelimit-retry"] == "0"


async def test_custom_limits(spec_log: SpecLog) -> None:
    sim = Simulator(clock=ManualClock(), rate_limits={"create_link": 1})
    transport = SpecCheckingTransport(SimulatorTransport(sim), spec_log)
    async with httpx.AsyncClient(transport=transport, base_url=PG, headers=AUTH) as client:
        assert (await client.post("/links", json=link_body("L1"))).status_code == 200
        assert (await client.post("/links", json=link_body("L2"))).status_code == 429


async def test_a_limit_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        Simulator(rate_limits={"get_order": 0})


async def test_the_spec_checker_is_really_checking(
    api: httpx.AsyncClient, spec_log: SpecLog
) -> None:
    await api.post("/orders", json=order_body("CHK-1"))
    await api.get("/orders/CHK-1/payments")
    await api.get("/orders/NOPE")
    assert ("POST", "/orders", 200) in spec_log.checked
    assert ("GET", "/orders/{order_id}/payments", 200) in spec_log.checked
    assert ("GET", "/orders/{order_id}", 404) in spec_log.checked


async def test_the_spec_checker_catches_a_wrong_answer() -> None:
    def wrong(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"order_amount": "12.00"})

    log = SpecLog()
    transport = SpecCheckingTransport(httpx.MockTransport(wrong), log)
    async with httpx.AsyncClient(transport=transport, base_url=PG) as client:
        await client.get("/orders/X")
    assert len(log.problems) == 1 and "order_amount" in log.problems[0]
