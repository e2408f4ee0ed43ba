"""The simulator sends Cashfree's payment webhooks: the spec's PaymentWebhook shape, signed
over timestamp + raw body, retried on non-2xx with x-webhook-attempt, to notify_url or the
URL it was given."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import jsonschema
import pytest
from simulator.simkit import ManualClock, corrected_components, order_body

from pos_app.gateway.webhooks import verify
from pos_app.secrets import Secret
from pos_app.simulator import SIM_CLIENT_SECRET, Simulator
from pos_app.simulator.webhooks import WebhookSender


def fits_payment_webhook(payload: object) -> None:
    """The spec's PaymentWebhook, with its payment_method oneOf corrected as for the API
    answers (simkit.corrected_components; the spec's oneOf matches several at once)."""
    components = corrected_components()
    schema = {**components["schemas"]["PaymentWebhook"], "components": components}
    jsonschema.validate(payload, schema, cls=jsonschema.Draft7Validator)


class Hook:
    """A loopback endpoint that answers with the next scripted status (then 200)."""

    def __init__(self, script: list[int]) -> None:
        self.script = list(script)
        self.seen: list[tuple[dict[str, str], bytes, int]] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                status = hook.script.pop(0) if hook.script else 200
                hook.seen.append(({k.lower(): v for k, v in self.headers.items()}, body, status))
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hook() -> Iterator[Hook]:
    h = Hook([500, 503])
    yield h
    h.close()


async def _order(sim: Simulator, order_id: str, **extra: object) -> None:
    from pos_app.simulator import SimulatorTransport

    async with httpx.AsyncClient(
        transport=SimulatorTransport(sim),
        base_url="http://simulator.invalid/pg",
        headers={
            "x-client-id": "SIM-APP-ID",
            "x-client-secret": SIM_CLIENT_SECRET,
            "x-api-version": "2025-01-01",
        },
    ) as client:
        answer = await client.post("/orders", json=order_body(order_id, 170, **extra))
        assert answer.status_code == 200, answer.text


def _wait(check: object, seconds: float = 10.0) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end and not check():  # type: ignore[operator]
        time.sleep(0.02)


@pytest.mark.asyncio
async def test_success_webhook_fits_the_spec_is_signed_and_retried(hook: Hook) -> None:
    sim = Simulator(seed=3)
    await _order(sim, "WH-1")
    with WebhookSender(sim, hook.url, delays=(0.05, 0.05, 0.05)) as sender:
        sim.customer_pays("WH-1")
        _wait(lambda: len(hook.seen) == 3)
    assert [s for _, _, s in hook.seen] == [500, 503, 200]
    assert [h["x-webhook-attempt"] for h, _, _ in hook.seen] == ["1", "2", "3"]
    keys = {h["x-idempotency-key"] for h, _, _ in hook.seen}
    assert len(keys) == 1  # one delivery, retried
    for headers, body, _ in hook.seen:
        assert headers["x-webhook-version"] == "2025-01-01"
        delivery = verify(Secret(SIM_CLIENT_SECRET), headers, body, time.time_ns() // 1_000_000)
        assert delivery.type == "PAYMENT_SUCCESS_WEBHOOK" and delivery.order_id == "WH-1"
        assert delivery.payment_status == "SUCCESS"
    payload = json.loads(hook.seen[0][1])
    fits_payment_webhook(payload)
    assert payload["data"]["payment"]["cf_payment_id"] == sim.payments("WH-1")[0]["cf_payment_id"]
    assert sender.deliveries[0].answers == [500, 503, 200]


@pytest.mark.asyncio
async def test_failed_and_dropped_attempts_are_announced_too(hook: Hook) -> None:
    hook.script = []
    sim = Simulator(seed=4)
    await _order(sim, "WH-2")
    with WebhookSender(sim, hook.url, delays=(0.05,)):
        sim.customer_fails("WH-2")
        sim.customer_walks_away("WH-2")
        _wait(lambda: len(hook.seen) == 2)
    types = [json.loads(body)["type"] for _, body, _ in hook.seen]
    assert types == ["PAYMENT_FAILED_WEBHOOK", "PAYMENT_USER_DROPPED_WEBHOOK"]
    for _, body, _ in hook.seen:
        fits_payment_webhook(json.loads(body))


@pytest.mark.asyncio
async def test_notify_url_wins_and_a_later_payment_is_sent_when_due(hook: Hook) -> None:
    hook.script = []
    clock = ManualClock()
    sim = Simulator(clock=clock, seed=5)
    await _order(sim, "WH-3", order_meta={"notify_url": hook.url})
    with WebhookSender(sim, "http://127.0.0.1:1/never", delays=(0.05,), tick=0.02):
        sim.customer_pays("WH-3", after_seconds=30)
        time.sleep(0.2)
        assert hook.seen == []  # not due yet
        clock.advance(31)
        _wait(lambda: len(hook.seen) == 1)
    assert json.loads(hook.seen[0][1])["data"]["order"]["order_id"] == "WH-3"


@pytest.mark.asyncio
async def test_no_url_no_webhook() -> None:
    sim = Simulator(seed=6)
    await _order(sim, "WH-4")
    with WebhookSender(sim, None) as sender:
        sim.customer_pays("WH-4")
        time.sleep(0.1)
    assert sender.deliveries == []


@pytest.mark.asyncio
async def test_orders_carry_the_stores_webhook_url_as_notify_url(tmp_path: object) -> None:
    from till_fakes import make_till, qr_request

    till = make_till(tmp_path)  # type: ignore[arg-type]
    till.deps.notify_url = "https://pay.example.shop/cashfree/webhook"
    try:
        shown = await till.run(qr_request(120), until_awaiting=True)
        order = till.sim.order(shown.order_id)
        assert order["order_meta"]["notify_url"] == "https://pay.example.shop/cashfree/webhook"
        await till.cancel_and_finish(shown.order_id)
    finally:
        await till.checkout.shutdown()
        await till.client.aclose()
        till.journal.close()


def test_the_webhook_url_setting_is_https_and_short() -> None:
    from pos_app.config import Settings

    ok = Settings().replace_value("store_webhook_url", "https://pay.example.shop/cf")
    assert ok.store_webhook_url == "https://pay.example.shop/cf"
    for bad in (
        "http://pay.example.shop/cf",
        "https://user:pw@pay.example.shop/cf",
        "https://x.shop/" + "a" * 250,
        "ftp://x",
    ):
        with pytest.raises(ValueError, match="store_webhook_url"):
            Settings().replace_value("store_webhook_url", bad)
