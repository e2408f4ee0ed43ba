"""ReconController: runs the Reconciliation tab's work and "the customer says they paid"
through the one Operations adapter (ui/operations.py), as background gateway work (the
counter keeps priority), and answers through signals."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from datetime import datetime
from typing import Any, cast

from PySide6.QtCore import QObject, Signal

from pos_app.domain.money import Money
from pos_app.services.checkout.paid_evidence import EvidenceGateway, check_paid_evidence
from pos_app.services.reporting.recon import reconcile_day
from pos_app.ui.manager import text
from pos_app.ui.manager.controller import ManagerContext
from pos_app.ui.operations import Operations

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
        self._operations = Operations(self)
        self._operations.busy_changed.connect(self.busy_changed)

    def _gateway(self) -> EvidenceGateway:
        return cast("EvidenceGateway", self.context.deps.background)

    def load_recon(self, start: datetime, end: datetime) -> asyncio.Task[None]:
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

        return self._run(work())

    def paid_evidence(self, order_id: str, utr: str, amount: Money) -> asyncio.Task[None]:
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

        return self._run(work())

    def _run(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        return self._operations.run(work, failed=self._failed)

    def _failed(self, exc: Exception) -> None:
        # The services turn Cashfree's failures into sentences themselves; what is left
        # is a journal problem (with a `message` for people) or a bug.
        message = getattr(exc, "message", None)
        if isinstance(message, str):
            log.warning("reconciliation: %r", exc)
            self.problem.emit(message)
        else:
            log.error("reconciliation action failed", exc_info=exc)
            self.problem.emit(text.UNEXPECTED)

    def shutdown(self) -> list[asyncio.Task[None]]:
        return self._operations.cancel_all()
