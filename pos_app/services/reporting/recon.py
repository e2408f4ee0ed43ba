"""Three-way day end, the reading part: Cashfree's reconciliation lines for a day (every
page), the settlements that hold them, and the journal's side; then recon_match compares.

Callers pass the gateway's background view (CashfreeGateway.background()): a sale at the
counter always goes first in the shared rate budget. Pages are read one after the other
(at most 1000 lines each); a day of a busy shop is a handful of calls. If Cashfree cannot
be read, the report says so in a sentence and lists nothing as matched or missing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta, tzinfo

from pos_app.domain.sale import Sale, SaleStatus
from pos_app.gateway.errors import GatewayError
from pos_app.gateway.recon_types import (
    ReconEvent,
    ReconEventKind,
    ReconGateway,
    Settlement,
    SettlementQuery,
)
from pos_app.services.reporting.queries import ReportReader
from pos_app.services.reporting.recon_match import ReconReport, link_of, match_day
from pos_app.services.wording import describe_error
from pos_app.store.codec import RefundRecord
from pos_app.store.queries import Tally

__all__ = ["MARGIN", "PAGE", "fetch_day_events", "fetch_settlements", "reconcile_day"]

log = logging.getLogger(__name__)

PAGE = 1000  # Cashfree's largest page
MARGIN = timedelta(minutes=30)  # a payment journaled at 23:59 may reach Cashfree's books at 00:00
SLICE = timedelta(hours=1)  # journal reads between turns of the event loop
MAX_PAGES = 200  # 200,000 lines: far beyond a day of one shop; stops a cursor that never ends

Progress = Callable[[int], object]


async def fetch_day_events(
    gateway: ReconGateway,
    start: datetime,
    end: datetime,
    *,
    progress: Progress | None = None,
) -> list[ReconEvent]:
    """Every reconciliation line between start and end (all pages), as background work."""
    events: list[ReconEvent] = []
    cursor: str | None = None
    for _ in range(MAX_PAGES):
        page = await gateway.fetch_recon(start, end, cursor=cursor, limit=PAGE)
        events.extend(page.events)
        if progress is not None:
            progress(len(events))
        cursor = page.cursor
        if cursor is None:
            return events
    raise GatewayError(f"Cashfree kept returning more pages after {MAX_PAGES}; stopped reading.")


async def fetch_settlements(gateway: ReconGateway, ids: set[str]) -> dict[str, Settlement]:
    """Cashfree's records of these settlements (up to 1000 ids a call), by id."""
    found: dict[str, Settlement] = {}
    wanted = sorted(ids)
    for first in range(0, len(wanted), PAGE):
        query = SettlementQuery(settlement_ids=tuple(wanted[first : first + PAGE]))
        cursor: str | None = None
        for _ in range(MAX_PAGES):
            page = await gateway.fetch_settlements(query, cursor=cursor, limit=PAGE)
            found.update({s.cf_settlement_id: s for s in page.settlements})
            cursor = page.cursor
            if cursor is None:
                break
    return found


async def _journal_side(
    reader: ReportReader, start: datetime, end: datetime, events: list[ReconEvent]
) -> tuple[list[Sale], dict[str, list[RefundRecord]]]:
    """The day's sales, sales paid in the day though started earlier, and any sale the
    events name; with their refunds. Read an hour at a time with the event loop turning
    in between, so the desk stays responsive (no worker thread: see day_end)."""
    sales: dict[str, Sale] = {}
    first = start
    while first < end:
        last = min(end, first + SLICE)
        sales.update((s.order_id, s) for s in reader.sales_between(first, last))
        first = last
        await asyncio.sleep(0)
    for sale in reader.sales_between(start - timedelta(days=2), start, statuses=[SaleStatus.PAID]):
        if sale.paid_at is not None and sale.paid_at >= start:
            sales[sale.order_id] = sale
    named: set[str] = set()
    for event in events:
        if event.order_id:
            named.add(event.order_id)
            link = link_of(event.order_id)
            if link:
                named.add(link)
    missing = sorted(named - set(sales))
    for found in range(0, len(missing), 500):
        for sale in reader.sales_by_order_ids(missing[found : found + 500]):
            sales[sale.order_id] = sale
        await asyncio.sleep(0)
    # Only a refund line needs the journal's refunds of its sale.
    refunded = {e.order_id for e in events if e.kind is ReconEventKind.REFUND and e.order_id}
    wanted = {o for o in sales if o in refunded or sales[o].gateway_order_id in refunded}
    refunds = {order_id: reader.refunds_for(order_id) for order_id in wanted}
    return list(sales.values()), refunds


async def reconcile_day(
    gateway: ReconGateway,
    reader: ReportReader,
    start: datetime,
    end: datetime,
    *,
    zone: tzinfo,
    terminal_id: str | None = None,
    progress: Progress | None = None,
) -> ReconReport:
    """The three-way report for sales and payments in [start, end). With `terminal_id`,
    other tills' orders on the same Cashfree account are counted apart, not listed."""
    try:
        events = await fetch_day_events(gateway, start - MARGIN, end + MARGIN, progress=progress)
        ids = {e.cf_settlement_id for e in events if e.cf_settlement_id}
        settlements = await fetch_settlements(gateway, ids) if ids else {}
    except GatewayError as exc:
        log.warning("reconciliation could not be read: %r", exc)
        return ReconReport(
            start=start,
            end=end,
            zone=zone,
            issues=(),
            settlements=(),
            unsettled=Tally(),
            expected=None,
            matched=Tally(),
            cashfree_paid=Tally(),
            journal_paid=Tally(),
            events=0,
            error="Cashfree's reconciliation could not be read, so nothing was compared. "
            + describe_error(exc),
        )
    sales, refunds = await _journal_side(reader, start, end, events)
    return match_day(start, end, zone, events, sales, refunds, settlements, terminal_id=terminal_id)
