"""`pos-app refund ORDER_ID` for a sale taken at another till of the store (through the
store database; see services/refunds/at_other_till.py)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from pos_app.commands import exit_codes
from pos_app.domain.money import Money

__all__ = ["run_store_refund"]


async def run_store_refund(
    runtime: Any,
    order_id: str,
    amount: Money | None,
    reason: str | None,
    follow_seconds: float | None = None,
    limit: Callable[[Money], str | None] | None = None,
) -> int:
    from pos_app.services.refunds.at_other_till import NOT_CONFIRMED, OtherTillRefunds
    from pos_app.services.store_sync.link import push_before_exit
    from pos_app.store_db.access import store_access
    from pos_app.store_db.connect import StoreDbError
    from pos_app.store_db.refunds import StoreRefundRefused

    try:
        access = store_access(runtime.settings, runtime.environment)
        refunds = OtherTillRefunds(
            runtime.gateway,
            runtime.journal,
            access.connector("pos-app refund"),
            access.till,
            clock=runtime.deps.clock,
            sleep=runtime.deps.sleep,
            limit=limit,
        )
        outcome = await refunds.refund(order_id, amount, reason)
        if outcome.status not in ("SUCCESS", "FAILED", "CANCELLED") and follow_seconds:
            record = await refunds.follow(outcome.refund_id, follow_seconds)
            shown = NOT_CONFIRMED if record.status == "REQUESTED" else record.status
            outcome = dataclasses.replace(outcome, status=shown)
        # The refund is journaled here; the store database gets the row now if it answers.
        await push_before_exit(
            runtime.settings, runtime.environment, runtime.journal, runtime.deps.clock
        )
    except StoreRefundRefused as exc:
        print(f"Refused: {exc.message}")
        return exit_codes.BAD_INPUT
    except StoreDbError as exc:
        print(exc.message)
        return exit_codes.SETUP
    for label, value in (
        ("Order", outcome.order_id),
        ("Refund", outcome.refund_id),
        ("Amount", outcome.amount.format()),
        ("Status", outcome.status),
        ("Left", outcome.left_after.format()),
    ):
        print(f"{label:<7} {value}")
    print(outcome.message)
    if outcome.status == "SUCCESS":
        return exit_codes.PAID
    if outcome.status in ("FAILED", "CANCELLED"):
        return exit_codes.FAILED
    return exit_codes.GATEWAY_TROUBLE
