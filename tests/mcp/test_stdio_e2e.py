"""End to end: `pos-app mcp` as a subprocess over stdio, driven by the SDK's stdio client,
against `pos-app gateway-sim` on loopback. The sales it makes are the till's: the manager's
day end, read from the same data folder afterwards, counts them."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from mcp import Client, StdioServerParameters
from mcp_kit import data
from proc_kit import running_simulator

from pos_app.services.reporting.day_end import build_day_report
from pos_app.services.reporting.queries import ReportReader
from pos_app.services.reporting.reports import day_bounds, local_zone
from pos_app.simulator import SIM_CLIENT_SECRET
from pos_app.store import mcp_records
from pos_app.store.journal import Journal

REPO = Path(__file__).resolve().parents[2]
PHONE = "9812345670"

pytestmark = [pytest.mark.slow, pytest.mark.asyncio, pytest.mark.timeout(240)]


@pytest.fixture
def simulator_url() -> Iterator[str]:
    with running_simulator() as url:
        yield url


async def test_mcp_over_stdio_takes_payments_that_the_day_end_counts(
    simulator_url: str, tmp_path: Path
) -> None:
    data_dir = tmp_path / "till"
    server = StdioServerParameters(
        command=sys.executable,
        args=["-m", "pos_app", "mcp", "--env", "demo"],
        env={
            **os.environ,
            "PYTHONPATH": str(REPO),
            "POS_DATA_DIR": str(data_dir),
            "POS_CASHFREE_BASE_URL": f"{simulator_url}/pg",
        },
    )
    control = httpx.AsyncClient(base_url=simulator_url, timeout=10)
    async with control, Client(server, read_timeout_seconds=90) as client:
        link = data(
            await client.call_tool(
                "initiate_cashfree_payment",
                {"amount": "349", "phone_number": PHONE, "email": "ravi@example.com"},
            )
        )
        assert link["environment"] == "DEMO"
        assert link["payment_link"].startswith(simulator_url)
        qr = data(
            await client.call_tool(
                "initiate_cashfree_payment", {"amount": 120.5, "payment_method": "upi-qr"}
            )
        )
        assert qr["upi_payload"].startswith("upi://")
        day = data(await client.call_tool("day_summary", {}))
        assert day["still_open"] == 2

        paid = await control.post(
            f"/_sim/links/{link['order_id']}/customer", json={"action": "pay"}
        )
        assert paid.status_code == 200, paid.text
        paid = await control.post(f"/_sim/orders/{qr['order_id']}/customer", json={"action": "pay"})
        assert paid.status_code == 200, paid.text

        for started in (link, qr):
            confirmed = data(
                await client.call_tool(
                    "confirm_cashfree_payment",
                    {"order_id": started["order_id"], "wait_seconds": 45},
                )
            )
            assert confirmed["payment_status"] == "SUCCESS", confirmed
            assert confirmed["utr"]
        listed = data(await client.call_tool("list_sales", {"status": "PAID"}))
        assert {s["order_id"] for s in listed["sales"]} == {link["order_id"], qr["order_id"]}

    # The server process has ended; the till's journal keeps everything.
    journal_file = data_dir / "data" / "journal-demo.sqlite3"
    with ReportReader.open(journal_file, read_only=True) as reader:
        sale = reader.get_sale(link["order_id"])
        assert sale is not None
        zone = local_zone()
        start, end = day_bounds(sale.created_at.astimezone(zone).date(), zone=zone)
        report = build_day_report(reader, start, end, zone=zone)
        assert report.collected.count == 2
        assert report.collected.amount.paise == 34900 + 12050
        assert report.pending.count == 0
    with Journal.open(journal_file) as journal:
        calls = mcp_records.tool_calls(journal)
        assert [c.tool for c in reversed(calls)][:3] == [
            "initiate_cashfree_payment",
            "initiate_cashfree_payment",
            "day_summary",
        ]
        assert all(c.outcome == "ok" for c in calls)
        assert "mcp_initiate_cashfree_payment" in [e.kind for e in journal.events(qr["order_id"])]
        assert PHONE not in str([(c.arguments, c.detail) for c in calls])
    # Neither the customer's number nor the (simulator's) client secret reaches the logs.
    logs = "".join(p.read_text("utf-8", "replace") for p in (data_dir / "logs").rglob("*"))
    assert "mcp" in logs
    for private in (PHONE, "ravi@example.com", SIM_CLIENT_SECRET):
        assert private not in logs


async def test_demo_without_a_simulator_server_serves_its_own_payment_pages(
    tmp_path: Path,
) -> None:
    """`pos-app mcp --demo` alone: the pretend Cashfree runs inside the server, and its
    payment page (the link the reply names) is served on loopback for the pretend customer."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "POS_DATA_DIR": str(tmp_path / "till")}
    env.pop("POS_CASHFREE_BASE_URL", None)
    server = StdioServerParameters(
        command=sys.executable, args=["-m", "pos_app", "mcp", "--demo"], env=env
    )
    async with Client(server, read_timeout_seconds=90) as client:
        link = data(await client.call_tool("initiate_cashfree_payment", {"amount": "88"}))
        page = link["payment_link"]
        assert page.startswith("http://127.0.0.1:")
        async with httpx.AsyncClient(timeout=10) as customer:
            shown = await customer.get(page)
            assert shown.status_code == 200 and "88.00" in shown.text
            paid = await customer.post(page, data={"action": "pay"})
            assert paid.status_code == 200, paid.text
        confirmed = data(
            await client.call_tool(
                "confirm_cashfree_payment", {"order_id": link["order_id"], "wait_seconds": 45}
            )
        )
        assert confirmed["payment_status"] == "SUCCESS"
