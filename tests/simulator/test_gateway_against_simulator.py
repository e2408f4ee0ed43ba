"""The real CashfreeGateway against the simulator, in-process AND over loopback (every
test runs both ways): orders, UPI QR, collect, intents, links, refunds, terminate,
expiry, the Simulation API, and the error and fault mappings."""

from __future__ import annotations

import time
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from simulator.simkit import Rig, decode_qr, simulate_body

from pos_app.domain.money import Money
from pos_app.gateway import errors
from pos_app.gateway.base import (
    Customer,
    LinkStatus,
    NewLink,
    NewOrder,
    NewRefund,
    OrderStatus,
    PaymentStatus,
    RefundStatus,
    UpiChannel,
)
from pos_app.simulator import Faults

pytestmark = pytest.mark.asyncio

CUSTOMER = Customer(customer_id="cust001", phone="9876543210")


def new_order(order_id: str, paise: int = 25_050, **kw: object) -> NewOrder:
    return NewOrder(order_id=order_id, amount=Money(paise), customer=CUSTOMER, **kw)  # type: ignore[arg-type]


async def test_create_and_get_order(rig: Rig) -> None:
    created = await rig.gateway.create_order(
        new_order("GW-1", note="Bill 42"), idempotency_key="k-gw-1"
    )
    assert created.order_id == "GW-1"
    assert created.amount == Money(25_050)
    assert created.status is OrderStatus.ACTIVE
    assert created.payment_session_id
    assert created.expires_at is not None and created.expires_at - rig.clock.now == timedelta(
        days=30
    )
    fetched = await rig.gateway.get_order("GW-1")
    assert fetched == created


async def test_upi_qr_decodes_to_the_payment(rig: Rig) -> None:
    order = await rig.gateway.create_order(new_order("GW-QR", 99_900), idempotency_key="k-qr")
    assert order.payment_session_id
    result = await rig.gateway.pay_upi(order.payment_session_id, UpiChannel.QRCODE)
    assert result.qr_png is not None
    query = parse_qs(urlsplit(decode_qr(result.qr_png)).query)
    assert query["am"] == ["999.00"]
    assert query["tn"] == ["GW-QR"]
    assert query["tr"] == [result.cf_payment_id]
    assert result.amount == Money(99_900)
    rig.sim.customer_pays("GW-QR")
    assert (await rig.gateway.get_order("GW-QR")).status is OrderStatus.PAID
    (payment,) = await rig.gateway.list_payments("GW-QR")
    assert payment.status is PaymentStatus.SUCCESS
    assert payment.cf_payment_id == result.cf_payment_id
    assert payment.amount == Money(99_900)
    assert payment.group == "upi"
    assert payment.bank_reference and len(payment.bank_reference) == 12


async def test_collect_to_testsuccess(rig: Rig) -> None:
    order = await rig.gateway.create_order(new_order("GW-COL"), idempotency_key="k-col")
    assert order.payment_session_id
    await rig.gateway.pay_upi(
        order.payment_session_id, UpiChannel.COLLECT, upi_id="testsuccess@gocash"
    )
    assert (await rig.gateway.get_order("GW-COL")).status is OrderStatus.ACTIVE
    rig.clock.advance(3)
    assert (await rig.gateway.get_order("GW-COL")).status is OrderStatus.PAID


async def test_collect_to_testinvalid_is_invalid_request(rig: Rig) -> None:
    order = await rig.gateway.create_order(new_order("GW-INV"), idempotency_key="k-inv")
    assert order.payment_session_id
    with pytest.raises(errors.InvalidRequestError) as caught:
        await rig.gateway.pay_upi(
            order.payment_session_id, UpiChannel.COLLECT, upi_id="testinvalid@gocash"
        )
    assert caught.value.code == "upi_id_invalid"
    assert caught.value.request_id


async def test_failed_attempt_is_read_with_its_reason(rig: Rig) -> None:
    order = await rig.gateway.create_order(new_order("GW-FAIL"), idempotency_key="k-fail")
    assert order.payment_session_id
    await rig.gateway.pay_upi(
        order.payment_session_id, UpiChannel.COLLECT, upi_id="testfailure@gocash"
    )
    rig.clock.advance(3)
    (payment,) = await rig.gateway.list_payments("GW-FAIL")
    assert payment.status is PaymentStatus.FAILED
    assert payment.error is not None
    assert (payment.error.code, payment.error.reason, payment.error.source) == (
        "TRANSACTION_DECLINED",
        "bank_rejected",
        "bank",
    )


