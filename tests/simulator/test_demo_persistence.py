"""The demo's pretend Cashfree keeps its ledger across restarts (issue 13, the first day):
yesterday's demo sale can still be read and refunded, and payment ids never repeat."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from pos_app.app import open_runtime
from pos_app.config import paths
from pos_app.domain.money import Money
from pos_app.domain.sale import Method, SaleStatus
from pos_app.services.checkout.state import ChargeRequest
from pos_app.services.refunds.service import RefundService
from pos_app.simulator.persist import STATE_FILE, SimulatorStore, open_demo_simulator


async def paid_demo_sale(rupees: int) -> tuple[str, str]:
    """One run of the till: a demo sale paid; the till then closes."""
    runtime = open_runtime("demo")
    try:
        stream = runtime.checkout.start(
            ChargeRequest(amount=Money(rupees * 100), method=Method.UPI_QR)
        )
        order_id = ""
        async for state in stream:
            if state.status is SaleStatus.AWAITING_PAYMENT and not order_id:
                order_id = state.order_id
                assert runtime.simulator is not None
                runtime.simulator.customer_pays(order_id)
                runtime.checkout.check_now(order_id)
        sale = runtime.journal.get_sale(order_id)
        assert sale is not None and sale.status is SaleStatus.PAID and sale.cf_payment_id
        return order_id, sale.cf_payment_id
    finally:
        await runtime.aclose()


def test_a_restarted_demo_knows_yesterdays_sale_and_can_refund_it() -> None:
    first_order, first_payment = asyncio.run(paid_demo_sale(300))
    assert (paths().data_dir / STATE_FILE).exists()

    async def next_day() -> tuple[str, str, str]:
        runtime = open_runtime("demo")  # a new process: a new simulator, loaded from disk
        try:
            assert runtime.simulator is not None
            assert runtime.simulator.order(first_order)["order_status"] == "PAID"
            refunds = RefundService(
                runtime.gateway, runtime.journal, clock=runtime.deps.clock, sleep=asyncio.sleep
            )
            outcome = await refunds.refund(
                first_order, Money(10000), "wrong size", follow_seconds=0
            )
            status = outcome.refund.status
        finally:
            await runtime.aclose()
        second_order, second_payment = await paid_demo_sale(450)
        return status, second_order, second_payment

    status, second_order, second_payment = asyncio.run(next_day())
    assert status in ("PENDING", "SUCCESS")  # Cashfree accepted it: the order was known
    assert second_order != first_order
    assert second_payment != first_payment  # payment ids never start again


def test_a_damaged_state_file_is_set_aside_and_the_demo_starts_afresh(tmp_path: Path) -> None:
    (tmp_path / STATE_FILE).write_text("{not json", encoding="utf-8")
    sim = open_demo_simulator(tmp_path)
    assert sim.order_ids() == []
    assert (tmp_path / (STATE_FILE + ".unreadable")).read_text(encoding="utf-8") == "{not json"


def test_the_file_holds_records_only(tmp_path: Path) -> None:
    sim = open_demo_simulator(tmp_path)
    store = SimulatorStore(tmp_path / STATE_FILE)
    store.save(sim)
    data = json.loads((tmp_path / STATE_FILE).read_text(encoding="utf-8"))
    assert data["format"] == 1 and data["orders"] == [] and data["serial"] == 0
    data["orders"] = [{"$record": "Popen", "f": {}}]  # only the simulator's own records load
    (tmp_path / STATE_FILE).write_text(json.dumps(data), encoding="utf-8")
    assert open_demo_simulator(tmp_path).order_ids() == []
    assert (tmp_path / (STATE_FILE + ".unreadable")).exists()


def test_saving_happens_off_the_callers_thread_and_close_writes_what_is_left(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    threads: list[str] = []
    real_save = SimulatorStore.save

    def recording_save(self: SimulatorStore, sim: object) -> None:
        threads.append(threading.current_thread().name)
        real_save(self, sim)  # type: ignore[arg-type]

    monkeypatch.setattr(SimulatorStore, "save", recording_save)
    sim = open_demo_simulator(tmp_path)
    assert sim.on_change is not None
    sim.on_change()  # what every change does: returns at once
    assert threads == [] or threads == ["demo-cashfree-saver"]
    sim.close()  # the till closes: nothing pending is lost
    assert threads and set(threads) <= {"demo-cashfree-saver", threading.current_thread().name}
    assert (tmp_path / STATE_FILE).exists()
