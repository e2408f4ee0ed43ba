"""A refund request is one thing, however often it is retried (in-process simulator).

A refund still on its way (not confirmed, or PENDING at the bank) blocks a new one; a rerun
of the same request resumes and reports it; only `another` makes a further refund. The
journal holds the rule in its write transaction, so a second connection (another process)
cannot slip a second refund in between.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from till_fakes import Till, make_till, qr_request

from pos_app.domain.money import Money
from pos_app.domain.sale import SaleStatus
from pos_app.services.refunds.service import REQUESTED, RefundPending, RefundService
from pos_app.store.codec import RefundRecord
from pos_app.store.errors import RefundPendingError
from pos_app.store.journal import Journal


@pytest_asyncio.fixture
async def till(tmp_path: Path) -> AsyncIterator[Till]:
    t = make_till(tmp_path)
    yield t
    await t.checkout.shutdown()
    await t.client.aclose()
    t.journal.close()


def service(till: Till) -> RefundService:
    return RefundService(
        till.gateway, till.journal, clock=till.clock, sleep=till.clock.sleep, follow_for=5.0
    )


async def paid_sale(till: Till, rupees: int) -> str:
    shown = await till.run(qr_request(rupees), until_awaiting=True)
    till.sim.customer_pays(shown.order_id)
    final = await till.finish()
    assert final.status is SaleStatus.PAID
    return final.order_id


async def at_cashfree(till: Till, order_id: str) -> list[str]:
    return [r.refund_id for r in await till.gateway.list_refunds(order_id)]


@pytest.mark.asyncio
async def test_rerun_while_pending_resumes_the_same_refund(till: Till) -> None:
    order_id = await paid_sale(till, 500)
    refunds = service(till)
    first = await refunds.refund(order_id, Money.rupees(100), reason="PENDING")
    assert first.refund.status == "PENDING"
    for _ in range(3):  # the manager runs the same command again, and again
        again = await refunds.refund(order_id, Money.rupees(100), reason="PENDING")
        assert again.resumed and again.refund.refund_id == first.refund.refund_id
        assert again.refund.status == "PENDING"
    assert await at_cashfree(till, order_id) == [first.refund.refund_id]
    assert len(till.journal.refunds_for(order_id)) == 1


@pytest.mark.asyncio
async def test_rerun_without_amount_also_resumes(till: Till) -> None:
    order_id = await paid_sale(till, 300)
    refunds = service(till)
    first = await refunds.refund(order_id, Money.rupees(100), reason="PENDING")
    again = await refunds.refund(order_id)  # "refund what is left" is not a new request
    assert again.resumed and again.refund.refund_id == first.refund.refund_id
    assert await at_cashfree(till, order_id) == [first.refund.refund_id]


@pytest.mark.asyncio
async def test_a_different_amount_is_refused_until_the_manager_says_another(till: Till) -> None:
    order_id = await paid_sale(till, 500)
    refunds = service(till)
    first = await refunds.refund(order_id, Money.rupees(100), reason="PENDING")
    with pytest.raises(RefundPending) as refused:
        await refunds.refund(order_id, Money.rupees(50), reason="SUCCESS")
    assert refused.value.pending.refund_id == first.refund.refund_id
    assert "₹100.00 is already on its way" in refused.value.message
    assert (
        first.refund.refund_id in refused.value.message and "pending since" in refused.value.message
    )
    assert await at_cashfree(till, order_id) == [first.refund.refund_id]
    further = await refunds.refund(order_id, Money.rupees(50), reason="SUCCESS", another=True)
    assert further.succeeded and not further.resumed
    assert sorted(await at_cashfree(till, order_id)) == sorted(
        [first.refund.refund_id, further.refund.refund_id]
    )


@pytest.mark.asyncio
async def test_unconfirmed_refund_blocks_too_and_is_sent_again_on_rerun(till: Till) -> None:
    order_id = await paid_sale(till, 200)
    refunds = service(till)
    till.sim.set_faults(down=True)
    first = await refunds.refund(order_id, Money.rupees(80), reason="PENDING")
    assert first.refund.status == REQUESTED
    with pytest.raises(RefundPending, match="not confirmed by Cashfree since"):
        await refunds.refund(order_id, Money.rupees(20))
    till.sim.set_faults(down=False)
    again = await refunds.refund(order_id, Money.rupees(80), reason="PENDING")
    assert again.resumed and again.refund.refund_id == first.refund.refund_id
    assert again.refund.status == "PENDING"
    assert await at_cashfree(till, order_id) == [first.refund.refund_id]


@pytest.mark.asyncio
async def test_a_failed_refund_frees_the_sale_for_a_new_one(till: Till) -> None:
    order_id = await paid_sale(till, 200)
    refunds = service(till)
    failed = await refunds.refund(order_id, Money.rupees(80), reason="FAILED")
    assert failed.refund.status == "FAILED"
    again = await refunds.refund(order_id, Money.rupees(80), reason="SUCCESS")
    assert again.succeeded and not again.resumed
    assert again.refund.refund_id != failed.refund.refund_id


@pytest.mark.asyncio
async def test_two_connections_race_and_the_journal_keeps_one(till: Till) -> None:
    """Two processes = two connections to one file; both passed the service's checks."""
    order_id = await paid_sale(till, 200)
    other = Journal.open(till.journal.path, clock=till.clock)
    try:
        now = till.clock()

        def record(refund_id: str, key: str) -> RefundRecord:
            return RefundRecord(
                refund_id=refund_id,
                order_id=order_id,
                amount=Money.rupees(50),
                status=REQUESTED,
                idempotency_key=key,
                created_at=now,
                updated_at=now,
            )

        mine, theirs = record("RF-A", "k1"), record("RF-B", "k2")
        till.journal.create_refund(mine)
        with pytest.raises(RefundPendingError) as caught:
            other.create_refund(theirs)
        assert caught.value.refund_id == "RF-A"
        assert [r.refund_id for r in other.refunds_for(order_id)] == ["RF-A"]
        other.create_refund(theirs, another=True)  # the manager's explicit further refund
        assert len(till.journal.refunds_for(order_id)) == 2
    finally:
        other.close()


@pytest.mark.asyncio
async def test_the_policy_day_limit_counts_refunds_made_and_on_their_way(till: Till) -> None:
    from pos_app.services.refunds.service import RefundRefused, day_limit

    first_sale = await paid_sale(till, 500)
    second_sale = await paid_sale(till, 400)
    refunds = RefundService(
        till.gateway,
        till.journal,
        clock=till.clock,
        sleep=till.clock.sleep,
        follow_for=0.0,
        limit=day_limit(till.journal, Money.rupees(300), till.clock),
    )
    await refunds.refund(first_sale, Money.rupees(200), reason="PENDING")
    with pytest.raises(RefundRefused, match=r"at most ₹300\.00 of refunds a day") as refused:
        await refunds.refund(second_sale, Money.rupees(150))
    assert "at most ₹100.00 more" in refused.value.message
    assert till.journal.refunds_for(second_sale) == []
    done = await refunds.refund(second_sale, Money.rupees(100), reason="SUCCESS")
    assert done.succeeded
