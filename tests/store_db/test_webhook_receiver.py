"""The webhook receiver: valid, forged, stale, replayed, re-serialised, unknown order."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator

import httpx
import psycopg
import pytest
import pytest_asyncio

from pos_app.gateway.webhooks import sign
from pos_app.secrets import Secret
from pos_app.services.store_sync.webhook_server import DEFAULT_PATH, WebhookReceiver
from pos_app.store_db.connect import connect
from pos_app.store_db.webhooks import WEBHOOK_CHANNEL

SECRET = Secret("cf-test-secret-for-webhooks")

# As Cashfree sends it: amounts written as 170.00 (re-serialising would make them 170.0).
BODY = (
    b'{"data":{"order":{"order_id":"T1-000042","order_amount":170.00,"order_currency":"INR",'
    b'"order_tags":null},"payment":{"cf_payment_id":"5114917039291","payment_status":"SUCCESS",'
    b'"payment_amount":170.00,"payment_currency":"INR","payment_message":"Transaction success",'
    b'"payment_time":"2026-03-14T10:00:05+05:30","bank_reference":"123456789012",'
    b'"auth_id":null,"payment_method":{"upi":{"channel":null,"upi_id":"customer@upi"}},'
    b'"payment_group":"upi"},"customer_details":{"customer_name":null,"customer_id":"T1",'
    b'"customer_email":null,"customer_phone":"9999999999"}},'
    b'"event_time":"2026-03-14T10:00:06+05:30","type":"PAYMENT_SUCCESS_WEBHOOK"}'
)


def _headers(
    body: bytes, *, at_ms: int | None = None, attempt: int = 1, key: str = "dlv-1"
) -> dict[str, str]:
    stamp = str(at_ms if at_ms is not None else time.time_ns() // 1_000_000)
    return {
        "content-type": "application/json",
        "x-webhook-timestamp": stamp,
        "x-webhook-signature": sign(SECRET, stamp, body),
        "x-webhook-version": "2025-01-01",
        "x-webhook-attempt": str(attempt),
        "x-idempotency-key": key,
    }


@pytest_asyncio.fixture
async def receiver(store_url: str) -> AsyncIterator[tuple[WebhookReceiver, str]]:
    rx = WebhookReceiver(SECRET, "shop", lambda: connect(store_url), heartbeat_seconds=0.2)
    host, port = await rx.start("127.0.0.1", 0)
    try:
        yield rx, f"http://{host}:{port}{DEFAULT_PATH}"
    finally:
        await rx.aclose()


def _rows(url: str) -> list[tuple[object, ...]]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT delivery_key, type, order_id, payment_status, attempts FROM webhook_deliveries"
        ).fetchall()


async def _listen(url: str) -> psycopg.AsyncConnection[tuple[object, ...]]:
    conn = await connect(url)
    await conn.execute(f"LISTEN {WEBHOOK_CHANNEL}")
    return conn


async def _heard(
    conn: psycopg.AsyncConnection[tuple[object, ...]], seconds: float
) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    try:
        async with asyncio.timeout(seconds):
            async for note in conn.notifies():
                payload = json.loads(note.payload)
                if payload.get("kind") != "alive":
                    out.append(payload)
    except TimeoutError:
        pass
    return out


@pytest.mark.asyncio
async def test_a_valid_delivery_is_stored_once_and_announced(
    receiver: tuple[WebhookReceiver, str], store_url: str
) -> None:
    rx, url = receiver
    listener = await _listen(store_url)
    try:
        async with httpx.AsyncClient() as client:
            first = await client.post(url, content=BODY, headers=_headers(BODY))
            assert first.status_code == 200 and first.json() == {"status": "ok"}
            # Cashfree retries (a lost 200): same delivery key, a new timestamp and attempt.
            again = await client.post(url, content=BODY, headers=_headers(BODY, attempt=2))
            assert again.status_code == 200
        heard = await _heard(listener, 0.5)
    finally:
        await listener.close()
    assert _rows(store_url) == [("dlv-1", "PAYMENT_SUCCESS_WEBHOOK", "T1-000042", "SUCCESS", 2)]
    assert heard == [{"store": "shop", "order_id": "T1-000042", "type": "PAYMENT_SUCCESS_WEBHOOK"}]
    assert rx.stats["accepted"] == 1 and rx.stats["repeated"] == 1


@pytest.mark.asyncio
async def test_a_replay_without_an_idempotency_key_is_deduplicated_by_body(
    receiver: tuple[WebhookReceiver, str], store_url: str
) -> None:
    _, url = receiver
    async with httpx.AsyncClient() as client:
        for attempt in (1, 2, 3):
            headers = _headers(BODY, attempt=attempt)
            del headers["x-idempotency-key"]
            assert (await client.post(url, content=BODY, headers=headers)).status_code == 200
    rows = _rows(store_url)
    assert len(rows) == 1 and str(rows[0][0]).startswith("sha256:") and rows[0][4] == 3


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "case",
    ["forged", "stale", "future", "reserialised", "unsigned", "other_secret", "bad_timestamp"],
)
async def test_anything_not_from_cashfree_now_gets_401_and_nothing_is_recorded(
    receiver: tuple[WebhookReceiver, str], store_url: str, case: str
) -> None:
    _, url = receiver
    body = BODY
    headers = _headers(BODY)
    now = time.time_ns() // 1_000_000
    if case == "forged":
        headers["x-webhook-signature"] = (
            sign(Secret("guess"), headers["x-webhook-timestamp"], BODY)[:-4] + "AAA="
        )
    elif case == "stale":
        headers = _headers(BODY, at_ms=now - 5 * 60 * 1000 - 2000)
    elif case == "future":
        headers = _headers(BODY, at_ms=now + 5 * 60 * 1000 + 2000)
    elif case == "reserialised":
        body = json.dumps(json.loads(BODY), separators=(",", ":")).encode()
        assert b"170.0," in body and body != BODY
    elif case == "unsigned":
        del headers["x-webhook-signature"]
    elif case == "other_secret":
        headers["x-webhook-signature"] = sign(
            Secret("another-account"), headers["x-webhook-timestamp"], BODY
        )
    elif case == "bad_timestamp":
        headers["x-webhook-timestamp"] = "yesterday"
    listener = await _listen(store_url)
    try:
        async with httpx.AsyncClient() as client:
            answer = await client.post(url, content=body, headers=headers)
        heard = await _heard(listener, 0.3)
    finally:
        await listener.close()
    assert answer.status_code == 401
    assert answer.json() == {"error": "unauthorised"}
    assert SECRET.reveal() not in answer.text
    assert _rows(store_url) == []
    assert heard == []


@pytest.mark.asyncio
async def test_an_unknown_order_is_stored_but_no_till_has_it(
    receiver: tuple[WebhookReceiver, str], store_url: str
) -> None:
    _, url = receiver
    body = BODY.replace(b"T1-000042", b"NOT-A-TILL-ORDER")
    async with httpx.AsyncClient() as client:
        answer = await client.post(url, content=body, headers=_headers(body, key="dlv-x"))
    assert answer.status_code == 200  # verified: Cashfree must not retry it forever
    assert [r[2] for r in _rows(store_url)] == ["NOT-A-TILL-ORDER"]
    with psycopg.connect(store_url) as conn:
        assert conn.execute("SELECT count(*) FROM sales").fetchone() == (0,)


@pytest.mark.asyncio
async def test_http_edges(receiver: tuple[WebhookReceiver, str]) -> None:
    _, url = receiver
    async with httpx.AsyncClient() as client:
        assert (await client.get(url)).status_code == 405
        assert (
            await client.post(url.replace("webhook", "other"), content=b"{}")
        ).status_code == 404
        big = b"x" * (300 * 1024)
        assert (await client.post(url, content=big, headers=_headers(big))).status_code == 413


@pytest.mark.asyncio
async def test_store_database_down_answers_503_so_cashfree_retries() -> None:
    rx = WebhookReceiver(
        SECRET,
        "shop",
        lambda: connect("postgresql://postgres@127.0.0.1:1/nowhere"),
        heartbeat_seconds=60,
    )
    host, port = await rx.start()
    try:
        async with httpx.AsyncClient() as client:
            answer = await client.post(
                f"http://{host}:{port}{DEFAULT_PATH}", content=BODY, headers=_headers(BODY)
            )
        assert answer.status_code == 503
    finally:
        await rx.aclose()
