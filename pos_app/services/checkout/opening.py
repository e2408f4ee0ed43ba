"""Opening a sale at the gateway: the order (or payment link), then the UPI attempt.

Each step journals what it learned before the state is yielded. A network failure is
"offline, next try at …" and the step is retried with the same idempotency key; a
definite refusal ends the sale as FAILED with Cashfree's reason; a cancel while this runs
is honoured between tries.

This loop is the one retry owner for the sale at the counter: its gateway makes one HTTP
attempt per try, so "offline" shows within the first timeout. When a create may have
reached Cashfree without its answer reaching us (`maybe_sent`), the next try reads the
order (or link) first and sends the create again, with the same key, only if Cashfree
does not have it: never a second order, never a second charge.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Generic, TypeVar

from pos_app.domain.qr import QrCode
from pos_app.domain.sale import Method, ReasonCode, SaleStatus
from pos_app.gateway.base import Customer, Link, NewLink, NewOrder, Order, PayResult, UpiChannel
from pos_app.gateway.errors import DuplicateOrderError, GatewayError, NotFoundError
from pos_app.services.checkout.deps import Deps
from pos_app.services.checkout.run import SaleRun
from pos_app.services.checkout.state import Offline, SaleState
from pos_app.services.qr import shown_qr
from pos_app.services.wording import describe_error, is_s2s_refusal

__all__ = ["open_sale", "went_offline"]

log = logging.getLogger(__name__)

T = TypeVar("T")

OFFLINE_RETRY = 5.0  # seconds between tries while Cashfree cannot be reached


def went_offline(deps: Deps, run: SaleRun, error: GatewayError, retry_in: float) -> None:
    now = deps.clock()
    first = run.offline is None
    run.offline = Offline(
        since=run.offline.since if run.offline else now,
        next_try_at=now + timedelta(seconds=retry_in),
        reason=describe_error(error),
        answered=error.http_status is not None,
    )
    if first:
        deps.journal.add_event(run.order_id, "offline", {"error": type(error).__name__})


def back_online(deps: Deps, run: SaleRun) -> bool:
    if run.offline is None:
        return False
    run.offline = None
    deps.journal.add_event(run.order_id, "online", {})
    return True


def _customer(deps: Deps, run: SaleRun) -> Customer:
    sale = run.sale
    phone = sale.customer_phone or deps.default_phone
    if phone is None:
        raise ValueError("no customer phone and no default phone in Settings")
    cid = f"c{phone}" if sale.customer_phone else f"pos{deps.terminal_id}walkin"
    return Customer(customer_id=cid, phone=phone, email=sale.customer_email)


@dataclass(slots=True)
class _Answer(Generic[T]):
    """What a step learned: the gateway's answer, or its definite refusal."""

    value: T | None = None
    refusal: GatewayError | None = None
    maybe_sent: bool = False  # a try may have reached Cashfree without its answer


async def _keep_trying(
    deps: Deps, run: SaleRun, call: Callable[[], Awaitable[T]], answer: _Answer[T]
) -> AsyncIterator[SaleState]:
    """Call until Cashfree answers or refuses; while it cannot be reached, yield the
    "offline, next try at …" state and try again. Stops early on a cancel request."""
    while not run.cancel_requested:
        try:
            answer.value = await call()
        except GatewayError as exc:
            if exc.retryable:
                answer.maybe_sent = answer.maybe_sent or exc.maybe_sent
                went_offline(deps, run, exc, OFFLINE_RETRY)
                yield run.state()
                await run.pause(deps, OFFLINE_RETRY)
                continue
            answer.refusal = exc
            return
        if back_online(deps, run):
            yield run.state()
        return


def _refused(deps: Deps, run: SaleRun, event: str, exc: GatewayError) -> None:
    run.error = describe_error(exc)
    run.record(
        deps,
        event=event,
        status=SaleStatus.FAILED,
        detail=_error_detail(exc),
        reason=run.error,
        reason_code=ReasonCode.REFUSED_BY_CASHFREE,
    )


