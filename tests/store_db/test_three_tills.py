"""Three tills (three data folders) on one store database, against the simulated Cashfree:
sales on each, one till offline then catching up, a till killed (-9) mid-sync, two tills
refunding one sale at once, and the store's day end equal to the sum of the tills'."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from store_db.kit import Clock, open_till
from store_db.push_kit import PushTill, make_push_till

from pos_app.domain.money import Money
from pos_app.domain.sale import SaleStatus
from pos_app.services.store_sync.sync import StoreSync
from pos_app.simulator import Simulator
from pos_app.store import outbox
from pos_app.store.queries import Tally
from pos_app.store_db.connect import StoreDbError, connect
from pos_app.store_db.push import TillKey
from pos_app.store_db.refunds import StoreRefundRefused, reserve_refund
from pos_app.store_db.reports import StoreScope, store_day_totals

REPO = Path(__file__).resolve().parents[2]


def _count(url: str, sql: str, *args: object) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(sql, args).fetchone()  # type: ignore[arg-type]
        assert row is not None
        return int(row[0])


def _syncer(till: PushTill, till_id: str, url: str) -> StoreSync:
    return StoreSync(
        till.journal,
        TillKey("shop", till_id, "demo"),
        lambda: connect(url),
        clock=lambda: datetime.now(UTC),
        batch_size=50,
    )


async def _paid_sale(till: PushTill, sim: Simulator, rupees: int) -> str:
    order_id, sale = await till.sale_until_awaiting(rupees)
    sim.customer_pays(order_id)
    till.checkout.check_now(order_id)
    final = await asyncio.wait_for(sale, 10)
    assert final.status is SaleStatus.PAID
    return order_id


@pytest.mark.asyncio
async def test_three_tills_offline_catch_up_refund_race_and_day_end(
    store_url: str, tmp_path: Path
) -> None:
    sim = Simulator()
    tills = {t: make_push_till(tmp_path, sim, None, till_id=t) for t in ("T1", "T2", "T3")}
    syncers = {t: _syncer(till, t, store_url) for t, till in tills.items()}
    offline = _syncer(tills["T3"], "T3", "postgresql://postgres@127.0.0.1:1/nowhere")
    try:
        orders: dict[str, list[str]] = {t: [] for t in tills}
        for round_ in range(3):
            for t, till in tills.items():
                orders[t].append(await _paid_sale(till, sim, 100 + 10 * round_))
            for t in ("T1", "T2"):
                await syncers[t].sync_once()
            with pytest.raises(StoreDbError):  # T3's network is down: it keeps selling
                await offline.sync_once()
        assert _count(store_url, "SELECT count(*) FROM sales WHERE till_id = 'T3'") == 0
        waiting = outbox.waiting_count(tills["T3"].journal)
        assert waiting > 0

        report = await syncers["T3"].sync_once()  # back online: catches up
        assert report.pushed == report.inserted == waiting and report.waiting == 0
        for t, till in tills.items():
            journal_events = sum(len(till.journal.events(o)) for o in orders[t])
            assert (
                _count(store_url, "SELECT count(*) FROM events WHERE till_id = %s", t)
                == _count(
                    store_url, "SELECT count(DISTINCT event_uid) FROM events WHERE till_id = %s", t
                )
                == journal_events
            ), "no duplicate, no loss"
            assert (
                _count(
                    store_url,
                    "SELECT count(*) FROM sales WHERE till_id = %s AND status = 'PAID'",
                    t,
                )
                == 3
            )

        # Two tills refund T1's first sale (₹100) at the same moment: one wins.
        target = orders["T1"][0]

        async def refund_at(till_id: str) -> bool:
            conn = await connect(store_url)
            try:
                await reserve_refund(
                    conn,
                    store_id="shop",
                    environment="demo",
                    till_id=till_id,
                    order_id=target,
                    amount=Money.rupees(80),
                )
                return True
            except StoreRefundRefused:
                return False
            finally:
                await conn.close()

        wins = await asyncio.gather(refund_at("T2"), refund_at("T3"))
        assert sorted(wins) == [False, True]

        # The store's day end is the sum of each till's own.
        now = datetime.now(UTC)
        start, end = now - timedelta(days=1), now + timedelta(days=1)
        conn = await connect(store_url)
        try:
            store = await store_day_totals(conn, StoreScope("shop", "demo"), start, end)
        finally:
            await conn.close()
        per_till = [till.journal.day_totals(start, end) for till in tills.values()]
        assert store.paid.count == sum(d.paid.count for d in per_till) == 9
        assert store.paid.amount == sum((d.paid.amount for d in per_till), Money(0))
        assert store.net == sum((d.net for d in per_till), Money(0))
    finally:
        for s in (*syncers.values(), offline):
            await s.aclose()
        for till in tills.values():
            await till.close()


def _pending_events(path: Path) -> int:
    from pos_app.store.journal import Journal

    with Journal.open(path) as journal:
        return outbox.waiting_count(journal)


def test_kill_9_mid_sync_loses_nothing_and_duplicates_nothing(
    store_url: str, tmp_path: Path
) -> None:
    root = tmp_path / "till-T9"
    data = root / "data"
    data.mkdir(parents=True)
    till = open_till(tmp_path / "seed", "T9", store_url, Clock())
    for _ in range(1_000):
        till.sell(1_000)  # 3 events each
    till.journal.close()
    journal_file = data / "journal-demo.sqlite3"
    (tmp_path / "seed" / "till-T9" / "journal-demo.sqlite3").rename(journal_file)
    config = root / "config"
    config.mkdir()
    (config / "settings.json").write_text(
        json.dumps({"terminal_id": "T9", "store_id": "shop", "store_database_url": store_url})
    )
    env = {**os.environ, "POS_DATA_DIR": str(root)}
    env["PYTHONPATH"] = str(REPO)
    command = [sys.executable, "-m", "pos_app", "store", "sync", "--demo"]
    total = 3_000

    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"store sync ended by itself: {proc.communicate()}")
        stored = _count(store_url, "SELECT count(*) FROM events")
        if stored >= 300:
            break
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    stored = _count(store_url, "SELECT count(*) FROM events")
    assert 0 < stored < total, f"killed mid-sync ({stored} of {total} stored)"

    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert _count(store_url, "SELECT count(*) FROM events") == total
    assert _count(store_url, "SELECT count(DISTINCT event_uid) FROM events") == total
    assert _count(store_url, "SELECT max(position) FROM events") == total
    assert _count(store_url, "SELECT count(*) FROM sales") == 1_000
    assert _pending_events(journal_file) == 0


@pytest.mark.asyncio
async def test_a_refund_at_another_till_goes_through_the_store_database(
    store_url: str, tmp_path: Path
) -> None:
    from pos_app.services.refunds.at_other_till import refund_from_another_till

    shift = [timedelta(0)]
    sim = Simulator(clock=lambda: datetime.now(UTC) + shift[0])
    t1 = make_push_till(tmp_path, sim, None, till_id="T1")
    t2 = make_push_till(tmp_path, sim, None, till_id="T2")
    sync1, sync2 = _syncer(t1, "T1", store_url), _syncer(t2, "T2", store_url)
    try:
        order_id = await _paid_sale(t1, sim, 300)
        await sync1.sync_once()
        await sync2.sync_once()  # T2 joins the store (no sales of its own)
        assert t2.journal.get_sale(order_id) is None

        key = TillKey("shop", "T2", "demo")
        outcome = await refund_from_another_till(
            t2.deps.gateway, lambda: connect(store_url), key, order_id, Money.rupees(120),
            "SUCCESS", journal=t2.journal, clock=lambda: datetime.now(UTC),  # "settle now"
        )  # fmt: skip
        assert outcome.status == "SUCCESS" and outcome.left_after == Money.rupees(180)
        at_cashfree = await t2.deps.gateway.get_refund(order_id, outcome.refund_id)  # type: ignore[attr-defined]
        assert at_cashfree.amount == Money.rupees(120)
        with pytest.raises(StoreRefundRefused, match="more than is left"):
            await refund_from_another_till(
                t2.deps.gateway, lambda: connect(store_url), key, order_id, Money.rupees(181),
                None, journal=t2.journal, clock=lambda: datetime.now(UTC),
            )  # fmt: skip
        refused = await refund_from_another_till(
            t2.deps.gateway, lambda: connect(store_url), key, order_id, Money.rupees(50),
            "FAILED", journal=t2.journal, clock=lambda: datetime.now(UTC),  # "fail"
        )  # fmt: skip
        assert refused.status == "FAILED" and refused.left_after == Money.rupees(180)
        rest = await refund_from_another_till(
            t2.deps.gateway, lambda: connect(store_url), key, order_id, None, None,
            journal=t2.journal, clock=lambda: datetime.now(UTC),
        )  # fmt: skip
        assert rest.amount == Money.rupees(180) and rest.left_after == Money(0)
        assert rest.status == "PENDING"  # at the bank for a while: still counted

        shift[0] = timedelta(seconds=30)  # the bank finishes it; the next refund learns so
        with pytest.raises(StoreRefundRefused, match="more than is left"):
            await refund_from_another_till(
                t2.deps.gateway, lambda: connect(store_url), key, order_id, Money(1), None,
                journal=t2.journal, clock=lambda: datetime.now(UTC),
            )  # fmt: skip

        now = datetime.now(UTC)
        conn = await connect(store_url)
        try:
            day = await store_day_totals(
                conn, StoreScope("shop", "demo"), now - timedelta(days=1), now + timedelta(days=1)
            )
        finally:
            await conn.close()
        assert day.refunded == Tally(2, Money.rupees(300))
        assert day.pending_refunds.amount == Money(0)
        assert day.net == Money(0)
    finally:
        for s in (sync1, sync2):
            await s.aclose()
        for till in (t1, t2):
            await till.close()
