"""PAID pushed by a webhook: the till hears it through the store database, checks the order
at (simulated) Cashfree at once, and records PAID only on Get Order's word."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from store_db.push_kit import make_push_till, start_receiver, start_sender

from pos_app.domain.sale import SaleStatus
from pos_app.services.checkout.schedule import PollSchedule
from pos_app.simulator import Simulator

pytestmark = pytest.mark.asyncio

# Polling alone would take a minute: only a push can make PAID show within seconds.
SLOW = PollSchedule(fast_interval=60.0, medium_interval=60.0, slow_interval=60.0)


async def _until(check: object, seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if check():  # type: ignore[operator]
            return True
        await asyncio.sleep(0.02)
    return False


async def test_paid_by_push_is_verified_by_get_order(store_url: str, tmp_path: Path) -> None:
    sim = Simulator()
    receiver, url = await start_receiver(store_url)
    sender = start_sender(sim, url)
    till = make_push_till(tmp_path, sim, store_url, schedule=SLOW)
    try:
        assert till.listener is not None
        assert await _until(till.listener.healthy, 5), "the receiver's heartbeat is heard"
        order_id, sale = await till.sale_until_awaiting(170)
        assert await _until(lambda: till.transport.get_orders() >= 1, 5)
        await asyncio.sleep(0.2)  # the first read is done; the next poll is a minute away
        reads_before = till.transport.get_orders()
        paid_at = time.monotonic()
        sim.customer_pays(order_id)
        final = await asyncio.wait_for(sale, 5)
        shown_after = time.monotonic() - paid_at
        assert final.status is SaleStatus.PAID and shown_after < 3.0
        # PAID came from Cashfree's own answer, read after the hint.
        assert till.transport.get_orders() > reads_before
        stored = till.journal.get_sale(order_id)
        assert stored is not None and stored.status is SaleStatus.PAID
        assert stored.cf_payment_id == sim.payments(order_id)[0]["cf_payment_id"]
        # The receiver announced the delivery before it answered the sender: wait for it.
        assert await _until(lambda: sender.deliveries[0].answers, 5)
        assert [d.answers for d in sender.deliveries] == [[200]]
        assert till.listener.heard_orders == 1
    finally:
        sender.stop()
        await till.close()
        await receiver.aclose()


async def test_a_forged_push_is_not_paid(store_url: str, tmp_path: Path) -> None:
    from pos_app.simulator.webhooks import WebhookSender

    sim = Simulator()
    receiver, url = await start_receiver(store_url)
    forger = WebhookSender(
        sim, url, secret="not-the-account-secret", delays=(0.05,), tick=0.05
    ).start()
    till = make_push_till(tmp_path, sim, store_url, schedule=SLOW)
    try:
        order_id, sale = await till.sale_until_awaiting(99)
        sim.customer_fails(order_id)  # a failed try, announced by a forger
        assert await _until(lambda: forger.deliveries and len(forger.deliveries[0].answers) == 2, 5)
        assert [d.answers for d in forger.deliveries] == [[401, 401]]  # retried, refused
        assert not sale.done()
        assert till.journal.get_sale(order_id).status is SaleStatus.AWAITING_PAYMENT  # type: ignore[union-attr]
        await till.checkout.cancel(order_id)
        await asyncio.wait_for(sale, 5)
    finally:
        forger.stop()
        await till.close()
        await receiver.aclose()


async def test_polling_is_slow_while_push_is_healthy_and_fast_when_it_goes_quiet(
    store_url: str, tmp_path: Path
) -> None:
    sim = Simulator()
    receiver, _ = await start_receiver(store_url, heartbeat=0.2)
    schedule = PollSchedule(fast_interval=0.2, medium_interval=0.2, slow_interval=0.2)
    till = make_push_till(tmp_path, sim, store_url, schedule=schedule)
    assert till.listener is not None
    till.listener._backstop = 1.0  # a short backstop keeps this test short
    try:
        assert await _until(till.listener.healthy, 5)
        order_id, sale = await till.sale_until_awaiting(50)
        start = time.monotonic()
        await asyncio.sleep(3.0)
        healthy_reads = till.transport.get_orders(start)
        assert 2 <= healthy_reads <= 5, healthy_reads  # about one a second, not five

        await receiver.aclose()  # the receiver goes quiet: back to fast polling
        assert await _until(lambda: not till.listener.healthy(), 5)  # type: ignore[union-attr]
        start = time.monotonic()
        await asyncio.sleep(2.0)
        quiet_reads = till.transport.get_orders(start)
        assert quiet_reads >= 5, quiet_reads  # every 0.2 s again (about 10)
        await till.checkout.cancel(order_id)
        await asyncio.wait_for(sale, 5)
    finally:
        await till.close()
        await receiver.aclose()
