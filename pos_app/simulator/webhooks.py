"""The simulator sends payment webhooks as Cashfree does (version 2025-01-01).

When an attempt reaches a final status the simulator POSTs a PAYMENT_SUCCESS_WEBHOOK,
PAYMENT_FAILED_WEBHOOK or PAYMENT_USER_DROPPED_WEBHOOK to the order's
`order_meta.notify_url`, or else to the URL given to the sender (`pos-app gateway-sim
--webhook-url URL`). Each delivery is signed with the simulator's client secret:
x-webhook-signature = base64(HMAC-SHA256(secret, x-webhook-timestamp + raw body)), with
x-webhook-version, x-webhook-attempt and x-idempotency-key (the same for every retry). A
non-2xx answer or no answer is retried after 0.5, 1, 2, 5 and 10 seconds.

Payments scheduled for later settle when the simulator next looks at their order; the
sender looks at every order with a scheduled attempt every `tick` seconds, so their
webhooks go out on time without anyone polling.

A successful payment of a payment link's order is also announced with the link's own
PAYMENT_LINK_EVENT (link_webhooks.py), which names the link.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from pos_app.simulator.core import SIM_CLIENT_SECRET, Simulator
from pos_app.simulator.entities import payment_entity
from pos_app.simulator.link_webhooks import LINK_EVENT, link_event_body
from pos_app.simulator.models import PayState, SimOrder, SimPayment

__all__ = ["RETRY_DELAYS", "Delivery", "WebhookSender", "webhook_body"]

log = logging.getLogger(__name__)

RETRY_DELAYS: tuple[float, ...] = (0.5, 1.0, 2.0, 5.0, 10.0)
_TYPES = {
    PayState.SUCCESS: "PAYMENT_SUCCESS_WEBHOOK",
    PayState.FAILED: "PAYMENT_FAILED_WEBHOOK",
    PayState.USER_DROPPED: "PAYMENT_USER_DROPPED_WEBHOOK",
}


@dataclass
class Delivery:
    url: str
    body: bytes
    key: str
    type: str
    order_id: str
    settled_at: float  # time.monotonic() when the payment settled
    answers: list[int] = field(default_factory=list)  # one per attempt; 0 = no answer
    delivered_at: float | None = None


def webhook_body(order: SimOrder, payment: SimPayment, event_time: str) -> dict[str, Any]:
    kind = _TYPES[payment.status]
    customer = {
        k: v for k, v in order.customer.items() if isinstance(v, str) and k.startswith("customer_")
    }
    order_part: dict[str, Any] = {
        "order_id": order.order_id,
        "order_amount": order.amount.to_api(),
        "order_currency": order.currency,
    }
    if order.tags:
        order_part["order_tags"] = dict(order.tags)
    return {
        "data": {
            "order": order_part,
            "payment": payment_entity(order, payment),
            "customer_details": customer,
        },
        "event_time": event_time,
        "type": kind,
    }


def _sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


class WebhookSender:
    def __init__(
        self,
        sim: Simulator,
        url: str | None = None,
        *,
        secret: str = SIM_CLIENT_SECRET,
        delays: Sequence[float] = RETRY_DELAYS,
        tick: float = 0.1,
        timeout: float = 5.0,
        now_ms: Callable[[], int] = lambda: time.time_ns() // 1_000_000,
    ) -> None:
        self._sim = sim
        self.url = url
        self._secret = secret
        self._delays = tuple(delays)
        self._tick = tick
        self._timeout = timeout
        self._now_ms = now_ms
        self._queue: queue.Queue[Delivery | None] = queue.Queue()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.deliveries: list[Delivery] = []
        self._lock = threading.Lock()

    # ---- lifetime ------------------------------------------------------------------------
    def start(self) -> WebhookSender:
        self._sim.on_payment_settled(self._settled)
        for target, name in ((self._send_loop, "sim-webhooks"), (self._tick_loop, "sim-ticker")):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._sim.on_payment_settled(None)
        self._stop.set()
        self._queue.put(None)
        for thread in self._threads:
            thread.join(timeout=5)

    def __enter__(self) -> WebhookSender:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- from the simulator (under its lock: no I/O here) -------------------------------
    def _settled(self, order: SimOrder, payment: SimPayment) -> None:
        if payment.status not in _TYPES:
            return
        url = order.meta.get("notify_url") or self.url
        if not url:
            return
        event_time = payment.completed_at.isoformat() if payment.completed_at else ""
        body = json.dumps(webhook_body(order, payment, event_time), separators=(",", ":"))
        delivery = Delivery(
            url=url,
            body=body.encode(),
            key=f"sim-{payment.cf_payment_id}-{payment.status.value}",
            type=_TYPES[payment.status],
            order_id=order.order_id,
            settled_at=time.monotonic(),
        )
        deliveries = [delivery]
        if order.link_id and payment.status is PayState.SUCCESS:
            link = self._sim.link(order.link_id)  # the simulator's lock is re-entrant
            body = json.dumps(
                link_event_body(link, order, payment, event_time), separators=(",", ":")
            )
            deliveries.append(
                Delivery(
                    url=url,
                    body=body.encode(),
                    key=f"sim-link-{payment.cf_payment_id}",
                    type=LINK_EVENT,
                    order_id=order.order_id,
                    settled_at=delivery.settled_at,
                )
            )
        with self._lock:
            self.deliveries.extend(deliveries)
        for one in deliveries:
            self._queue.put(one)

    # ---- threads -------------------------------------------------------------------------
    def _tick_loop(self) -> None:
        while not self._stop.wait(self._tick):
            try:
                self._sim.settle_due()
            except Exception:
                log.exception("simulator tick failed")

    def _send_loop(self) -> None:
        with httpx.Client(timeout=self._timeout) as client:
            while True:
                delivery = self._queue.get()
                if delivery is None:
                    return
                self._deliver(client, delivery)

    def _deliver(self, client: httpx.Client, delivery: Delivery) -> None:
        for attempt in range(1, len(self._delays) + 2):
            stamp = str(self._now_ms())
            headers = {
                "content-type": "application/json",
                "x-webhook-timestamp": stamp,
                "x-webhook-signature": _sign(self._secret, stamp, delivery.body),
                "x-webhook-version": "2025-01-01",
                "x-webhook-attempt": str(attempt),
                "x-idempotency-key": delivery.key,
            }
            try:
                status = client.post(
                    delivery.url, content=delivery.body, headers=headers
                ).status_code
            except httpx.HTTPError as exc:
                log.info("webhook to %s: no answer (%s)", delivery.url, type(exc).__name__)
                status = 0
            delivery.answers.append(status)
            if 200 <= status < 300:
                delivery.delivered_at = time.monotonic()
                return
            if attempt > len(self._delays) or self._stop.wait(self._delays[attempt - 1]):
                log.warning(
                    "webhook for %s not delivered (answers %s)", delivery.order_id, delivery.answers
                )
                return
