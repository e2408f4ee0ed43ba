"""`pos-app mcp --http`: loopback only, a bearer token from the keyring (401 without it),
`--show-token` behind the manager PIN; and a real server driven by the SDK's HTTP client."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import io
import socket
import time
from pathlib import Path

import httpx
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client
from mcp_kit import data, mcp_till

from pos_app.cli import main
from pos_app.commands import exit_codes
from pos_app.config import load_settings, paths, save_settings
from pos_app.mcp.access import http_token
from pos_app.mcp.http import check_loopback, http_app, serve_http
from pos_app.mcp.server import build_server
from pos_app.secrets import MCP_TOKEN, KeyringSecretStore, MemorySecretStore, Secret
from pos_app.services.manager.pin import hash_pin

PIN = "2580"
TOKEN = Secret("test-token-0123456789")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "example.com", "::"])
def test_only_loopback_hosts_are_allowed(host: str) -> None:
    with pytest.raises(ValueError, match="loopback"):
        check_loopback(host)


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost"])
def test_loopback_hosts_pass(host: str) -> None:
    check_loopback(host)


def test_cli_refuses_a_public_host(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["mcp", "--http", "--host", "0.0.0.0"]) == exit_codes.BAD_INPUT
    assert "loopback" in capsys.readouterr().err


def test_token_is_made_once_and_kept_in_the_password_store() -> None:
    store = MemorySecretStore()
    first = http_token(store, "demo")
    assert len(first.reveal()) >= 40
    assert http_token(store, "demo") == first
    assert store.get("demo", MCP_TOKEN) == first
    assert http_token(store, "sandbox") != first  # one per environment
    assert "test" not in repr(first)


@pytest.mark.asyncio
async def test_requests_without_the_token_get_401(tmp_path: Path) -> None:
    till, services = mcp_till(tmp_path)
    app = http_app(build_server(services), TOKEN, "127.0.0.1")
    transport = httpx.ASGITransport(app=app)
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        for headers in (
            {},
            {"Authorization": "Bearer wrong"},
            {"Authorization": f"Basic {TOKEN.reveal()}"},
            {"Authorization": f"Bearer {TOKEN.reveal()}x"},
        ):
            answer = await client.post("/mcp", json=body, headers=headers)
            assert answer.status_code == 401, headers
            assert "show-token" in answer.json()["message"]
            assert TOKEN.reveal() not in answer.text
    assert till.journal.open_sales() == []
    till.journal.close()
    await till.client.aclose()


@pytest.mark.slow
@pytest.mark.timeout(180)
@pytest.mark.asyncio
async def test_a_real_http_server_serves_the_tools_to_a_client_with_the_token(
    tmp_path: Path,
) -> None:
    till, services = mcp_till(tmp_path)
    port = _free_port()
    server = asyncio.ensure_future(serve_http(build_server(services), TOKEN, "127.0.0.1", port))
    url = f"http://127.0.0.1:{port}/mcp"
    try:
        for _ in range(100):
            with contextlib.suppress(OSError):
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            await asyncio.sleep(0.05)
        async with httpx.AsyncClient() as plain:
            assert (await plain.post(url, json={})).status_code == 401
        http = create_mcp_http_client(headers={"Authorization": f"Bearer {TOKEN.reveal()}"})
        async with http, Client(streamable_http_client(url, http_client=http)) as client:
            started = data(await client.call_tool("initiate_cashfree_payment", {"amount": "42"}))
            assert started["environment"] == "DEMO"
            assert started["payment_link"]
            day = data(await client.call_tool("day_summary", {}))
            assert day["still_open"] == 1
    finally:
        server.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await server
        await till.checkout.shutdown()
        await till.client.aclose()
        till.journal.close()


# ---- --show-token --------------------------------------------------------------------------------
def _with_pin() -> None:
    where = paths()
    settings = load_settings(where).settings
    save_settings(where, dataclasses.replace(settings, manager_pin_hash=hash_pin(PIN)))


def test_show_token_asks_for_the_pin_and_prints_the_stored_token(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _with_pin()
    monkeypatch.setattr("sys.stdin", io.StringIO(PIN + "\n"))
    assert main(["mcp", "--show-token", "--env", "demo"]) == exit_codes.PAID
    printed = capsys.readouterr().out.strip()
    stored = KeyringSecretStore().get("demo", MCP_TOKEN)
    assert stored is not None and printed == stored.reveal()
    # Asking again shows the same token.
    monkeypatch.setattr("sys.stdin", io.StringIO(PIN + "\n"))
    assert main(["mcp", "--show-token", "--env", "demo"]) == exit_codes.PAID
    assert capsys.readouterr().out.strip() == printed


def test_show_token_with_a_wrong_pin_shows_nothing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _with_pin()
    monkeypatch.setattr("sys.stdin", io.StringIO("0000\n"))
    assert main(["mcp", "--show-token", "--env", "demo"]) == exit_codes.REFUSED
    out = capsys.readouterr()
    assert out.out == ""
    assert "Wrong manager PIN" in out.err
    assert KeyringSecretStore().get("demo", MCP_TOKEN) is None


@pytest.mark.secret_service
def test_the_token_round_trips_through_a_real_secret_service() -> None:
    store = KeyringSecretStore(service=f"pos_app_test_{time.time_ns()}", timeout=10)
    try:
        token = http_token(store, "demo")
        assert http_token(store, "demo") == token
        assert store.get("demo", MCP_TOKEN) == token
    finally:
        store.delete("demo", MCP_TOKEN)
    assert store.get("demo", MCP_TOKEN) is None
