"""The client secret never shows: not in the gateway's repr, not in any exception, not in
any log record (ours, httpx's or httpcore's) while calls fail over a real socket."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
import respx

from pos_app.gateway import errors
from pos_app.gateway.cashfree import CashfreeGateway
from pos_app.gateway.retry import RetryPolicy
from pos_app.secrets import Secret

SECRET_TEXT = "s3cr3t-VALUE-never-shown-0042"


def _assert_clean(text: str) -> None:
    assert SECRET_TEXT not in text
    assert "x-client-secret" not in text.lower()


def _assert_error_clean(error: BaseException) -> None:
    _assert_clean(str(error))
    _assert_clean(repr(error))
    _assert_clean(repr(error.args))
    _assert_clean(repr(vars(error)))


class TinyServer:
    """A real HTTP/1.1 server on 127.0.0.1 that answers every request with one reply and
    remembers the raw requests it received."""

    def __init__(self, status: int, body: Any) -> None:
        self.status = status
        self.payload = json.dumps(body).encode()
        self.received: list[bytes] = []
        self.port = 0
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        body = await reader.readexactly(length) if length else b""
        self.received.append(head + body)
        writer.write(
            b"HTTP/1.1 %d Answer\r\ncontent-type: application/json\r\ncontent-length: %d\r\n"
            b"x-request-id: srv-1\r\nconnection: close\r\n\r\n%s"
            % (self.status, len(self.payload), self.payload)
        )
        await writer.drain()
        writer.close()


@pytest_asyncio.fixture
async def server_401() -> AsyncIterator[TinyServer]:
    server = TinyServer(
        401,
        {
            "message": "authentication Failed",
            "code": "request_failed",
            "type": "authentication_error",
        },
    )
    await server.start()
    yield server
    await server.stop()


@pytest_asyncio.fixture
async def server_500() -> AsyncIterator[TinyServer]:
    server = TinyServer(
        500, {"message": "internal Server Error", "code": "internal_error", "type": "api_error"}
    )
    await server.start()
    yield server
    await server.stop()


def _gateway(http: httpx.AsyncClient, base_url: str, *, attempts: int = 2) -> CashfreeGateway:
    async def no_wait(_: float) -> None:
        return None

    return CashfreeGateway(
        http,
        base_url=base_url,
        client_id="TEST-APP-1234",
        client_secret=Secret(SECRET_TEXT),
        retry=RetryPolicy(max_attempts=attempts, jitter=lambda d: d),
        sleep=no_wait,
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def _debug_everywhere(caplog: pytest.LogCaptureFixture) -> None:
    for name in (None, "httpx", "httpcore", "pos_app"):
        caplog.set_level(logging.DEBUG, logger=name)


def _assert_logs_clean(caplog: pytest.LogCaptureFixture) -> None:
    for record in caplog.records:
        _assert_clean(record.getMessage())
        _assert_clean(repr(record.args))
        _assert_clean(record.exc_text or "")
    _assert_clean(caplog.text)


def test_repr_and_str_of_the_gateway() -> None:
    gateway = CashfreeGateway(
        httpx.AsyncClient(),
        base_url="https://sandbox.cashfree.com/pg",
        client_id="TEST-APP-1234",
        client_secret=Secret(SECRET_TEXT),
    )
    for text in (repr(gateway), str(gateway), f"{gateway}", repr(vars(gateway))):
        _assert_clean(text)
    assert "TEST-APP-1234" in repr(gateway)


@pytest.mark.asyncio
async def test_failing_calls_over_a_real_socket_log_no_secret(
    caplog: pytest.LogCaptureFixture, server_401: TinyServer, server_500: TinyServer
) -> None:
    _debug_everywhere(caplog)
    async with httpx.AsyncClient() as http:
        unauthorised = _gateway(http, f"http://127.0.0.1:{server_401.port}/pg")
        with pytest.raises(errors.AuthenticationError) as auth:
            await unauthorised.get_order("POS1-0001")
        failing = _gateway(http, f"http://127.0.0.1:{server_500.port}/pg")
        with pytest.raises(errors.ServerError) as server:
            await failing.terminate_order("POS1-0001")
        offline = _gateway(http, f"http://127.0.0.1:{_free_port()}/pg")
        with pytest.raises(errors.GatewayUnreachable) as connect:
            await offline.get_order("POS1-0001")

    # The secret really was sent (so this test could fail) ...
    assert SECRET_TEXT.encode() in server_401.received[0]
    assert len(server_500.received) == 2  # one retry
    # ... the stack logged at DEBUG (httpcore included) ...
    assert {r.name.split(".")[0] for r in caplog.records} >= {"httpx", "httpcore", "pos_app"}
    # ... and nothing shows it.
    _assert_logs_clean(caplog)
    for caught in (auth, server, connect):
        _assert_error_clean(caught.value)
        assert caught.value.request_id


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(
            400, json={"message": "bad", "code": "request_failed", "type": "invalid_request_error"}
        ),
        httpx.Response(401, json={"message": "authentication Failed", "code": "request_failed"}),
        httpx.Response(404, json={"message": "not found", "code": "order_not_found"}),
        httpx.Response(409, json={"message": "dup", "code": "order_already_exists"}),
        httpx.Response(422, json={"message": "idem", "code": "request_invalid"}),
        httpx.Response(429, json={"message": "slow down"}, headers={"x-ratelimit-retry": "2"}),
        httpx.Response(500, json={"message": "internal Server Error"}),
        httpx.Response(502, json={"message": "bank", "code": "bank_processing_failure"}),
        httpx.Response(200, text="not json"),
        httpx.Response(200, json=[1, 2, 3]),
        httpx.ReadTimeout("timed out"),
        httpx.ConnectError("refused"),
    ],
)
async def test_no_exception_carries_the_secret(
    caplog: pytest.LogCaptureFixture, answer: Any
) -> None:
    _debug_everywhere(caplog)
    with respx.mock(base_url="https://sandbox.cashfree.com/pg") as cf:
        cf.get("/orders/POS1-0001").mock(side_effect=[answer])
        async with httpx.AsyncClient() as http:
            gateway = _gateway(http, "https://sandbox.cashfree.com/pg", attempts=1)
            with pytest.raises(errors.GatewayError) as caught:
                await gateway.get_order("POS1-0001")
    _assert_error_clean(caught.value)
    _assert_logs_clean(caplog)


@pytest.mark.asyncio
async def test_a_message_echoing_the_secret_is_redacted(cf: respx.MockRouter) -> None:
    cf.get("/orders/POS1-0001").respond(
        401, json={"message": f"bad secret {SECRET_TEXT} for app", "code": "request_failed"}
    )
    async with httpx.AsyncClient() as http:
        gateway = _gateway(http, "https://sandbox.cashfree.com/pg")
        with pytest.raises(errors.AuthenticationError) as caught:
            await gateway.get_order("POS1-0001")
    _assert_error_clean(caught.value)
    assert caught.value.message == "bad secret *** for app"


def test_the_secret_is_revealed_in_one_place_per_use() -> None:
    """The gateway reveals the client secret once for the request header, and the webhook
    check once as its HMAC key: nowhere else."""
    gateway_dir = Path(__file__).resolve().parents[2] / "pos_app" / "gateway"
    reveals = {
        p.name: n
        for p in sorted(gateway_dir.glob("*.py"))
        if (n := p.read_text(encoding="utf-8").count(".reveal()"))
    }
    assert reveals == {"cashfree.py": 1, "webhooks.py": 1}