def _error_detail(exc: GatewayError) -> dict[str, object]:
    return {"error": type(exc).__name__, "code": exc.code, "request_id": exc.request_id}


async def open_sale(deps: Deps, run: SaleRun) -> AsyncIterator[SaleState]:
    """CREATED -> AWAITING_PAYMENT (with the QR, link or request shown), or FAILED.

    Ends early, leaving the sale CREATED, when a cancel is requested before the order
    is known to exist; the caller settles that."""
    if run.sale.method is Method.LINK:
        async for state in _open_link(deps, run):
            yield state
        return
    answer: _Answer[Order] = _Answer()

    def create() -> Awaitable[Order]:
        return _create_order(deps, run, read_first=answer.maybe_sent)

    async for state in _keep_trying(deps, run, create, answer):
        yield state
    if answer.refusal is not None:
        _refused(deps, run, "order_refused", answer.refusal)
        yield run.state()
        return
    order = answer.value
    if order is None:
        return
    run.record(
        deps,
        event="order_created",
        status=SaleStatus.AWAITING_PAYMENT,
        detail={"cf_order_id": order.cf_order_id},
        cf_order_id=order.cf_order_id,
        payment_session_id=order.payment_session_id,
        expires_at=order.expires_at or run.sale.expires_at,
    )
    yield run.state()
    async for state in start_attempt(deps, run):
        yield state


async def _create_order(deps: Deps, run: SaleRun, *, read_first: bool = False) -> Order:
    sale = run.sale
    gateway = deps.gateway_for(run)
    if read_first:
        # An earlier try may have created it: read before writing again.
        with contextlib.suppress(NotFoundError):
            return await gateway.get_order(sale.order_id)
    request = NewOrder(
        order_id=sale.order_id,
        amount=sale.amount,
        customer=_customer(deps, run),
        note=sale.note,
        expires_at=sale.expires_at,
        tags={
            "terminal": deps.terminal_id,
            **({"bill": sale.bill_number} if sale.bill_number else {}),
        },
        notify_url=deps.notify_url,
    )
    try:
        return await gateway.create_order(request, idempotency_key=sale.idempotency_key)
    except DuplicateOrderError:
        # Our earlier try reached Cashfree but its answer was lost: read the order.
        return await gateway.get_order(sale.order_id)


async def start_attempt(
    deps: Deps, run: SaleRun, *, new_attempt: bool = False
) -> AsyncIterator[SaleState]:
    """Order Pay: show a UPI QR, or send the UPI request to the customer's VPA.

    One idempotency key per attempt, journaled before the first call: a retry after a lost
    answer is the same attempt to Cashfree (never a second UPI request to the customer).
    `new_attempt` starts a new one (the cashier asked for a fresh QR / request)."""
    sale = run.sale
    session = sale.payment_session_id
    if sale.method is Method.LINK or session is None:
        return
    if sale.method is Method.CHECKOUT:
        return  # the customer pays in Cashfree's checkout on the customer screen
    if sale.method is Method.CARD:
        from pos_app.services.checkout.card import start_card_attempt

        async for state in start_card_attempt(deps, run):
            yield state
        return
    channel = UpiChannel.COLLECT if sale.method is Method.COLLECT else UpiChannel.QRCODE
    answer: _Answer[PayResult] = _Answer()
    key = sale.attempt_key
    if key is None or new_attempt:
        key = str(uuid.uuid4())
        run.record(
            deps, event="attempt_requested", detail={"channel": channel.value}, attempt_key=key
        )

    def pay() -> Awaitable[PayResult]:
        return deps.gateway_for(run).pay_upi(
            session, channel, upi_id=sale.vpa or None, idempotency_key=key
        )

    async for state in _keep_trying(deps, run, pay, answer):
        yield state
    if answer.refusal is not None:
        run.error = _attempt_refusal(sale.method, answer.refusal)
        run.link_fallback = True
        deps.journal.add_event(run.order_id, "attempt_refused", _error_detail(answer.refusal))
        yield run.state()
        return
    if answer.value is None or run.sale.status is not SaleStatus.AWAITING_PAYMENT:
        return
    await asyncio.sleep(0)  # drawing is its own loop step (see _draw)
    run.qr_text, run.qr, run.qr_image = _draw(answer.value)
    deps.journal.add_event(
        run.order_id,
        "attempt_started",
        {"channel": channel.value, "cf_payment_id": answer.value.cf_payment_id},
    )
    yield run.state()


