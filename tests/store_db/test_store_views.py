"""Store-wide views: the day end across tills equals the sum of the tills' own day ends;
refunds across tills never go above what a sale took, even when two tills race."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from store_db.kit import DAY, Till, open_till

from pos_app.domain.money import Money
from pos_app.domain.sale import Method, SaleStatus
from pos_app.store.queries import DayTotals, Tally
from pos_app.store_db.connect import connect
from pos_app.store_db.refunds import (
    StoreRefundRefused,
    refundable_left,
    reserve_refund,
    settle_reservation,
)
from pos_app.store_db.reports import StoreScope, store_day_totals, store_sales_between

START = DAY.replace(hour=0, minute=0)
END = START + timedelta(days=1)


def _add(a: Tally, b: Tally) -> Tally:
    return Tally(a.count + b.count, a.amount + b.amount)


def _sum(days: list[DayTotals]) -> DayTotals:
    first = days[0]
    out = DayTotals(
        start=first.start,
        end=first.end,
        by_status={s: Tally() for s in SaleStatus},
        paid_by_method={m: Tally() for m in Method},
        paid_by_group={},
        refunded=Tally(),
        pending_refunds=Tally(),
        late=0,
    )
    for d in days:
        for s, t in d.by_status.items():
            out.by_status[s] = _add(out.by_status[s], t)
        for m, t in d.paid_by_method.items():
            out.paid_by_method[m] = _add(out.paid_by_method[m], t)
        for g, t in d.paid_by_group.items():
            out.paid_by_group[g] = _add(out.paid_by_group.get(g, Tally()), t)
        out = DayTotals(
            start=out.start,
            end=out.end,
            by_status=out.by_status,
            paid_by_method=out.paid_by_method,
            paid_by_group=dict(sorted(out.paid_by_group.items())),
            refunded=_add(out.refunded, d.refunded),
            pending_refunds=_add(out.pending_refunds, d.pending_refunds),
            late=out.late + d.late,
        )
    return out


def _busy_day(tmp_path: Path, url: str) -> list[Till]:
    tills = [open_till(tmp_path, t, url) for t in ("T1", "T2", "T3")]
    for n, till in enumerate(tills, start=1):
        sales = [till.sell(1_000 * n + k, method=Method.UPI_QR) for k in range(4)]
        sales.append(till.sell(777 * n, method=Method.LINK))
        till.sell(500, paid=False)  # still waiting
        till.refund(sales[0], 100 * n)
        till.refund(sales[1], 50, status="PENDING")
        till.refund(sales[2], 10, status="FAILED")
        till.clock.advance(86_400)  # a sale on the next day must not count
        till.sell(99_999)
    return tills


@pytest.mark.asyncio
async def test_day_end_across_tills_is_the_sum_of_each_tills(
    store_url: str, tmp_path: Path
) -> None:
    tills = _busy_day(tmp_path, store_url)
    for till in tills:
        await till.syncer().sync_once()
    per_till = [till.journal.day_totals(START, END) for till in tills]
    conn = await connect(store_url)
    try:
        store = await store_day_totals(conn, StoreScope("shop", "demo"), START, END)
        for till, own in zip(tills, per_till, strict=True):
            one = await store_day_totals(conn, StoreScope("shop", "demo", till.till_id), START, END)
            assert one == own
        sales = await store_sales_between(conn, StoreScope("shop", "demo"), START, END)
    finally:
        await conn.close()
    assert store == _sum(per_till)
    assert store.paid.count == 15 and store.refunded == Tally(3, Money(600))
    assert store.pending_refunds == Tally(3, Money(150))
    assert len(sales) == 18 and {s.terminal_id for s in sales} == {"T1", "T2", "T3"}


async def _paid_sale(tmp_path: Path, url: str, paise: int) -> tuple[Till, str]:
    till = open_till(tmp_path, "T1", url)
    sale = till.sell(paise)
    await till.syncer().sync_once()
    return till, sale.order_id


@pytest.mark.asyncio
async def test_two_tills_refunding_one_sale_at_once_one_wins(
    store_url: str, tmp_path: Path
) -> None:
    _, order_id = await _paid_sale(tmp_path, store_url, 10_000)
    for till in ("T2", "T3"):
        setup = await connect(store_url)
        await setup.execute("INSERT INTO tills (store_id, till_id) VALUES ('shop', %s)", (till,))
        await setup.close()
    a, b = await connect(store_url), await connect(store_url)
    try:
        # Till 2 holds the sale's lock mid-transaction; till 3's attempt must wait for it.
        async with a.transaction():
            await a.execute("SELECT 1 FROM sales WHERE order_id = %s FOR UPDATE", (order_id,))
            racing = asyncio.create_task(
                reserve_refund(
                    b,
                    store_id="shop",
                    environment="demo",
                    till_id="T3",
                    order_id=order_id,
                    amount=Money(7_000),
                )
            )
            await asyncio.sleep(0.3)
            assert not racing.done(), "the second till waits for the sale's row lock"
            await a.execute(
                "INSERT INTO refund_requests (request_id, store_id, till_id, environment,"
                " order_id, amount_paise) VALUES (gen_random_uuid(), 'shop', 'T2', 'demo',"
                " %s, 6000)",
                (order_id,),
            )
        with pytest.raises(StoreRefundRefused, match="more than is left"):
            await racing
        assert await refundable_left(a, "shop", "demo", order_id) == Money(4_000)

        # Many tills at once, for real: never above paid.
        async def one(amount: int) -> bool:
            conn = await connect(store_url)
            try:
                await reserve_refund(
                    conn,
                    store_id="shop",
                    environment="demo",
                    till_id="T2",
                    order_id=order_id,
                    amount=Money(amount),
                )
                return True
            except StoreRefundRefused:
                return False
            finally:
                await conn.close()

        wins = await asyncio.gather(*(one(1_500) for _ in range(6)))
        assert sum(wins) == 2
        assert await refundable_left(a, "shop", "demo", order_id) == Money(1_000)
    finally:
        await a.close()
        await b.close()


@pytest.mark.asyncio
async def test_a_failed_refund_gives_the_amount_back_and_synced_refunds_count_once(
    store_url: str, tmp_path: Path
) -> None:
    till, order_id = await _paid_sale(tmp_path, store_url, 5_000)
    conn = await connect(store_url)
    try:
        first = await reserve_refund(
            conn, store_id="shop", environment="demo", till_id="T1", order_id=order_id,
            amount=Money(5_000),
        )  # fmt: skip
        assert first.left_after == Money(0)
        await settle_reservation(conn, first.request_id, status="FAILED")
        assert await refundable_left(conn, "shop", "demo", order_id) == Money(5_000)
        with pytest.raises(StoreRefundRefused):
            await settle_reservation(conn, first.request_id, status="SUCCESS")

        second = await reserve_refund(
            conn, store_id="shop", environment="demo", till_id="T1", order_id=order_id,
            amount=Money(2_000),
        )  # fmt: skip
        sale = till.journal.get_sale(order_id)
        assert sale is not None
        record = till.refund(sale, 2_000)
        await settle_reservation(
            conn, second.request_id, status="SUCCESS", refund_id=record.refund_id
        )
        await till.syncer().sync_once()  # the journaled refund arrives: counted once
        assert await refundable_left(conn, "shop", "demo", order_id) == Money(3_000)

        till.refund(sale, 1_000)  # a refund made at the till without a reservation
        await till.syncer().sync_once()
        assert await refundable_left(conn, "shop", "demo", order_id) == Money(2_000)
        with pytest.raises(StoreRefundRefused, match="no sale"):
            await refundable_left(conn, "shop", "demo", "nope")
    finally:
        await conn.close()
