"""One pass over unsettled sales: ask Cashfree once per sale and record what it says.

Used by `pos-app reconcile` and `pos-app status`. A sale the gateway still holds open
stays open (the desk's background watcher or the next reconcile settles it later).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from pos_app.domain.sale import Sale, SaleStatus
from pos_app.gateway.errors import GatewayError
from pos_app.services.runtime import Deps, SaleRun
from pos_app.services.settle import ReadingKind, read_sale
from pos_app.services.watch import cancel_sale, expire_sale, record_reading
from pos_app.services.wording import describe_error

__all__ = ["Settled", "reconcile_open_sales", "refresh_sale"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Settled:
    sale: Sale
    before: SaleStatus
    error: str | None = None  # the gateway could not be asked


async def refresh_sale(deps: Deps, sale: Sale) -> Settled:
    """Read one sale from Cashfree and journal the outcome."""
    before = sale.status
    run = SaleRun(sale=sale, started_at=deps.clock(), foreground=False)
    try:
        if sale.status is SaleStatus.CREATED:
            # The till stopped before the order was confirmed. If Cashfree never got it,
            # nothing can be paid: close it. If it did, follow the normal path.
            reading = await read_sale(deps.gateway, sale)
            if reading.kind is ReadingKind.NOT_FOUND:
                run.sale = sale.with_changes(
                    reason="The till stopped before the order reached Cashfree. No money was taken."
                )
                run.cancel_requested = True
                async for _ in cancel_sale(deps, run):
                    pass
                return Settled(run.sale, before)
            run.record(deps, event="order_found", status=SaleStatus.AWAITING_PAYMENT)
        reading = await read_sale(deps.gateway, run.sale, with_payments=True)
    except GatewayError as exc:
        return Settled(run.sale, before, describe_error(exc))
    late = before in (SaleStatus.CANCELLED, SaleStatus.EXPIRED)
    settled = record_reading(deps, run, reading, late=late)
    if not settled and run.sale.status is SaleStatus.UNCERTAIN and reading.kind is ReadingKind.OPEN:
        run.record(deps, event="reconnected", status=SaleStatus.AWAITING_PAYMENT)
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
    """Refresh every sale of this till without a final state."""
    results = []
    for sale in deps.journal.open_sales(deps.terminal_id):
        results.append(await refresh_sale(deps, sale))
    return results
