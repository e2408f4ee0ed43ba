"""A refund this till made for another till's sale, still PENDING at the bank, is brought to
its end by "Refresh the day" (the manager's button) and by `pos-app store sync`."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from store_db.push_kit import PushTill, make_push_till

from pos_app import app
from pos_app.cli import main
from pos_app.config import Settings, journal_path, paths
from pos_app.domain.clock import utc_now
from pos_app.domain.money import Money
from pos_app.domain.sale import SaleStatus
from pos_app.services.refunds.at_other_till import OtherTillRefunds
from pos_app.services.reporting.day_refresh import refresh_day
from pos_app.services.reporting.queries import ReportReader
from pos_app.services.store_sync.sync import StoreSync
from pos_app.simulator import Simulator
from pos_app.simulator.refunds import REFUND_SETTLE
from pos_app.store import other_till_refunds
from pos_app.store.journal import Journal
from pos_app.store_db.connect import connect
from pos_app.store_db.push import TillKey


def _rows(url: str, sql: str, *args: object) -> list[tuple[object, ...]]:
    with psycopg.connect(url) as conn:
        return list(conn.execute(sql, args).fetchall())  # type: ignore[arg-type]


async def _paid_at(till: PushTill, sim: Simulator, key: TillKey, url: str, rupees: int) -> str:
    """A sale paid at `till`, pushed to the store database."""
    order_id, sale = await till.sale_until_awaiting(rupees)
    sim.customer_pays(order_id)
    till.checkout.check_now(order_id)
    assert (await asyncio.wait_for(sale, 10)).status is SaleStatus.PAID
    sync = StoreSync(till.journal, key, lambda: connect(url), clock=utc_now)
    try:
        await sync.sync_once()
    finally:
        await sync.aclose()
    return order_id


@pytest.mark.asyncio
async def test_refresh_the_day_brings_a_pending_refund_for_another_till_to_success(
    store_url: str, tmp_path: Path
) -> None:
    shift = [timedelta(0)]

    def clock() -> datetime:
        return datetime.now(UTC) + shift[0]

    sim = Simulator(clock=clock)
    t1 = make_push_till(tmp_path, sim, None, till_id="T1")
    t2 = make_push_till(tmp_path, sim, None, till_id="T2")
    here = TillKey("shop", "T2", "demo")
    try:
        order_id = await _paid_at(t1, sim, TillKey("shop", "T1", "demo"), store_url, 500)
        made = await OtherTillRefunds(
            t2.deps.background, t2.journal, lambda: connect(store_url), here, clock=clock
        ).refund(order_id, Money.rupees(200), "Damaged item")
        assert made.status == "PENDING"

        # The manager's console at T2 gets its refunds from the one factory.
        settings = dataclasses.replace(
            Settings(), store_database_url=store_url, store_id="shop", terminal_id="T2"
        )
        refunds = app.refund_maker(settings, "demo")(
            t2.deps.background, t2.journal, clock=clock, sleep=t2.deps.sleep, follow_for=0.0
        )
        reader = ReportReader.beside(t2.journal)
        start, end = clock() - timedelta(days=1), clock() + timedelta(days=1)

        early = await refresh_day(t2.deps, reader, refunds, start, end)
        assert early.other_till_refunds_changed == ()  # still at the bank

        shift[0] = REFUND_SETTLE + timedelta(seconds=1)  # the bank finishes it
        refreshed = await refresh_day(t2.deps, reader, refunds, start, end)
        assert [(r.refund_id, r.status) for r in refreshed.other_till_refunds_changed] == [
            (made.refund_id, "SUCCESS")
        ]
        [record] = other_till_refunds.other_till_refunds_for(t2.journal, order_id)
        assert record.status == "SUCCESS" and record.arn
        assert _rows(
            store_url, "SELECT status FROM refund_requests WHERE refund_id = %s", made.refund_id
        ) == [("SUCCESS",)]
    finally:
        for till in (t1, t2):
            await till.close()


def test_store_sync_follows_a_pending_refund_for_another_till(
    store_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["config", "set", "store_database_url", store_url]) == 0
    assert main(["config", "set", "terminal_id", "T2"]) == 0
    here = TillKey("store", "T2", "demo")

    async def a_pending_refund_made_here() -> tuple[str, str]:
        runtime = app.open_runtime("demo")  # this till, T2, on the demo's Cashfree
        sim = runtime.simulator
        assert sim is not None
        t1 = make_push_till(tmp_path, sim, None, till_id="T1")  # another till, same account
        try:
            order_id = await _paid_at(t1, sim, TillKey("store", "T1", "demo"), store_url, 500)
            made = await OtherTillRefunds(
                runtime.gateway, runtime.journal, lambda: connect(store_url), here, clock=utc_now
            ).refund(order_id, Money.rupees(200), "Damaged item")
            assert made.status == "PENDING"
            return order_id, made.refund_id
        finally:
            await t1.close()
            await runtime.aclose()  # the demo's Cashfree keeps its ledger in the data folder

    order_id, refund_id = asyncio.run(a_pending_refund_made_here())
    capsys.readouterr()

    assert main(["store", "sync", "--demo"]) == 0
    early = capsys.readouterr().out
    assert "1 refunds made here for other tills' sales are still on their way." in early

    time.sleep(REFUND_SETTLE.total_seconds() + 0.5)  # the bank finishes it
    assert main(["store", "sync", "--demo"]) == 0
    out = capsys.readouterr().out
    assert f"Refund {refund_id} of ₹200.00 for sale {order_id}" in out
    assert "(taken at another till): SUCCESS." in out
    assert "still on their way" not in out
    journal = Journal.open(journal_path(paths(), "demo"))
    try:
        [record] = other_till_refunds.other_till_refunds_for(journal, order_id)
    finally:
        journal.close()
    assert record.status == "SUCCESS"
    assert _rows(
        store_url, "SELECT status FROM refund_requests WHERE refund_id = %s", refund_id
    ) == [("SUCCESS",)]
    # ... and the journaled answer was pushed at once: the store's refund row says so too.
    assert _rows(store_url, "SELECT status FROM refunds WHERE refund_id = %s", refund_id) == [
        ("SUCCESS",)
    ]