async def test_upi_intents(rig: Rig) -> None:
    order = await rig.gateway.create_order(new_order("GW-INT", 1000), idempotency_key="k-int")
    assert order.payment_session_id
    result = await rig.gateway.pay_upi(order.payment_session_id, UpiChannel.LINK)
    assert result.upi_url and result.upi_url.startswith("upi://pay?")
    assert {"gpay", "phonepe", "paytm", "bhim"} <= set(result.intents)


async def test_terminate_then_late_payment_through_simulate(rig: Rig) -> None:
    order = await rig.gateway.create_order(new_order("GW-TERM"), idempotency_key="k-term")
    assert order.payment_session_id
    attempt = await rig.gateway.pay_upi(order.payment_session_id, UpiChannel.QRCODE)
    terminated = await rig.gateway.terminate_order("GW-TERM")
    assert terminated.status is OrderStatus.TERMINATED
    (payment,) = await rig.gateway.list_payments("GW-TERM")
    assert payment.status is PaymentStatus.CANCELLED
    assert attempt.cf_payment_id
    answer = await rig.raw.post("simulate", json=simulate_body(attempt.cf_payment_id, "SUCCESS"))
    assert answer.status_code == 200
    simulation = await rig.raw.get(f"simulate/{answer.json()['simulation_id']}")
    assert simulation.json()["entity_simulation"]["payment_status"] == "SUCCESS"
    assert (await rig.gateway.get_order("GW-TERM")).status is OrderStatus.PAID


async def test_terminate_a_paid_order_reads_paid(rig: Rig) -> None:
    await rig.gateway.create_order(new_order("GW-TP"), idempotency_key="k-tp")
    rig.sim.customer_pays("GW-TP")
    assert (await rig.gateway.terminate_order("GW-TP")).status is OrderStatus.PAID


async def test_expiry_on_the_injected_clock(rig: Rig) -> None:
    expires = rig.clock.now + timedelta(minutes=15)
    order = await rig.gateway.create_order(
        new_order("GW-EXP", expires_at=expires), idempotency_key="k-exp"
    )
    assert order.expires_at == expires
    rig.clock.advance(15 * 60)
    assert (await rig.gateway.get_order("GW-EXP")).status is OrderStatus.EXPIRED


async def test_links(rig: Rig) -> None:
    link = NewLink(
        link_id="GW-LINK",
        amount=Money(49_900),
        purpose="Bill 7",
        customer=CUSTOMER,
        send_sms=True,
    )
    created = await rig.gateway.create_link(link, idempotency_key="k-link")
    assert created.status is LinkStatus.ACTIVE
    assert created.url == f"{rig.sim.public_url}/checkout/link/GW-LINK"
    assert created.qr_png is not None and decode_qr(created.qr_png) == created.url
    assert rig.sim.link_notifications("GW-LINK")["notifications"][0]["channel"] == "sms"
    assert await rig.gateway.list_link_orders("GW-LINK") == []
    order_id = rig.sim.link_customer_pays("GW-LINK")
    paid = await rig.gateway.get_link("GW-LINK")
    assert paid.status is LinkStatus.PAID and paid.amount_paid == Money(49_900)
    (order,) = await rig.gateway.list_link_orders("GW-LINK", paid_only=True)
    assert order.order_id == order_id and order.status is OrderStatus.PAID
    with pytest.raises(errors.InvalidRequestError):
        await rig.gateway.cancel_link("GW-LINK")
    other = await rig.gateway.create_link(
        NewLink(link_id="GW-LINK-2", amount=Money(100), purpose="x", customer=CUSTOMER),
        idempotency_key="k-link-2",
    )
    assert other.status is LinkStatus.ACTIVE
    assert (await rig.gateway.cancel_link("GW-LINK-2")).status is LinkStatus.CANCELLED


