"""Money safety: the till never says something untrue about money, and every sale has one
follower. Each test here failed before the fix it names (issue "Money safety")."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from till_fakes import Till, gone_owner, make_till, qr_request

from pos_app.domain.money import Money
from pos_app.domain.sale import Method, ReasonCode, SaleStatus
from pos_app.services.checkout.reconcile import reconcile_open_sales, refresh_sale
from pos_app.services.checkout.service import LEASE_TTL, SaleInProgressError
from pos_app.services.checkout.state import ChargeRequest
from pos_app.services.wording import reason_text

pytestmark = pytest.mark.asyncio

Rewrite = Callable[[httpx.Request, httpx.Response], httpx.Response | None]


class LyingCashfree(httpx.AsyncBaseTransport):
    """Cashfree as the simulator plays it, except where `rewrite` changes an answer (a
    gateway that refuses, lies or loses answers). Returning None keeps the real answer."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.rewrite: Rewrite | None = None
        self.refuse: Callable[[httpx.Request], httpx.Response | None] | None = None
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.refuse is not None:
            refusal = self.refuse(request)
            if refusal is not None:
                return refusal  # Cashfree answered without doing anything
        response = await self.inner.handle_async_request(request)
        if self.rewrite is not None:
            await response.aread()
            changed = self.rewrite(request, response)
            if changed is not None:
                return changed
        return response

    def calls(self, method: str, suffix: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == method and r.url.path.endswith(suffix)]


@pytest_asyncio.fixture
async def till(tmp_path: Path) -> Till:
    t = make_till(tmp_path)
    liar = LyingCashfree(t.transport)
    t.client._transport = liar  # the till's one client now talks through the liar
    t.liar = liar  # type: ignore[attr-defined]
    yield t  # type: ignore[misc]
    await t.checkout.shutdown()
    await t.client.aclose()
    t.journal.close()


def liar(till: Till) -> LyingCashfree:
    return till.liar  # type: ignore[attr-defined, no-any-return]


def kinds(till: Till, order_id: str) -> list[str]:
    return [e.kind for e in till.journal.events(order_id)]


def json_answer(response: httpx.Response, change: Callable[[object], object]) -> httpx.Response:
    body = change(json.loads(response.content))
    return httpx.Response(response.status_code, headers=response.headers, json=body)


def refuse_terminate(request: httpx.Request) -> httpx.Response | None:
    if request.method == "PATCH" and "/orders/" in request.url.path:
        return httpx.Response(
            400,
            json={
                "message": "order cannot be terminated right now",
                "code": "order_termination_failed",
                "type": "invalid_request_error",
            },
            headers={"x-request-id": "req-refused-1"},
        )
    return None


async def wait_for(till: Till, check: Callable[[], bool], steps: int = 400) -> None:
    for _ in range(steps):
        if check():
            return
        await till.clock.sleep(0.5)
    raise AssertionError("condition not reached")


# ---- 1. a refused termination is not "No money was taken" ---------------------------------


async def test_refused_termination_keeps_the_sale_open_and_says_so(till: Till) -> None:
    shown = await till.run(qr_request(120), until_awaiting=True)
    liar(till).refuse = refuse_terminate
    watcher = asyncio.ensure_future(till.finish())
    answer = await till.checkout.cancel(shown.order_id)
    assert answer is not None
    assert answer.status is SaleStatus.AWAITING_PAYMENT  # not CANCELLED: it can still be paid
    assert answer.error is not None and "can still pay" in answer.error
    assert "No money was taken" not in (answer.error + answer.message)
    sale = till.journal.get_sale(shown.order_id)
    assert sale is not None and sale.status is SaleStatus.AWAITING_PAYMENT
    assert "termination_refused" in kinds(till, shown.order_id)
    assert "cancelled" not in kinds(till, shown.order_id)
    assert till.sim.order(shown.order_id)["order_status"] == "ACTIVE"
    # ...and the till keeps following it: the customer pays the QR still on screen.
    till.sim.customer_pays(shown.order_id)
    final = await watcher
    assert final.status is SaleStatus.PAID


