"""Watching an open sale until it is settled: the poll loop, Cancel, and expiry.

The loop asks Cashfree on the adaptive PollSchedule, journals every change before it
yields the new state, reports a customer's failed attempts while the sale stays open,
and treats an unreachable gateway as "offline, next try at …", never as a failure.
The loop owns the cadence of its retries: it reads through `Deps.gateway_for(run)`, the
counter's single-attempt view for the sale at the counter (so "offline" shows within one
timeout) and the background view once the sale has left the counter.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

from pos_app.domain.sale import Method, ReasonCode, SaleStatus
from pos_app.gateway.base import Payment
from pos_app.gateway.errors import GatewayError, NotFoundError, RateLimitedError
from pos_app.services.checkout.deps import Deps
from pos_app.services.checkout.opening import back_online, went_offline
from pos_app.services.checkout.reading import Reading, ReadingKind, read_sale
from pos_app.services.checkout.run import SaleRun
from pos_app.services.checkout.state import SaleState
from pos_app.services.wording import REASON_SENTENCES, describe_error

__all__ = ["cancel_sale", "expire_sale", "record_reading", "watch_sale"]

log = logging.getLogger(__name__)


# Cashfree's own word that the order is over: the journal's event, status and reason code.
_CLOSED_BY_CASHFREE = {
    ReadingKind.EXPIRED: ("expired", SaleStatus.EXPIRED, ReasonCode.EXPIRED_AT_CASHFREE),
    ReadingKind.CANCELLED: ("cancelled", SaleStatus.CANCELLED, ReasonCode.CANCELLED_AT_CASHFREE),
}


def _failure_text(payment: Payment) -> str:
    if payment.error is not None:
        parts = [payment.error.description or payment.error.reason or payment.error.code or ""]
        reason = parts[0].strip() or "declined"
    else:
        reason = payment.message or "declined"
    if payment.status.value == "USER_DROPPED":
        reason = "the customer left the payment unfinished"
    return reason


def _already_there(status: SaleStatus, kind: ReadingKind) -> bool:
    return (
        (status is SaleStatus.PAID and kind is ReadingKind.PAID)
        or (status is SaleStatus.EXPIRED and kind is ReadingKind.EXPIRED)
        or (status is SaleStatus.CANCELLED and kind is ReadingKind.CANCELLED)
    )


def record_reading(deps: Deps, run: SaleRun, reading: Reading, *, late: bool = False) -> bool:
    """Journal what a reading means. True when the sale reached a settled state."""
    for anomaly in (reading.anomaly,):
        if anomaly and anomaly not in run.seen_anomalies:
            run.seen_anomalies.add(anomaly)
            deps.journal.add_event(run.order_id, "anomaly", {"what": anomaly})
            log.warning("sale %s: %s", run.order_id, anomaly)
    for payment in reading.failed_attempts:
        if payment.cf_payment_id in run.seen_failures:
            continue
        run.seen_failures.add(payment.cf_payment_id)
        run.attempt_failed = _failure_text(payment)
        deps.journal.add_event(
            run.order_id,
            "attempt_failed",
            {
                "cf_payment_id": payment.cf_payment_id,
                "status": payment.status.value,
                "code": payment.error.code if payment.error else None,
                "reason": run.attempt_failed,
            },
        )
    kind = reading.kind
    if _already_there(run.sale.status, kind):
        return True  # the journal says so already: nothing new to write
    if kind is ReadingKind.PAID and reading.payment is not None:
        p = reading.payment
        run.error = None
        return (
            run.record(
                deps,
                event="late_payment" if late else "paid",
                status=SaleStatus.PAID,
                detail={
                    "cf_payment_id": p.cf_payment_id,
                    "utr": p.bank_reference,
                    "group": p.group,
                },
                cf_payment_id=p.cf_payment_id,
                bank_reference=p.bank_reference,
                payment_group=p.group,
                paid_at=p.completed_at or p.initiated_at or deps.clock(),
                payer=p.payer,
                gateway_order_id=reading.gateway_order_id,
                late=late,
            )
            or run.sale.status is SaleStatus.PAID
        )
    closed = _CLOSED_BY_CASHFREE.get(kind)
    if closed is None:
        return False
    event, status, code = closed
    run.record(deps, event=event, status=status, reason=None, reason_code=code)
    return True


async def watch_sale(deps: Deps, run: SaleRun) -> AsyncIterator[SaleState]:
    """Poll until PAID, EXPIRED or CANCELLED (or a Cancel request, handled here)."""
    reads = 0
    while True:
        if run.cancel_requested:
            async for state in cancel_sale(deps, run):
                yield state
            run.cancel_answered.set()
            if run.closing_wanted:
                return  # unconfirmed: whoever follows it in the background tries again
            continue
        if run.sale.status not in (SaleStatus.AWAITING_PAYMENT, SaleStatus.UNCERTAIN):
            return
        now = deps.clock()
        elapsed = (now - run.started_at).total_seconds()
        schedule = deps.schedule
        expired_here = run.sale.expires_at is not None and now >= run.sale.expires_at + timedelta(
            seconds=schedule.expiry_grace
        )
        before = (run.attempt_failed, run.offline is not None, run.sale.status)
        try:
            reading = await read_sale(
                deps.gateway_for(run), run.sale, with_payments=reads % schedule.payments_every == 0
            )
        except GatewayError as exc:
            delay = _offline_delay(deps, exc, elapsed)
            if exc.retryable:
                went_offline(deps, run, exc, delay)
            else:
                run.error = describe_error(exc)
            yield run.state()
            await run.pause(deps, delay)
            continue
        reads += 1
        online_again = back_online(deps, run)
        if run.sale.status is SaleStatus.UNCERTAIN and reading.kind is ReadingKind.OPEN:
            run.record(
                deps, event="reconnected", status=SaleStatus.AWAITING_PAYMENT, reason_code=None
            )
        if record_reading(deps, run, reading):
            yield run.state()
            return
        if reading.kind is ReadingKind.NOT_FOUND:
            _not_found(deps, run)
            yield run.state()
            return
        if expired_here and reading.kind is ReadingKind.OPEN and not run.close_refused:
            async for state in expire_sale(deps, run):
                yield state
            if not run.close_refused or run.sale.status not in _FOLLOWED:
                return
        after = (run.attempt_failed, run.offline is not None, run.sale.status)
        if online_again or after != before or reads == 1:
            yield run.state()
        delay = schedule.interval(elapsed)
        if run.sale.expires_at is not None:
            until_expiry = (
                run.sale.expires_at - deps.clock()
            ).total_seconds() + schedule.expiry_grace
            delay = min(delay, max(0.5, until_expiry))
        await run.pause(deps, delay)


_FOLLOWED = (SaleStatus.AWAITING_PAYMENT, SaleStatus.UNCERTAIN)


def _offline_delay(deps: Deps, exc: GatewayError, elapsed: float) -> float:
    base = max(deps.schedule.interval(elapsed), 3.0)
    if isinstance(exc, RateLimitedError) and exc.retry_after:
        return max(base, exc.retry_after)
    return base


def _not_found(deps: Deps, run: SaleRun) -> None:
    """Cashfree has no such order. Proof that no money can come only when Cashfree never
    confirmed the order; an order it had and lost is UNCERTAIN, for the manager (and no
    longer polled: open_sales_to_follow leaves it out)."""
    if run.sale.cf_order_id is None:
        run.record(
            deps,
            event="not_at_gateway",
            status=SaleStatus.CANCELLED,
            reason=None,
            reason_code=ReasonCode.NEVER_REACHED,
        )
        return
    run.error = REASON_SENTENCES[ReasonCode.NOT_FOUND_AT_CASHFREE]
    run.record(
        deps,
        event="not_found_at_gateway",
        status=SaleStatus.UNCERTAIN,
        reason=None,
        reason_code=ReasonCode.NOT_FOUND_AT_CASHFREE,
    )


@dataclass(frozen=True, slots=True)
class _Closing:
    reading: Reading
    refusal: GatewayError | None = None  # Cashfree answered the close call with a refusal


async def _terminate_then_read(deps: Deps, run: SaleRun) -> _Closing:
    """Stop the customer paying (terminate the order or cancel the link), then read again:
    a payment that beat the termination wins. Raises GatewayError when Cashfree cannot be
    reached (nothing is known then)."""
    gateway = deps.gateway_for(run)
    refusal: GatewayError | None = None
    try:
        if run.sale.method is Method.LINK:
            await gateway.cancel_link(run.sale.link_id or run.order_id)
        else:
            await gateway.terminate_order(run.order_id)
    except NotFoundError:
        pass
    except GatewayError as exc:
        if exc.retryable:
            raise
        # Refused (for example: already paid or already expired): the read below decides.
        log.info("sale %s: termination refused: %s", run.order_id, exc)
        refusal = exc
    reading = await read_sale(gateway, run.sale, with_payments=False)
    for _ in range(_PENDING_READS):
        if reading.kind is not ReadingKind.CANCELLING:
            break
        await deps.sleep(1.0)
        reading = await read_sale(gateway, run.sale, with_payments=False)
    return _Closing(reading, refusal)


_PENDING_READS = 3  # re-reads, a second apart, while Cashfree says TERMINATION_REQUESTED


def _still_open(deps: Deps, run: SaleRun, closing: _Closing) -> None:
    """Cashfree did not close the order: the sale stays open and is followed; the cashier
    is told the customer can still pay."""
    code = (
        ReasonCode.TERMINATION_PENDING
        if closing.reading.kind is ReadingKind.CANCELLING
        else ReasonCode.TERMINATION_REFUSED
    )
    detail: dict[str, object] = {"reason_code": code.value}
    if closing.refusal is not None:
        detail.update(
            error=type(closing.refusal).__name__,
            code=closing.refusal.code,
            request_id=closing.refusal.request_id,
        )
    deps.journal.add_event(run.order_id, "termination_refused", detail)
    run.close_refused = True
    run.error = REASON_SENTENCES[code]
    if closing.refusal is not None:
        run.error += f" ({describe_error(closing.refusal)})"


async def expire_sale(deps: Deps, run: SaleRun) -> AsyncIterator[SaleState]:
    """The till's time to pay is over: close the order at Cashfree and record EXPIRED only
    on Cashfree's word (terminated or expired there); paid wins."""
    try:
        closing = await _terminate_then_read(deps, run)
    except GatewayError as exc:
        went_offline(deps, run, exc, deps.schedule.slow_interval)
        yield run.state()
        return
    reading = closing.reading
    if reading.kind is ReadingKind.CANCELLED:
        run.record(
            deps,
            event="expired",
            status=SaleStatus.EXPIRED,
            reason=None,
            reason_code=ReasonCode.TIMED_OUT,
        )
    elif reading.kind is ReadingKind.NOT_FOUND:
        _not_found(deps, run)
    elif reading.kind in (ReadingKind.OPEN, ReadingKind.CANCELLING):
        _still_open(deps, run, closing)
        record_reading(deps, run, reading)  # its failed attempts and anomalies
    else:
        record_reading(deps, run, reading)
    yield run.state()


