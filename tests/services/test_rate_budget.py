"""Polling stays inside Cashfree's published limits, with headroom, under load and 429s."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
from till_fakes import FakeClock, gone_owner, make_till, qr_request

from pos_app.domain.sale import SaleStatus
from pos_app.simulator import Simulator

pytestmark = pytest.mark.asyncio

GET_ORDER = re.compile(r"^/pg/orders/[^/]+$")


def is_get_order(path: str) -> bool:
    return bool(GET_ORDER.match(path))


async def test_many_open_sales_never_exceed_the_get_order_budget(tmp_path: Path) -> None:
    clock = FakeClock()
    crashed = make_till(tmp_path / "a", clock=clock, owner=gone_owner())
    # Thirty sales left open by a till that crashed mid-sale...
    abandoned = []
    for rupees in range(100, 130):
        await crashed.run(qr_request(rupees), until_awaiting=True)
        abandoned.append(crashed.stream)  # never resumed, never closed: a crash
        crashed.checkout._active = None
    # ...are resumed at once by the next start of the till.
    till = make_till(tmp_path, clock=clock, sim=crashed.sim, journal=crashed.journal)
    started = clock.monotonic()
    assert till.checkout.resume_open_sales() == 30
    while clock.monotonic() - started < 240:
        await clock.sleep(0.5)
    capacity = till.budget.capacity("get_order")
    assert capacity == 45  # sandbox 60/min less 25% headroom
    busiest = till.transport.busiest_minute("GET", is_get_order)
    assert 30 <= busiest <= capacity
    assert 429 not in till.transport.statuses
    await till.checkout.shutdown()
    await till.client.aclose()
    await crashed.client.aclose()
    till.journal.close()
    del abandoned


async def test_a_429_storm_is_waited_out_not_hammered(tmp_path: Path) -> None:
    clock = FakeClock()
    sim = Simulator(clock=clock, rate_limits={"get_order": 10})
    till = make_till(tmp_path, clock=clock, sim=sim)
    shown = await till.run(qr_request(77), until_awaiting=True)
    watcher = asyncio.ensure_future(till.finish())
    while clock.monotonic() < 300:
        await clock.sleep(0.5)
    assert not watcher.done()
    assert till.transport.statuses.count(429) >= 1
    # Cashfree counts every call, 429s included: after the first 429 the till keeps to
    # the pace Cashfree asked for instead of hammering it.
    assert till.transport.busiest_minute("GET", is_get_order) <= 10 + 2
    sim.customer_pays(shown.order_id)
    final = await watcher
    assert final.status is SaleStatus.PAID
    assert all(s.status is not SaleStatus.FAILED for s in till.seen)
    await till.checkout.shutdown()
    await till.client.aclose()
    till.journal.close()
