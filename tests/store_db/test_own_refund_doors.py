"""Every door that refunds this till's own sales reserves the refund in the store database
(app.refund_maker): the manager console's refunds (from the desk's DeskServices) and the
MCP server's approved refund requests, racing a refund of the same sale made at another
till at the same moment: one wins, never above what the sale took."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import psycopg
import pytest
from mcp import Client
from mcp_kit import data

from pos_app import app
from pos_app.cli import main
from pos_app.domain.clock import utc_now
from pos_app.domain.money import Money
from pos_app.domain.sale import Method, SaleStatus
from pos_app.mcp.server import build_server
from pos_app.secrets import KeyringSecretStore
from pos_app.services.checkout.state import ChargeRequest
from pos_app.services.refunds.at_other_till import OtherTillRefunds
from pos_app.services.refunds.service import RefundOutcome, RefundRefused
from pos_app.services.refunds.store_checked import StoreCheckedRefunds
from pos_app.services.store_sync.sync import StoreSync
from pos_app.store.journal import Journal
from pos_app.store_db.connect import connect
from pos_app.store_db.push import TillKey
from pos_app.store_db.refunds import StoreRefundRefused

pytestmark = pytest.mark.asyncio

HERE = TillKey("store", "T1", "demo")  # this till, as Settings() names it
THERE = TillKey("store", "T2", "demo")


def _rows(url: str, sql: str, *args: object) -> list[tuple[object, ...]]:
    with psycopg.connect(url) as conn:
        return list(conn.execute(sql, args).fetchall())  # type: ignore[arg-type]


async def _paid_and_synced(runtime: app.Runtime, url: str, rupees: int) -> str:
    """A sale paid at this till (the demo's Cashfree), pushed to the store database."""
    sim = runtime.simulator
    assert sim is not None
    order_id = ""
    last = None
    async with asyncio.timeout(20):
        async for state in runtime.checkout.start(
            ChargeRequest(amount=Money.rupees(rupees), method=Method.UPI_QR, confirm_duplicate=True)
        ):
            last = state
            if state.status is SaleStatus.AWAITING_PAYMENT and state.has_qr and not order_id:
                order_id = state.order_id
                sim.customer_pays(order_id)
                runtime.checkout.check_now(order_id)
    assert last is not None and last.status is SaleStatus.PAID
    sync = StoreSync(runtime.journal, HERE, lambda: connect(url), clock=utc_now)
    try:
        await sync.sync_once()
    finally:
        await sync.aclose()
    return order_id


def _other_till(runtime: app.Runtime, url: str, folder: Path) -> OtherTillRefunds:
    """Till T2 of the same store (same Cashfree account), with its own journal."""
    folder.mkdir(parents=True, exist_ok=True)
    journal = Journal.open(folder / "journal-demo.sqlite3")
    return OtherTillRefunds(runtime.gateway, journal, lambda: connect(url), THERE, clock=utc_now)


async def _race_then_check(
    runtime: app.Runtime,
    url: str,
    order_id: str,
    own: asyncio.Future[object] | asyncio.Task[object],
    other: OtherTillRefunds,
) -> None:
    """`own` (300 of 400) races T2's refund of 300: exactly one goes to Cashfree."""
    theirs = asyncio.ensure_future(other.refund(order_id, Money.rupees(300), "SUCCESS"))
    results = await asyncio.gather(own, theirs, return_exceptions=True)
    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(refused) == 1, results
    [loser] = refused
    if isinstance(loser, RefundRefused):  # this till lost: the store said no, nothing sent
        assert "store database refused" in loser.message
        [record] = runtime.journal.refunds_for(order_id)
        assert record.status == "CANCELLED"
    else:
        assert isinstance(loser, StoreRefundRefused)
    at_cashfree = await runtime.gateway.list_refunds(order_id)
    assert [r.amount for r in at_cashfree] == [Money.rupees(300)]  # never above paid
    kept = _rows(
        url,
        "SELECT coalesce(sum(amount_paise), 0) FROM refund_requests "
        "WHERE order_id = %s AND status <> 'CANCELLED'",
        order_id,
    )
    assert kept == [(30_000,)]


async def _store_refuses_after_other_till(
    runtime: app.Runtime,
    url: str,
    refund: Callable[[str, Money], Awaitable[object]],
    other: OtherTillRefunds,
) -> None:
    """T2 took 300 of 400 first; this till's journal alone would allow 200 more, the store
    database refuses it before Cashfree is asked."""
    order_id = await _paid_and_synced(runtime, url, 400)
    assert (await other.refund(order_id, Money.rupees(300), "SUCCESS")).status == "SUCCESS"
    with pytest.raises(RefundRefused, match=r"store database refused.*more than is left"):
        await refund(order_id, Money.rupees(200))
    assert [r.amount for r in await runtime.gateway.list_refunds(order_id)] == [Money.rupees(300)]


async def test_the_consoles_refunds_are_reserved_in_the_store_database(
    store_url: str, tmp_path: Path
) -> None:
    assert main(["config", "set", "store_database_url", store_url]) == 0
    runtime = app.open_runtime("demo")
    other = _other_till(runtime, store_url, tmp_path / "till-T2")
    try:
        desk = app.runtime_desk_services(runtime, KeyringSecretStore(timeout=3))
        console = desk.manager.refunds()
        assert isinstance(console, StoreCheckedRefunds)

        order_id = await _paid_and_synced(runtime, store_url, 400)
        own = asyncio.ensure_future(console.refund(order_id, Money.rupees(300), "SUCCESS"))
        await _race_then_check(runtime, store_url, order_id, own, other)

        async def refund(order: str, amount: Money) -> RefundOutcome:
            return await desk.manager.refunds().refund(order, amount, "SUCCESS")

        await _store_refuses_after_other_till(runtime, store_url, refund, other)
    finally:
        other.journal.close()
        await runtime.aclose()


async def test_an_approved_mcp_refund_request_is_reserved_in_the_store_database(
    store_url: str, tmp_path: Path
) -> None:
    assert main(["config", "set", "store_database_url", store_url]) == 0
    runtime = app.open_runtime("demo")
    other = _other_till(runtime, store_url, tmp_path / "till-T2")
    try:
        services = app.make_mcp_services(runtime)
        assert isinstance(services.refunds, StoreCheckedRefunds)
        requests = services.refund_requests

        async def ask(order_id: str, amount: Money) -> str:
            async with Client(build_server(services)) as client:
                data(
                    await client.call_tool(
                        "request_refund",
                        {"order_id": order_id, "amount": amount.paise // 100, "reason": "SUCCESS"},
                    )
                )
            [request] = requests.pending()
            return request.request_id

        order_id = await _paid_and_synced(runtime, store_url, 400)
        request_id = await ask(order_id, Money.rupees(300))
        approval = asyncio.ensure_future(requests.approve(request_id, follow_seconds=0))
        await _race_then_check(runtime, store_url, order_id, approval, other)
        decided = requests.get(request_id)
        assert decided is not None
        # Approved when it won; still pending (nothing moved) when the other till won.
        won = any(r.refund_id == decided.refund_id for r in runtime.journal.refunds_for(order_id))
        assert decided.status == ("APPROVED" if won else "PENDING_APPROVAL")
        if not won:
            requests.reject(request_id, "the other till refunded it")

        async def refund(order: str, amount: Money) -> object:
            return await requests.approve(await ask(order, amount), follow_seconds=0)

        await _store_refuses_after_other_till(runtime, store_url, refund, other)
    finally:
        other.journal.close()
        await runtime.aclose()