def _expiry_in_two_minutes(till: Till) -> Rewrite:
    """Cashfree's answer to Create Order gives an earlier expiry than Cashfree enforces (as
    a clock skew between the till and Cashfree does): the till's timer runs out first."""

    def rewrite(request: httpx.Request, response: httpx.Response) -> httpx.Response | None:
        if request.method == "POST" and request.url.path.endswith("/orders"):
            soon = (till.clock() + timedelta(minutes=2)).isoformat()
            return json_answer(response, lambda o: {**o, "order_expiry_time": soon})  # type: ignore[dict-item]
        return None

    return rewrite


async def test_refused_termination_at_expiry_is_not_recorded_expired(till: Till) -> None:
    liar(till).refuse = refuse_terminate
    liar(till).rewrite = _expiry_in_two_minutes(till)
    shown = await till.run(qr_request(121), until_awaiting=True)
    watcher = asyncio.ensure_future(till.finish())
    # Past the till's own expiry: it tries to close the order, Cashfree refuses.
    await wait_for(till, lambda: "termination_refused" in kinds(till, shown.order_id))
    current = till.journal.get_sale(shown.order_id)
    assert current is not None and current.status is SaleStatus.AWAITING_PAYMENT
    assert till.sim.order(shown.order_id)["order_status"] == "ACTIVE"
    for _ in range(60):
        await till.clock.sleep(1)
    assert kinds(till, shown.order_id).count("termination_refused") == 1  # no hammering
    till.sim.customer_pays(shown.order_id)
    assert (await watcher).status is SaleStatus.PAID


async def test_cancel_recorded_only_on_cashfree_word(till: Till) -> None:
    shown = await till.run(qr_request(122), until_awaiting=True)
    watcher = asyncio.ensure_future(till.finish())
    answer = await till.checkout.cancel(shown.order_id)
    assert answer is not None and answer.status is SaleStatus.CANCELLED
    await watcher
    sale = till.journal.get_sale(shown.order_id)
    assert sale is not None and sale.reason_code is ReasonCode.CANCELLED_BY_CASHIER
    assert till.sim.order(shown.order_id)["order_status"] == "TERMINATED"


async def test_timeout_cancel_says_timed_out(till: Till) -> None:
    shown = await till.run(qr_request(123), until_awaiting=True)
    watcher = asyncio.ensure_future(till.finish())
    answer = await till.checkout.cancel(shown.order_id, reason=ReasonCode.TIMED_OUT)
    await watcher
    assert answer is not None and answer.status is SaleStatus.CANCELLED
    assert "Timed out" in answer.message and "cashier" not in answer.message


# ---- 2. no PAID from a lying or confused answer ------------------------------------------


def _order_answer(change: Callable[[dict[str, object]], None]) -> Rewrite:
    def rewrite(request: httpx.Request, response: httpx.Response) -> httpx.Response | None:
        parts = request.url.path.split("/")
        if request.method == "GET" and parts[-2] == "orders" and response.status_code == 200:

            def edit(body: object) -> object:
                assert isinstance(body, dict)
                change(body)
                return body

            return json_answer(response, edit)
        return None

    return rewrite


def _payments_answer(change: Callable[[dict[str, object]], None]) -> Rewrite:
    def rewrite(request: httpx.Request, response: httpx.Response) -> httpx.Response | None:
        if request.method == "GET" and request.url.path.endswith("/payments"):

            def edit(body: object) -> object:
                assert isinstance(body, list)
                for payment in body:
                    change(payment)
                return body

            return json_answer(response, edit)
        return None

    return rewrite


