"""Refresh the day from Cashfree: re-read every sale that may still change, and every
refund that is not final, journaling what Cashfree says; then read each paid sale's
refunds at Cashfree and journal any this till did not make (services.outside_refunds).
With a store database, the refunds this till made for other tills' sales that are still on
their way are followed too (RefundService.follow_other_tills).

It runs as background work (Deps.background, the gateway's background view), so the sale
at the counter keeps priority in the rate budget; the sale at the counter itself is left
to its watcher.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from pos_app.domain.sale import CLOSED_UNPAID, Sale, SaleStatus
from pos_app.services.checkout.deps import Deps
from pos_app.services.checkout.reconcile import Settled, refresh_sale
from pos_app.services.refunds.outside import check_outside_refunds
from pos_app.services.refunds.service import RefundService
from pos_app.store.codec import RefundRecord
from pos_app.store.other_till_refunds import OtherTillRefund
from pos_app.store.report_reader import ReportReader
from pos_app.store.till_records import OutsideRefund

__all__ = ["DayRefresh", "Progress", "refresh_day"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DayRefresh:
    sales_checked: int = 0
    sales_changed: tuple[Settled, ...] = ()
    refunds_checked: int = 0
    refunds_changed: tuple[RefundRecord, ...] = ()
    problems: tuple[str, ...] = field(default=())  # sentences: what could not be read, and why
    skipped: tuple[str, ...] = ()  # order ids left alone (at the counter right now)
    outside_refunds: tuple[OutsideRefund, ...] = ()  # refunds made outside this till, found now
    # Refunds made here for other tills' sales (store database) whose status changed now.
    other_till_refunds_changed: tuple[OtherTillRefund, ...] = ()


Progress = Callable[[int, int], None]


def _candidates(
    deps: Deps,
    reader: ReportReader,
    start: datetime,
    end: datetime,
    terminal_id: str | None,
    recent: timedelta,
) -> list[Sale]:
    """Sales that may still change: every open sale started before `end`, and the day's
    cancelled or expired sales closed within `recent` (money may still arrive)."""
    chosen = {s.order_id: s for s in reader.open_sales(terminal_id) if s.created_at < end}
    for sale in reader.sweep_candidates(deps.clock() - recent):
        if sale.status not in CLOSED_UNPAID or not start <= sale.created_at < end:
            continue
        if terminal_id is None or sale.terminal_id == terminal_id:
            chosen.setdefault(sale.order_id, sale)
    return sorted(chosen.values(), key=lambda s: (s.created_at, s.order_id))


async def refresh_day(
    deps: Deps,
    reader: ReportReader,
    refunds: RefundService | None,
    start: datetime,
    end: datetime,
    *,
    terminal_id: str | None = None,
    skip: Collection[str] = (),
    recent: timedelta | None = None,
    settle_grace: timedelta = timedelta(minutes=1),
    progress: Progress | None = None,
) -> DayRefresh:
    """Re-read from Cashfree every sale of the day that may still change, and every refund
    not yet final, journaling what Cashfree says. Runs as background work: the sale at the
    counter keeps priority in the rate budget, and the sales in `skip` (the one at the
    counter) and sales started less than `settle_grace` ago are left to their watchers."""
    window = recent if recent is not None else timedelta(seconds=deps.sweep.duration)
    sales = _candidates(deps, reader, start, end, terminal_id, window)
    pending_refunds = reader.unfinished_refunds(terminal_id) if refunds is not None else []
    total = len(sales) + len(pending_refunds)
    now = deps.clock()
    changed: list[Settled] = []
    refunds_changed: list[RefundRecord] = []
    problems: list[str] = []
    skipped: list[str] = []
    checked = 0
    done = 0
    for sale in sales:
        done += 1
        young = sale.status is SaleStatus.CREATED and now - sale.created_at < settle_grace
        if sale.order_id in skip or young:
            skipped.append(sale.order_id)
        else:
            checked += 1
            result = await refresh_sale(deps, sale)
            if result.error:
                problems.append(f"{sale.order_id}: {result.error}")
            elif result.sale.status is not result.before:
                changed.append(result)
        if progress is not None:
            progress(done, total)
    for refund in pending_refunds:
        done += 1
        assert refunds is not None
        checked_refund = await refunds.check(refund)
        if checked_refund.error:
            problems.append(f"{refund.refund_id}: {checked_refund.error}")
        if checked_refund.record.status != refund.status:
            refunds_changed.append(checked_refund.record)
        if progress is not None:
            progress(done, total)
    outside: tuple[OutsideRefund, ...] = ()
    others: list[OtherTillRefund] = []
    if refunds is not None:
        others = await refunds.follow_other_tills()
        paid = [
            s
            for s in reader.sales_between(start, end, statuses=[SaleStatus.PAID])
            if terminal_id is None or s.terminal_id == terminal_id
        ]
        check = await check_outside_refunds(deps.background, deps.journal, paid, clock=deps.clock)
        outside = check.found
        problems.extend(check.problems)
    log.info(
        "refreshed the day: %d sales read (%d changed), %d refunds read (%d changed), "
        "%d refunds for other tills' sales changed",
        checked,
        len(changed),
        len(pending_refunds),
        len(refunds_changed),
        len(others),
    )
    return DayRefresh(
        sales_checked=checked,
        sales_changed=tuple(changed),
        refunds_checked=len(pending_refunds),
        refunds_changed=tuple(refunds_changed),
        problems=tuple(problems),
        skipped=tuple(skipped),
        outside_refunds=outside,
        other_till_refunds_changed=tuple(others),
    )