async def cancel_sale(deps: Deps, run: SaleRun) -> AsyncIterator[SaleState]:
    """Cancel: terminate at Cashfree, re-read, and only then record. Paid wins; a refused
    or unconfirmed close never says "no money was taken"."""
    code = run.cancel_code
    run.cancel_requested = False
    deps.journal.add_event(run.order_id, "cancel_requested", {"reason_code": code.value})
    status = run.sale.status
    if status not in (SaleStatus.CREATED, SaleStatus.AWAITING_PAYMENT, SaleStatus.UNCERTAIN):
        return
    run.message = "Cancelling at Cashfree…"
    yield run.state()
    run.message = None
    try:
        closing = await _terminate_then_read(deps, run)
    except GatewayError as exc:
        run.error = describe_error(exc)
        run.record(
            deps,
            event="cancel_unconfirmed",
            status=SaleStatus.UNCERTAIN,
            detail={"error": type(exc).__name__},
            reason_code=ReasonCode.CANCEL_UNCONFIRMED,
        )
        run.closing_wanted = True
        yield run.state()
        return
    reading = closing.reading
    run.closing_wanted = False
    if reading.kind is ReadingKind.NOT_FOUND:
        _not_found(deps, run)
    elif reading.kind is ReadingKind.CANCELLED:
        run.error = None
        run.record(
            deps,
            event="cancelled",
            status=SaleStatus.CANCELLED,
            reason=None,
            reason_code=code,
        )
    elif reading.kind in (ReadingKind.OPEN, ReadingKind.CANCELLING):
        _still_open(deps, run, closing)
        record_reading(deps, run, reading)
        if run.sale.status is SaleStatus.UNCERTAIN:
            # Reachable again, but still open: it is an open payment, not an unknown one.
            run.record(
                deps, event="reconnected", status=SaleStatus.AWAITING_PAYMENT, reason_code=None
            )
    else:
        record_reading(deps, run, reading)
    yield run.state()
