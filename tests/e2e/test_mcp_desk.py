"""End to end, two doors on one till: `pos-app mcp` (a subprocess over stdio, driven by the
SDK's stdio client on its own thread) and the desk (offscreen, this process), both on the
same data folder and against `pos-app gateway-sim` on loopback. The sale an agent starts
is seen by the desk among its open payments, is paid, and is in the manager's day end.

The MCP server owns the sale (its lease in the journal): the desk counts it among the open
payments but does not follow it a second time.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from desk_drive import close_desk, open_desk
from mcp import Client, StdioServerParameters
from proc_kit import running_simulator
from pytestqt.qtbot import QtBot

from pos_app.app import open_runtime
from pos_app.domain.sale import SaleStatus
from pos_app.services.reporting.day_end import build_day_report
from pos_app.services.reporting.queries import ReportReader
from pos_app.services.reporting.reports import day_bounds, local_zone

REPO = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]


@pytest.fixture
def simulator_url() -> Iterator[str]:
    with running_simulator() as url:
        yield url


class McpOnAThread:
    """The SDK's stdio client on its own asyncio loop and thread (the desk owns this one)."""

    def __init__(self, server: StdioServerParameters) -> None:
        self.server = server
        self.loop: asyncio.AbstractEventLoop | None = None
        self.client: Client | None = None
        self.ready = threading.Event()
        self.failed: BaseException | None = None
        self._stop: asyncio.Event | None = None
        self.thread = threading.Thread(target=self._run, name="mcp-client", daemon=True)

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # shown by the test that waits for it
            self.failed = exc
            self.ready.set()

    async def _main(self) -> None:
        self.loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        async with Client(self.server, read_timeout_seconds=90) as client:
            self.client = client
            self.ready.set()
            await self._stop.wait()

    def __enter__(self) -> McpOnAThread:
        self.thread.start()
        assert self.ready.wait(60), "the MCP server did not start"
        assert self.failed is None, self.failed
        return self

    def __exit__(self, *exc: object) -> None:
        if self.loop is not None and self._stop is not None:
            self.loop.call_soon_threadsafe(self._stop.set)
        self.thread.join(30)

    def call(self, tool: str, arguments: dict[str, Any]) -> concurrent.futures.Future[Any]:
        assert self.client is not None and self.loop is not None
        return asyncio.run_coroutine_threadsafe(self.client.call_tool(tool, arguments), self.loop)


def _data(future: concurrent.futures.Future[Any]) -> dict[str, Any]:
    result = future.result(timeout=0)
    assert not result.is_error, result.content
    return dict(result.structured_content)


def test_an_mcp_sale_is_in_the_desks_open_payments_and_the_day_end(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    simulator_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    base = f"{simulator_url}/pg"
    monkeypatch.setenv("POS_CASHFREE_BASE_URL", base)
    server = StdioServerParameters(
        command=sys.executable,
        args=["-m", "pos_app", "mcp", "--env", "demo"],
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    with McpOnAThread(server) as mcp:
        started_call = mcp.call("initiate_cashfree_payment", {"amount": "275", "bill_number": "T4"})
        qtbot.waitUntil(started_call.done, timeout=30_000)
        started = _data(started_call)
        order_id = started["order_id"]

        desk = open_desk(qtbot, open_runtime("demo"))
        window = desk.window
        try:
            assert desk.controller.resume_open_sales() == 0  # the MCP server follows it
            lease = desk.runtime.journal.live_lease(order_id)
            assert lease is not None and lease.owner != desk.runtime.deps.owner.token
            qtbot.waitUntil(
                lambda: window.header.open_count.text() == "1 open payment", timeout=5000
            )
            paid = httpx.post(
                f"{simulator_url}/_sim/links/{order_id}/customer", json={"action": "pay"}
            )
            assert paid.status_code == 200, paid.text
            confirm = mcp.call(
                "confirm_cashfree_payment", {"order_id": order_id, "wait_seconds": 45}
            )
            qtbot.waitUntil(confirm.done, timeout=60_000)
            confirmed = _data(confirm)
            assert confirmed["payment_status"] == "SUCCESS"
            qtbot.waitUntil(
                lambda: window.header.open_count.text() == "No open payments", timeout=20_000
            )
            sale = desk.runtime.journal.get_sale(order_id)
            assert sale is not None and sale.status is SaleStatus.PAID
            assert sale.bank_reference == confirmed["utr"]

            zone = local_zone()
            start, end = day_bounds(sale.created_at.astimezone(zone).date(), zone=zone)
            with ReportReader.beside(desk.runtime.journal) as reader:
                report = build_day_report(reader, start, end, zone=zone)
            assert report.collected.count == 1
            assert report.collected.amount.paise == 27500
        finally:
            close_desk(qtbot, desk)
