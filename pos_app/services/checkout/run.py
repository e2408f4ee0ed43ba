"""The live record of one sale being watched (SaleRun), with the helpers that journal a
change and turn the sale into the SaleState that watchers render. What the checkout needs
from the rest of the till is in deps.py."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pos_app.domain.card import CardDetails
from pos_app.domain.qr import QrCode
from pos_app.domain.sale import InvalidTransition, Method, ReasonCode, Sale, SaleStatus
from pos_app.services.checkout.card_prompt import CardFlow
from pos_app.services.checkout.deps import Deps
from pos_app.services.checkout.state import Offline, SaleState
from pos_app.services.wording import sale_message

__all__ = ["SaleRun", "default_message"]

log = logging.getLogger(__name__)


@dataclass(eq=False, slots=True)
class SaleRun:
    """A sale the service is watching right now (at the counter or in the background)."""

    sale: Sale
    started_at: datetime
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    done: asyncio.Event = field(default_factory=asyncio.Event)
    cancel_requested: bool = False
    cancel_code: ReasonCode = ReasonCode.CANCELLED_BY_CASHIER
    cancel_answered: asyncio.Event = field(default_factory=asyncio.Event)
    closing_wanted: bool = False  # a cancel Cashfree could not confirm: try again
    close_refused: bool = False  # Cashfree refused to close it: follow it, do not insist
    foreground: bool = True
    qr: QrCode | None = None
    qr_image: bytes | None = None
    qr_text: str | None = None
    link_url: str | None = None
    attempt_failed: str | None = None
    seen_failures: set[str] = field(default_factory=set)
    seen_anomalies: set[str] = field(default_factory=set)
    offline: Offline | None = None
    error: str | None = None
    link_fallback: bool = False
    message: str | None = None
    notify: frozenset[str] = frozenset()  # payment link: "sms" and/or "email"
    card: CardDetails | None = field(default=None, repr=False)  # until its Order Pay call
    card_flow: CardFlow | None = None  # card sales: the OTP / bank-page step

    @property
    def order_id(self) -> str:
        return self.sale.order_id

    def record(
        self,
        deps: Deps,
        *,
        event: str,
        status: SaleStatus | None = None,
        detail: Mapping[str, object] | None = None,
        **fields: Any,
    ) -> bool:
        """Journal a change (one transaction). False when the status change was no longer
        allowed because another watcher got there first; the run then follows the journal."""
        try:
            self.sale = deps.journal.update_sale(
                self.order_id, event=event, detail=detail, status=status, **fields
            )
            return True
        except InvalidTransition as exc:
            log.warning("sale %s: %s; following the journal", self.order_id, exc)
            fresh = deps.journal.get_sale(self.order_id)
            if fresh is not None:
                self.sale = fresh
            return False

    async def pause(self, deps: Deps, seconds: float) -> None:
        """Sleep, but wake early for Check now or Cancel. Never shorter than the pace the
        sale's read budget allows (PollSchedule.min_interval)."""
        if self.wake.is_set():
            self.wake.clear()
            return
        seconds = max(seconds, deps.schedule.min_interval(self.sale.method))
        sleeper = asyncio.ensure_future(deps.sleep(max(0.0, seconds)))
        waker = asyncio.ensure_future(self.wake.wait())
        try:
            await asyncio.wait({sleeper, waker}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sleeper, waker):
                if not task.done():
                    task.cancel()
            await asyncio.gather(sleeper, waker, return_exceptions=True)
        self.wake.clear()

    def _card_message(self) -> str | None:
        return _card_line(self)

    def state(self) -> SaleState:
        s = self.sale
        return SaleState(
            order_id=s.order_id,
            amount=s.amount,
            method=s.method,
            status=s.status,
            message=self.message or self._card_message() or default_message(s),
            qr=self.qr,
            qr_image=self.qr_image,
            qr_text=self.qr_text,
            link_url=self.link_url,
            expires_at=s.expires_at,
            attempt_failed=self.attempt_failed,
            offline=self.offline,
            error=self.error,
            link_fallback=self.link_fallback,
            cf_payment_id=s.cf_payment_id,
            bank_reference=s.bank_reference,
            payment_group=s.payment_group,
            paid_at=s.paid_at,
            late=s.late,
            bill_number=s.bill_number,
            card=self.card_flow.prompt() if self.card_flow is not None else None,
            checkout_session=s.payment_session_id if s.method is Method.CHECKOUT else None,
            reason_code=s.reason_code,
        )


def _card_line(run: SaleRun) -> str | None:
    flow = run.card_flow
    if flow is None or run.sale.status is not SaleStatus.AWAITING_PAYMENT:
        return None
    return flow.message


def default_message(sale: Sale) -> str:
    return sale_message(sale)  # the words live in services/wording.py
