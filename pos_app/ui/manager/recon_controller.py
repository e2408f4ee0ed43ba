"""ReconController: runs the Reconciliation tab's work and "the customer says they paid"
on the qasync loop, as background gateway work (the counter keeps priority), keeping a
reference to each task, and answers through signals."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, cast

from PySide6.QtCore import QObject, Signal

from pos_app.domain.money import Money
from pos_app.services.checkout.paid_evidence import EvidenceGateway, check_paid_evidence
from pos_app.services.reporting.recon import reconcile_day
from pos_app.ui.aio import async_slot
from pos_app.ui.manager import text
from pos_app.ui.manager.controller import ManagerContext

__all__ = ["ASKED_BY", "ReconController"]

log = logging.getLogger(__name__)

ASKED_BY = "manager PIN in the console"


class ReconController(QObject):
    busy_changed = Signal(bool)
    recon_ready = Signal(object)  # ReconReport
    evidence_done = Signal(object)  # EvidenceOutcome
    problem = Signal(str)
    sale_changed = Signal(str)

    def __init__(self, context: ManagerContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self._tasks: set[asyncio.Task[Any]] = set()

    def _gateway(self) -> EvidenceGateway:
        return cast("EvidenceGateway", self.context.deps.background)

    @async_slot(object, object)
    async def load_recon(self, start: datetime, end: datetime) -> None:
        async def work() -> None:
            report = await reconcile_day(
                self._gateway(),
                self.context.reader,
                start,
                end,
                zone=self.context.zone,
                terminal_id=self.context.deps.terminal_id,
            )
            self.recon_ready.emit(report)

        await self._run(work)

    @async_slot(str, str, object)
    async def paid_evidence(self, order_id: str, utr: str, amount: Money) -> None:
        async def work() -> None:
            outcome = await check_paid_evidence(
                self._gateway(),
                self.context.deps.journal,
                order_id,
                utr,
                amount,
                ASKED_BY,
                clock=self.context.deps.clock,
            )
            self.evidence_done.emit(outcome)
            if outcome.recorded:
                self.sale_changed.emit(order_id)

        await self._run(work)

    async def _run(self, work: Callable[[], Awaitable[None]]) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        self.busy_changed.emit(True)
        try:
            await work()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            # The services turn Cashfree's failures into sentences themselves; what is left
            # is a journal problem (with a `message` for people) or a bug.
            message = getattr(exc, "message", None)
            if isinstance(message, str):
                log.warning("reconciliation: %r", exc)
                self.problem.emit(message)
            else:
                log.exception("reconciliation action failed")
                self.problem.emit(text.UNEXPECTED)
        finally:
            if task is not None:
                self._tasks.discard(task)
            self.busy_changed.emit(bool(self._tasks))

    def shutdown(self) -> list[asyncio.Task[Any]]:
        tasks = [t for t in self._tasks if not t.done()]
        for task in tasks:
            task.cancel()
        return tasks
