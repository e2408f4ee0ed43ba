"""The manager's "Refresh the day" notice names the refunds of other tills' sales that
changed (they are journaled here, the till that made them)."""

from __future__ import annotations

from datetime import UTC, datetime

from pos_app.domain.money import Money
from pos_app.services.reporting.day_refresh import DayRefresh
from pos_app.store.other_till_refunds import OtherTillRefund
from pos_app.ui.manager import text

MOMENT = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def _refund(refund_id: str, status: str) -> OtherTillRefund:
    return OtherTillRefund(
        refund_id=refund_id,
        order_id="POS2-0001",
        target_order_id="POS2-0001",
        till_id="T1",
        request_id="req-1",
        amount=Money.rupees(120),
        status=status,
        idempotency_key="key-1",
        reason=None,
        created_at=MOMENT,
        updated_at=MOMENT,
    )


def test_changed_refunds_of_other_tills_are_named() -> None:
    result = DayRefresh(sales_checked=2, other_till_refunds_changed=(_refund("RF-9", "SUCCESS"),))
    notice = text.refreshed(result)
    assert "1 refund(s) of other tills' sales changed (RF-9 ₹120.00 SUCCESS)." in notice


def test_nothing_is_said_when_none_changed() -> None:
    assert "other tills" not in text.refreshed(DayRefresh(sales_checked=2))