@pytest.mark.parametrize(
    ("rewrite", "anomaly"),
    [
        (_order_answer(lambda o: o.update(order_id="T1-OTHER-ORDER")), "answered with order"),
        (_order_answer(lambda o: o.update(order_currency="USD")), "'USD'"),
        (_payments_answer(lambda p: p.update(payment_currency="USD")), "'USD'"),
        (_payments_answer(lambda p: p.update(order_id="T1-OTHER-ORDER")), "names order"),
    ],
    ids=["order-id", "order-currency", "payment-currency", "payment-order"],
)
async def test_a_paid_answer_that_does_not_fit_is_never_paid(
    till: Till, rewrite: Rewrite, anomaly: str
) -> None:
    shown = await till.run(qr_request(130), until_awaiting=True)
    liar(till).rewrite = rewrite
    till.sim.customer_pays(shown.order_id)
    watcher = asyncio.ensure_future(till.finish())
    await wait_for(till, lambda: "anomaly" in kinds(till, shown.order_id), steps=60)
    sale = till.journal.get_sale(shown.order_id)
    assert sale is not None and sale.status is not SaleStatus.PAID
    events = [e for e in till.journal.events(shown.order_id) if e.kind == "anomaly"]
    assert anomaly in str(events[0].detail["what"])
    # The truth comes back: the sale is paid once the answers fit.
    liar(till).rewrite = None
    assert (await watcher).status is SaleStatus.PAID


# ---- 3. one sale, one follower -----------------------------------------------------------


async def test_cancel_after_the_counter_let_go_has_one_follower(till: Till) -> None:
    """`charge --timeout`: the watcher stops, then cancels. One terminate, one outcome."""
    shown = await till.run(qr_request(140), until_awaiting=True)
    await till.stream.aclose()  # the counter stops watching; the sale is still open
    answer = await till.checkout.cancel(shown.order_id, reason=ReasonCode.TIMED_OUT)
    assert answer is not None and answer.status is SaleStatus.CANCELLED
    for _ in range(20):
        await till.clock.sleep(1)
    assert kinds(till, shown.order_id).count("cancelled") == 1
    assert kinds(till, shown.order_id).count("cancel_requested") == 1
    assert len(liar(till).calls("PATCH", shown.order_id)) == 1


async def test_status_of_a_paid_sale_writes_nothing_new(till: Till) -> None:
    shown = await till.run(qr_request(141), until_awaiting=True)
    till.sim.customer_pays(shown.order_id)
    assert (await till.finish()).status is SaleStatus.PAID
    before = kinds(till, shown.order_id)
    sale = till.journal.get_sale(shown.order_id)
    assert sale is not None
    for _ in range(3):
        result = await refresh_sale(till.deps, sale)
        assert result.sale.status is SaleStatus.PAID
    assert kinds(till, shown.order_id) == before


async def test_refresh_of_a_followed_sale_nudges_and_never_writes_an_outcome(till: Till) -> None:
    shown = await till.run(qr_request(142), until_awaiting=True)
    sale = till.journal.get_sale(shown.order_id)
    assert sale is not None
    before = kinds(till, shown.order_id)
    calls = len(liar(till).requests)
    result = await refresh_sale(till.deps, sale)  # the manager's "refresh" mid-sale
    assert result.followed_elsewhere
    assert kinds(till, shown.order_id) == before
    assert len(liar(till).requests) == calls  # it asked the follower, not Cashfree


async def test_reconcile_during_create_order_leaves_the_live_sale_alone(tmp_path: Path) -> None:
    counter = make_till(tmp_path)
    counter.sim.set_faults(down=True)  # Create Order hangs at "offline, next try…"
    stream = counter.checkout.start(qr_request(143))
    first = await stream.__anext__()
    assert first.status is SaleStatus.CREATED
    # Another process of the same till (same journal file, its own owner) reconciles.
    other = make_till(tmp_path, sim=counter.sim, clock=counter.clock)
    counter.sim.set_faults(down=False)
    results = await reconcile_open_sales(other.deps)
    assert [r.followed_elsewhere for r in results] == [True]
    sale = other.journal.get_sale(first.order_id)
    assert sale is not None and sale.status is SaleStatus.CREATED
    # The counter goes on and shows the QR for the same order.
    async for state in stream:
        if state.status is SaleStatus.AWAITING_PAYMENT and state.has_qr:
            break
    assert counter.sim.order(first.order_id)["order_status"] == "ACTIVE"
    await stream.aclose()
    for t in (counter, other):
        await t.checkout.shutdown()
        await t.client.aclose()
        t.journal.close()


