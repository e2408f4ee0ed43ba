"""What every part of the checkout shares: its dependencies (Deps) and the live record of
one sale being watched (SaleRun), with the helpers that journal a change and turn the sale
into the SaleState that watchers render."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from pos_app.domain.card import CardDetails
from pos_app.domain.clock import Clock
from pos_app.domain.qr import QrCode
from pos_app.domain.sale import InvalidTransition, Method, ReasonCode, Sale, SaleStatus
from pos_app.gateway.base import PaymentGateway
from pos_app.services.checkout.card_prompt import CardFlow
from pos_app.services.checkout.schedule import PollSchedule, SweepSchedule
from pos_app.services.checkout.state import Offline, SaleState
from pos_app.services.wording import sale_message
from pos_app.store.leases import Lease, Nudge, Owner

__all__ = ["Deps", "JournalLike", "SaleRun", "default_message"]

log = logging.getLogger(__name__)


class JournalLike(Protocol):
    """The part of store.journal.Journal the checkout uses."""

    def create_sale(
        self, sale: Sale, *, counter: Owner | None = None, lease: timedelta = ...
    ) -> Sale: ...

    def get_sale(self, order_id: str) -> Sale | None: ...

    def update_sale(
        self,
        order_id: str,
        *,
        event: str,
        detail: Mapping[str, object] | None = None,
        status: SaleStatus | None = None,
        **fields: Any,
    ) -> Sale: ...

    def add_event(
        self, order_id: str, kind: str, detail: Mapping[str, object] | None = None
    ) -> None: ...

    def open_sales(self, terminal_id: str | None = None) -> list[Sale]: ...

    def sweep_candidates(self, since: datetime) -> list[Sale]: ...

    def last_paid(self, terminal_id: str, amount: Any, since: datetime) -> Sale | None: ...

    # who follows each sale (store/leases.py)
    def claim(self, order_id: str, owner: Owner, role: str, ttl: timedelta) -> bool: ...

    def change_role(self, order_id: str, owner: Owner, role: str) -> bool: ...

    def release(self, order_id: str, owner: Owner) -> None: ...

    def release_all(self, owner: Owner) -> int: ...

    def renew(self, owner: Owner, ttl: timedelta) -> int: ...

    def live_lease(self, order_id: str) -> Lease | None: ...

    def nudge(self, order_id: str, *, cancel: bool = False) -> bool: ...

    def take_nudges(self, owner: Owner) -> list[Nudge]: ...

    def live_leases(
        self, terminal_id: str, *, exclude_owner: Owner | None = None
    ) -> list[Lease]: ...

    def counter_sale(self, terminal_id: str) -> Lease | None: ...


@dataclass(slots=True)
class Deps:
    """What the checkout needs. Two views of one gateway say who is calling:

    - `gateway`: the counter's. The checkout's loops own the cadence, so it makes one
      HTTP attempt per call (`CashfreeGateway.single_attempt()`): a hanging network shows
      "offline" within the first timeout, and the loop tries again on its own clock.
    - `background`: for sales followed away from the counter, sweeps and refreshes
      (`CashfreeGateway.background()`): its calls leave the rate budget's reserve to the
      counter and never go before a waiting counter call.
    """

    gateway: PaymentGateway
    journal: JournalLike
    clock: Clock  # aware UTC
    sleep: Callable[[float], Awaitable[None]]
    terminal_id: str
    environment: str
    store_name: str
    default_phone: str | None
    order_expiry_minutes: float
    background: PaymentGateway
    schedule: PollSchedule = field(default_factory=PollSchedule)
    sweep: SweepSchedule = field(default_factory=SweepSchedule)
    # This process, as the owner of the sales it follows (see store/leases.py).
    owner: Owner = field(default_factory=Owner.of_this_process)
    # Wakes this process's own follower of a sale at once (set by CheckoutService).
    wake_local: Callable[[str], bool] = field(default=lambda order_id: False)
    notify_url: str | None = None  # the store's public webhook URL, sent with every order

    def gateway_for(self, run: SaleRun) -> PaymentGateway:
        """The counter's gateway for the sale at the counter, the background one for any
        other (a run leaves the counter by turning `foreground` off)."""
        return self.gateway if run.foreground else self.background


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
