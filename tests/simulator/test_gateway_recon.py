"""The real CashfreeGateway's reconciliation calls against the simulator (in-process and
over loopback); every answer on the way is checked against the spec by the rig."""

from __future__ import annotations

from datetime import timedelta

import pytest
from simulator.simkit import Rig, order_body

from pos_app.domain.money import Money
from pos_app.gateway.recon_types import ReconEventKind, SettlementQuery

pytestmark = pytest.mark.asyncio


async def test_pages_settlements_and_order_settlement(rig: Rig) -> None:
    for n in range(12):
        assert (await rig.raw.post("/orders", json=order_body(f"G-{n}", 100))).status_code == 200
        rig.sim.customer_pays(f"G-{n}")
        rig.clock.advance(30)
    start = rig.clock.now - timedelta(hours=1)
    end = rig.clock.now + timedelta(hours=1)
    first = await rig.gateway.fetch_recon(start, end, limit=10)
    assert len(first.events) == 10 and first.cursor
    second = await rig.gateway.fetch_recon(start, end, cursor=first.cursor, limit=10)
    assert len(second.events) == 2 and second.cursor is None
    events = first.events + second.events
    assert [e.order_id for e in events] == [f"G-{n}" for n in range(12)]
    assert all(e.kind is ReconEventKind.PAYMENT and e.credit for e in events)
    assert all(e.payment_utr and e.cf_settlement_id is None for e in events)

    pending = await rig.gateway.get_order_settlement("G-0")
    assert pending is not None and not pending.settled
    rig.clock.advance(2 * 86_400)
    done = await rig.gateway.get_order_settlement("G-0")
    assert done is not None and done.settled and done.transfer_utr
    (settlement,) = (
        await rig.gateway.fetch_settlements(SettlementQuery(utrs=(done.transfer_utr,)), limit=10)
    ).settlements
    assert settlement.gross == Money(120000)
    assert settlement.amount_settled == settlement.gross - settlement.charges - settlement.tax
    inside = await rig.gateway.fetch_settlement_recon(
        SettlementQuery(settlement_ids=(settlement.cf_settlement_id,)), limit=100
    )
    assert {e.order_id for e in inside.events} == {f"G-{n}" for n in range(12)}
    assert all(e.settlement_utr == done.transfer_utr for e in inside.events)
