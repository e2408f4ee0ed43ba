"""The whole sale against the in-process simulated Cashfree, with a fake clock."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from till_fakes import FakeClock, Till, make_till, qr_request

from pos_app.domain.money import Money
from pos_app.domain.sale import Method, ReasonCode, SaleStatus
from pos_app.domain.validate import ValidationError
from pos_app.services.checkout.service import LEASE_TTL, DuplicateChargeError, SaleInProgressError
from pos_app.services.checkout.state import ChargeRequest
from pos_app.services.wording import reason_text

pytestmark = pytest.mark.asyncio


@pytest_asyncio.fixture
async def till(tmp_path: Path) -> Till:
    t = make_till(tmp_path)
    yield t  # type: ignore[misc]
    await t.checkout.shutdown()
    await t.client.aclose()
    t.journal.close()


def kinds(till: Till, order_id: str) -> list[str]:
    return [e.kind for e in till.journal.events(order_id)]


async def test_upi_qr_sale_is_paid_and_journaled(till: Till) -> None:
    shown = await till.run(qr_request(250), until_awaiting=True)
    assert shown.qr is not None and shown.qr.text.startswith("upi://pay?")
    assert shown.qr_text == shown.qr.text and shown.qr_image is None
    assert shown.amount == Money.rupees(250)
    # Nothing shown to the customer exists only in memory.
    assert till.journal.get_sale(shown.order_id).status is SaleStatus.AWAITING_PAYMENT  # type: ignore[union-attr]
    till.sim.customer_pays(shown.order_id)
    final = await till.finish()
    assert final.status is SaleStatus.PAID
    assert final.bank_reference and final.cf_payment_id and final.paid_at
    sale = till.journal.get_sale(shown.order_id)
    assert sale is not None and sale.status is SaleStatus.PAID
    assert sale.bank_reference == final.bank_reference
    assert sale.payment_group == "upi"
    assert kinds(till, shown.order_id)[:2] == ["created", "order_created"]
    assert "paid" in kinds(till, shown.order_id)
    assert till.transport.count("POST", "/pg/orders") == 1


async def test_sale_is_journaled_before_any_call(till: Till) -> None:
    seen_in_journal: list[bool] = []
    original = till.transport.handle_async_request

    async def spy(request):  # type: ignore[no-untyped-def]
        if request.url.path.endswith("/pg/orders") and request.method == "POST":
            body = request.content.decode()
            order_id = body.split('"order_id":')[1].split('"')[1]
            seen_in_journal.append(till.journal.get_sale(order_id) is not None)
        return await original(request)

    till.transport.handle_async_request = spy  # type: ignore[method-assign]
    shown = await till.run(qr_request(99), until_awaiting=True)
    assert seen_in_journal == [True]
    assert (await till.cancel_and_finish(shown.order_id)).status is SaleStatus.CANCELLED


async def test_collect_request_to_a_succeeding_vpa_is_paid(till: Till) -> None:
    request = ChargeRequest(
        amount=Money.rupees(120), method=Method.COLLECT, vpa="testsuccess@gocash"
    )
    final = await till.run(request)
    assert final.status is SaleStatus.PAID
    assert any("testsuccess@gocash" in s.message for s in till.seen)


async def test_payment_link_sale_is_paid(till: Till) -> None:
    request = ChargeRequest(
        amount=Money.rupees(500), method=Method.LINK, send_sms=True, phone="9876543210"
    )
    shown = await till.run(request, until_awaiting=True)
    assert shown.link_url and shown.qr_text == shown.link_url
    till.sim.customer_pays(shown.order_id)
    final = await till.finish()
    assert final.status is SaleStatus.PAID
    sale = till.journal.get_sale(shown.order_id)
    assert sale is not None and sale.gateway_order_id and sale.gateway_order_id != sale.order_id


async def test_failed_attempt_is_reported_then_success(till: Till) -> None:
    shown = await till.run(qr_request(75), until_awaiting=True)
    till.sim.customer_fails(shown.order_id)
    failed_state = None
    async for state in till.stream:
        till.seen.append(state)
        if state.attempt_failed:
            failed_state = state
            break
    assert failed_state is not None and failed_state.status is SaleStatus.AWAITING_PAYMENT
    assert "attempt_failed" in kinds(till, shown.order_id)
    till.sim.customer_pays(shown.order_id)
    assert (await till.finish()).status is SaleStatus.PAID


async def test_cancel_racing_a_payment_paid_wins(till: Till) -> None:
    shown = await till.run(qr_request(300), until_awaiting=True)
    till.sim.customer_pays(shown.order_id)  # the customer was faster than the poller
    cancel = asyncio.ensure_future(till.checkout.cancel(shown.order_id))
    await asyncio.sleep(0)  # the cashier's Cancel lands before the poller's next read
    final = await till.finish()
    await cancel
    assert final.status is SaleStatus.PAID
    assert till.journal.get_sale(shown.order_id).status is SaleStatus.PAID  # type: ignore[union-attr]
    assert "cancel_requested" in kinds(till, shown.order_id)


async def test_cancel_terminates_and_records_cancelled(till: Till) -> None:
    shown = await till.run(qr_request(301), until_awaiting=True)
    cancel = asyncio.ensure_future(till.checkout.cancel(shown.order_id))
    final = await till.finish()
    await cancel
    assert final.status is SaleStatus.CANCELLED
    assert till.transport.count("PATCH", f"/pg/orders/{shown.order_id}") == 1
    assert till.journal.get_sale(shown.order_id).status is SaleStatus.CANCELLED  # type: ignore[union-attr]


async def test_expiry_after_a_final_read(till: Till) -> None:
    final = await till.run(qr_request(50))
    assert final.status is SaleStatus.EXPIRED
    sale = till.journal.get_sale(final.order_id)
    assert sale is not None and sale.status is SaleStatus.EXPIRED
    assert till.clock.now >= sale.expires_at  # type: ignore[operator]


async def test_late_payment_after_cancel_is_recorded_and_announced(till: Till) -> None:
    announced = []
    till.checkout.subscribe(announced.append, late=True)
    shown = await till.run(qr_request(410), until_awaiting=True)
    cancel = asyncio.ensure_future(till.checkout.cancel(shown.order_id))
    assert (await till.finish()).status is SaleStatus.CANCELLED
    await cancel
    till.sim.customer_pays(shown.order_id)  # money arrives anyway (the bank was slow)
    for _ in range(200):
        if announced:
            break
        await till.clock.sleep(0)
    assert announced and announced[0].late and announced[0].status is SaleStatus.PAID
    sale = till.journal.get_sale(shown.order_id)
    assert sale is not None and sale.status is SaleStatus.PAID and sale.late
    assert "late_payment" in kinds(till, shown.order_id)


async def test_thirty_seconds_offline_then_back(till: Till) -> None:
    shown = await till.run(qr_request(60), until_awaiting=True)
    till.sim.set_faults(down=True)
    went_down = till.clock.now
    offline_seen = None
    async for state in till.stream:
        till.seen.append(state)
        assert state.status is not SaleStatus.FAILED
        if state.offline is not None:
            offline_seen = state
        if (till.clock.now - went_down).total_seconds() >= 30:
            break
    assert (
        offline_seen is not None and offline_seen.offline.next_try_at > offline_seen.offline.since
    )  # type: ignore[union-attr]
    till.sim.set_faults(down=False)
    till.sim.customer_pays(shown.order_id)
    final = await till.finish()
    assert final.status is SaleStatus.PAID and final.offline is None
    assert {"offline", "online"} <= set(kinds(till, shown.order_id))


async def test_duplicate_guard_asks_before_charging_again(till: Till) -> None:
    shown = await till.run(qr_request(199), until_awaiting=True)
    till.sim.customer_pays(shown.order_id)
    assert (await till.finish()).status is SaleStatus.PAID
    with pytest.raises(DuplicateChargeError) as caught:
        await till.run(qr_request(199))
    assert caught.value.previous.order_id == shown.order_id
    again = await till.run(qr_request(199, confirm_duplicate=True), until_awaiting=True)
    assert till.journal.get_sale(again.order_id).duplicate_override  # type: ignore[union-attr]
    await till.cancel_and_finish(again.order_id)


async def test_one_sale_in_flight_per_till(till: Till) -> None:
    shown = await till.run(qr_request(10), until_awaiting=True)
    second = till.checkout.start(qr_request(11))
    with pytest.raises(SaleInProgressError):
        await second.__anext__()
    cancel = asyncio.ensure_future(till.checkout.cancel(shown.order_id))
    await till.finish()
    await cancel


async def test_bad_requests_are_refused_before_anything_is_written(tmp_path: Path) -> None:
    till = make_till(tmp_path, methods=frozenset({Method.UPI_QR, Method.LINK}))
    with pytest.raises(ValidationError):
        await till.checkout.start(
            ChargeRequest(amount=Money(100), method=Method.COLLECT, vpa="a@b")
        ).__anext__()
    with pytest.raises(ValidationError):
        await till.checkout.start(qr_request(2_00_000)).__anext__()
    assert till.journal.open_sales() == []
    assert till.transport.calls == []
    await till.client.aclose()
    till.journal.close()


async def test_resume_after_restart_settles_an_open_sale(tmp_path: Path) -> None:
    clock = FakeClock()
    first = make_till(tmp_path, clock=clock)
    shown = await first.run(qr_request(222), until_awaiting=True)
    # The till "crashes": the generator is dropped without any cleanup.
    await first.client.aclose()
    first.journal.close()
    first.sim.customer_pays(shown.order_id)
    second = make_till(tmp_path, clock=clock, sim=first.sim)
    # The crashed owner no longer renews its claim: until it runs out, nobody else follows.
    assert second.checkout.resume_open_sales() == 0
    await clock.sleep(LEASE_TTL.total_seconds())
    assert second.checkout.resume_open_sales() == 1
    for _ in range(500):
        sale = second.journal.get_sale(shown.order_id)
        if sale is not None and sale.status is SaleStatus.PAID:
            break
        await clock.sleep(0.5)
    assert second.journal.get_sale(shown.order_id).status is SaleStatus.PAID  # type: ignore[union-attr]
    await second.checkout.shutdown()
    await second.client.aclose()
    second.journal.close()


async def test_cancel_while_offline_is_uncertain_then_settled_in_the_background(till: Till) -> None:
    shown = await till.run(qr_request(88), until_awaiting=True)
    till.sim.set_faults(down=True)
    final = await till.cancel_and_finish(shown.order_id)
    assert final.status is SaleStatus.UNCERTAIN  # never "cancelled" without Cashfree's word
    assert till.checkout.open_count == 1  # followed in the background
    await till.clock.sleep(60)
    till.sim.set_faults(down=False)
    for _ in range(200):
        sale = till.journal.get_sale(shown.order_id)
        if sale is not None and sale.status is SaleStatus.CANCELLED:
            break
        await till.clock.sleep(1)
    assert till.journal.get_sale(shown.order_id).status is SaleStatus.CANCELLED  # type: ignore[union-attr]
    assert till.sim.order(shown.order_id)["order_status"] == "TERMINATED"
    assert kinds(till, shown.order_id).count("cancel_requested") >= 2


async def test_order_that_never_reached_cashfree_is_closed_after_cancel(till: Till) -> None:
    till.sim.set_faults(down=True)
    states = []
    stream = till.checkout.start(qr_request(89))
    async for state in stream:
        states.append(state)
        if state.offline is not None:
            break
    assert states[-1].status is SaleStatus.CREATED
    order_id = states[-1].order_id
    cancel = asyncio.ensure_future(till.checkout.cancel(order_id))
    async for state in stream:
        states.append(state)
    await cancel
    assert states[-1].status is SaleStatus.UNCERTAIN
    till.sim.set_faults(down=False)
    for _ in range(200):
        sale = till.journal.get_sale(order_id)
        if sale is not None and sale.status is SaleStatus.CANCELLED:
            break
        await till.clock.sleep(1)
    sale = till.journal.get_sale(order_id)
    assert sale is not None and sale.status is SaleStatus.CANCELLED
    assert sale.reason_code is ReasonCode.NEVER_REACHED
    assert "never reached" in (reason_text(sale) or "")
    assert order_id not in till.sim.order_ids()


class RefusingOrderPay(httpx.AsyncBaseTransport):
    """Cashfree as seen by an account without the S2S flag: Order Pay is refused."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/orders/sessions"):
            return httpx.Response(
                400,
                json={
                    "message": "Seamless (S2S) payments are not enabled for this merchant",
                    "code": "request_failed",
                    "type": "invalid_request_error",
                },
                headers={"x-request-id": "req-s2s-1"},
            )
        return await self.inner.handle_async_request(request)