def _attempt_refusal(method: Method, exc: GatewayError) -> str:
    if method is Method.COLLECT:
        return (
            "Cashfree did not send the UPI request. NPCI is phasing out UPI requests for "
            f"shops, so this account may not allow them. Use the QR instead. ({describe_error(exc)})"
        )
    if is_s2s_refusal(exc):
        return (
            "This Cashfree account cannot show a UPI QR directly: Cashfree has to switch on its "
            f"'S2S' option. Use a payment-link QR instead. ({describe_error(exc)})"
        )
    return f"{describe_error(exc)} You can show a payment-link QR instead."


def _draw(result: PayResult) -> tuple[str | None, QrCode | None, bytes | None]:
    """What the QR encodes, the code, and Cashfree's picture when it is all there is.
    Prefers the upi:// text (read out of Cashfree's image when that is all it sent) and
    makes the code from it once, for every screen to draw. About 10 ms of CPU: callers let
    the event loop turn first, so it never shares a loop step with the gateway call before it. (Not a
    worker thread: Python code in a thread of the Qt desk can trigger the garbage collector
    there, which may destroy Qt objects off the GUI thread and crash the till.)"""
    code, picture = shown_qr(result.upi_url, result.qr_png)
    return (code.text if code is not None else None), code, picture


async def _open_link(deps: Deps, run: SaleRun) -> AsyncIterator[SaleState]:
    sale = run.sale
    purpose = f"Payment to {deps.store_name}"
    if sale.bill_number:
        purpose += f", bill {sale.bill_number}"
    request = NewLink(
        link_id=sale.link_id or sale.order_id,
        amount=sale.amount,
        purpose=purpose,
        customer=_customer(deps, run),
        expires_at=sale.expires_at,
        send_sms=bool(run.sale.customer_phone) and _notify(run, "sms"),
        send_email=bool(run.sale.customer_email) and _notify(run, "email"),
        notes={"terminal": deps.terminal_id},
    )
    answer: _Answer[Link] = _Answer()

    async def create() -> Link:
        gateway = deps.gateway_for(run)
        if answer.maybe_sent:  # an earlier try may have created it: read before writing again
            with contextlib.suppress(NotFoundError):
                return await gateway.get_link(request.link_id)
        return await gateway.create_link(request, idempotency_key=sale.idempotency_key)

    async for state in _keep_trying(deps, run, create, answer):
        yield state
    if answer.refusal is not None:
        _refused(deps, run, "link_refused", answer.refusal)
        yield run.state()
        return
    link = answer.value
    if link is None:
        return
    run.link_url = link.url
    run.qr_text = link.url
    await asyncio.sleep(0)  # drawing (~10 ms) is its own loop step
    run.qr = QrCode.encode(link.url)
    run.record(
        deps,
        event="link_created",
        status=SaleStatus.AWAITING_PAYMENT,
        detail={
            "cf_link_id": link.cf_link_id,
            "sms": request.send_sms,
            "email": request.send_email,
        },
        cf_order_id=link.cf_link_id,
        expires_at=link.expires_at or sale.expires_at,
    )
    yield run.state()


def _notify(run: SaleRun, channel: str) -> bool:
    return channel in run.notify
