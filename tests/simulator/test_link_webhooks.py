"""A paid payment link is announced as Cashfree does: the payment webhook of the order made
for the link, and the link's own PAYMENT_LINK_EVENT naming the link (data.link_id), signed
like every webhook, so the receiver learns the link id from the webhook itself."""

from __future__ import annotations

import json
import time

import pytest
from simulator.simkit import create_link_on
from simulator.test_webhooks import Hook, _wait

from pos_app.gateway.webhooks import verify
from pos_app.secrets import Secret
from pos_app.simulator import SIM_CLIENT_SECRET, Simulator
from pos_app.simulator.webhooks import WebhookSender


@pytest.mark.asyncio
async def test_a_paid_link_sends_its_link_event_with_the_link_id() -> None:
    hook = Hook([])
    sim = Simulator(seed=11)
    try:
        await create_link_on(sim, "S_0042", 240)
        with WebhookSender(sim, hook.url, delays=(0.05,)) as sender:
            order_id = sim.link_customer_pays("S_0042")
            _wait(lambda: len(hook.seen) == 2)
    finally:
        hook.close()
    now = time.time_ns() // 1_000_000
    found = {
        d.type: d
        for d in (verify(Secret(SIM_CLIENT_SECRET), h, body, now) for h, body, _ in hook.seen)
    }
    assert set(found) == {"PAYMENT_SUCCESS_WEBHOOK", "PAYMENT_LINK_EVENT"}
    event = found["PAYMENT_LINK_EVENT"]
    assert event.link_id == "S_0042" and event.order_id == order_id
    assert found["PAYMENT_SUCCESS_WEBHOOK"].order_id == order_id
    assert event.delivery_key != found["PAYMENT_SUCCESS_WEBHOOK"].delivery_key  # two deliveries
    data = event.body["data"]
    assert isinstance(data, dict)
    # The documented shape: amounts as strings, cf_link_id a number, the paying order nested.
    assert data["link_amount"] == "240.00" and data["link_amount_paid"] == "240.00"
    assert data["link_status"] == "PAID" and isinstance(data["cf_link_id"], int)
    assert "link_qrcode" not in data
    assert data["order"] == {
        "order_id": order_id,
        "order_amount": "240.00",
        "transaction_id": int(sim.payments(order_id)[0]["cf_payment_id"]),
        "transaction_status": "SUCCESS",
    }
    assert event.body["version"] == 1
    assert [d.type for d in sender.deliveries] == [
        "PAYMENT_SUCCESS_WEBHOOK",
        "PAYMENT_LINK_EVENT",
    ]
    assert json.loads(hook.seen[0][1])["type"] == "PAYMENT_SUCCESS_WEBHOOK"  # in that order
