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
from pos_app.domain.sale import (
    CLOSED_UNPAID,
    OPEN_STATUSES,
    Method,
    ReasonCode,
    Sale,
    SaleStatus,
)
from pos_app.domain.validate import ValidationError
from pos_app.services.checkout import card as card_step
from pos_app.services.checkout.deps import Deps
from pos_app.services.checkout.following import cancel_sale, watch_sale
from pos_app.services.checkout.late_sweep import sweep_sale
from pos_app.services.checkout.lease_keeper import LEASE_TTL, keep_leases
from pos_app.services.checkout.listeners import Listeners
from pos_app.services.checkout.opening import open_sale, start_attempt
from pos_app.services.checkout.run import SaleRun
from pos_app.services.checkout.state import ChargeRequest, SaleState
from pos_app.store.errors import CounterBusyError, JournalError

__all__ = [
    "LEASE_TTL",
    "CheckoutService",
    "DuplicateChargeError",
    "SaleInProgressError",
    "new_order_id",
]

log = logging.getLogger(__name__)

Listener = Callable[[SaleState], None]

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_order_id(terminal_id: str, now: datetime) -> str:
    """`<terminal>-<UTC yymmddHHMMSS>-<6 random>`: 3–45 of [A-Za-z0-9_-], unique across
    restarts and tills (the terminal id separates tills; time and randomness the rest)."""
    suffix = "".join(secrets.choice(_ALPHABET) for _ in range(6))
    return f"{terminal_id}-{now:%y%m%d%H%M%S}-{suffix}"


