"""Refunds made outside this till: read each paid sale's refunds at Cashfree and journal
every one the journal did not make, as an exception "refund made outside this till".

A refund made from Cashfree's dashboard, by another program with the same API keys, or
by a copy of this till's journal run elsewhere never passes through this journal. Day end
("Refresh the day") and `pos-app reconcile` call `check_outside_refunds`; it asks Cashfree
once per paid sale (Get Refunds for an order) as background work, so the sale at the
counter keeps priority in the shared rate budget, and stops early when the budget is
spent (what was not read is reported, and read on the next run).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pos_app.domain.sale import Sale, SaleStatus
from pos_app.gateway.errors import GatewayError, GatewayUnreachable, RateLimitedError
from pos_app.services.refunds.service import refund_target
from pos_app.services.wording import describe_error
from pos_app.store.till_records import (
    OutsideRefund,
    add_till_event,
    known_refund_ids,
    record_outside_refund,
    till_events,
)

__all__ = [
    "OUTSIDE_TITLE",
    "OutsideCheck",
    "check_outside_refunds",
    "describe_outside",
    "paid_sales_since",
]

log = logging.getLogger(__name__)

OUTSIDE_TITLE = "refund made outside this till"
DEFAULT_DAYS = 7  # `pos-app reconcile` looks at the sales paid in the last week
MAX_SALES = 500  # per run: at most this many Get Refunds calls


@dataclass(frozen=True, slots=True)
class OutsideCheck:
    sales_checked: int = 0
    found: tuple[OutsideRefund, ...] = ()
    problems: tuple[str, ...] = field(default=())
    not_checked: int = 0  # paid sales left for the next run (budget or the per-run cap)
    last_turn: str | None = None  # the last sale whose turn came (read, or failed to read)


def describe_outside(found: OutsideRefund) -> str:
    return (
        f"{OUTSIDE_TITLE}: refund {found.refund_id} of {found.amount.format()} on sale "
        f"{found.order_id}, made {found.made_at:%Y-%m-%d %H:%M} UTC ({found.status})"
    )


def paid_sales_since(journal: Any, since: datetime, until: datetime) -> list[Sale]:
    return list(journal.sales_between(since, until, statuses=[SaleStatus.PAID]))


async def check_outside_refunds(
    gateway: Any,
    journal: Any,
    sales: Iterable[Sale],
    *,
    clock: Any,
    limit: int = MAX_SALES,
) -> OutsideCheck:
    """Ask Cashfree for each paid sale's refunds; journal those this journal never made."""
    chosen = [s for s in sales if s.status is SaleStatus.PAID]
    found: list[OutsideRefund] = []
    problems: list[str] = []
    checked = 0
    last_turn: str | None = None
    for index, sale in enumerate(chosen):
        if index >= limit:
            break
        try:
            at_cashfree = await gateway.list_refunds(refund_target(sale))
        except GatewayError as exc:
            problems.append(f"{sale.order_id}: {describe_error(exc)}")
            if isinstance(exc, RateLimitedError | GatewayUnreachable):
                break  # budget spent or Cashfree unreachable: the rest waits for next run
            last_turn = sale.order_id
            continue
        checked += 1
        last_turn = sale.order_id
        known = known_refund_ids(journal, sale.order_id)
        for refund in at_cashfree:
            if refund.refund_id in known:
                continue
            now = clock()
            item = OutsideRefund(
                order_id=sale.order_id,
                refund_id=refund.refund_id,
                amount=refund.amount,
                status=(refund.raw_status or refund.status.value).upper(),
                made_at=refund.created_at or now,
                seen_at=now,
                cf_refund_id=refund.cf_refund_id,
            )
            if record_outside_refund(journal, item):
                log.warning("%s", describe_outside(item))
                found.append(item)
    return OutsideCheck(
        sales_checked=checked,
        found=tuple(found),
        problems=tuple(problems),
        not_checked=max(0, len(chosen) - checked),
        last_turn=last_turn,
    )


CURSOR_EVENT = "outside_refunds_cursor"


def rotate(journal: Any, sales: list[Sale]) -> list[Sale]:
    """The sales after the one the last capped run stopped at come first, so that runs
    capped at MAX_SALES still read every paid sale in turn."""
    events = till_events(journal, (CURSOR_EVENT,))
    after = events[-1].detail.get("after") if events else None
    ids = [s.order_id for s in sales]
    if not isinstance(after, str) or after not in ids:
        return sales
    cut = ids.index(after) + 1
    return sales[cut:] + sales[:cut]


async def reconcile_outside_refunds(
    deps: Any, *, days: int = DEFAULT_DAYS, limit: int = MAX_SALES
) -> OutsideCheck:
    """The `pos-app reconcile` step: the sales paid in the last `days` days (at most
    `limit` per run, taking turns)."""
    now = deps.clock()
    sales = paid_sales_since(deps.journal, now - timedelta(days=days), now + timedelta(minutes=1))
    ordered = rotate(deps.journal, sales)
    check = await check_outside_refunds(
        deps.background, deps.journal, ordered, clock=deps.clock, limit=limit
    )
    if check.not_checked and check.last_turn is not None:
        add_till_event(deps.journal, CURSOR_EVENT, {"after": check.last_turn})
    return check
