"""One pass over unsettled sales: ask Cashfree once per sale and record what it says.

Used by `pos-app reconcile`, `pos-app status`, the manager's refresh and the day refresh.
Every read is made as the sale's owner for that moment (a short "refresh" lease): a sale
that another follower holds (the desk's counter, a background follower, a sweep, another
process) is not read here; its owner is asked to check it now instead, so one sale never
gets two outcomes. A sale the gateway still holds open stays open.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from pos_app.domain.sale import CLOSED_UNPAID, OPEN_STATUSES, ReasonCode, Sale, SaleStatus
from pos_app.gateway.errors import GatewayError
from pos_app.services.checkout.deps import Deps
from pos_app.services.checkout.following import expire_sale, record_reading
from pos_app.services.checkout.reading import ReadingKind, read_sale
from pos_app.services.checkout.run import SaleRun
from pos_app.services.wording import describe_error

__all__ = ["Settled", "reconcile_open_sales", "refresh_sale"]

log = logging.getLogger(__name__)

REFRESH_LEASE = timedelta(seconds=60)


@dataclass(frozen=True, slots=True)
class Settled:
    sale: Sale
    before: SaleStatus
    error: str | None = None  # the gateway could not be asked
    followed_elsewhere: bool = False  # another follower has it; it was asked to check now


async def refresh_sale(deps: Deps, sale: Sale) -> Settled:
    """Read one sale from Cashfree and journal the outcome, unless someone else follows it
    (then it is nudged and the journal's state returned). PAID and FAILED sales are final:
    they are returned as the journal has them, without asking Cashfree."""
    before = sale.status
    if sale.status in (SaleStatus.PAID, SaleStatus.FAILED):
        return Settled(sale, before)
    journal = deps.journal
    if not journal.claim(sale.order_id, deps.owner, "refresh", REFRESH_LEASE):
        if not deps.wake_local(sale.order_id):
            journal.nudge(sale.order_id)
        return Settled(journal.get_sale(sale.order_id) or sale, before, followed_elsewhere=True)
    try:
        return await _refresh_owned(deps, journal.get_sale(sale.order_id) or sale)
    finally:
        journal.release(sale.order_id, deps.owner)


async def _refresh_owned(deps: Deps, sale: Sale) -> Settled:
    before = sale.status
    run = SaleRun(sale=sale, started_at=deps.clock(), foreground=False)
    try:
        if sale.status is SaleStatus.CREATED:
            # The till stopped before the order was confirmed (and nobody follows it now).
            # If Cashfree never got it, nothing can be paid: close it. If it did, follow
            # the normal path.
            reading = await read_sale(deps.gateway_for(run), sale)
            if reading.kind is ReadingKind.NOT_FOUND:
                run.record(
                    deps,
                    event="not_at_gateway",
                    status=SaleStatus.CANCELLED,
                    reason_code=ReasonCode.STOPPED_BEFORE_ORDER,
                )
                return Settled(run.sale, before)
            run.record(deps, event="order_found", status=SaleStatus.AWAITING_PAYMENT)
        # Payments are read only when Cashfree says paid: the budget for them is small.
        reading = await read_sale(deps.gateway_for(run), run.sale)
    except GatewayError as exc:
        return Settled(run.sale, before, describe_error(exc))
    late = before in CLOSED_UNPAID
    if late:
        # Closed already: only money matters now (a late payment is recorded and counted).
        if reading.kind is ReadingKind.PAID:
            record_reading(deps, run, reading, late=True)
        return Settled(run.sale, before)
    if reading.kind is ReadingKind.NOT_FOUND:
        if run.sale.cf_order_id is None:
            run.record(
                deps,
                event="not_at_gateway",
                status=SaleStatus.CANCELLED,
                reason_code=ReasonCode.NEVER_REACHED,
            )
        elif run.sale.reason_code is not ReasonCode.NOT_FOUND_AT_CASHFREE:
            run.record(
                deps,
                event="not_found_at_gateway",
                status=SaleStatus.UNCERTAIN,
                reason_code=ReasonCode.NOT_FOUND_AT_CASHFREE,
            )
        return Settled(run.sale, before)
    settled = record_reading(deps, run, reading)
    if not settled and run.sale.status is SaleStatus.UNCERTAIN and reading.kind is ReadingKind.OPEN:
        run.record(deps, event="reconnected", status=SaleStatus.AWAITING_PAYMENT, reason_code=None)
    expires = run.sale.expires_at
    if (
        run.sale.status is SaleStatus.AWAITING_PAYMENT
        and expires is not None
        and deps.clock() > expires
        and reading.kind is ReadingKind.OPEN
    ):
        async for _ in expire_sale(deps, run):
            pass
    return Settled(run.sale, before)


async def reconcile_open_sales(deps: Deps) -> list[Settled]:
    """Refresh every sale of this till without a final state, and every sale closed
    (cancelled or expired) inside the late-payment window that no live sweep owns, so money
    that arrived late is recorded."""
    results = []
    for sale in deps.journal.open_sales(deps.terminal_id):
        results.append(await refresh_sale(deps, sale))
    since = deps.clock() - timedelta(seconds=deps.sweep.duration)
    for sale in deps.journal.sweep_candidates(since):
        if sale.terminal_id != deps.terminal_id or sale.status not in CLOSED_UNPAID:
            continue
        result = await refresh_sale(deps, sale)
        if result.sale.status is not result.before or result.error:
            results.append(result)
    return results


def still_open(result: Settled) -> bool:
    return result.sale.status in OPEN_STATUSES
