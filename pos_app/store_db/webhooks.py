"""Verified webhook deliveries in the store database, and the NOTIFY that tells the tills.

A delivery is stored once (its key is unique per store); a retry only counts an attempt.
The notification is sent in the same transaction, so a till never hears of a delivery
that was not stored. Channel WEBHOOK_CHANNEL; payload JSON {"store", "order_id", "type"}, and
"link_id" (the payment link an order was made for) when the webhook says so.
The receiver also sends a heartbeat (kind "alive") so tills know push is healthy.
"""

from __future__ import annotations

import json

from psycopg import AsyncConnection
from psycopg.types.json import Jsonb

from pos_app.gateway.webhooks import WebhookDelivery

__all__ = ["WEBHOOK_CHANNEL", "heartbeat", "record_delivery"]

WEBHOOK_CHANNEL = "pos_webhooks"


async def record_delivery(
    conn: AsyncConnection[tuple[object, ...]], store_id: str, delivery: WebhookDelivery
) -> bool:
    """Store a verified delivery and notify the tills; False when it was a repeat."""
    async with conn.transaction():
        await conn.execute(
            "INSERT INTO stores (store_id) VALUES (%s) ON CONFLICT DO NOTHING", (store_id,)
        )
        cur = await conn.execute(
            "INSERT INTO webhook_deliveries (store_id, delivery_key, type, order_id,"
            " cf_payment_id, payment_status, webhook_timestamp, body)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
            " ON CONFLICT (store_id, delivery_key)"
            " DO UPDATE SET attempts = webhook_deliveries.attempts + 1"
            " RETURNING (xmax = 0) AS inserted",
            (
                store_id,
                delivery.delivery_key,
                delivery.type,
                delivery.order_id,
                delivery.cf_payment_id,
                delivery.payment_status,
                delivery.timestamp_ms,
                Jsonb(delivery.body),
            ),
        )
        row = await cur.fetchone()
        new = bool(row and row[0])
        if new:
            payload = {"store": store_id, "order_id": delivery.order_id, "type": delivery.type}
            if delivery.link_id:
                payload["link_id"] = delivery.link_id
            await conn.execute("SELECT pg_notify(%s, %s)", (WEBHOOK_CHANNEL, json.dumps(payload)))
    return new


async def heartbeat(conn: AsyncConnection[tuple[object, ...]], store_id: str) -> None:
    payload = {"store": store_id, "kind": "alive"}
    await conn.execute("SELECT pg_notify(%s, %s)", (WEBHOOK_CHANNEL, json.dumps(payload)))
