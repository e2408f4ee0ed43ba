"""ManagerController: the one adapter between the manager's console and the async services.

Views call its slots; it runs the work through the one Operations adapter (ui/operations.py)
on the qasync loop (long journal reads a slice at a time, the loop turning in between: no
worker threads in the desk), and answers through signals. Its services reach Cashfree
through the gateway's background view (Deps.background), so a sale at the counter keeps priority in the rate budget.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QObject, Signal

from pos_app.domain.money import Money
from pos_app.domain.sale import OPEN_STATUSES, Sale
from pos_app.services.checkout.deps import Deps
from pos_app.services.checkout.reconcile import refresh_sale
from pos_app.services.checkout.state import SaleState
from pos_app.services.records import JournalError
from pos_app.services.refunds.requests import RefundRequestDecidedError, RefundRequestService
from pos_app.services.refunds.service import (
    FINAL,
    RefundPending,
    RefundRefused,
    RefundService,
    describe_refund,
)
from pos_app.services.reporting.day_end import build_day_report_stepwise
from pos_app.services.reporting.day_refresh import refresh_day
from pos_app.services.reporting.queries import ReportReader, SalesFilter, refunded_by_order
from pos_app.services.reporting.reports import sales_csv
from pos_app.ui.manager import text
from pos_app.ui.manager.receipt import StoreDetails
from pos_app.ui.operations import Operations

__all__ = ["CancelPort", "ManagerContext", "ManagerController"]

log = logging.getLogger(__name__)


class CancelPort(Protocol):
    """What the console uses of services.checkout.CheckoutService."""

    async def cancel(self, order_id: str) -> SaleState | None: ...

    @property
    def active_order_id(self) -> str | None: ...


@dataclass
class ManagerContext:
    """What the console needs, handed in by the entry point (Qt-free values)."""

    deps: Deps  # gateway, writing journal, clock, store name, terminal, environment
    reader: ReportReader  # read-only, for the lists (GUI thread)
    refunds: RefundService
    checkout: CancelPort
    zone: tzinfo
    pin_set: bool = True
    requests: RefundRequestService | None = None  # refund requests from the MCP server
    store: StoreDetails | None = None  # for receipts (address, GSTIN, phone from Settings)


def _write_text(path: Path, content: str) -> None:
    """A local file of at most a few megabytes: written in one step."""
    path.write_text(content, encoding="utf-8", newline="")


class ManagerController(QObject):
    busy_changed = Signal(bool)
    notice = Signal(str)
    problem = Signal(str)
    sale_changed = Signal(str)  # order id: re-read it
    day_ready = Signal(object)  # DayReport
    day_refreshed = Signal(object)  # DayRefresh
    progress = Signal(int, int)
    refund_done = Signal(object)  # RefundOutcome
    refund_refused = Signal(str)
    request_decided = Signal(str)  # the outcome, in words
    request_refused = Signal(str)
    refund_waiting = Signal(object, str)  # RefundRecord on its way, sentence

    def __init__(self, context: ManagerContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self._operations = Operations(self)
        self._operations.busy_changed.connect(self.busy_changed)
        self._day_reader: ReportReader | None = None

    @property
    def busy(self) -> bool:
        return self._operations.busy

    # ---- sales ---------------------------------------------------------------------------------
    def refresh_sale(self, order_id: str) -> asyncio.Task[None]:
        async def work() -> None:
            sale = self.context.deps.journal.get_sale(order_id)
            if sale is None:
                return
            result = await refresh_sale(self.context.deps, sale)
            if result.error:
                self.problem.emit(result.error)
            elif result.followed_elsewhere:
                self.notice.emit(text.followed_elsewhere(order_id))
            else:
                self.notice.emit(
                    f"{order_id}: {text.status_name(result.sale.status, result.sale.late)}."
                )
            self.sale_changed.emit(order_id)

        return self._run(work())

    def cancel_sale(self, order_id: str) -> asyncio.Task[None]:
        async def work() -> None:
            sale = self.context.deps.journal.get_sale(order_id)
            if sale is None or sale.status not in OPEN_STATUSES:
                self.notice.emit(text.CANCEL_NOT_OPEN)
                return
            settled = await self.context.checkout.cancel(order_id)
            if settled is None or settled.status in OPEN_STATUSES:
                self.notice.emit(text.CANCEL_UNCONFIRMED)
            else:
                self.notice.emit(settled.message or text.CANCEL_SENT)
            self.sale_changed.emit(order_id)

        return self._run(work())

    # ---- refunds -------------------------------------------------------------------------------
    def refund(self, order_id: str, amount: Money | None, reason: str | None) -> asyncio.Task[None]:
        return self._refund(order_id, amount, reason, another=False)

    def refund_another(
        self, order_id: str, amount: Money | None, reason: str | None
    ) -> asyncio.Task[None]:
        """A FURTHER refund beside one on its way (the console asked the PIN again)."""
        return self._refund(order_id, amount, reason, another=True)

    def _refund(
        self, order_id: str, amount: Money | None, reason: str | None, *, another: bool
    ) -> asyncio.Task[None]:
        async def work() -> None:
            try:
                outcome = await self.context.refunds.refund(
                    order_id, amount, reason, another=another
                )
            except RefundPending as waiting:
                self.refund_waiting.emit(waiting.pending, waiting.message)
                return
            except RefundRefused as refused:
                self.refund_refused.emit(refused.message)
                return
            finally:
                self.sale_changed.emit(order_id)
            self.refund_done.emit(outcome)
            self.notice.emit(outcome.message)

        return self._run(work())

    def check_refunds(self, order_id: str) -> asyncio.Task[None]:
        """Send unconfirmed refunds again (same id and key) and read pending ones."""

        async def work() -> None:
            messages = []
            for record in self.context.reader.refunds_for(order_id):
                if record.status in FINAL:
                    continue
                checked = await self.context.refunds.check(record)
                messages.append(checked.error or describe_refund(checked.record))
            self.sale_changed.emit(order_id)
            if messages:
                self.notice.emit(" ".join(messages))

        return self._run(work())

    # ---- refund requests (the MCP server asks, the manager decides) ---------------------------
    def approve_refund_request(self, request_id: str) -> asyncio.Task[None]:
        async def work() -> None:
            service = self.context.requests
            if service is None:
                return
            order_id = None
            try:
                request = service.get(request_id)
                order_id = request.order_id if request is not None else None
                decision = await service.approve(request_id)
            except (RefundRefused, RefundRequestDecidedError) as refused:
                message = refused.message if isinstance(refused, RefundRefused) else str(refused)
                self.request_refused.emit(message)
                return
            finally:
                if order_id is not None:
                    self.sale_changed.emit(order_id)
            self.request_decided.emit(decision.message)
            self.notice.emit(decision.message)

        return self._run(work())

    def reject_refund_request(self, request_id: str, note: str | None) -> asyncio.Task[None]:
        async def work() -> None:
            service = self.context.requests
            if service is None:
                return
            try:
                decision = service.reject(request_id, note)
            except (RefundRefused, RefundRequestDecidedError) as refused:
                message = refused.message if isinstance(refused, RefundRefused) else str(refused)
                self.request_refused.emit(message)
                return
            self.sale_changed.emit(decision.request.order_id)
            self.request_decided.emit(decision.message)

        return self._run(work())

    # ---- the day -------------------------------------------------------------------------------
    def day_reader(self) -> ReportReader:
        if self._day_reader is None or self._day_reader.closed:
            self._day_reader = ReportReader.open(self.context.reader.path, read_only=True)
        return self._day_reader

    def load_day(
        self, start: datetime, end: datetime, terminal_id: str | None
    ) -> asyncio.Task[None]:
        return self._run(self._load_day(start, end, terminal_id))

    async def _load_day(self, start: datetime, end: datetime, terminal_id: str | None) -> None:
        report = await build_day_report_stepwise(
            self.day_reader(), start, end, zone=self.context.zone, terminal_id=terminal_id
        )
        self.day_ready.emit(report)

    def refresh_day(
        self, start: datetime, end: datetime, terminal_id: str | None
    ) -> asyncio.Task[None]:
        async def work() -> None:
            active = self.context.checkout.active_order_id
            result = await refresh_day(
                self.context.deps,
                self.context.reader,
                self.context.refunds,
                start,
                end,
                terminal_id=terminal_id,
                skip={active} if active else (),
                progress=lambda done, total: self.progress.emit(done, total),
            )
            self.day_refreshed.emit(result)
            self.notice.emit(text.refreshed(result))

        async def then_load() -> None:
            try:
                await work()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._failed(exc)
            await self._load_day(start, end, terminal_id)  # what the journal now says

        return self._run(then_load())

    def export_sales(self, path: Path, wanted: SalesFilter) -> asyncio.Task[None]:
        async def work() -> None:
            # An hour of sales at a time, with the event loop turning in between (no worker
            # thread in the desk: see day_end.build_day_report_stepwise).
            reader = self.day_reader()
            sales: list[Sale] = []
            first = wanted.start
            while first < wanted.end:
                last = min(wanted.end, first + timedelta(hours=1))
                sales.extend(
                    reader.sales_between(
                        first,
                        last,
                        statuses=wanted.statuses,
                        methods=wanted.methods,
                        terminal_id=wanted.terminal_id,
                        search=wanted.search or None,
                    )
                )
                first = last
                await asyncio.sleep(0)
            refunded = refunded_by_order(reader, [s.order_id for s in sales])
            content = sales_csv(sales, self.context.zone, refunded)
            await asyncio.sleep(0)
            _write_text(Path(path), content)
            self.notice.emit(text.exported(len(sales), str(path)))

        return self._run(work())

    # ---- plumbing ------------------------------------------------------------------------------
    def _run(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        return self._operations.run(work, failed=self._failed)

    def _failed(self, exc: Exception) -> None:
        if isinstance(exc, JournalError):
            log.warning("manager console: %s", exc.message)
            self.problem.emit(exc.message)
        elif isinstance(exc, OSError):
            self.problem.emit(f"The file could not be written: {exc.strerror or exc}.")
        else:
            log.error("manager console action failed", exc_info=exc)
            self.problem.emit(text.UNEXPECTED)

    def shutdown(self) -> list[asyncio.Task[None]]:
        """Cancel every task this controller started and close its own journal reader."""
        tasks = self._operations.cancel_all()
        if self._day_reader is not None:
            with contextlib.suppress(JournalError):
                self._day_reader.close()
            self._day_reader = None
        return tasks
