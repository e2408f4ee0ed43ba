"""The states the checkout yields carry the sale's reason code, so every screen can look its
words up in the one table (services/wording.py) instead of parsing sentences."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from till_fakes import Till, make_till, qr_request

from pos_app.domain.sale import ReasonCode, SaleStatus
from pos_app.services.wording import REASON_SENTENCES

pytestmark = pytest.mark.asyncio


@pytest_asyncio.fixture
async def till(tmp_path: Path) -> AsyncIterator[Till]:
    t = make_till(tmp_path)
    yield t
    await t.checkout.shutdown()
    await t.client.aclose()
    t.journal.close()


async def test_a_cancelled_sale_tells_its_reason_code(till: Till) -> None:
    shown = await till.run(qr_request(131), until_awaiting=True)
    assert shown.reason_code is None
    watcher = asyncio.ensure_future(till.finish())
    answer = await till.checkout.cancel(shown.order_id)
    final = await watcher
    for state in (answer, final):
        assert state is not None and state.status is SaleStatus.CANCELLED
        assert state.reason_code is ReasonCode.CANCELLED_BY_CASHIER
        assert state.message == REASON_SENTENCES[ReasonCode.CANCELLED_BY_CASHIER]


async def test_a_paid_sale_has_no_reason_code(till: Till) -> None:
    shown = await till.run(qr_request(132), until_awaiting=True)
    till.sim.customer_pays(shown.order_id)
    final = await till.finish()
    assert final.status is SaleStatus.PAID and final.reason_code is None
    assert final.message.startswith("Paid ₹132.00.")
