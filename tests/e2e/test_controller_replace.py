"""SaleController on the qasync loop: replacing the sale at the counter (paid wins) and
announcing background payments, against a small scripted checkout."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Callable

import pytest
from pytestqt.qtbot import QtBot

from pos_app.domain.money import Money
from pos_app.domain.sale import Method, SaleStatus
from pos_app.services.checkout.listeners import Listeners
from pos_app.services.checkout.state import ChargeRequest, SaleState
from pos_app.ui import text
from pos_app.ui.controller import SaleController

FIRST = ChargeRequest(amount=Money(64000), method=Method.LINK)
SECOND = dataclasses.replace(FIRST, phone="9876543210", send_sms=True)


def state(status: SaleStatus, order_id: str) -> SaleState:
    return SaleState(order_id, Money(64000), Method.LINK, status, message=status.value)


class CancellableCheckout:
    """Each start() shows the sale (AWAITING), waits for cancel(), then ends with `ending`."""

    def __init__(self) -> None:
        self.late_payments: Listeners[SaleState] = Listeners("late payment")
        self.background_changes: Listeners[SaleState] = Listeners("background change")
        self.open_count = 0
        self.started: list[ChargeRequest] = []
        self.cancelled: list[str] = []
        self.ending = SaleStatus.CANCELLED
        self.cancel_error: Exception | None = None
        self.asked = asyncio.Event()

    async def start(self, request: ChargeRequest) -> AsyncIterator[SaleState]:
        self.started.append(request)
        order_id = f"T1-{len(self.started)}"
        yield state(SaleStatus.AWAITING_PAYMENT, order_id)
        await self.asked.wait()
        self.asked.clear()
        yield state(self.ending, order_id)

    async def cancel(self, order_id: str) -> SaleState | None:
        self.cancelled.append(order_id)
        if self.cancel_error is not None:
            raise self.cancel_error
        self.asked.set()
        return None

    def subscribe(
        self, listener: Callable[[SaleState], None], *, late: bool = False
    ) -> Callable[[], None]:
        return (self.late_payments if late else self.background_changes).subscribe(listener)

    def check_now(self, order_id: str) -> None:
        pass

    def resume_open_sales(self) -> int:
        return 0


@pytest.fixture
def checkout(qloop: asyncio.AbstractEventLoop) -> CancellableCheckout:
    return CancellableCheckout()


@pytest.fixture
def controller(checkout: CancellableCheckout) -> SaleController:
    return SaleController(checkout)


def at_the_counter(qtbot: QtBot, controller: SaleController, order_id: str = "T1-1") -> None:
    qtbot.waitUntil(
        lambda: controller.current is not None and controller.current.order_id == order_id,
        timeout=2000,
    )
    assert controller.busy


@pytest.mark.parametrize("ending", [SaleStatus.CANCELLED, SaleStatus.EXPIRED])
def test_the_new_sale_starts_once_the_old_one_ended_unpaid(
    qtbot: QtBot, controller: SaleController, checkout: CancellableCheckout, ending: SaleStatus
) -> None:
    checkout.ending = ending
    dropped: list[object] = []
    controller.replacement_dropped.connect(dropped.append)
    controller.charge(FIRST)
    at_the_counter(qtbot, controller)
    assert controller.replace_sale(SECOND)
    assert controller.replacing
    at_the_counter(qtbot, controller, "T1-2")
    assert checkout.cancelled == ["T1-1"]
    assert checkout.started == [FIRST, SECOND]
    assert controller.last_request == SECOND
    assert not controller.replacing and dropped == []


def test_paid_wins_and_nothing_new_starts(
    qtbot: QtBot, controller: SaleController, checkout: CancellableCheckout
) -> None:
    checkout.ending = SaleStatus.PAID
    controller.charge(FIRST)
    at_the_counter(qtbot, controller)
    with qtbot.waitSignal(controller.replacement_dropped, timeout=2000) as dropped:
        assert controller.replace_sale(SECOND)
    assert dropped.args == [state(SaleStatus.PAID, "T1-1")]
    qtbot.wait(50)
    assert checkout.started == [FIRST]
    assert not controller.busy and not controller.replacing
    assert controller.current == state(SaleStatus.PAID, "T1-1")


def test_an_unconfirmed_cancel_starts_nothing_new(
    qtbot: QtBot, controller: SaleController, checkout: CancellableCheckout
) -> None:
    checkout.ending = SaleStatus.UNCERTAIN
    controller.charge(FIRST)
    at_the_counter(qtbot, controller)
    with qtbot.waitSignal(controller.replacement_dropped, timeout=2000) as dropped:
        controller.replace_sale(SECOND)
    assert dropped.args == [state(SaleStatus.UNCERTAIN, "T1-1")]
    qtbot.wait(50)
    assert checkout.started == [FIRST]


def test_a_failed_cancel_forgets_the_replacement(
    qtbot: QtBot, controller: SaleController, checkout: CancellableCheckout
) -> None:
    checkout.cancel_error = RuntimeError("journal locked")
    controller.charge(FIRST)
    at_the_counter(qtbot, controller)
    with qtbot.waitSignal(controller.error, timeout=2000) as said:
        controller.replace_sale(SECOND)
    assert said.args == [text.UNEXPECTED]
    assert not controller.replacing
    # Much later the old sale ends by itself (expiry): nothing new may start then.
    checkout.asked.set()
    qtbot.waitUntil(lambda: not controller.busy, timeout=2000)
    qtbot.wait(50)
    assert checkout.started == [FIRST]


def test_only_an_open_sale_at_the_counter_can_be_replaced(
    qtbot: QtBot, controller: SaleController, checkout: CancellableCheckout
) -> None:
    assert not controller.replace_sale(SECOND)  # nothing at the counter
    controller.charge(FIRST)
    at_the_counter(qtbot, controller)
    assert controller.replace_sale(SECOND)
    assert not controller.replace_sale(FIRST)  # one replacement at a time
    at_the_counter(qtbot, controller, "T1-2")
    assert checkout.cancelled == ["T1-1"]


def test_background_payments_are_announced_once_each(
    qtbot: QtBot, controller: SaleController, checkout: CancellableCheckout
) -> None:
    announced: list[SaleState] = []
    controller.background_paid.connect(announced.append)
    assert len(checkout.background_changes) == 1
    tell = checkout.background_changes.tell
    tell(state(SaleStatus.AWAITING_PAYMENT, "T1-B"))  # not news
    tell(state(SaleStatus.PAID, "T1-B"))
    tell(state(SaleStatus.PAID, "T1-B"))  # the same payment again
    tell(state(SaleStatus.EXPIRED, "T1-C"))
    tell(state(SaleStatus.PAID, "T1-D"))
    assert [s.order_id for s in announced] == ["T1-B", "T1-D"]
    controller.shutdown()
    assert len(checkout.background_changes) == 0
    tell(state(SaleStatus.PAID, "T1-E"))  # after shutdown: nobody hears it
    assert [s.order_id for s in announced] == ["T1-B", "T1-D"]


def test_shutdown_cancels_the_sale_at_the_counter_and_stops_listening(
    qtbot: QtBot, controller: SaleController, checkout: CancellableCheckout
) -> None:
    controller.charge(FIRST)
    at_the_counter(qtbot, controller)
    assert len(checkout.late_payments) == len(checkout.background_changes) == 1
    tasks = controller.shutdown()
    assert tasks
    qtbot.waitUntil(lambda: all(task.done() for task in tasks), timeout=2000)
    assert all(task.cancelled() for task in tasks)
    assert not controller.busy
    assert len(checkout.late_payments) == len(checkout.background_changes) == 0