class SaleInProgressError(RuntimeError):
    def __init__(self, order_id: str) -> None:
        super().__init__(
            f"A payment is already in progress at this till (order {order_id}). "
            "Finish or cancel it first."
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
    """The till's checkout. Every sale it follows is claimed in the journal first (one
    owner per sale across the till's processes, store/leases.py); a sale another process
    follows is only nudged ("check now", "cancel"), never followed twice."""

    def __init__(
        self,
        deps: Deps,
        *,
        enabled_methods: frozenset[Method],
        max_amount: Money | None = None,
        duplicate_window: timedelta = timedelta(minutes=5),
        keep_leases: bool = False,
    ) -> None:
        self.deps = deps
        self._keep_leases = keep_leases  # a real process: heartbeat and hear other doors
        self.enabled_methods = enabled_methods
        self.max_amount = max_amount
        self.duplicate_window = duplicate_window
        self._late_payments: Listeners[SaleState] = Listeners("late payment")
        self._background_changes: Listeners[SaleState] = Listeners("background change")
        self._runs: dict[str, SaleRun] = {}  # sales this process follows, counter included
        self._sweeping: set[str] = set()
        self._active: SaleRun | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._keeper: asyncio.Task[Any] | None = None
        deps.wake_local = self._wake_local

    def subscribe(self, listener: Listener, *, late: bool = False) -> Callable[[], None]:
        """Hear about background changes (or late payments); returns the unsubscribe."""
        return (self._late_payments if late else self._background_changes).subscribe(listener)

    # ---- what watchers read ---------------------------------------------------------------
    @property
    def open_count(self) -> int:
        """Payments still open in the background (not the one at this counter): the ones
        this process follows and the ones other processes of this till follow."""
        own = sum(1 for run in self._runs.values() if not run.foreground)
        deps = self.deps
        others = deps.journal.live_leases(deps.terminal_id, exclude_owner=deps.owner)
        return own + sum(1 for lease in others if lease.role in ("counter", "follow"))

    @property
    def active_order_id(self) -> str | None:
        return self._active.order_id if self._active else None

    # ---- starting a sale -----------------------------------------------------------------
    def check_request(self, request: ChargeRequest) -> None:
        """Refuse a request before anything is journaled. Raises ValidationError,
        SaleInProgressError or DuplicateChargeError."""
        if self._active is not None:
            raise SaleInProgressError(self._active.order_id)
        counter = self.deps.journal.counter_sale(self.deps.terminal_id)
        if counter is not None:
            raise SaleInProgressError(counter.order_id)
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
        try:
            # The counter is claimed in the same transaction: one sale at a time per till,
            # whichever process shows it.
            return self.deps.journal.create_sale(sale, counter=self.deps.owner, lease=LEASE_TTL)
        except CounterBusyError as exc:
            raise SaleInProgressError(exc.order_id) from None

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
        self._ensure_keeper()
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
                run.cancel_answered.set()
            if not run.closing_wanted:
                async for state in watch_sale(self.deps, run):
                    yield state
            finished = True
        finally:
            card_step.forget_card(run)
            self._active = None
            self._after_foreground(run, finished)

    def _after_foreground(self, run: SaleRun, finished: bool) -> None:
        """The counter let go of the sale. Still open: the same run keeps following it in
        the background (it stays registered, so a cancel finds it). Closed: the late sweep
        takes the lease. Settled: the lease is let go."""
        status = run.sale.status
        if not finished:
            log.info("sale %s left the counter in state %s", run.order_id, status.value)
        unreadable = run.sale.reason_code is ReasonCode.NOT_FOUND_AT_CASHFREE
        if status in OPEN_STATUSES and not unreadable:
            run.foreground = False
            try:
                self.deps.journal.change_role(run.order_id, self.deps.owner, "follow")
            except JournalError as exc:  # closed at shutdown, or busy: the lease expires
                log.warning("sale %s: could not hand over at the counter: %s", run.order_id, exc)
                self._runs.pop(run.order_id, None)
                run.done.set()
                return
            if status is SaleStatus.CREATED and not run.closing_wanted:
                # Never shown to the customer: close it.
                run.closing_wanted = True
                run.cancel_code = ReasonCode.STOPPED_BEFORE_ORDER
            self._spawn(self._follow(run))
            return
        self._runs.pop(run.order_id, None)
        run.done.set()
        self._after_follow(run)

    # ---- actions on a sale ----------------------------------------------------------------
    async def cancel(
        self,
        order_id: str,
        *,
        reason: ReasonCode = ReasonCode.CANCELLED_BY_CASHIER,
        wait_seconds: float = 30.0,
    ) -> SaleState | None:
        """Ask to cancel; returns the state once Cashfree has answered the close (within
        `wait_seconds`), or None. A sale another process follows is asked through the
        journal and the answer read back from it."""
        run = self._runs.get(order_id)
        if run is None:
            sale = self.deps.journal.get_sale(order_id)
            if sale is None or sale.status not in OPEN_STATUSES:
                return None
            run = self._adopt(sale)
            if run is None:
                return await self._cancel_elsewhere(order_id, wait_seconds)
        run.cancel_code = reason
        run.cancel_requested = True
        run.cancel_answered.clear()
        run.wake.set()
        answered = asyncio.ensure_future(run.cancel_answered.wait())
        done = asyncio.ensure_future(run.done.wait())
        try:
            await asyncio.wait(
                {answered, done}, timeout=wait_seconds, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            for waiter in (answered, done):
                waiter.cancel()
            await asyncio.gather(answered, done, return_exceptions=True)
        if not (run.cancel_answered.is_set() or run.done.is_set()):
            return None
        return run.state()

    async def _cancel_elsewhere(self, order_id: str, wait_seconds: float) -> SaleState | None:
        journal = self.deps.journal
        if not journal.nudge(order_id, cancel=True):
            return None
        end = asyncio.get_running_loop().time() + wait_seconds
        while asyncio.get_running_loop().time() < end:
            await asyncio.sleep(0.25)
            sale = journal.get_sale(order_id)
            if sale is not None and sale.status not in OPEN_STATUSES:
                return SaleRun(sale=sale, started_at=sale.created_at, foreground=False).state()
        return None

    def check_now(self, order_id: str) -> None:
        if not self._wake_local(order_id):
            self.deps.journal.nudge(order_id)

    def _wake_local(self, order_id: str) -> bool:
        run = self._runs.get(order_id)
        if run is None:
            return False
        run.wake.set()
        return True

    async def retry_attempt(self, order_id: str) -> AsyncIterator[SaleState]:
        """Show a fresh QR / send the request again for an open order."""
        run = self._runs.get(order_id)
        if run is None:
            return
        run.error = None
        run.link_fallback = False
        async for state in start_attempt(self.deps, run, new_attempt=True):
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

    async def use_bank_page(self, order_id: str) -> SaleState:
        """Switch a card payment waiting for its OTP to the bank's own page (a QR)."""
        return await card_step.use_bank_page(self.deps, self._card_run(order_id))

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
        """Follow every sale of this till that has no final state and no live owner, and
        sweep recent closed ones nobody sweeps. Returns how many open sales it took."""
        count = 0
        journal = self.deps.journal
        for sale in journal.open_sales(self.deps.terminal_id):
            if sale.reason_code is ReasonCode.NOT_FOUND_AT_CASHFREE:
                continue  # for the manager: polling it cannot settle it
            if sale.order_id not in self._runs and self._adopt(sale) is not None:
                count += 1
        since = self.deps.clock() - timedelta(seconds=self.deps.sweep.duration)
        for sale in journal.sweep_candidates(since):
            if sale.terminal_id == self.deps.terminal_id:
                self._adopt_sweep(sale)
        return count

    async def settle(self, sale: Sale) -> SaleState:
        """Follow one open sale to a settled state (used by `pos-app reconcile`); returns
        the last state. A sale another process follows is left to it: its journal state
        is returned."""
        run = self._runs.get(sale.order_id) or self._adopt(sale)
        if run is None:
            current = self.deps.journal.get_sale(sale.order_id) or sale
            self.deps.journal.nudge(sale.order_id)
            return SaleRun(sale=current, started_at=current.created_at, foreground=False).state()
        await run.done.wait()
        return run.state()

    def _adopt(self, sale: Sale) -> SaleRun | None:
        """Claim an open sale and follow it in the background; None when someone else (or
        another follower of this process) has it."""
        deps = self.deps
        if sale.order_id in self._runs:
            return None
        if not deps.journal.claim(sale.order_id, deps.owner, "follow", LEASE_TTL):
            return None
        current = deps.journal.get_sale(sale.order_id) or sale
        run = SaleRun(sale=current, started_at=deps.clock(), foreground=False)
        # Never shown to a customer, or a cancel Cashfree could not confirm: close it.
        if current.status is SaleStatus.CREATED:
            run.closing_wanted = True
            run.cancel_code = ReasonCode.STOPPED_BEFORE_ORDER
        elif current.reason_code is ReasonCode.CANCEL_UNCONFIRMED:
            run.closing_wanted = True
        self._runs[sale.order_id] = run
        self._spawn(self._follow(run))
        self._ensure_keeper()
        return run

    async def _follow(self, run: SaleRun) -> None:
        deps = self.deps
        try:
            while True:
                run.cancel_requested = run.cancel_requested or run.closing_wanted
                async for state in watch_sale(deps, run):
                    self._background_changes.tell(state)
                status = run.sale.status
                if status is not SaleStatus.UNCERTAIN:
                    break
                if run.sale.reason_code is ReasonCode.NOT_FOUND_AT_CASHFREE:
                    break
                await run.pause(deps, deps.schedule.slow_interval)
        finally:
            self._runs.pop(run.order_id, None)
            run.done.set()
        self._after_follow(run)

    def _after_follow(self, run: SaleRun) -> None:
        deps = self.deps
        try:
            if run.sale.status in CLOSED_UNPAID and deps.journal.change_role(
                run.order_id, deps.owner, "sweep"
            ):
                self._sweeping.add(run.order_id)
                self._spawn(self._sweep(run.sale))
                return
            deps.journal.release(run.order_id, deps.owner)
        except JournalError as exc:  # closed at shutdown, or busy: the lease expires
            log.warning("sale %s: could not let go of it: %s", run.order_id, exc)

    def _adopt_sweep(self, sale: Sale) -> None:
        deps = self.deps
        if sale.order_id in self._sweeping or sale.order_id in self._runs:
            return
        if not deps.journal.claim(sale.order_id, deps.owner, "sweep", LEASE_TTL):
            return
        self._sweeping.add(sale.order_id)
        self._spawn(self._sweep(sale))

    async def _sweep(self, sale: Sale) -> None:
        try:
            await sweep_sale(self.deps, sale, self._announce_late)
        finally:
            self._sweeping.discard(sale.order_id)
            self.deps.journal.release(sale.order_id, self.deps.owner)

    def _announce_late(self, run: SaleRun) -> None:
        self._late_payments.tell(run.state())

    # ---- across processes -----------------------------------------------------------------
    async def keep_leases(self) -> None:
        """Heartbeat and nudges for this process's sales (services/checkout/lease_keeper.py)."""
        await keep_leases(self.deps, self._runs, self.resume_open_sales)

    def _ensure_keeper(self) -> None:
        if self._keep_leases and (self._keeper is None or self._keeper.done()):
            self._keeper = asyncio.ensure_future(self.keep_leases())
            self._tasks.add(self._keeper)
            self._keeper.add_done_callback(self._task_done)

    # ---- tasks ----------------------------------------------------------------------------
    def _spawn(self, coro: Coroutine[Any, Any, object]) -> None:
        task: asyncio.Task[Any] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background task failed", exc_info=task.exception())

    async def shutdown(self) -> None:
        """Cancel every background task (the journal keeps what they learned) and let go of
        every sale this process followed, so another process can take them at once."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        try:
            self.deps.journal.release_all(self.deps.owner)
        except Exception:
            log.exception("could not let go of this process's sales; they expire by themselves")
