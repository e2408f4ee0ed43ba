"""The late-payment sweep: after a sale is CANCELLED or EXPIRED, keep checking for a day
(backing off) so money that arrives late is recorded as paid and announced, never lost."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from pos_app.domain.sale import CLOSED_UNPAID, Sale, SaleStatus
from pos_app.gateway.errors import GatewayError
from pos_app.services.checkout.deps import Deps
from pos_app.services.checkout.following import record_reading
from pos_app.services.checkout.reading import ReadingKind, read_sale
from pos_app.services.checkout.run import SaleRun

__all__ = ["sweep_sale"]

log = logging.getLogger(__name__)


def _remaining_delays(deps: Deps, closed_at: datetime) -> list[float]:
    """The sweep's pauses still ahead, given how long ago the sale was closed."""
    gone = (deps.clock() - closed_at).total_seconds()
    out: list[float] = []
    total = 0.0
    for delay in deps.sweep.delays():
        total += delay
        if total > gone:
            out.append(total - max(gone, total - delay))
    return out


async def sweep_sale(deps: Deps, sale: Sale, on_late_payment: Callable[[SaleRun], None]) -> None:
    """Check a closed sale until the sweep window ends or money is found."""
    run = SaleRun(sale=sale, started_at=sale.updated_at, foreground=False)
    for delay in _remaining_delays(deps, sale.updated_at):
        await deps.sleep(delay)
        current = deps.journal.get_sale(sale.order_id)
        if current is None or current.status not in CLOSED_UNPAID:
            return
        run.sale = current
        try:
            reading = await read_sale(deps.background, current)
        except GatewayError as exc:
            log.info("late sweep of %s: %s; will try again", sale.order_id, exc)
            continue
        if reading.kind is ReadingKind.PAID:
            if record_reading(deps, run, reading, late=True) and run.sale.status is SaleStatus.PAID:
                log.warning("late payment recorded for %s", sale.order_id)
                on_late_payment(run)
            return
