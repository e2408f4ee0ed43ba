"""Refunding a sale of another till from the console's Store tab.

Behind the manager PIN (the console's gate, as for a local refund) and in the same
RefundDialog; the refund itself goes through the store database (services/refunds/
at_other_till.py via the tab's reader): reserved there, journaled at this till, sent to
Cashfree. The dialog shows the outcome, and the tab reads the store database again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QWidget

from pos_app.domain.money import Money
from pos_app.services.refunds.service import REQUESTED, RefundOutcome, RefundRecord, RefundRefused
from pos_app.ui.manager import text
from pos_app.ui.manager.refund_dialog import RefundDialog
from pos_app.ui.manager.store_tab import StoreTab

__all__ = ["StoreRefundFlow"]

# (what the PIN is for, what to do once it is given): the console's `gate`
Gate = Callable[[str, Callable[[], object]], None]


def _as_record(outcome: Any) -> RefundRecord:
    """The store refund's outcome in the shape RefundDialog shows."""
    now = datetime.now(UTC)
    status = REQUESTED if outcome.status == "NOT CONFIRMED" else str(outcome.status)
    return RefundRecord(
        refund_id=outcome.refund_id,
        order_id=outcome.order_id,
        amount=outcome.amount,
        status=status,
        idempotency_key="",
        created_at=now,
        updated_at=now,
    )


class StoreRefundFlow(QObject):
    def __init__(
        self,
        tab: StoreTab,
        gate: Gate,
        open_sale: Callable[[str], object],
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self.tab = tab
        self.gate = gate
        self.window = parent
        self.dialog: RefundDialog | None = None
        self.task: asyncio.Task[None] | None = None
        tab.sales_pane.refund_requested.connect(self.ask)
        tab.sales_pane.open_requested.connect(open_sale)

    def ask(self, order_id: str) -> None:
        self.gate(text.PIN_TO_REFUND, lambda: self.open(order_id))

    def open(self, order_id: str) -> RefundDialog | None:
        row = self.tab.sales_pane.row_of(order_id)
        if row is None:
            return None
        left = row.sale.amount - row.refunded
        if left.paise <= 0:
            return None
        dialog = RefundDialog(row.sale, left, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.submitted.connect(self._submitted)
        dialog.finished.connect(lambda _r: self._closed(dialog))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _closed(self, dialog: RefundDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None

    def _submitted(self, order_id: str, amount: Money, reason: str | None) -> None:
        if self.task is not None and not self.task.done():
            return
        dialog = self.dialog
        self.task = asyncio.get_running_loop().create_task(
            self._refund(dialog, order_id, amount, reason)
        )

    async def _refund(
        self, dialog: RefundDialog | None, order_id: str, amount: Money, reason: str | None
    ) -> None:
        try:
            outcome = await self.tab.reader.refund(order_id, amount, reason)
        except RefundRefused as refused:
            if dialog is not None and dialog is self.dialog:
                dialog.show_refusal(refused.message)
            return
        if dialog is not None and dialog is self.dialog:
            taken = dialog.sale.amount - outcome.left_after
            dialog.show_outcome(RefundOutcome(_as_record(outcome), outcome.message), taken)
        self.tab.load()  # the sale's refunded amount and the day's totals change
