"""A refund of a sale taken at another till is journaled at the till that makes it, pushed
by its outbox, followed to its end at Cashfree, and counted once: in that till's day end,
in the store's, and against what the sale took."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from store_db.push_kit import PushTill, make_push_till

from pos_app.domain.money import Money
from pos_app.domain.sale import SaleStatus
from pos_app.services.refunds.at_other_till import OtherTillRefunds
from pos_app.services.store_sync.sync import StoreSync
from pos_app.simulator import Simulator
from pos_app.store import other_till_refunds
from pos_app.store.queries import Tally
from pos_app.store_db.connect import connect
from pos_app.store_db.push import TillKey
from pos_app.store_db.refunds import StoreRefundRefused, refundable_left
from pos_app.store_db.reports import StoreScope, store_day_totals


def _rows(url: str, sql: str, *args: object) -> list[tuple[object, ...]]:
    with psycopg.connect(url) as conn:
        return list(conn.execute(sql, args).fetchall())  # type: ignore[arg-type]


async def _paid_sale(till: PushTill, sim: Simulator, rupees: int) -> str:
    order_id, sale = await till.sale_until_awaiting(rupees)
    sim.customer_pays(order_id)
    till.checkout.check_now(order_id)
    final = await asyncio.wait_for(sale, 10)
    assert final.status is SaleStatus.PAID
    return order_id


def _syncer(till: PushTill, till_id: str, url: str, clock: object) -> StoreSync:
    return StoreSync(
        till.journal,
        TillKey("shop", till_id, "demo"),
        lambda: connect(url),
        clock=clock,  # type: ignore[arg-type]
    )


@pytest.mark.asyncio
async def test_refund_at_another_till_is_journaled_there_followed_and_counted_once(
    store_url: str, tmp_path: Path
) -> None:
    shift = [timedelta(0)]

    def clock() -> datetime:
        return datetime.now(UTC) + shift[0]

    sim = Simulator(clock=clock)
    t1 = make_push_till(tmp_path, sim, None, till_id="T1")
    t2 = make_push_till(tmp_path, sim, None, till_id="T2")
    sync1, sync2 = _syncer(t1, "T1", store_url, clock), _syncer(t2, "T2", store_url, clock)
    key = TillKey("shop", "T2", "demo")
    refunds = OtherTillRefunds(
        t2.deps.gateway, t2.journal, lambda: connect(store_url), key, clock=clock
    )
    try:
        order_id = await _paid_sale(t1, sim, 500)
        await sync1.sync_once()
        await sync2.sync_once()

        outcome = await refunds.refund(order_id, Money.rupees(200), "Damaged item")
        assert outcome.status == "PENDING" and outcome.left_after == Money.rupees(300)

        # Journaled at T2 (not in T1's journal, not a sale of T2), with the store's reservation.
        [mine] = other_till_refunds.other_till_refunds_for(t2.journal, order_id)
        assert (mine.refund_id, mine.status, mine.till_id) == (outcome.refund_id, "PENDING", "T2")
        assert t2.journal.get_sale(order_id) is None
        assert t1.journal.refunds_for(order_id) == []
        assert sync2.waiting() == 1  # the new refund waits in T2's outbox

        report = await sync2.sync_once()
        assert report.refunds == 1 and sync2.waiting() == 0
        assert _rows(
            store_url, "SELECT till_id, status, amount_paise FROM refunds WHERE order_id = %s",
            order_id,
        ) == [("T2", "PENDING", 20_000)]  # fmt: skip

        # Counted once against the sale (the reservation and the synced row are one refund).
        conn = await connect(store_url)
        try:
            assert await refundable_left(conn, "shop", "demo", order_id) == Money.rupees(300)
        finally:
            await conn.close()

        # The bank finishes it: T2's follower learns so, journals it, settles the reservation.
        shift[0] = timedelta(seconds=40)
        changed = await refunds.follow_open()
        assert [(r.refund_id, r.status) for r in changed] == [(outcome.refund_id, "SUCCESS")]
        assert _rows(
            store_url, "SELECT status FROM refund_requests WHERE refund_id = %s", outcome.refund_id
        ) == [("SUCCESS",)]
        assert (await refunds.follow_open()) == []  # nothing left on its way
        await sync2.sync_once()
        assert _rows(
            store_url, "SELECT status FROM refunds WHERE refund_id = %s", outcome.refund_id
        ) == [("SUCCESS",)]

        # The day: T2's own day end shows the refund once; the store's rows equal each till's.
        now = clock()
        start, end = now - timedelta(days=1), now + timedelta(days=1)
        t2_day = t2.journal.day_totals(start, end)
        t1_day = t1.journal.day_totals(start, end)
        assert t2_day.refunded == Tally(1, Money.rupees(200))
        assert t1_day.refunded == Tally()
        conn = await connect(store_url)
        try:
            store = await store_day_totals(conn, StoreScope("shop", "demo"), start, end)
            at_t2 = await store_day_totals(conn, StoreScope("shop", "demo", "T2"), start, end)
            at_t1 = await store_day_totals(conn, StoreScope("shop", "demo", "T1"), start, end)
        finally:
            await conn.close()
        assert at_t2.refunded == t2_day.refunded and at_t1.refunded == t1_day.refunded
        assert store.refunded == Tally(1, Money.rupees(200))
        assert store.pending_refunds == Tally()
        assert store.net == Money.rupees(300)

        # The rest is refundable, and no more.
        with pytest.raises(StoreRefundRefused, match="more than is left"):
            await refunds.refund(order_id, Money.rupees(301), None)
    finally:
        for s in (sync1, sync2):
            await s.aclose()
        for till in (t1, t2):
            await till.close()


@pytest.mark.asyncio
async def test_an_unconfirmed_refund_is_sent_again_with_the_same_id_and_key(
    store_url: str, tmp_path: Path
) -> None:
    sim = Simulator(clock=lambda: datetime.now(UTC))
    t1 = make_push_till(tmp_path, sim, None, till_id="T1")
    t2 = make_push_till(tmp_path, sim, None, till_id="T2")
    sync1 = _syncer(t1, "T1", store_url, lambda: datetime.now(UTC))
    key = TillKey("shop", "T2", "demo")
    refunds = OtherTillRefunds(
        t2.deps.gateway, t2.journal, lambda: connect(store_url), key,
        clock=lambda: datetime.now(UTC),
    )  # fmt: skip
    try:
        order_id = await _paid_sale(t1, sim, 100)
        await sync1.sync_once()
        sim.set_faults(drop_rate=1.0)  # Cashfree makes the refund; its answer is lost
        outcome = await refunds.refund(order_id, Money.rupees(40), "SUCCESS")
        sim.set_faults(drop_rate=0.0)
        assert outcome.status == "NOT CONFIRMED"
        [waiting] = other_till_refunds.open_other_till_refunds(t2.journal)
        assert waiting.status == "REQUESTED"
        conn = await connect(store_url)
        try:  # the store still counts it: no second refund of the same money meanwhile
            assert await refundable_left(conn, "shop", "demo", order_id) == Money.rupees(60)
        finally:
            await conn.close()
        # The next look sends it again (same id, same key): now confirmed, once.
        [after] = await refunds.follow_open()
        assert after.refund_id == outcome.refund_id and after.status == "SUCCESS"
        with pytest.raises(StoreRefundRefused, match="more than is left"):
            await refunds.refund(order_id, Money.rupees(61), None)
        made = await t2.deps.gateway.list_refunds(order_id)
        assert [r.refund_id for r in made] == [outcome.refund_id]
    finally:
        await sync1.aclose()
        for till in (t1, t2):
            await till.close()


def test_the_follower_runs_at_most_once_per_period() -> None:
    from pos_app.services.store_sync.link import every

    now = [datetime(2026, 3, 14, tzinfo=UTC)]
    runs: list[datetime] = []

    async def step() -> None:
        runs.append(now[0])

    maybe = every(30.0, step, lambda: now[0])

    async def ticks() -> None:
        for _ in range(4):  # a sync cycle every 10 s
            await maybe()
            now[0] += timedelta(seconds=10)

    asyncio.run(ticks())
    assert [r.second for r in runs] == [0, 30]


@pytest.mark.asyncio
async def test_the_desks_sync_loop_follows_refunds_after_each_cycle(
    store_url: str, tmp_path: Path
) -> None:
    sim = Simulator(clock=lambda: datetime.now(UTC))
    till = make_push_till(tmp_path, sim, None, till_id="T2")
    sync = _syncer(till, "T2", store_url, lambda: datetime.now(UTC))
    followed = asyncio.Event()

    async def step() -> None:
        followed.set()
        raise RuntimeError("a failing step never stops the sync")

    sync.add_after_cycle(step)
    task = asyncio.create_task(sync.run(interval=0.05))
    try:
        await asyncio.wait_for(followed.wait(), 10)
        followed.clear()
        await asyncio.wait_for(followed.wait(), 10)  # it keeps running after the failure
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await till.close()


@pytest.mark.asyncio
async def test_the_shops_refund_policy_refuses_before_anything_is_reserved(
    store_url: str, tmp_path: Path
) -> None:
    sim = Simulator(clock=lambda: datetime.now(UTC))
    t1 = make_push_till(tmp_path, sim, None, till_id="T1")
    t2 = make_push_till(tmp_path, sim, None, till_id="T2")
    sync1 = _syncer(t1, "T1", store_url, lambda: datetime.now(UTC))
    refunds = OtherTillRefunds(
        t2.deps.gateway, t2.journal, lambda: connect(store_url), TillKey("shop", "T2", "demo"),
        clock=lambda: datetime.now(UTC),
        limit=lambda amount: "At most ₹100.00 a day." if amount > Money.rupees(100) else None,
    )  # fmt: skip
    try:
        order_id = await _paid_sale(t1, sim, 300)
        await sync1.sync_once()
        with pytest.raises(StoreRefundRefused, match="At most"):
            await refunds.refund(order_id, Money.rupees(150), None)
        assert other_till_refunds.other_till_refunds_for(t2.journal, order_id) == []
        assert _rows(store_url, "SELECT count(*) FROM refund_requests") == [(0,)]
        done = await refunds.refund(order_id, Money.rupees(100), "SUCCESS")
        assert done.status == "SUCCESS"
    finally:
        await sync1.aclose()
        for till in (t1, t2):
            await till.close()


@pytest.mark.asyncio
async def test_two_tills_refunding_another_tills_sale_at_once_one_wins(
    store_url: str, tmp_path: Path
) -> None:
    sim = Simulator(clock=lambda: datetime.now(UTC))
    tills = {t: make_push_till(tmp_path, sim, None, till_id=t) for t in ("T1", "T2", "T3")}
    sync1 = _syncer(tills["T1"], "T1", store_url, lambda: datetime.now(UTC))
    try:
        order_id = await _paid_sale(tills["T1"], sim, 400)
        await sync1.sync_once()

        async def refund_at(till_id: str) -> str:
            till = tills[till_id]
            service = OtherTillRefunds(
                till.deps.gateway, till.journal, lambda: connect(store_url),
                TillKey("shop", till_id, "demo"), clock=lambda: datetime.now(UTC),
            )  # fmt: skip
            try:
                return (await service.refund(order_id, Money.rupees(300), "SUCCESS")).status
            except StoreRefundRefused as exc:
                return exc.message

        answers = await asyncio.gather(refund_at("T2"), refund_at("T3"))
        assert sorted(a == "SUCCESS" for a in answers) == [False, True], answers
        assert any("more than is left" in a for a in answers)
        # Cashfree got one refund; one till journaled it; ₹100 is left.
        made = await tills["T1"].deps.gateway.list_refunds(order_id)
        assert [r.amount for r in made] == [Money.rupees(300)]
        journaled = [
            r for t in ("T2", "T3")
            for r in other_till_refunds.other_till_refunds_for(tills[t].journal, order_id)
        ]  # fmt: skip
        assert [r.refund_id for r in journaled] == [made[0].refund_id]
        conn = await connect(store_url)
        try:
            assert await refundable_left(conn, "shop", "demo", order_id) == Money.rupees(100)
        finally:
            await conn.close()
    finally:
        await sync1.aclose()
        for till in tills.values():
            await till.close()