async def test_qr_refused_for_lack_of_s2s_offers_a_link_qr(till: Till) -> None:
    till.transport.inner = RefusingOrderPay(till.transport.inner)
    states = []
    stream = till.checkout.start(qr_request(55))
    async for state in stream:
        states.append(state)
        if state.error:
            break
    refused = states[-1]
    assert refused.link_fallback and not refused.has_qr
    assert "S2S" in refused.error and "payment-link QR" in refused.error  # type: ignore[operator]
    assert "req-s2s-1" in refused.error  # type: ignore[operator]
    assert "attempt_refused" in kinds(till, refused.order_id)
    cancel = asyncio.ensure_future(till.checkout.cancel(refused.order_id))
    async for state in stream:
        states.append(state)
    await cancel
    assert states[-1].status is SaleStatus.CANCELLED


async def test_refused_upi_request_explains_npci_and_offers_the_qr(till: Till) -> None:
    request = ChargeRequest(
        amount=Money.rupees(45), method=Method.COLLECT, vpa="testinvalid@gocash"
    )
    stream = till.checkout.start(request)
    async for state in stream:
        if state.error:
            break
    assert state.link_fallback and "NPCI" in state.error  # type: ignore[operator]
    cancel = asyncio.ensure_future(till.checkout.cancel(state.order_id))
    rest = [s async for s in stream]
    await cancel
    assert rest[-1].status is SaleStatus.CANCELLED
