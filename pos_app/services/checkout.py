"""CheckoutService: start a sale and follow it to the end, cancel it, check it now, and
resume every unsettled sale after a restart.

The journal is written first: the sale (CREATED, order id, idempotency key) is committed
before anything is sent to Cashfree, and every later change is journaled before the new
SaleState is yielded to whoever watches (the Qt desk or the terminal).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine
from datetime import datetime, timedelta
from typing import Any

from pos_app.domain.card import CardDetails
from pos_app.domain.money import Money
from pos_app.domain.sale import OPEN_STATUSES, Method, Sale, SaleStatus
from pos_app.domain.validate import ValidationError
from pos_app.gateway.retry import background
from pos_app.services import card as card_step
from pos_app.services.opening import open_sale, start_attempt
from pos_app.services.runtime import Deps, SaleRun
from pos_app.services.state import ChargeRequest, SaleState
from pos_app.services.sweep import sweep_sale
from pos_app.services.watch import CANCEL_UNCONFIRMED, cancel_sale, watch_sale

__all__ = [
    "CheckoutService",
    "DuplicateChargeError",
    "SaleInProgressError",
    "new_order_id",
]

log = logging.getLogger(__name__)

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_order_id(terminal_id: str, now: datetime) -> str:
    """`<terminal>-<UTC yymmddHHMMSS>-<6 random>`: 3–45 of [A-Za-z0-9_-], unique across
    restarts and tills (the terminal id separates tills; time and randomness the rest)."""
    suffix = "".join(secrets.choice(_ALPHABET) for _ in range(6))
    return f"{terminal_id}-{now:%y%m%d%H%M%S}-{suffix}"


class SaleInProgressError(RuntimeError):
    def __init__(self, order_id: str) -> None:
        super().__init__(
            "A payment is already in progress at this till. Finish or cancel it first."
        )
        self.order_id = order_id


class DuplicateChargeError(RuntimeError):
    """The same amount was paid at this till moments ago: ask before charging again."""

    def __init__(self, previous: Sale, minutes_ago: float) -> None:
        super().__init__(
            f"{previous.amount.format()} was paid at this till {minutes_ago:.0f} minute(s) ago "
            f"(order {previous.order_id}). Charge the same amount again?"
        )
        self.previous = previous
        self.minutes_ago = minutes_ago


class CheckoutService:
    def __init__(
        self,
        deps: Deps,
        *,
        enabled_methods: frozenset[Method],
        max_amount: Money | None = None,
        duplicate_window: timedelta = timedelta(minutes=5),
    ) -> None:
        self.deps = deps
        self.enabled_methods = enabled_methods
        self.max_amount = max_amount
        self.duplicate_window = duplicate_window
        self.late_payment_listeners: list[Callable[[SaleState], None]] = []
        self.background_listeners: list[Callable[[SaleState], None]] = []
        self._runs: dict[str, SaleRun] = {}
        self._active: SaleRun | None = None
        self._tasks: set[asyncio.Task[Any]] = set()

    # ---- what watchers read ---------------------------------------------------------------
    @property
    def open_count(self) -> int:
        """Payments still open in the background (not the one at the counter)."""
        return sum(1 for run in self._runs.values() if not run.foreground)

    @property
    def active_order_id(self) -> str | None:
        return self._active.order_id if self._active else None

    # ---- starting a sale -----------------------------------------------------------------
    def check_request(self, request: ChargeRequest) -> None:
        """Refuse a request before anything is journaled. Raises ValidationError,
        SaleInProgressError or DuplicateChargeError."""
        if self._active is not None:
            raise SaleInProgressError(self._active.order_id)
        if request.method not in self.enabled_methods:
            raise ValidationError("method", f"{request.method.label} is switched off in Settings.")
        if request.method is Method.CARD and (request.card is None or request.card.cleared):
            raise ValidationError("card_number", "Enter the card details to pay by card.")
        if request.method is Method.COLLECT and not request.vpa:
            raise ValidationError("vpa", "Enter the customer's UPI id to send a payment request.")
        if request.phone is None and self.deps.default_phone is None:
            raise ValidationError(
                "phone",
                "Cashfree needs a customer mobile number: enter the customer's, or set the "
                "store's default number in Settings.",
            )
        maximum = self.max_amount
        if maximum is not None and request.amount > maximum:
            raise ValidationError("amount", f"The largest amount allowed is {maximum.format()}.")
        if not request.confirm_duplicate:
            now = self.deps.clock()
            previous = self.deps.journal.last_paid(
                self.deps.terminal_id, request.amount, now - self.duplicate_window
            )
            if previous is not None and previous.paid_at is not None:
                ago = (now - previous.paid_at).total_seconds() / 60
                raise DuplicateChargeError(previous, ago)

    def _journal_new_sale(self, request: ChargeRequest) -> Sale:
        now = self.deps.clock()
        order_id = new_order_id(self.deps.terminal_id, now)
        sale = Sale(
            order_id=order_id,
            terminal_id=self.deps.terminal_id,
            environment=self.deps.environment,
            amount=request.amount,
            method=request.method,
            status=SaleStatus.CREATED,
            idempotency_key=str(uuid.uuid4()),
            created_at=now,
            updated_at=now,
            bill_number=request.bill_number,
            note=request.note,
            customer_phone=request.phone,
            customer_email=request.email,
            vpa=request.vpa if request.method is Method.COLLECT else None,
            link_id=order_id if request.method is Method.LINK else None,
            expires_at=now + timedelta(minutes=self.deps.order_expiry_minutes),
            duplicate_override=request.confirm_duplicate,
        )
        return self.deps.journal.create_sale(sale)

    async def start(self, request: ChargeRequest) -> AsyncIterator[SaleState]:
        """The whole sale at the counter, one SaleState per change, ending at a settled
        state (or UNCERTAIN when a cancel could not be confirmed)."""
        try:
            self.check_request(request)
        except (ValidationError, SaleInProgressError):
            if request.card is not None:
                request.card.clear()  # refused for good; a duplicate warning keeps it
            raise
        sale = self._journal_new_sale(request)
        run = SaleRun(sale=sale, started_at=sale.created_at)
        if request.send_sms:
            run.notify |= {"sms"}
        if request.send_email:
            run.notify |= {"email"}
        self._active = run
        self._runs[sale.order_id] = run
        if request.card is not None:
            card_step.give_card(run, request.card)
        finished = False
        try:
            yield run.state()
            async for state in open_sale(self.deps, run):
                yield state
            if run.cancel_requested and run.sale.status is SaleStatus.CREATED:
                async for state in cancel_sale(self.deps, run):
                    yield state
            async for state in watch_sale(self.deps, run):
                yield state
            finished = True
        finally:
            card_step.forget_card(run)
            self._active = None
            run.done.set()
            self._after_foreground(run, finished)

    def _after_foreground(self, run: SaleRun, finished: bool) -> None:
        self._runs.pop(run.order_id, None)
        status = run.sale.status
        if status in OPEN_STATUSES:
            # The watcher went away (window closed, Ctrl-C) or the cancel is unconfirmed:
            # keep following the sale in the background.
            self._spawn(self._follow(run.sale))
        elif status in (SaleStatus.CANCELLED, SaleStatus.EXPIRED):
            self._spawn(sweep_sale(self.deps, run.sale, self._announce_late))
        if not finished:
            log.info("sale %s left the counter in state %s", run.order_id, status.value)

    # ---- actions on a running sale --------------------------------------------------------
    async def cancel(self, order_id: str, *, wait_seconds: float = 30.0) -> SaleState | None:
        """Ask to cancel; returns the settled state when it is known within `wait_seconds`."""
        run = self._runs.get(order_id)
        if run is None:
            sale = self.deps.journal.get_sale(order_id)
            if sale is None or sale.status not in OPEN_STATUSES:
                return None
            run = SaleRun(sale=sale, started_at=sale.created_at, foreground=False)
            run.cancel_requested = True
            last = None
            async for state in cancel_sale(self.deps, run):
                last = state
            self._after_foreground(run, True)
            return last
        run.cancel_requested = True
        run.wake.set()
        try:
            async with asyncio.timeout(wait_seconds):
                await run.done.wait()
        except TimeoutError:
            return None
        return run.state()

    def check_now(self, order_id: str) -> None:
        run = self._runs.get(order_id)
        if run is not None:
            run.wake.set()

    async def retry_attempt(self, order_id: str) -> AsyncIterator[SaleState]:
        """Show a fresh QR / send the request again for an open order."""
        run = self._runs.get(order_id)
        if run is None:
            return
        run.error = None
        run.link_fallback = False
        async for state in start_attempt(self.deps, run):
            yield state

    # ---- card sales: the OTP step and another card ----------------------------------------
    def _card_run(self, order_id: str) -> SaleRun:
        run = self._runs.get(order_id)
        if run is None or run.sale.method is not Method.CARD:
            raise card_step.CardStepError("This sale is not a card payment at this till.")
        return run

    async def submit_otp(self, order_id: str, otp: str) -> SaleState:
        """Submit the customer's OTP. Raises ValidationError or CardStepError."""
        return await card_step.submit_otp(self.deps, self._card_run(order_id), otp)

    async def resend_otp(self, order_id: str) -> SaleState:
        """Ask the bank to send the OTP again (cool-down between asks)."""
        return await card_step.resend_otp(self.deps, self._card_run(order_id))

    async def retry_card(self, order_id: str, card: CardDetails) -> AsyncIterator[SaleState]:
        """Another card for an open card sale (after a decline or a failed OTP)."""
        try:
            run = self._card_run(order_id)
        except card_step.CardStepError:
            card.clear()
            raise
        card_step.give_card(run, card)
        run.error = None
        async for state in start_attempt(self.deps, run):
            yield state

    # ---- background work ------------------------------------------------------------------
    def resume_open_sales(self) -> int:
        """Start following every sale without a final state, and sweep recent closed ones.
        Returns how many open sales are being followed."""
        count = 0
        for sale in self.deps.journal.open_sales(self.deps.terminal_id):
            if sale.order_id not in self._runs:
                self._spawn(self._follow(sale))
                count += 1
        since = self.deps.clock() - timedelta(seconds=self.deps.sweep.duration)
        for sale in self.deps.journal.sweep_candidates(since):
            self._spawn(sweep_sale(self.deps, sale, self._announce_late))
        return count

    async def settle(self, sale: Sale) -> SaleState:
        """Follow one open sale to a settled state (used by `pos-app reconcile` and the
        background); returns the last state."""
        run = self._runs.get(sale.order_id)
        if run is not None:
            await run.done.wait()
            return run.state()
        run = SaleRun(sale=sale, started_at=self.deps.clock(), foreground=False)
        self._runs[sale.order_id] = run
        last = run.state()
        # A sale never shown to a customer (CREATED), or one whose cancel could not be
        # confirmed, is cancelled; retried while Cashfree cannot be reached.
        wants_cancel = sale.status is SaleStatus.CREATED or (
            sale.status is SaleStatus.UNCERTAIN and sale.reason == CANCEL_UNCONFIRMED
        )
        try:
            with background():
                while True:
                    run.cancel_requested = run.cancel_requested or wants_cancel
                    async for last in watch_sale(self.deps, run):
                        for listener in self.background_listeners:
                            listener(last)
                    if run.sale.status is not SaleStatus.UNCERTAIN:
                        break
                    await run.pause(self.deps, self.deps.schedule.slow_interval)
        finally:
            self._runs.pop(sale.order_id, None)
            run.done.set()
        if run.sale.status in (SaleStatus.CANCELLED, SaleStatus.EXPIRED):
            self._spawn(sweep_sale(self.deps, run.sale, self._announce_late))
        return last

    async def _follow(self, sale: Sale) -> None:
        await self.settle(sale)

    def _announce_late(self, run: SaleRun) -> None:
        state = run.state()
        for listener in self.late_payment_listeners:
            try:
                listener(state)
            except Exception:
                log.exception("late-payment listener failed")

    def _spawn(self, coro: Coroutine[Any, Any, object]) -> None:
        task: asyncio.Task[Any] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background task failed", exc_info=task.exception())

    async def shutdown(self) -> None:
        """Cancel every background task (the journal keeps what they learned)."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
