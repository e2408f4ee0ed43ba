"""Retries: which failures are retried, how long the gateway waits, and that every retry
is the same request (same idempotency key, request id and body)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx

from pos_app.domain.money import Money
from pos_app.gateway import errors
from pos_app.gateway.base import Customer, NewOrder, NewRefund, UpiChannel
from pos_app.gateway.cashfree import CashfreeGateway
from pos_app.gateway.retry import RateBudget, RetryPolicy

ORDER_JSON = {
    "cf_order_id": "2149460581",
    "order_id": "POS1-0001",
    "order_amount": 22.42,
    "order_currency": "INR",
    "order_status": "ACTIVE",
    "payment_session_id": "session_abc123",
}
NEW_ORDER = NewOrder("POS1-0001", Money(2242), Customer("till1", "9876543210"))
SERVER_ERROR = {"message": "internal Server Error", "code": "internal_error", "type": "api_error"}
RATE_LIMITED = {
    "message": "Too many requests from IP. Check headers",
    "code": "request_failed",
    "type": "rate_limit_error",
}


def _same_request(requests: list[httpx.Request]) -> None:
    """Every attempt carries the same request id, idempotency key and body."""
    assert len({r.headers["x-request-id"] for r in requests}) == 1
    assert len({r.headers.get("x-idempotency-key") for r in requests}) == 1
    assert len({r.content for r in requests}) == 1


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "first_failure",
    [
        httpx.Response(500, json=SERVER_ERROR),
        httpx.Response(502, json={**SERVER_ERROR, "code": "bank_processing_failure"}),
        httpx.Response(503, text="upstream unavailable"),
        httpx.Response(200, text="<html>proxy error</html>"),
        httpx.ConnectError("connection refused"),
        httpx.ReadTimeout("timed out"),
    ],
    ids=["500", "502", "503-html", "200-not-json", "connect", "timeout"],
)
async def test_create_order_retries_the_same_request(
    cf: respx.MockRouter, gateway: CashfreeGateway, sleeper: Any, first_failure: Any
) -> None:
    route = cf.post("/orders").mock(
        side_effect=[first_failure, first_failure, httpx.Response(200, json=ORDER_JSON)]
    )

    order = await gateway.create_order(NEW_ORDER, idempotency_key="idem-1")

    assert order.order_id == "POS1-0001"
    requests = [call.request for call in route.calls]
    assert len(requests) == 3
    _same_request(requests)
    assert requests[0].headers["x-idempotency-key"] == "idem-1"
    assert requests[0].headers["x-request-id"] == "req-1"
    assert {json.loads(r.content)["order_id"] for r in requests} == {"POS1-0001"}
    assert sleeper.delays == [0.5, 1.0]  # base 0.5, doubling; jitter fixed to identity


@pytest.mark.asyncio
async def test_generated_keys_are_reused_across_retries(
    cf: respx.MockRouter, gateway: CashfreeGateway
) -> None:
    terminate = cf.patch("/orders/POS1-0001").mock(
        side_effect=[httpx.ReadTimeout("t"), httpx.Response(200, json=ORDER_JSON)]
    )
    pay = cf.post("/orders/sessions").mock(
        side_effect=[
            httpx.ConnectError("down"),
            httpx.Response(200, json={"cf_payment_id": "9", "channel": "collect"}),
        ]
    )
    await gateway.terminate_order("POS1-0001")
    await gateway.pay_upi("session_abc123", UpiChannel.COLLECT, upi_id="testsuccess@gocash")

    for route in (terminate, pay):
        requests = [call.request for call in route.calls]
        assert len(requests) == 2
        _same_request(requests)
        assert requests[0].headers["x-idempotency-key"]


@pytest.mark.asyncio
async def test_get_retries_without_an_idempotency_key(
    cf: respx.MockRouter, gateway: CashfreeGateway
) -> None:
    route = cf.get("/orders/POS1-0001").mock(
        side_effect=[httpx.Response(500, json=SERVER_ERROR), httpx.Response(200, json=ORDER_JSON)]
    )
    await gateway.get_order("POS1-0001")
    requests = [call.request for call in route.calls]
    _same_request(requests)
    assert all("x-idempotency-key" not in r.headers for r in requests)


@pytest.mark.asyncio
async def test_gives_up_after_max_attempts(
    cf: respx.MockRouter, gateway: CashfreeGateway, sleeper: Any
) -> None:
    route = cf.post("/orders/POS1-0001/refunds").respond(
        500, json=SERVER_ERROR, headers={"x-request-id": "cf-last"}
    )
    with pytest.raises(errors.ServerError) as caught:
        await gateway.create_refund(
            "POS1-0001", NewRefund("RF-1", Money(100)), idempotency_key="r-1"
        )
    assert route.call_count == 4
    assert sleeper.delays == [0.5, 1.0, 2.0]
    assert caught.value.request_id == "cf-last"
    _same_request([call.request for call in route.calls])


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (400, errors.InvalidRequestError),
        (401, errors.AuthenticationError),
        (404, errors.NotFoundError),
        (409, errors.DuplicateOrderError),
        (422, errors.IdempotencyConflictError),
    ],
)
async def test_no_retry_on_client_errors(
    cf: respx.MockRouter,
    gateway: CashfreeGateway,
    sleeper: Any,
    status: int,
    kind: type[errors.GatewayError],
) -> None:
    body = {"message": "refused", "code": "request_failed", "type": "invalid_request_error"}
    route = cf.post("/orders").respond(status, json=body)
    with pytest.raises(kind):
        await gateway.create_order(NEW_ORDER, idempotency_key="idem-1")
    assert route.call_count == 1
    assert sleeper.delays == []


@pytest.mark.asyncio
async def test_429_waits_what_cashfree_asks(
    cf: respx.MockRouter, gateway: CashfreeGateway, sleeper: Any
) -> None:
    route = cf.get("/orders/POS1-0001").mock(
        side_effect=[
            httpx.Response(429, json=RATE_LIMITED, headers={"x-ratelimit-retry": "5"}),
            httpx.Response(429, json=RATE_LIMITED, headers={"x-ratelimit-retry": "0"}),
            httpx.Response(200, json=ORDER_JSON),
        ]
    )
    await gateway.get_order("POS1-0001")
    assert route.call_count == 3
    # 5 s as asked; then the header says 0, so the backoff (1.0 on the second retry) rules.
    assert sleeper.delays == [5.0, 1.0]
    _same_request([call.request for call in route.calls])


@pytest.mark.asyncio
async def test_jitter_shapes_the_wait(
    cf: respx.MockRouter, make_gateway: Any, sleeper: Any
) -> None:
    seen: list[float] = []

    def jitter(delay: float) -> float:
        seen.append(delay)
        return delay / 4

    gateway = make_gateway(retry=RetryPolicy(max_attempts=2, jitter=jitter))
    cf.get("/orders/POS1-0001").mock(
        side_effect=[httpx.Response(500, json=SERVER_ERROR), httpx.Response(200, json=ORDER_JSON)]
    )
    await gateway.get_order("POS1-0001")
    assert (seen, sleeper.delays) == ([0.5], [0.125])


class FakeClock:
    """Monotonic seconds that only move when the budget sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.mark.asyncio
