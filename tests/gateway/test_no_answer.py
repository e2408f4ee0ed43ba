"""A call that got no HTTP answer: was a write maybe sent, or surely not? And the views of
one gateway: the counter's single attempt, the background's priority."""

from __future__ import annotations

import builtins
from typing import Any

import httpx
import pytest
import respx

from pos_app.domain.money import Money
from pos_app.gateway import errors
from pos_app.gateway.base import Customer, NewOrder, NewRefund
from pos_app.gateway.cashfree import CashfreeGateway
from pos_app.gateway.retry import RateBudget

pytestmark = pytest.mark.asyncio

ORDER = NewOrder("POS1-0001", Money(10000), Customer("c1", "9999999999"))


async def _create(gateway: CashfreeGateway) -> None:
    await gateway.create_order(ORDER, idempotency_key="key-1")


# ---- maybe sent, or not sent ----------------------------------------------------------------

NOT_SENT = [
    httpx.ConnectError("[Errno 111] Connection refused"),
    httpx.ConnectError("[Errno -2] Name or service not known"),  # DNS
    httpx.ConnectTimeout("connect timed out"),
    httpx.PoolTimeout("no connection free"),
]
MAYBE_SENT = [
    httpx.ReadTimeout("read timed out"),
    httpx.WriteTimeout("write timed out"),
    httpx.ReadError("connection reset by peer"),
    httpx.RemoteProtocolError("server disconnected without sending a response"),
]


@pytest.mark.parametrize("exc", NOT_SENT, ids=lambda e: type(e).__name__)
async def test_a_post_that_never_left_is_not_sent(
    cf: respx.MockRouter, make_gateway: Any, exc: Exception
) -> None:
    cf.post("/orders").mock(side_effect=exc)
    with pytest.raises(errors.GatewayError) as caught:
        await _create(make_gateway())
    error = caught.value
    assert isinstance(error, errors.GatewayUnreachable | errors.GatewayTimeout)
    assert error.retryable and not error.maybe_sent


@pytest.mark.parametrize("exc", MAYBE_SENT, ids=lambda e: type(e).__name__)
async def test_a_post_that_lost_its_answer_is_maybe_sent(
    cf: respx.MockRouter, make_gateway: Any, exc: Exception
) -> None:
    cf.post("/orders/POS1-0001/refunds").mock(side_effect=exc)
    gateway: CashfreeGateway = make_gateway()
    with pytest.raises(errors.GatewayError) as caught:
        await gateway.create_refund("POS1-0001", NewRefund("R1", Money(100)), idempotency_key="k")
    assert caught.value.retryable and caught.value.maybe_sent


async def test_read_timeout_is_a_timeout_and_a_dropped_answer_is_unreachable(
    cf: respx.MockRouter, make_gateway: Any
) -> None:
    route = cf.post("/orders")
    route.mock(side_effect=httpx.ReadTimeout("read timed out"))
    with pytest.raises(errors.GatewayTimeout):
        await _create(make_gateway())
    route.mock(side_effect=httpx.RemoteProtocolError("server disconnected"))
    with pytest.raises(errors.GatewayUnreachable):
        await _create(make_gateway())


@pytest.mark.parametrize("exc", MAYBE_SENT, ids=lambda e: type(e).__name__)
async def test_a_read_changes_nothing_so_it_is_never_maybe_sent(
    cf: respx.MockRouter, make_gateway: Any, exc: Exception
) -> None:
    cf.get("/orders/POS1-0001").mock(side_effect=exc)
    with pytest.raises(errors.GatewayError) as caught:
        await make_gateway().get_order("POS1-0001")
    assert not caught.value.maybe_sent


async def test_an_answered_error_is_not_maybe_sent(cf: respx.MockRouter, make_gateway: Any) -> None:
    cf.post("/orders").respond(500, json={"message": "boom", "code": "x", "type": "api_error"})
    with pytest.raises(errors.ServerError) as caught:
        await _create(make_gateway())
    assert not caught.value.maybe_sent


async def test_the_names_no_longer_shadow_python_or_httpx() -> None:
    assert not hasattr(errors, "TimeoutError") and not hasattr(errors, "ConnectError")
    for cls in (errors.GatewayTimeout, errors.GatewayUnreachable):
        assert not issubclass(cls, builtins.TimeoutError | builtins.ConnectionError)
        assert cls.__name__ not in vars(httpx)


# ---- views ----------------------------------------------------------------------------------


async def test_the_counter_view_makes_one_attempt(cf: respx.MockRouter, make_gateway: Any) -> None:
    route = cf.post("/orders").mock(side_effect=httpx.ReadTimeout("read timed out"))
    gateway: CashfreeGateway = make_gateway()
    with pytest.raises(errors.GatewayTimeout):
        await _create(gateway.single_attempt())
    assert route.call_count == 1
    with pytest.raises(errors.GatewayTimeout):
        await _create(gateway)  # the policy's four attempts, for one-off callers
    assert route.call_count == 1 + 4


async def test_views_share_the_call_log(cf: respx.MockRouter, make_gateway: Any) -> None:
    cf.get("/orders/POS1-0001").mock(side_effect=httpx.ConnectError("refused"))
    gateway: CashfreeGateway = make_gateway()
    with pytest.raises(errors.GatewayUnreachable):
        await gateway.background().single_attempt().get_order("POS1-0001")
    assert gateway.last_call is not None and gateway.last_call.endpoint == "get_order"


async def test_views_share_the_budget_even_when_it_is_swapped(make_gateway: Any) -> None:
    gateway: CashfreeGateway = make_gateway()
    views = (gateway.background(), gateway.single_attempt())
    budget = RateBudget.for_environment("sandbox")
    gateway._budget = budget  # what the benchmarks do
    assert all(view.budget is budget for view in views)


class _WouldWait(Exception):
    pass


async def _never_sleep(seconds: float) -> None:
    raise _WouldWait(seconds)


async def test_background_view_leaves_the_reserve_to_the_counter(
    cf: respx.MockRouter, make_gateway: Any
) -> None:
    """Ten calls a minute, 30 % kept for the counter: after seven, the background view
    must wait; the counter (and its single-attempt view) still go at once."""
    cf.get("/orders/POS1-0001").respond(404, json={"message": "no", "code": "x", "type": "t"})
    budget = RateBudget(
        {"get_order": 10}, headroom=0.0, reserve=0.3, clock=lambda: 0.0, sleep=_never_sleep
    )
    gateway: CashfreeGateway = make_gateway(budget=budget)
    quiet = gateway.background()
    assert quiet.is_background and not gateway.is_background
    assert quiet.single_attempt().is_background  # a view keeps its priority
    for _ in range(7):
        with pytest.raises(errors.NotFoundError):
            await quiet.get_order("POS1-0001")
    with pytest.raises(_WouldWait):
        await quiet.get_order("POS1-0001")
    for counter in (gateway, gateway.single_attempt()):
        with pytest.raises(errors.NotFoundError):
            await counter.get_order("POS1-0001")
    assert budget.available("get_order") == 1
