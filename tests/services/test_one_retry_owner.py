"""One retry owner: the checkout's loops, not a gateway policy nested under them.

A hanging network is played in virtual time: the transport waits the client's read
timeout on the fake clock, then fails the way httpx does. The counter must say "offline"
one timeout after it began waiting, not after four.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from till_fakes import FakeClock, Till, make_till, qr_request

from pos_app.domain.sale import Method, SaleStatus
from pos_app.gateway.cashfree import DEFAULT_TIMEOUT
from pos_app.services.checkout.state import ChargeRequest

pytestmark = pytest.mark.asyncio

READ_TIMEOUT = float(DEFAULT_TIMEOUT.read or 0.0)


class Hanging(httpx.AsyncBaseTransport):
    """Between the gateway and the simulator. `hang` makes every request wait out the read
    timeout and fail with ReadTimeout, unseen by the simulator. `lose_answer_of` lets one
    request through to the simulator and then loses its answer (a read timeout after
    Cashfree acted on it)."""

    def __init__(self, inner: httpx.AsyncBaseTransport, clock: FakeClock) -> None:
        self.inner = inner
        self.clock = clock
        self.hang = False
        self.lose_answer_of: tuple[str, str] | None = None
        self.keys: list[tuple[str, str | None]] = []  # (path, x-idempotency-key) of writes

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method != "GET":
            self.keys.append((request.url.path, request.headers.get("x-idempotency-key")))
        if self.hang:
            await self.clock.sleep(READ_TIMEOUT)
            raise httpx.ReadTimeout("timed out", request=request)
        response = await self.inner.handle_async_request(request)
        if self.lose_answer_of == (request.method, request.url.path):
            self.lose_answer_of = None
            await self.clock.sleep(READ_TIMEOUT)
            raise httpx.ReadTimeout("timed out", request=request)
        return response


@pytest_asyncio.fixture
async def till(tmp_path: Path) -> Till:
    t = make_till(tmp_path)
    t.transport.inner = Hanging(t.transport.inner, t.clock)
    yield t  # type: ignore[misc]
    await t.checkout.shutdown()
    await t.client.aclose()
    t.journal.close()


def hanging(till: Till) -> Hanging:
    assert isinstance(till.transport.inner, Hanging)
    return till.transport.inner


async def test_a_hanging_network_shows_offline_within_the_first_timeout(till: Till) -> None:
    hanging(till).hang = True
    began = till.clock.now
    stream = till.checkout.start(qr_request(120))
    async for state in stream:
        if state.offline is not None:
            break
    else:
        pytest.fail("the sale never said offline")
    waited = (till.clock.now - began).total_seconds()
    assert waited <= READ_TIMEOUT  # one attempt's timeout, not four
    assert state.status is SaleStatus.CREATED
    assert till.transport.count("POST", "/orders") == 1
    hanging(till).hang = False
    async for state in stream:
        if state.status is SaleStatus.AWAITING_PAYMENT and state.has_qr:
            break
    await stream.aclose()
    assert till.sim.calls  # the order reached Cashfree once the network was back


async def test_a_network_that_hangs_while_waiting_shows_offline_after_one_timeout(
    till: Till,
) -> None:
    shown = await till.run(qr_request(130), until_awaiting=True)
    hanging(till).hang = True
    began = till.clock.now
    async for state in till.stream:
        if state.offline is not None:
            break
    waited = (till.clock.now - began).total_seconds()
    # the next poll is at most the slowest pause away, then one timeout
    assert waited <= till.deps.schedule.slow_interval + READ_TIMEOUT
    hanging(till).hang = False
    till.sim.customer_pays(shown.order_id)
    final = await till.finish()
    assert final.status is SaleStatus.PAID and final.offline is None


async def test_a_create_whose_answer_was_lost_is_read_not_sent_again(till: Till) -> None:
    hanging(till).lose_answer_of = ("POST", "/pg/orders")
    shown = await till.run(qr_request(140), until_awaiting=True)
    assert shown.status is SaleStatus.AWAITING_PAYMENT and shown.has_qr
    assert any(s.offline is not None for s in till.seen)
    assert till.transport.count("POST", "/orders") == 1  # the lost one; then a read found it
    assert till.transport.count("GET", f"/orders/{shown.order_id}") >= 1
    till.sim.customer_pays(shown.order_id)
    assert (await till.finish()).status is SaleStatus.PAID


async def test_an_order_pay_whose_answer_was_lost_is_sent_again_with_the_same_key(
    till: Till,
) -> None:
    hanging(till).lose_answer_of = ("POST", "/pg/orders/sessions")
    shown = await till.run(qr_request(145), until_awaiting=True)
    assert shown.has_qr and any(s.offline is not None for s in till.seen)
    pays = [key for path, key in hanging(till).keys if path == "/pg/orders/sessions"]
    assert len(pays) == 2 and pays[0] == pays[1]  # the same attempt, to Cashfree
    assert len(till.sim.payments(shown.order_id)) == 1  # one UPI attempt, not two


async def test_a_link_whose_answer_was_lost_is_read_not_sent_again(till: Till) -> None:
    hanging(till).lose_answer_of = ("POST", "/pg/links")
    request = ChargeRequest(amount=qr_request(150).amount, method=Method.LINK)
    shown = await till.run(request, until_awaiting=True)
    assert shown.status is SaleStatus.AWAITING_PAYMENT and shown.link_url
    assert till.transport.count("POST", "/links") == 1


async def test_the_sweep_and_background_followers_use_the_background_view(
    till: Till,
) -> None:
    """Every call for a sale away from the counter asks the rate budget as background
    work; every call for the sale at the counter as foreground."""
    asked: list[tuple[str, bool]] = []
    real = till.budget.acquire

    async def acquire(endpoint: str, *, background: bool = False) -> None:
        asked.append((endpoint, background))
        await real(endpoint, background=background)

    till.budget.acquire = acquire  # type: ignore[method-assign]
    shown = await till.run(qr_request(160), until_awaiting=True)
    assert asked and not any(bg for _, bg in asked)  # the counter's calls
    asked.clear()
    cancelled = await till.cancel_and_finish(shown.order_id)
    assert cancelled.status is SaleStatus.CANCELLED
    asked.clear()
    # The late sweep watches the cancelled sale in the background.
    till.sim.customer_pays(shown.order_id)  # money arrives anyway (the bank was slow)
    for _ in range(200):
        sale = till.journal.get_sale(shown.order_id)
        if sale is not None and sale.status is SaleStatus.PAID:
            break
        await till.clock.sleep(0)
    assert sale is not None and sale.status is SaleStatus.PAID and sale.late
    assert asked and all(bg for _, bg in asked)