async def test_refunds(rig: Rig) -> None:
    await rig.gateway.create_order(new_order("GW-REF", 50_000), idempotency_key="k-ref")
    rig.sim.customer_pays("GW-REF")
    refund = await rig.gateway.create_refund(
        "GW-REF",
        NewRefund(refund_id="GW-RF-1", amount=Money(20_000), note="returned"),
        idempotency_key="k-rf-1",
    )
    assert refund.status is RefundStatus.PENDING
    assert refund.amount == Money(20_000)
    rig.clock.advance(5)
    done = await rig.gateway.get_refund("GW-REF", "GW-RF-1")
    assert done.status is RefundStatus.SUCCESS and done.arn
    failed = await rig.gateway.create_refund(
        "GW-REF",
        NewRefund(refund_id="GW-RF-2", amount=Money(1_000), note="FAILED"),
        idempotency_key="k-rf-2",
    )
    assert failed.status is RefundStatus.FAILED
    assert [r.refund_id for r in await rig.gateway.list_refunds("GW-REF")] == ["GW-RF-1", "GW-RF-2"]
    with pytest.raises(errors.InvalidRequestError):
        await rig.gateway.create_refund(
            "GW-REF", NewRefund(refund_id="GW-RF-3", amount=Money(30_001)), idempotency_key="k-rf-3"
        )
    with pytest.raises(errors.DuplicateOrderError):  # 409 maps to the duplicate family
        await rig.gateway.create_refund(
            "GW-REF", NewRefund(refund_id="GW-RF-1", amount=Money(100)), idempotency_key="k-rf-4"
        )


async def test_wrong_secret_is_authentication_error(rig: Rig) -> None:
    wrong = rig.make_gateway(secret="not-the-secret")
    with pytest.raises(errors.AuthenticationError) as caught:
        await wrong.get_order("ANY")
    assert caught.value.http_status == 401
    assert "not-the-secret" not in str(caught.value)


async def test_not_found(rig: Rig) -> None:
    with pytest.raises(errors.NotFoundError):
        await rig.gateway.get_order("NOPE")


async def test_duplicate_order_id_is_409(rig: Rig) -> None:
    await rig.gateway.create_order(new_order("GW-DUP"), idempotency_key="k-dup-1")
    with pytest.raises(errors.DuplicateOrderError) as caught:
        await rig.gateway.create_order(new_order("GW-DUP"), idempotency_key="k-dup-2")
    assert caught.value.code == "order_already_exists"


async def test_idempotent_retry_replays_and_a_changed_body_is_422(rig: Rig) -> None:
    first = await rig.gateway.create_order(new_order("GW-IDEM"), idempotency_key="k-idem")
    again = await rig.gateway.create_order(new_order("GW-IDEM"), idempotency_key="k-idem")
    assert again == first
    with pytest.raises(errors.IdempotencyConflictError):
        await rig.gateway.create_order(new_order("GW-IDEM", 100), idempotency_key="k-idem")


async def test_rate_limit_is_rate_limited_error_with_retry_after(rig: Rig) -> None:
    await rig.gateway.create_order(new_order("GW-RL"), idempotency_key="k-rl")
    once = rig.make_gateway(attempts=1)
    for _ in range(60):
        await once.get_order("GW-RL")
        rig.clock.advance(0.25)
    with pytest.raises(errors.RateLimitedError) as caught:
        await once.get_order("GW-RL")
    assert caught.value.retry_after == 45


async def test_server_errors_are_retried_then_reported(rig: Rig) -> None:
    rig.sim.set_faults(error_rate=1.0)
    with pytest.raises(errors.ServerError):
        await rig.gateway.get_order("ANY")
    assert len(rig.sleeps) == 3  # four attempts


async def test_malformed_answer_is_bad_response(rig: Rig) -> None:
    rig.sim.set_faults(malformed_rate=1.0)
    with pytest.raises(errors.BadResponseError):
        await rig.make_gateway(attempts=1).get_order("ANY")


async def test_down_is_connect_error(rig: Rig) -> None:
    rig.sim.set_faults(down=True)
    with pytest.raises(errors.GatewayUnreachable):
        await rig.make_gateway(attempts=1).get_order("ANY")


async def test_dropped_answer_is_retried_with_the_same_key_and_replayed(rig: Rig) -> None:
    rig.sim.set_faults(drop_rate=1.0)
    rig.on_sleep.append(lambda: rig.sim.set_faults(Faults()))  # the network heals before the retry
    created = await rig.gateway.create_order(new_order("GW-DROP"), idempotency_key="k-drop")
    assert created.order_id == "GW-DROP"
    assert len(rig.sleeps) == 1  # one drop, one successful retry: no 409, one order
    assert rig.sim.order("GW-DROP")["order_status"] == "ACTIVE"


async def test_latency_is_felt(rig: Rig) -> None:
    rig.sim.set_faults(latency=0.15)
    started = time.perf_counter()
    with pytest.raises(errors.NotFoundError):
        await rig.gateway.get_order("NOPE")
    assert time.perf_counter() - started >= 0.14