async def test_budget_counts_every_attempt_and_429_penalises(
    cf: respx.MockRouter, make_gateway: Any, sleeper: Any
) -> None:
    clock = FakeClock()
    budget = RateBudget(
        {"get_order": 10, "create_order": 10}, headroom=0.0, clock=clock, sleep=clock.sleep
    )
    gateway = make_gateway(budget=budget)
    cf.get("/orders/POS1-0001").mock(
        side_effect=[
            httpx.Response(429, json=RATE_LIMITED, headers={"x-ratelimit-retry": "3"}),
            httpx.Response(200, json=ORDER_JSON),
        ]
    )

    await gateway.get_order("POS1-0001")

    assert budget.granted == {"get_order": 2, "create_order": 0}
    assert sleeper.delays == [3.0]  # the retry policy's wait (its sleep does not move the clock)
    assert clock.slept == [3.0]  # so the budget held the retry until the penalty ended
    assert clock.now == 3.0


@pytest.mark.asyncio
async def test_budget_is_asked_before_each_attempt(cf: respx.MockRouter, make_gateway: Any) -> None:
    clock = FakeClock()
    budget = RateBudget({"get_order": 2}, headroom=0.0, window=60.0, clock=clock, sleep=clock.sleep)
    gateway = make_gateway(budget=budget)
    cf.get("/orders/POS1-0001").mock(
        side_effect=[
            httpx.Response(500, json=SERVER_ERROR),
            httpx.Response(500, json=SERVER_ERROR),
            httpx.Response(200, json=ORDER_JSON),
        ]
    )
    await gateway.get_order("POS1-0001")
    # Two tokens a minute: the third attempt had to wait for the first token to come back.
    assert budget.granted["get_order"] == 3
    assert clock.now == 60.0
