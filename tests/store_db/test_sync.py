"""The outbox pusher: tills push their journals to the store database, in order, once."""

from __future__ import annotations

import asyncio
from pathlib import Path

import psycopg
import pytest
from store_db.kit import open_till

from pos_app.services.store_sync.sync import StoreSync
from pos_app.store import outbox
from pos_app.store_db.connect import StoreDbError, connect


def _count(url: str, sql: str, *args: object) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(sql, args).fetchone()  # type: ignore[arg-type]
        assert row is not None
        return int(row[0])


@pytest.mark.asyncio
async def test_three_tills_push_their_sales_and_events(store_url: str, tmp_path: Path) -> None:
    tills = [open_till(tmp_path, t, store_url) for t in ("T1", "T2", "T3")]
    for n, till in enumerate(tills, start=1):
        for k in range(n * 3):
            till.sell(10_000 + k)
    for n, till in enumerate(tills, start=1):
        report = await till.syncer().sync_once()
        assert report.waiting == 0
        assert report.pushed == report.inserted == 3 * n * 3  # created, opened, paid
    for n, till in enumerate(tills, start=1):
        assert (
            _count(store_url, "SELECT count(*) FROM sales WHERE till_id = %s", till.till_id)
            == n * 3
        )
        assert (
            _count(store_url, "SELECT count(*) FROM events WHERE till_id = %s", till.till_id)
            == 3 * n * 3
        )
        assert (
            _count(
                store_url,
                "SELECT count(*) FROM sales WHERE till_id = %s AND status = 'PAID'",
                till.till_id,
            )
            == n * 3
        )
    assert _count(store_url, "SELECT waiting FROM till_outboxes WHERE till_id = 'T3'") == 0


@pytest.mark.asyncio
async def test_pushing_again_stores_nothing_twice(store_url: str, tmp_path: Path) -> None:
    till = open_till(tmp_path, "T1", store_url)
    for _ in range(5):
        till.sell(5_000)
    sync = till.syncer(batch_size=3)
    first = await sync.sync_once()
    assert (first.pushed, first.inserted, first.batches) == (15, 15, 5)
    # The cursor is lost (a restored backup, a crash before it moved): everything again.
    with till.journal._writing() as raw:
        raw.execute("UPDATE outbox_cursor SET pushed_through = 0")
    again = await sync.sync_once()
    assert (again.pushed, again.inserted) == (15, 0)
    assert _count(store_url, "SELECT count(*) FROM events") == 15
    await sync.aclose()


@pytest.mark.asyncio
async def test_events_arrive_in_journal_order(store_url: str, tmp_path: Path) -> None:
    till = open_till(tmp_path, "T1", store_url)
    sales = [till.sell(1_000 + n) for n in range(4)]
    till.refund(sales[0], 500)
    await till.syncer(batch_size=2).sync_once()
    with psycopg.connect(store_url) as conn:
        rows = conn.execute("SELECT position, received_at FROM events ORDER BY position").fetchall()
    positions = [r[0] for r in rows]
    assert positions == sorted(positions) == list(range(1, len(positions) + 1))
    received = [r[1] for r in rows]
    assert received == sorted(received), "a later event never lands before an earlier one"
    assert _count(store_url, "SELECT count(*) FROM refunds WHERE status = 'SUCCESS'") == 1


@pytest.mark.asyncio
async def test_an_offline_till_keeps_selling_then_catches_up(
    store_url: str, tmp_path: Path
) -> None:
    till = open_till(tmp_path, "T2", store_url)
    offline = till.syncer(url="postgresql://postgres@127.0.0.1:1/nowhere")
    till.sell(2_000)
    with pytest.raises(StoreDbError):
        await offline.sync_once()
    for _ in range(20):
        till.sell(3_000)
    with pytest.raises(StoreDbError):
        await offline.sync_once()
    status = outbox.outbox_status(till.journal)
    assert status.failures == 2 and status.waiting == 63
    assert "did not answer" in (status.last_error or "")

    back = till.syncer()
    report = await back.sync_once()
    assert (report.pushed, report.inserted, report.waiting) == (63, 63, 0)
    assert _count(store_url, "SELECT count(*) FROM sales WHERE till_id = 'T2'") == 21
    assert _count(store_url, "SELECT count(DISTINCT event_uid) FROM events") == 63
    assert outbox.outbox_status(till.journal).failures == 0
    await back.aclose()


@pytest.mark.asyncio
async def test_run_backs_off_while_unreachable_and_recovers(store_url: str, tmp_path: Path) -> None:
    till = open_till(tmp_path, "T1", store_url)
    till.sell(1_000)
    attempts: list[str] = []
    reachable = asyncio.Event()

    async def flaky() -> psycopg.AsyncConnection[tuple[object, ...]]:
        attempts.append("try")
        if not reachable.is_set():
            return await connect("postgresql://postgres@127.0.0.1:1/nowhere")
        return await connect(store_url)

    seen: list[int] = []
    sync = StoreSync(till.journal, till.key, flaky, clock=till.clock, backoff=(0.05, 0.1))
    sync.on_waiting(seen.append)
    task = asyncio.create_task(sync.run(interval=0.05))
    try:
        await asyncio.sleep(0.5)
        assert 2 <= len(attempts) <= 8, attempts  # backing off, not spinning
        assert seen and seen[-1] == 3
        reachable.set()
        for _ in range(100):
            if seen[-1] == 0:
                break
            await asyncio.sleep(0.05)
        assert seen[-1] == 0
        till.sell(1_000)
        sync.nudge()
        for _ in range(100):
            if _count(store_url, "SELECT count(*) FROM events") == 6:
                break
            await asyncio.sleep(0.05)
        assert _count(store_url, "SELECT count(*) FROM events") == 6
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


@pytest.mark.asyncio
async def test_two_processes_of_one_till_never_sync_at_once(store_url: str, tmp_path: Path) -> None:
    till = open_till(tmp_path, "T1", store_url)
    for _ in range(200):
        till.sell(1_000, paid=False)
    from pos_app.store.journal import Journal

    other_journal = Journal.open(till.journal.path, clock=till.clock)
    try:
        other = StoreSync(
            other_journal, till.key, lambda: connect(store_url), clock=till.clock, batch_size=7
        )
        first = till.syncer(batch_size=7)
        a, b = await asyncio.gather(first.sync_once(), other.sync_once())
        assert a.pushed + b.pushed >= 400
        assert a.skipped or b.skipped or a.pushed + b.pushed == 400
        assert _count(store_url, "SELECT count(*) FROM events") == 400
        await first.aclose()
        await other.aclose()
    finally:
        other_journal.close()