async def test_a_crashed_owner_is_taken_over_and_the_sale_settled(tmp_path: Path) -> None:
    crashed = make_till(tmp_path, owner=gone_owner())
    shown = await crashed.run(qr_request(144), until_awaiting=True)
    crashed.sim.customer_pays(shown.order_id)
    survivor = make_till(tmp_path, sim=crashed.sim, clock=crashed.clock)
    assert survivor.checkout.resume_open_sales() == 1
    await wait_for(
        survivor,
        lambda: survivor.journal.get_sale(shown.order_id).status is SaleStatus.PAID,  # type: ignore[union-attr]
    )
    for t in (crashed, survivor):
        await t.checkout.shutdown()
        await t.client.aclose()
        t.journal.close()


async def test_a_live_owner_is_not_taken_over_until_its_lease_runs_out(tmp_path: Path) -> None:
    first = make_till(tmp_path)
    await first.run(qr_request(145), until_awaiting=True)
    second = make_till(tmp_path, sim=first.sim, clock=first.clock)
    assert second.checkout.resume_open_sales() == 0
    await first.clock.sleep(LEASE_TTL.total_seconds() + 1)  # no heartbeat came
    assert second.checkout.resume_open_sales() == 1
    await first.stream.aclose()
    for t in (first, second):
        await t.checkout.shutdown()
        await t.client.aclose()
        t.journal.close()


async def test_a_nudge_reaches_the_owner_in_another_process(tmp_path: Path) -> None:
    owner = make_till(tmp_path)
    shown = await owner.run(qr_request(146), until_awaiting=True)
    watcher = asyncio.ensure_future(owner.finish())
    keeper = asyncio.ensure_future(owner.checkout.keep_leases())
    other = make_till(tmp_path, sim=owner.sim, clock=owner.clock)
    other.checkout.check_now(shown.order_id)
    lease = other.journal.lease_of(shown.order_id)
    assert lease is not None and lease.check_now
    await owner.clock.sleep(1)
    await asyncio.sleep(0)
    lease = other.journal.lease_of(shown.order_id)
    assert lease is not None and not lease.check_now  # the owner picked it up
    cancelled = await other.checkout.cancel(shown.order_id, wait_seconds=5)
    assert cancelled is not None and cancelled.status is SaleStatus.CANCELLED
    assert (await watcher).status is SaleStatus.CANCELLED
    keeper.cancel()
    for t in (owner, other):
        await t.checkout.shutdown()
        await t.client.aclose()
        t.journal.close()


async def test_a_failing_listener_does_not_stop_the_follower(till: Till) -> None:
    def broken(state: object) -> None:
        raise RuntimeError("listener bug")

    till.checkout.subscribe(broken)
    shown = await till.run(qr_request(147), until_awaiting=True)
    await till.stream.aclose()
    till.sim.customer_pays(shown.order_id)
    await wait_for(
        till,
        lambda: till.journal.get_sale(shown.order_id).status is SaleStatus.PAID,  # type: ignore[union-attr]
    )


async def test_a_failing_listener_does_not_silence_the_others(till: Till) -> None:
    def broken(state: object) -> None:
        raise RuntimeError("listener bug")

    heard: list[SaleStatus] = []
    till.checkout.subscribe(broken)
    till.checkout.subscribe(lambda state: heard.append(state.status))
    shown = await till.run(qr_request(148), until_awaiting=True)
    await till.stream.aclose()
    till.sim.customer_pays(shown.order_id)
    await wait_for(till, lambda: SaleStatus.PAID in heard)


# ---- 4. one sale at the counter per till, across processes --------------------------------


