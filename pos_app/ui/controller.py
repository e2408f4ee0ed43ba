"""SaleController: the one adapter between the async checkout and the widgets.

Widgets call its slots (charge, cancel, check now, replace the sale, demo customer
actions); it runs the checkout's coroutines through the one Operations adapter
(ui/operations.py: every task kept, cancelled at shutdown), and reports back through
signals carrying SaleState snapshots. It hears the checkout through `subscribe`: late
payments, and sales followed in the background (announced when they are paid).
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from PySide6.QtCore import QObject, Signal

from pos_app.domain.card import CardDetails
from pos_app.domain.sale import CLOSED_UNPAID, Sale, SaleStatus
from pos_app.domain.validate import ValidationError
from pos_app.services.checkout.service import DuplicateChargeError, SaleInProgressError
from pos_app.services.checkout.state import ChargeRequest, SaleState
from pos_app.services.demo_customer import DemoAction, DemoCustomer
from pos_app.services.demo_customer import act as act_as_customer
from pos_app.ui import text
from pos_app.ui.operations import Operations

log = logging.getLogger(__name__)

DEMO_ACTIONS = frozenset(DemoAction)  # what the demo buttons may ask
# A replacement starts only after the old sale ended one of these ways: no money was taken.
REPLACEABLE_ENDINGS = CLOSED_UNPAID
_REMEMBERED = 256  # background payments remembered, so each is announced once


class CheckoutPort(Protocol):
    """What the desk uses of pos_app.services.checkout.service.CheckoutService."""

    def subscribe(
        self, listener: Callable[[SaleState], None], *, late: bool = False
    ) -> Callable[[], None]:
        """Hear each change of a sale followed in the background (or, with `late`, money
        that arrived after a cancel or expiry); returns the unsubscribe."""
        ...

    def start(self, request: ChargeRequest) -> AsyncIterator[SaleState]: ...

    async def cancel(self, order_id: str) -> SaleState | None: ...

    def check_now(self, order_id: str) -> None: ...

    def resume_open_sales(self) -> int: ...

    @property
    def open_count(self) -> int: ...

    async def submit_otp(self, order_id: str, otp: str) -> SaleState: ...

    async def resend_otp(self, order_id: str) -> SaleState: ...

    async def use_bank_page(self, order_id: str) -> SaleState: ...

    def retry_card(self, order_id: str, card: CardDetails) -> AsyncIterator[SaleState]: ...


@dataclass(frozen=True, slots=True)
class DuplicateWarning:
    """The same amount was paid here moments ago; `request` is what the cashier asked."""

    request: ChargeRequest
    previous: Sale
    minutes_ago: float | None = None


class SaleController(QObject):
    state_changed = Signal(object)  # SaleState
    error = Signal(str)  # a calm sentence for the cashier
    duplicate_warning = Signal(object)  # DuplicateWarning
    busy_changed = Signal(bool)  # a sale is at the counter
    sale_ended = Signal(object)  # the last SaleState of the sale, or None if it never started
    late_payment = Signal(object)  # SaleState: money after cancel or expiry
    background_paid = Signal(object)  # SaleState: a sale followed in the background is PAID
    replacement_dropped = Signal(object)  # SaleState | None: the old sale did not end cancelled

    def __init__(
        self,
        checkout: CheckoutPort,
        demo_customer: DemoCustomer | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._checkout = checkout
        self._demo_customer = demo_customer  # demo mode: the customer the buttons move
        self._sale_task: asyncio.Task[Any] | None = None
        self._operations = Operations(self)
        self._current: SaleState | None = None
        self._last_request: ChargeRequest | None = None
        self._replacement: ChargeRequest | None = None
        self._announced: OrderedDict[str, None] = OrderedDict()
        self._unsubscribe = [
            checkout.subscribe(self._on_late_payment, late=True),
            checkout.subscribe(self._on_background),
        ]

    # ---- what the window reads ------------------------------------------------------------
    @property
    def checkout(self) -> CheckoutPort:
        """The checkout this controller drives (the manager's console uses it too)."""
        return self._checkout

    @property
    def busy(self) -> bool:
        return self._sale_task is not None and not self._sale_task.done()

    @property
    def current(self) -> SaleState | None:
        return self._current

    @property
    def last_request(self) -> ChargeRequest | None:
        return self._last_request

    @property
    def replacing(self) -> bool:
        """The sale at the counter is being cancelled so that another can take its place."""
        return self._replacement is not None

    @property
    def has_demo_customer(self) -> bool:
        return self._demo_customer is not None

    def resume_open_sales(self) -> int:
        """Follow every unsettled sale in the background (needs the running loop)."""
        try:
            return self._checkout.resume_open_sales()
        except Exception:
            log.exception("could not resume the open sales")
            self.error.emit(text.UNEXPECTED)
            return 0

    def open_count(self) -> int:
        try:
            return int(self._checkout.open_count)
        except Exception:
            log.exception("could not read the open payment count")
            return 0

    # ---- intents --------------------------------------------------------------------------
    def charge(self, request: ChargeRequest) -> asyncio.Task[None]:
        return self._operations.run(self._charge(request))

    async def _charge(self, request: ChargeRequest) -> None:
        if self.busy:
            self.error.emit(text.SALE_IN_PROGRESS)
            return
        self._sale_task = asyncio.current_task()
        self._last_request = request
        self._current = None
        self.busy_changed.emit(True)
        last: SaleState | None = None
        try:
            last = await self._follow(request)
        except ValidationError as refused:
            self.error.emit(refused.message)
        except DuplicateChargeError as duplicate:
            self.duplicate_warning.emit(
                DuplicateWarning(request, duplicate.previous, duplicate.minutes_ago)
            )
        except SaleInProgressError:
            self.error.emit(text.SALE_IN_PROGRESS)
        except Exception:
            log.exception("the sale at the counter failed unexpectedly")
            last = self._current
            self.error.emit(text.UNEXPECTED)
        finally:
            self._sale_task = None
            self.busy_changed.emit(False)
        self.sale_ended.emit(last)
        self._after_replaced(last)

    def replace_sale(self, request: ChargeRequest) -> bool:
        """Cancel the sale at the counter, then start `request` in its place, but only once
        Cashfree confirms the old one is closed unpaid (CANCELLED or EXPIRED). Paid wins: if
        the customer paid meanwhile, PAID is shown and `request` is dropped. False when
        there is no open sale at the counter to replace."""
        state = self._current
        if not self.busy or state is None or state.is_final or self._replacement is not None:
            return False
        self._replacement = request
        self.cancel()
        return True

    def _after_replaced(self, last: SaleState | None) -> None:
        request, self._replacement = self._replacement, None
        if request is None:
            return
        if last is not None and last.status in REPLACEABLE_ENDINGS:
            self.charge(request)
        else:
            log.info("not starting the replacement sale: the old one ended %s", last)
            self.replacement_dropped.emit(last)

    async def _follow(self, request: ChargeRequest) -> SaleState | None:
        last: SaleState | None = None
        stream = self._checkout.start(request)
        try:
            async for state in stream:
                last = state
                self._publish(state)
        finally:
            closer = getattr(stream, "aclose", None)
            if closer is not None:
                await closer()
        return last

    def _publish(self, state: SaleState) -> None:
        self._current = state
        self.state_changed.emit(state)

    def cancel(self) -> asyncio.Task[None]:
        return self._operations.run(self._cancel())

    async def _cancel(self) -> None:
        state = self._current
        if state is None or state.is_final:
            return
        try:
            settled = await self._checkout.cancel(state.order_id)
        except Exception:
            log.exception("cancelling %s failed", state.order_id)
            self._replacement = None  # never start a new sale beside one still open
            self.error.emit(text.UNEXPECTED)
            return
        # The sale's own stream normally reports the outcome; report it here only when
        # that stream is gone and the answer is news.
        if settled is not None and not self.busy and settled != self._current:
            self._publish(settled)

    # ---- card sales ---------------------------------------------------------------------------
    def submit_otp(self, otp: str) -> asyncio.Task[None]:
        return self._operations.run(
            self._card_step(lambda order_id: self._checkout.submit_otp(order_id, otp))
        )

    def resend_otp(self) -> asyncio.Task[None]:
        return self._operations.run(
            self._card_step(lambda order_id: self._checkout.resend_otp(order_id))
        )

    def use_bank_page(self) -> asyncio.Task[None]:
        return self._operations.run(
            self._card_step(lambda order_id: self._checkout.use_bank_page(order_id))
        )

    def another_card(self, card: CardDetails) -> asyncio.Task[None]:
        """Another card for the card sale at the counter (after a decline or failed OTP)."""
        return self._operations.run(self._another_card(card))

    async def _another_card(self, card: CardDetails) -> None:
        state = self._current
        if state is None or state.is_final:
            card.clear()
            return
        try:
            async for update in self._checkout.retry_card(state.order_id, card):
                self._publish(update)
        except ValidationError as refused:
            self.error.emit(refused.message)
        except Exception:
            log.exception("another card failed for %s", state.order_id)
            self.error.emit(text.UNEXPECTED)

    async def _card_step(self, step: Callable[[str], Any]) -> None:
        state = self._current
        if state is None or state.is_final:
            return
        try:
            update = await step(state.order_id)
        except ValidationError as refused:
            self.error.emit(refused.message)
            return
        except Exception as exc:
            if type(exc).__name__ == "CardStepError":
                self.error.emit(str(exc))
                return
            log.exception("the card step failed for %s", state.order_id)
            self.error.emit(text.UNEXPECTED)
            return
        if self._current is not None and update.order_id == self._current.order_id:
            self._publish(update)

    def check_now(self) -> None:
        state = self._current
        if state is None or state.is_final:
            return
        try:
            self._checkout.check_now(state.order_id)
        except Exception:
            log.exception("check now failed for %s", state.order_id)
            self.error.emit(text.UNEXPECTED)

    def demo(self, action: str) -> asyncio.Task[None]:
        """Make the simulated customer act on the sale at the counter (demo mode only)."""
        return self._operations.run(self._demo(action))

    async def _demo(self, action: str) -> None:
        state = self._current
        customer = self._demo_customer
        if customer is None or state is None or action not in DEMO_ACTIONS:
            return
        try:
            await act_as_customer(customer, DemoAction(action), state.order_id)
        except Exception:
            log.exception("demo action %s failed for %s", action, state.order_id)
            self.error.emit(text.DEMO_FAILED)
            return
        self.check_now()

    # ---- background -----------------------------------------------------------------------
    def _on_late_payment(self, state: SaleState) -> None:
        self.late_payment.emit(state)

    def _on_background(self, state: SaleState) -> None:
        """Called by the checkout for each change of a sale it follows in the background.
        Never raises: the checkout's follower must not die of a desk problem."""
        try:
            if state.status is not SaleStatus.PAID or state.order_id in self._announced:
                return
            self._announced[state.order_id] = None
            while len(self._announced) > _REMEMBERED:
                self._announced.popitem(last=False)
            self.background_paid.emit(state)
        except Exception:
            log.exception("announcing the background payment of %s failed", state.order_id)

    def shutdown(self) -> list[asyncio.Task[None]]:
        """Stop hearing the checkout and cancel every task this controller started;
        returns them to await if wanted."""
        self._replacement = None
        unsubscribe, self._unsubscribe = self._unsubscribe, []
        for stop in unsubscribe:
            stop()
        return self._operations.cancel_all()
