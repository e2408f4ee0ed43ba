"""Fixtures for the Cashfree gateway tests: a respx-mocked Cashfree, a gateway with
deterministic request ids and jitter, and a recording sleep."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
import respx

from pos_app.gateway.cashfree import CashfreeGateway
from pos_app.gateway.retry import RetryPolicy
from pos_app.secrets import Secret

BASE = "https://sandbox.cashfree.com/pg"
CLIENT_ID = "TEST-APP-1234"
# Deliberately unlike a real key, and easy to spot if it ever leaks.
SECRET_TEXT = "s3cr3t-VALUE-never-shown-0042"


class SleepRecorder:
    """An async sleep that returns at once and remembers what it was asked to wait."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


class RequestIds:
    """req-1, req-2, ...: one per logical call, so tests can tell calls apart."""

    def __init__(self) -> None:
        self.made = 0

    def __call__(self) -> str:
        self.made += 1
        return f"req-{self.made}"


class WireCheck:
    """Checks on a request the gateway sent."""

    @staticmethod
    def headers(
        request: httpx.Request, *, request_id: str, idempotency_key: str | None, body: bool
    ) -> None:
        """The headers every call carries, plus the idempotency key and content type rules."""
        headers = request.headers
        assert headers["x-client-id"] == CLIENT_ID
        assert headers["x-client-secret"] == SECRET_TEXT
        assert headers["x-api-version"] == "2025-01-01"
        assert headers["x-request-id"] == request_id
        if idempotency_key is None:
            assert "x-idempotency-key" not in headers
        else:
            assert headers["x-idempotency-key"] == idempotency_key
        if body:
            assert headers["content-type"] == "application/json"
        else:
            assert "content-type" not in headers
            assert request.content == b""

    @staticmethod
    def generated_key(request: httpx.Request) -> str:
        """The idempotency key the gateway made itself: a fresh UUID."""
        key = request.headers["x-idempotency-key"]
        assert str(uuid.UUID(key)) == key
        return key

    @staticmethod
    def body(request: httpx.Request) -> Any:
        return json.loads(request.content)


@pytest.fixture
def wire() -> WireCheck:
    return WireCheck()


@pytest.fixture
def sleeper() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
def request_ids() -> RequestIds:
    return RequestIds()


@pytest_asyncio.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as http:
        yield http


@pytest.fixture
def make_gateway(
    client: httpx.AsyncClient, sleeper: SleepRecorder, request_ids: RequestIds
) -> Callable[..., CashfreeGateway]:
    """Build a gateway; keyword arguments override the test defaults."""

    def build(**overrides: Any) -> CashfreeGateway:
        options: dict[str, Any] = {
            "base_url": BASE,
            "client_id": CLIENT_ID,
            "client_secret": Secret(SECRET_TEXT),
            "retry": RetryPolicy(jitter=lambda delay: delay),  # no randomness: exact delays
            "new_request_id": request_ids,
            "sleep": sleeper,
        }
        options.update(overrides)
        return CashfreeGateway(options.pop("client", client), **options)

    return build


@pytest.fixture
def gateway(make_gateway: Callable[..., CashfreeGateway]) -> CashfreeGateway:
    return make_gateway()


@pytest.fixture
def cf() -> Iterator[respx.MockRouter]:
    """A mocked Cashfree at the sandbox URL; any request without a route fails the test."""
    with respx.mock(base_url=BASE, assert_all_called=False, assert_all_mocked=True) as router:
        yield router