async def test_a_second_process_cannot_start_a_counter_sale(tmp_path: Path) -> None:
    first = make_till(tmp_path)
    shown = await first.run(qr_request(150), until_awaiting=True)
    second = make_till(tmp_path, sim=first.sim, clock=first.clock)
    with pytest.raises(SaleInProgressError) as refused:
        await second.run(qr_request(151))
    assert refused.value.order_id == shown.order_id
    assert len(second.journal.open_sales()) == 1  # nothing was journaled for the second
    await first.stream.aclose()
    for t in (first, second):
        await t.checkout.shutdown()
        await t.client.aclose()
        t.journal.close()


# ---- 5. reconcile records late money -----------------------------------------------------


async def test_reconcile_finds_a_late_payment_after_a_cancel(tmp_path: Path) -> None:
    till = make_till(tmp_path)
    shown = await till.run(qr_request(160), until_awaiting=True)
    cancel = asyncio.ensure_future(till.checkout.cancel(shown.order_id))
    assert (await till.finish()).status is SaleStatus.CANCELLED
    await cancel
    await till.checkout.shutdown()  # the command ends; nobody sweeps
    till.sim.customer_pays(shown.order_id)
    later = make_till(tmp_path, sim=till.sim, clock=till.clock)
    results = await reconcile_open_sales(later.deps)
    assert [(r.before, r.sale.status) for r in results] == [(SaleStatus.CANCELLED, SaleStatus.PAID)]
    sale = later.journal.get_sale(shown.order_id)
    assert sale is not None and sale.late and sale.status is SaleStatus.PAID
    totals = later.journal.day_totals(till.clock() - LEASE_TTL * 100, till.clock() + LEASE_TTL)
    assert totals.paid.amount == Money.rupees(160)
    for t in (till, later):
        await t.client.aclose()
        t.journal.close()


# ---- 7. a 404 for an order Cashfree had ---------------------------------------------------


async def test_an_order_cashfree_loses_is_uncertain_not_no_money(till: Till) -> None:
    shown = await till.run(qr_request(170), until_awaiting=True)

    def lost(request: httpx.Request, response: httpx.Response) -> httpx.Response | None:
        if request.method == "GET" and shown.order_id in request.url.path:
            return httpx.Response(
                404,
                json={
                    "message": "order not found",
                    "code": "order_not_found",
                    "type": "invalid_request_error",
                },
            )
        return None

    liar(till).rewrite = lost
    final = await till.finish()
    assert final.status is SaleStatus.UNCERTAIN
    assert "No money was taken" not in final.message
    sale = till.journal.get_sale(shown.order_id)
    assert sale is not None and sale.reason_code is ReasonCode.NOT_FOUND_AT_CASHFREE
    assert "manager" in (reason_text(sale) or "")
    # Not polled forever: nothing follows it after a restart either.
    calls = len(liar(till).requests)
    assert till.checkout.resume_open_sales() == 0
    await till.clock.sleep(120)
    assert len(liar(till).requests) == calls


# ---- 8. one idempotency key per Order Pay attempt ----------------------------------------


async def test_a_lost_order_pay_answer_is_retried_with_the_same_key(till: Till) -> None:
    lost_once: list[str] = []

    def lose_first_pay(request: httpx.Request, response: httpx.Response) -> httpx.Response | None:
        if request.url.path.endswith("/orders/sessions") and not lost_once:
            lost_once.append(request.headers["x-idempotency-key"])
            raise httpx.ReadTimeout("the answer was lost", request=request)
        return None

    liar(till).rewrite = lose_first_pay
    request = ChargeRequest(
        amount=Money.rupees(180), method=Method.COLLECT, vpa="testsuccess@gocash"
    )
    shown = await till.run(request, until_awaiting=True)
    async for _ in till.stream:  # on to the UPI request
        if "attempt_started" in kinds(till, shown.order_id):
            break
    keys = [r.headers["x-idempotency-key"] for r in liar(till).calls("POST", "/orders/sessions")]
    assert len(keys) >= 2 and len(set(keys)) == 1
    sale = till.journal.get_sale(shown.order_id)
    assert sale is not None and sale.attempt_key == keys[0]
    # Cashfree saw one attempt: the customer got one UPI request.
    assert len(till.sim.payments(shown.order_id)) == 1
