"""Watching an open sale until it is settled: the poll loop, Cancel, and expiry.

The loop asks Cashfree on the adaptive PollSchedule, journals every change before it
yields the new state, reports a customer's failed attempts while the sale stays open,
and treats an unreachable gateway as "offline, next try at …", never as a failure.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import timedelta

from pos_app.domain.sale import Method, SaleStatus
from pos_app.gateway.base import Payment
from pos_app.gateway.errors import GatewayError, NotFoundError, RateLimitedError
from pos_app.services.opening import back_online, went_offline
from pos_app.services.runtime import Deps, SaleRun
from pos_app.services.settle import Reading, ReadingKind, read_sale
from pos_app.services.state import SaleState
from pos_app.services.wording import describe_error

__all__ = ["CANCEL_UNCONFIRMED", "cancel_sale", "expire_sale", "record_reading", "watch_sale"]

CANCEL_UNCONFIRMED = "Cancel could not be confirmed with Cashfree yet; the till keeps trying."
NEVER_REACHED = "The order never reached Cashfree. No money was taken."

log = logging.getLogger(__name__)


def _failure_text(payment: Payment) -> str:
    if payment.error is not None:
        parts = [payment.error.description or payment.error.reason or payment.error.code or ""]
        reason = parts[0].strip() or "declined"
    else:
        reason = payment.message or "declined"
    if payment.status.value == "USER_DROPPED":
        reason = "the customer left the payment unfinished"
    return reason


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
    if kind is ReadingKind.EXPIRED:
        run.record(deps, event="expired", status=SaleStatus.EXPIRED, reason=None)
        return True
    if kind is ReadingKind.CANCELLED:
        run.record(
            deps,
            event="cancelled",
            status=SaleStatus.CANCELLED,
            reason=run.sale.reason or "Cancelled at Cashfree. No money was taken.",
        )
        return True
    return False


async def watch_sale(deps: Deps, run: SaleRun) -> AsyncIterator[SaleState]:
    """Poll until PAID, EXPIRED or CANCELLED (or a Cancel request, handled here)."""
    reads = 0
    while True:
        if run.cancel_requested:
            async for state in cancel_sale(deps, run):
                yield state
            return
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
                deps.gateway, run.sale, with_payments=reads % schedule.payments_every == 0
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
            run.record(deps, event="reconnected", status=SaleStatus.AWAITING_PAYMENT)
        if record_reading(deps, run, reading):
            yield run.state()
            return
        if reading.kind is ReadingKind.NOT_FOUND:
            if run.sale.cf_order_id is None:
                # Our create never got an answer and Cashfree has no such order: close it.
                run.record(
                    deps, event="not_at_gateway", status=SaleStatus.CANCELLED, reason=NEVER_REACHED
                )
                yield run.state()
                return
            run.error = "Cashfree does not know this order any more. The manager should check it."
        if expired_here and reading.kind is ReadingKind.OPEN:
            async for state in expire_sale(deps, run):
                yield state
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


def _offline_delay(deps: Deps, exc: GatewayError, elapsed: float) -> float:
    base = max(deps.schedule.interval(elapsed), 3.0)
    if isinstance(exc, RateLimitedError) and exc.retry_after:
        return max(base, exc.retry_after)
    return base


async def _terminate_then_read(deps: Deps, run: SaleRun) -> Reading:
    """Stop the customer paying (terminate the order or cancel the link), then read again:
    a payment that beat the termination wins."""
    gateway = deps.gateway
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
    return await read_sale(gateway, run.sale, with_payments=False)


async def expire_sale(deps: Deps, run: SaleRun) -> AsyncIterator[SaleState]:
    try:
        reading = await _terminate_then_read(deps, run)
    except GatewayError as exc:
        went_offline(deps, run, exc, deps.schedule.slow_interval)
        yield run.state()
        return
    if reading.kind in (ReadingKind.OPEN, ReadingKind.CANCELLING, ReadingKind.CANCELLED):
        reading = Reading(ReadingKind.EXPIRED, failed_attempts=reading.failed_attempts)
    record_reading(deps, run, reading)
    yield run.state()


async def cancel_sale(deps: Deps, run: SaleRun) -> AsyncIterator[SaleState]:
    """Cancel: terminate at Cashfree, re-read, and only then record. Paid wins."""
    deps.journal.add_event(run.order_id, "cancel_requested", {})
    status = run.sale.status
    if status not in (SaleStatus.CREATED, SaleStatus.AWAITING_PAYMENT, SaleStatus.UNCERTAIN):
        return
    run.message = "Cancelling at Cashfree…"
    yield run.state()
    run.message = None
    try:
        reading = await _terminate_then_read(deps, run)
    except GatewayError as exc:
        run.error = describe_error(exc)
        run.record(
            deps,
            event="cancel_unconfirmed",
            status=SaleStatus.UNCERTAIN,
            detail={"error": type(exc).__name__},
            reason=CANCEL_UNCONFIRMED,
        )
        yield run.state()
        return
    if reading.kind is ReadingKind.NOT_FOUND:
        # The order never reached Cashfree: nothing can be paid.
        run.sale = run.sale.with_changes(reason=NEVER_REACHED)
        reading = Reading(ReadingKind.CANCELLED)
    if reading.kind in (ReadingKind.OPEN, ReadingKind.CANCELLING):
        # Termination accepted and in progress: nobody can start paying any more.
        reading = Reading(ReadingKind.CANCELLED, failed_attempts=reading.failed_attempts)
    if reading.kind is ReadingKind.CANCELLED and run.sale.reason in (None, CANCEL_UNCONFIRMED):
        run.sale = run.sale.with_changes(reason="Cancelled by the cashier. No money was taken.")
    record_reading(deps, run, reading)
    yield run.state()
