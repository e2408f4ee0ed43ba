"""SaleController on the qasync loop, against a scripted checkout: what reaches the widgets."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import pytest
from pytestqt.qtbot import QtBot

from pos_app.domain.money import Money
from pos_app.domain.sale import Method, Sale, SaleStatus
from pos_app.domain.validate import ValidationError
from pos_app.services.checkout.listeners import Listeners
from pos_app.services.checkout.service import DuplicateChargeError, SaleInProgressError
from pos_app.services.checkout.state import ChargeRequest, SaleState
from pos_app.ui import text
from pos_app.ui.controller import DuplicateWarning, SaleController

REQUEST = ChargeRequest(amount=Money(5000), method=Method.UPI_QR)
T = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def state(status: SaleStatus, order_id: str = "T1-X") -> SaleState:
    return SaleState(order_id, Money(5000), Method.UPI_QR, status, message=status.value)


class ScriptedCheckout:
    """start() raises `refuse` first if set, then yields `states`, then waits on `gate`."""

    def __init__(self) -> None:
        self.late_payments: Listeners[SaleState] = Listeners("late payment")
        self.background_changes: Listeners[SaleState] = Listeners("background change")
        self.open_count = 0
        self.refuse: Exception | None = None
        self.states: list[SaleState] = []
        self.gate = asyncio.Event()
        self.fail_after: Exception | None = None
        self.cancelled: list[str] = []
        self.cancel_result: SaleState | None = None
        self.closed = False

    async def start(self, request: ChargeRequest) -> AsyncIterator[SaleState]:
        if self.refuse is not None:
            raise self.refuse
        try:
            for item in self.states:
                yield item
            await self.gate.wait()
            if self.fail_after is not None:
                raise self.fail_after
        finally:
            self.closed = True

    async def cancel(self, order_id: str) -> SaleState | None:
        self.cancelled.append(order_id)
        return self.cancel_result

    def subscribe(
        self, listener: Callable[[SaleState], None], *, late: bool = False
    ) -> Callable[[], None]:
        return (self.late_payments if late else self.background_changes).subscribe(listener)

    def check_now(self, order_id: str) -> None:
        pass

    def resume_open_sales(self) -> int:
        return 0


@pytest.fixture
def scripted() -> ScriptedCheckout:
    return ScriptedCheckout()


@pytest.fixture
def controller(qloop: asyncio.AbstractEventLoop, scripted: ScriptedCheckout) -> SaleController:
    return SaleController(scripted)


def test_states_are_emitted_in_order_and_the_end_is_reported(
    qtbot: QtBot, controller: SaleController, scripted: ScriptedCheckout
) -> None:
    scripted.states = [state(SaleStatus.CREATED), state(SaleStatus.AWAITING_PAYMENT)]
    seen: list[SaleState] = []
    controller.state_changed.connect(seen.append)
    controller.charge(REQUEST)
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=2000)
    assert controller.busy and controller.last_request == REQUEST
    with qtbot.waitSignal(controller.sale_ended, timeout=2000) as ended:
        scripted.states.append(state(SaleStatus.PAID))
        scripted.gate.set()
    assert ended.args == [state(SaleStatus.AWAITING_PAYMENT)]
    assert not controller.busy
    assert scripted.closed


def test_a_second_charge_while_busy_is_refused(
    qtbot: QtBot, controller: SaleController, scripted: ScriptedCheckout
) -> None:
    scripted.states = [state(SaleStatus.AWAITING_PAYMENT)]
    controller.charge(REQUEST)
    qtbot.waitUntil(lambda: controller.busy, timeout=2000)
    with qtbot.waitSignal(controller.error, timeout=2000) as refused:
        controller.charge(REQUEST)
    assert refused.args == [text.SALE_IN_PROGRESS]


def previous() -> Sale:
    return Sale(
        order_id="T1-OLD",
        terminal_id="T1",
        environment="demo",
        amount=Money(5000),
        method=Method.UPI_QR,
        status=SaleStatus.PAID,
        idempotency_key="k",
        created_at=T,
        updated_at=T,
        paid_at=T,
    )


def test_duplicate_charge_becomes_a_question(
    qtbot: QtBot, controller: SaleController, scripted: ScriptedCheckout
) -> None:
    scripted.refuse = DuplicateChargeError(previous(), 2.0)
    with qtbot.waitSignal(controller.duplicate_warning, timeout=2000) as asked:
        controller.charge(REQUEST)
    warning = asked.args[0]
    assert isinstance(warning, DuplicateWarning)
    assert warning.request == REQUEST and warning.previous.order_id == "T1-OLD"
    qtbot.waitUntil(lambda: not controller.busy, timeout=2000)


@pytest.mark.parametrize(
    ("refusal", "message"),
    [
        (ValidationError("phone", "Enter the phone."), "Enter the phone."),
        (SaleInProgressError("T1-Y"), text.SALE_IN_PROGRESS),
    ],
)
def test_refusals_become_plain_sentences(
    qtbot: QtBot,
    controller: SaleController,
    scripted: ScriptedCheckout,
    refusal: Exception,
    message: str,
) -> None:
    scripted.refuse = refusal
    with (
        qtbot.waitSignal(controller.sale_ended, timeout=2000) as ended,
        qtbot.waitSignal(controller.error, timeout=2000) as said,
    ):
        controller.charge(REQUEST)
    assert said.args == [message]
    assert ended.args == [None]


def test_unexpected_errors_are_logged_and_shown_calmly(
    qtbot: QtBot,
    controller: SaleController,
    scripted: ScriptedCheckout,
    caplog: pytest.LogCaptureFixture,
) -> None:
    scripted.states = [state(SaleStatus.AWAITING_PAYMENT)]
    scripted.fail_after = KeyError("journal row vanished")
    scripted.gate.set()
    with (
        caplog.at_level(logging.ERROR, logger="pos_app.ui.controller"),
        qtbot.waitSignal(controller.sale_ended, timeout=2000) as ended,
        qtbot.waitSignal(controller.error, timeout=2000) as said,
    ):
        controller.charge(REQUEST)
    assert said.args == [text.UNEXPECTED]
    assert "Traceback" not in said.args[0]
    assert ended.args == [state(SaleStatus.AWAITING_PAYMENT)]
    assert any(r.exc_info and "journal row vanished" in str(r.exc_info[1]) for r in caplog.records)


def test_cancel_reports_the_settled_state_when_the_stream_is_gone(
    qtbot: QtBot, controller: SaleController, scripted: ScriptedCheckout
) -> None:
    scripted.states = [state(SaleStatus.AWAITING_PAYMENT)]
    scripted.gate.set()  # the stream ends at once without a final state
    with qtbot.waitSignal(controller.sale_ended, timeout=2000):
        controller.charge(REQUEST)
    scripted.cancel_result = state(SaleStatus.CANCELLED)
    with qtbot.waitSignal(controller.state_changed, timeout=2000) as changed:
        controller.cancel()
    assert scripted.cancelled == ["T1-X"]
    assert changed.args == [state(SaleStatus.CANCELLED)]


def test_late_payments_are_forwarded_until_shutdown(
    qtbot: QtBot, controller: SaleController, scripted: ScriptedCheckout
) -> None:
    late = state(SaleStatus.PAID, "T1-LATE")
    with qtbot.waitSignal(controller.late_payment, timeout=1000) as announced:
        scripted.late_payments.tell(late)
    assert announced.args == [late]
    controller.shutdown()
    assert len(scripted.late_payments) == 0
    assert len(scripted.background_changes) == 0


def test_shutdown_cancels_the_sale_task(
    qtbot: QtBot, controller: SaleController, scripted: ScriptedCheckout
) -> None:
    scripted.states = [state(SaleStatus.AWAITING_PAYMENT)]
    task = controller.charge(REQUEST)
    qtbot.waitUntil(lambda: controller.busy, timeout=2000)
    tasks = controller.shutdown()
    assert task in tasks
    qtbot.waitUntil(task.done, timeout=2000)
    assert task.cancelled()
    assert scripted.closed
    assert not controller.busy


def test_demo_actions_reach_the_simulator(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, scripted: ScriptedCheckout
) -> None:
    calls: list[tuple[str, str]] = []

    class Customer:  # a DemoCustomer whose attempts cannot fail
        async def pay(self, order_id: str) -> None:
            calls.append(("pays", order_id))

        async def decline(self, order_id: str) -> None:
            raise RuntimeError("this customer cannot fail")

        async def walk_away(self, order_id: str) -> None:
            calls.append(("walks", order_id))

    controller = SaleController(scripted, Customer())
    scripted.states = [state(SaleStatus.AWAITING_PAYMENT)]
    controller.charge(REQUEST)
    qtbot.waitUntil(lambda: controller.current is not None, timeout=2000)
    controller.demo("customer_pays")
    controller.demo("customer_walks_away")
    controller.demo("rm_rf")  # not an action: ignored
    qtbot.waitUntil(lambda: len(calls) == 2, timeout=2000)
    assert calls == [("pays", "T1-X"), ("walks", "T1-X")]
    with qtbot.waitSignal(controller.error, timeout=2000) as said:
        controller.demo("customer_fails")  # this customer cannot
    assert said.args == [text.DEMO_FAILED]
