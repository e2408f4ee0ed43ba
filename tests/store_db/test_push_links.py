"""Payment links are woken by push like orders are: the webhook names the order Cashfree
made for the link; the till wakes the link's sale and verifies PAID at Cashfree."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from store_db.push_kit import make_push_till, start_receiver, start_sender

from pos_app.domain.money import Money
from pos_app.domain.sale import Method, SaleStatus
from pos_app.services.checkout.schedule import PollSchedule
from pos_app.services.checkout.state import ChargeRequest, SaleState
from pos_app.services.store_sync.push import sales_to_wake
from pos_app.simulator import Simulator

# Polling alone would take a minute: only a push can make PAID show within seconds.
SLOW = PollSchedule(fast_interval=60.0, medium_interval=60.0, slow_interval=60.0)


def test_a_link_order_wakes_the_links_sale() -> None:
    assert sales_to_wake("S-0001", None) == ["S-0001"]
    assert sales_to_wake("CFPay_S-0001_2", None) == ["S-0001"]  # the link's own order
    assert sales_to_wake("CFPay_U1mgll3c0e9g_ehdcjjbtckf", "S_7") == ["S_7"]  # tags say so
    assert sales_to_wake(None, "S_7") == ["S_7"]  # a payment link webhook
    assert sales_to_wake(None, None) == [] and sales_to_wake(17, "") == []


async def _until(check: object, seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if check():  # type: ignore[operator]
            return True
        await asyncio.sleep(0.02)
    return False


@pytest.mark.asyncio
async def test_a_link_paid_by_push_shows_paid_in_seconds(store_url: str, tmp_path: Path) -> None:
    sim = Simulator()
    receiver, url = await start_receiver(store_url)
    sender = start_sender(sim, url)
    till = make_push_till(tmp_path, sim, store_url, schedule=SLOW)
    try:
        assert till.listener is not None
        assert await _until(till.listener.healthy, 5)
        stream = till.checkout.start(ChargeRequest(amount=Money.rupees(240), method=Method.LINK))
        waiting: asyncio.Future[SaleState] = asyncio.get_running_loop().create_future()

        async def drive() -> SaleState:
            last = None
            async for state in stream:
                last = state
                if state.status is SaleStatus.AWAITING_PAYMENT and not waiting.done():
                    waiting.set_result(state)
            assert last is not None
            return last

        sale = asyncio.create_task(drive())
        state = await asyncio.wait_for(waiting, 5)
        stored = till.journal.get_sale(state.order_id)
        assert stored is not None and stored.link_id
        await asyncio.sleep(0.3)  # the first reads are done; the next poll is a minute away
        paid_at = time.monotonic()
        sim.link_customer_pays(stored.link_id)
        final = await asyncio.wait_for(sale, 5)
        assert final.status is SaleStatus.PAID and time.monotonic() - paid_at < 3.0
        paid = till.journal.get_sale(state.order_id)
        assert (
            paid is not None
            and paid.gateway_order_id
            and paid.gateway_order_id.startswith("CFPay_")
        )
        assert till.listener.heard_orders >= 1
    finally:
        sender.stop()
        await till.close()
        await receiver.aclose()


def test_the_receiver_reads_the_link_id_of_a_link_payment() -> None:
    import json

    from pos_app.gateway.webhooks import sign, verify
    from pos_app.secrets import Secret

    secret = Secret("account-secret")
    now_ms = 1_773_000_000_000

    def delivered(data: dict[str, object], kind: str) -> str | None:
        body = json.dumps({"type": kind, "data": data}).encode()
        stamp = str(now_ms)
        headers = {"x-webhook-timestamp": stamp, "x-webhook-signature": sign(secret, stamp, body)}
        return verify(secret, headers, body, now_ms).link_id

    order = {"order_id": "CFPay_U1mgll3c0e9g_ehdcjjbtckf"}
    assert delivered({"link_id": "S-9", "order": order}, "PAYMENT_LINK_EVENT") == "S-9"
    tagged = {**order, "order_tags": {"link_id": "S-8", "cf_link_id": "1576977"}}
    assert delivered({"order": tagged}, "PAYMENT_SUCCESS_WEBHOOK") == "S-8"
    assert delivered({"order": {"order_id": "S-7"}}, "PAYMENT_SUCCESS_WEBHOOK") is None
