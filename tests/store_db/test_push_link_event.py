"""The simulator's PAYMENT_LINK_EVENT reaches the tills through the store database with the
link id it names: the receiver stores it, the NOTIFY carries `link_id`, and a till's push
listener wakes the link's sale by that id."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import psycopg
import pytest
from simulator.simkit import create_link_on
from store_db.push_kit import start_receiver, start_sender

from pos_app.services.store_sync.push import PushListener
from pos_app.simulator import Simulator
from pos_app.store_db.connect import connect
from pos_app.store_db.webhooks import WEBHOOK_CHANNEL

pytestmark = pytest.mark.asyncio


async def test_the_link_event_wakes_the_links_sale_by_its_link_id(
    store_url: str, tmp_path: Path
) -> None:
    sim = Simulator(seed=21)
    await create_link_on(sim, "S_0077", 310)
    receiver, url = await start_receiver(store_url)
    sender = start_sender(sim, url)
    woken: list[str] = []
    listener = PushListener("shop", lambda: connect(store_url), woken.append)
    listening = asyncio.create_task(listener.run())
    heard: list[dict[str, object]] = []
    ear = await psycopg.AsyncConnection.connect(store_url, autocommit=True)
    await ear.execute(f"LISTEN {WEBHOOK_CHANNEL}")

    async def collect() -> None:
        async for note in ear.notifies():
            payload = json.loads(note.payload)
            if payload.get("kind") != "alive":
                heard.append(payload)

    collecting = asyncio.create_task(collect())
    try:
        end = time.monotonic() + 5
        while not listener.healthy() and time.monotonic() < end:
            await asyncio.sleep(0.02)
        assert listener.healthy()
        order_id = sim.link_customer_pays("S_0077")
        end = time.monotonic() + 10
        while len(heard) < 2 and time.monotonic() < end:
            await asyncio.sleep(0.05)
    finally:
        collecting.cancel()
        listening.cancel()
        await asyncio.gather(collecting, listening, return_exceptions=True)
        await ear.close()
        sender.stop()
        await receiver.aclose()
    by_type = {str(p["type"]): p for p in heard}
    assert by_type["PAYMENT_LINK_EVENT"] == {
        "store": "shop",
        "order_id": order_id,
        "type": "PAYMENT_LINK_EVENT",
        "link_id": "S_0077",
    }
    assert "S_0077" in woken and order_id not in woken
    with psycopg.connect(store_url) as conn:
        rows = conn.execute(
            "SELECT type, order_id, body -> 'data' ->> 'link_id' FROM webhook_deliveries"
            " ORDER BY type"
        ).fetchall()
    assert ("PAYMENT_LINK_EVENT", order_id, "S_0077") in rows
