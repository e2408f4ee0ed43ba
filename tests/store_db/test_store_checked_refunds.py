"""A till's own refund is also reserved in the store database when the till joined one:
racing another till's refund of the same sale it cannot go above what the sale took. The
till stays autonomous when the store database is away or has not got the sale yet."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from store_db.push_kit import PushTill, make_push_till

from pos_app.domain.money import Money
from pos_app.domain.sale import SaleStatus
from pos_app.services.refunds.at_other_till import OtherTillRefunds
from pos_app.services.refunds.service import RefundRefused
from pos_app.services.refunds.store_checked import StoreCheckedRefunds
from pos_app.services.store_sync.sync import StoreSync
from pos_app.simulator import Simulator
from pos_app.store_db.connect import connect
from pos_app.store_db.push import TillKey

pytestmark = pytest.mark.asyncio


def now() -> datetime:
    return datetime.now(UTC)


async def _paid(till: PushTill, sim: Simulator, rupees: int) -> str:
    import asyncio

    order_id, sale = await till.sale_until_awaiting(rupees)
    sim.customer_pays(order_id)
    till.checkout.check_now(order_id)
    assert (await asyncio.wait_for(sale, 10)).status is SaleStatus.PAID
    return order_id


def _own_refunds(till: PushTill, url: str) -> StoreCheckedRefunds:
    return StoreCheckedRefunds(
        till.deps.gateway, till.journal, connector=lambda: connect(url),
        till=TillKey("shop", "T1", "demo"), clock=now, sleep=till.deps.sleep, follow_for=0.0,
    )  # fmt: skip


async def test_the_owning_tills_refund_is_refused_when_another_till_took_the_rest(
    store_url: str, tmp_path: Path
) -> None:
    sim = Simulator(clock=now)
    t1 = make_push_till(tmp_path, sim, None, till_id="T1")
    t2 = make_push_till(tmp_path, sim, None, till_id="T2")
    sync1 = StoreSync(
        t1.journal, TillKey("shop", "T1", "demo"), lambda: connect(store_url), clock=now
    )
    try:
        order_id = await _paid(t1, sim, 400)
        await sync1.sync_once()
        other = OtherTillRefunds(
            t2.deps.gateway, t2.journal, lambda: connect(store_url),
            TillKey("shop", "T2", "demo"), clock=now,
        )  # fmt: skip
        assert (await other.refund(order_id, Money.rupees(300), "SUCCESS")).status == "SUCCESS"

        own = _own_refunds(t1, store_url)
        with pytest.raises(RefundRefused, match="more than is left"):
            await own.refund(order_id, Money.rupees(200), "SUCCESS")  # T1's journal alone: fine
        [refused] = t1.journal.refunds_for(order_id)
        assert refused.status == "CANCELLED"  # journaled, never sent
        assert [r.amount for r in await t1.deps.gateway.list_refunds(order_id)] == [
            Money.rupees(300)
        ]
        done = await own.refund(order_id, Money.rupees(100), "SUCCESS")
        assert done.refund.status == "SUCCESS"
    finally:
        await sync1.aclose()
        for till in (t1, t2):
            await till.close()


async def test_the_till_refunds_alone_when_the_store_cannot_say(
    store_url: str, tmp_path: Path
) -> None:
    sim = Simulator(clock=now)
    t1 = make_push_till(tmp_path, sim, None, till_id="T1")
    try:
        order_id = await _paid(t1, sim, 200)  # never synced: no other till can refund it
        done = await _own_refunds(t1, store_url).refund(order_id, Money.rupees(50), "SUCCESS")
        assert done.refund.status == "SUCCESS"
        away = _own_refunds(t1, "postgresql://nobody@127.0.0.1:1/store")
        done = await away.refund(order_id, Money.rupees(60), "SUCCESS", another=True)
        assert done.refund.status == "SUCCESS"
    finally:
        await t1.close()
