"""Refunds: full or partial, never more than was paid less what is refunded or pending.

The order of things is what makes a refund safe to retry:

1. `prepare` checks the request and journals the refund (status REQUESTED) with its
   refund id and idempotency key BEFORE anything is sent. The journal refuses, inside its
   own transaction, a refund that would return more than the sale took.
2. `submit` sends Create Refund with that id and key. A lost answer leaves the refund
   REQUESTED; sending it again reuses the same id and key, so Cashfree never pays twice
   (a replay, or "refund already exists", which the till then looks up).
3. `follow` asks Get Refund until the status is final (SUCCESS, FAILED, CANCELLED) or
   the wait is over; every change is journaled. A failed refund keeps Cashfree's reason.

For a payment-link sale the money sits on the order Cashfree made for the link
(Sale.gateway_order_id): that order is the one refunded.
"""

from __future__ import annotations

import logging
import re
import secrets
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from pos_app.domain.clock import Clock
from pos_app.domain.money import Money
from pos_app.domain.sale import Sale, SaleStatus
from pos_app.gateway.base import NewRefund, PaymentGateway, Refund, RefundStatus
from pos_app.gateway.errors import (
    DuplicateOrderError,
    GatewayError,
    IdempotencyConflictError,
    NotFoundError,
)
from pos_app.services.wording import describe_error
from pos_app.store.codec import RefundRecord
from pos_app.store.errors import RefundPendingError, RefundTooLargeError
from pos_app.store.other_till_refunds import OtherTillRefund
from pos_app.store.queries import FINAL_REFUND_STATUSES

__all__ = [
    "FINAL",
    "REQUESTED",
    "RefundCheck",
    "RefundOutcome",
    "RefundPending",
    "RefundRecord",
    "RefundRefused",
    "RefundService",
    "day_limit",
    "describe_refund",
    "new_refund_id",
    "on_its_way",
    "refund_target",
]

log = logging.getLogger(__name__)

REQUESTED = "REQUESTED"  # journaled; Cashfree's answer not known yet
FINAL = frozenset(FINAL_REFUND_STATUSES)
_REFUND_ID = re.compile(r"^[A-Za-z0-9_-]{3,40}$")
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class RefundJournal(Protocol):
    """The part of store.journal.Journal refunds use."""

    def get_sale(self, order_id: str) -> Sale | None: ...

    def refunds_for(self, order_id: str) -> list[RefundRecord]: ...

    def refunded_total(self, order_id: str, include_pending: bool = True) -> Money: ...

    def create_refund(self, record: RefundRecord, *, another: bool = False) -> RefundRecord: ...

    def update_refund(self, refund_id: str, **fields: Any) -> RefundRecord: ...


class RefundRefused(Exception):
    """The refund was not started; `message` says why, in plain words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RefundPending(RefundRefused):
    """A refund of the sale is already on its way and the request is not that refund:
    a further one needs the manager to say so (`another`). `pending` is the one on its way."""

    def __init__(self, pending: RefundRecord) -> None:
        super().__init__(
            f"{on_its_way(pending)} To refund more on top of it, say so explicitly: "
            '`--another` on the command line, or "Refund another amount" in the console '
            "(the manager PIN is asked again)."
        )
        self.pending = pending


def on_its_way(record: RefundRecord) -> str:
    """'₹100.00 is already on its way (refund RF-…, pending since 03 Dec 10:15 UTC).'"""
    status = "not confirmed by Cashfree" if record.status == REQUESTED else "pending"
    since = record.created_at.strftime("%d %b %H:%M UTC")
    return (
        f"{record.amount.format()} is already on its way (refund {record.refund_id}, "
        f"{status} since {since})."
    )


@dataclass(frozen=True, slots=True)
class RefundOutcome:
    refund: RefundRecord
    message: str  # what to tell the manager
    resumed: bool = False  # an earlier request on its way was resumed instead of a new one

    @property
    def final(self) -> bool:
        return self.refund.status in FINAL

    @property
    def succeeded(self) -> bool:
        return self.refund.status == "SUCCESS"

    @property
    def confirmed(self) -> bool:
        """Cashfree has the refund (whatever its status)."""
        return self.refund.status != REQUESTED


@dataclass(frozen=True, slots=True)
class RefundCheck:
    record: RefundRecord
    error: str | None = None  # Cashfree could not be asked (sentence with request id)


def new_refund_id(now: datetime) -> str:
    """`RF-<UTC yymmddHHMMSS>-<6 random>`: 22 of [A-Za-z0-9_-] (Cashfree allows 3-40)."""
    suffix = "".join(secrets.choice(_ALPHABET) for _ in range(6))
    return f"RF-{now:%y%m%d%H%M%S}-{suffix}"


def refund_target(sale: Sale) -> str:
    """The Cashfree order that holds the sale's payment."""
    return sale.gateway_order_id or sale.order_id


def clean_reason(reason: str | None) -> str | None:
    """A refund note for Cashfree: 3 to 100 printable characters, or nothing."""
    if reason is None:
        return None
    value = " ".join(reason.split())
    if not value:
        return None
    if len(value) < 3:
        raise RefundRefused("A refund reason needs at least 3 characters (or leave it empty).")
    if len(value) > 100:
        raise RefundRefused("A refund reason can have 100 characters at most.")
    if not value.isprintable():
        raise RefundRefused("A refund reason cannot contain control characters.")
    return value


def describe_refund(record: RefundRecord) -> str:
    """What a refund's state means for the manager, in one or two sentences."""
    amount = record.amount.format()
    status = record.status
    if status == "SUCCESS":
        arn = f" Bank reference (ARN): {record.arn}." if record.arn else ""
        return f"Refunded {amount}.{arn}"
    if status == "FAILED":
        why = (record.status_description or "Cashfree gave no reason").rstrip(".")
        return (
            f"The refund of {amount} failed: {why}. No money went back to the customer; "
            "you can refund again."
        )
    if status == "CANCELLED":
        return f"The refund of {amount} was cancelled. No money went back to the customer."
    if status == REQUESTED:
        why = f" ({record.status_description})" if record.status_description else ""
        return (
            f"Cashfree has not confirmed the refund of {amount} yet{why}. Try again later: "
            f"the till sends the same refund ({record.refund_id}), so it is never paid twice."
        )
    return (
        f"Cashfree accepted the refund of {amount}; it is {status.lower()} at the bank "
        "(this can take a few days). Check it again later: Check refunds in the manager's "
        "console, Refresh the day, or run the same refund command again."
    )


class RefundService:
    def __init__(
        self,
        gateway: PaymentGateway,
        journal: RefundJournal,
        *,
        clock: Clock,
        sleep: Callable[[float], Awaitable[None]],
        follow_for: float = 60.0,
        first_poll: float = 1.0,
        max_poll: float = 10.0,
        limit: Callable[[Money], str | None] | None = None,
    ) -> None:
        self.gateway = gateway
        self.journal = journal
        self.clock = clock
        self.sleep = sleep
        self.follow_for = follow_for
        self.first_poll = first_poll
        self.max_poll = max_poll
        # A rule above the till's (the shop policy's refunds per day): a sentence refuses.
        self.limit = limit

    # ---- checks ----------------------------------------------------------------------------
    def paid_sale(self, order_id: str) -> Sale:
        sale = self.journal.get_sale(order_id)
        if sale is None:
            raise RefundRefused(f"There is no sale {order_id} in this till's journal.")
        if sale.status is not SaleStatus.PAID:
            raise RefundRefused(
                f"Only a paid sale can be refunded; sale {order_id} is {sale.status.value}."
            )
        return sale

    def refundable(self, order_id: str) -> Money:
        """What is left to refund: paid less refunded and pending refunds."""
        sale = self.paid_sale(order_id)
        return sale.amount - self.journal.refunded_total(order_id, include_pending=True)

    def check_request(
        self, order_id: str, amount: Money | None, reason: str | None
    ) -> tuple[Money, str | None]:
        """The amount to refund (all that is left when None) and the cleaned reason."""
        sale = self.paid_sale(order_id)
        left = self.refundable(order_id)
        if left.paise <= 0:
            done = self.journal.refunded_total(order_id, include_pending=True)
            raise RefundRefused(
                f"Nothing is left to refund on sale {order_id}: {sale.amount.format()} was paid "
                f"and {done.format()} is refunded or on its way."
            )
        chosen = left if amount is None else amount
        if chosen.paise <= 0:
            raise RefundRefused("A refund must be more than ₹0.00.")
        if chosen > left:
            raise RefundRefused(
                f"A refund of {chosen.format()} is more than is left to refund on sale "
                f"{order_id} ({left.format()})."
            )
        return chosen, clean_reason(reason)

    # ---- the steps ---------------------------------------------------------------------------
    def prepare(
        self,
        order_id: str,
        amount: Money | None = None,
        reason: str | None = None,
        *,
        another: bool = False,
    ) -> RefundRecord:
        """Check the request and journal the refund (REQUESTED) before any call.

        Without `another`, the journal refuses it (RefundPendingError, in its write
        transaction) while a refund of the sale is still on its way."""
        chosen, note = self.check_request(order_id, amount, reason)
        if self.limit is not None:
            refused = self.limit(chosen)
            if refused is not None:
                raise RefundRefused(refused)
        now = self.clock()
        record = RefundRecord(
            refund_id=new_refund_id(now),
            order_id=order_id,
            amount=chosen,
            status=REQUESTED,
            idempotency_key=str(uuid.uuid4()),
            reason=note,
            created_at=now,
            updated_at=now,
        )
        if not _REFUND_ID.match(record.refund_id):  # pragma: no cover - new_refund_id's shape
            raise ValueError(f"not a refund id Cashfree accepts: {record.refund_id!r}")
        try:
            return self.journal.create_refund(record, another=another)
        except RefundTooLargeError as exc:
            raise RefundRefused(exc.message) from None

    async def submit(self, record: RefundRecord) -> RefundRecord:
        """Send Create Refund with the journaled id and key (again, when it was unconfirmed)."""
        sale = self.paid_sale(record.order_id)
        target = refund_target(sale)
        request = NewRefund(refund_id=record.refund_id, amount=record.amount, note=record.reason)
        try:
            answer = await self.gateway.create_refund(
                target, request, idempotency_key=record.idempotency_key
            )
        except (DuplicateOrderError, IdempotencyConflictError):
            # Cashfree already has this refund id (an earlier try got through): read it.
            return (await self._read(record, target)).record
        except GatewayError as exc:
            if exc.retryable:
                return self._note_unconfirmed(record, exc)
            log.warning("refund %s refused by Cashfree: %r", record.refund_id, exc)
            return self.journal.update_refund(
                record.refund_id, status="FAILED", status_description=describe_error(exc)
            )
        return self._record(record, answer)

    async def check(self, record: RefundRecord) -> RefundCheck:
        """One look at a refund that is not final: an unconfirmed one is sent again (same
        id and key), any other is read with Get Refund."""
        if record.status in FINAL:
            return RefundCheck(record)
        if record.status == REQUESTED:
            try:
                after = await self.submit(record)
            except RefundRefused as refused:  # the sale is gone or no longer paid
                return RefundCheck(record, refused.message)
            error = after.status_description if after.status == REQUESTED else None
            return RefundCheck(after, error)
        sale = self.journal.get_sale(record.order_id)
        target = refund_target(sale) if sale is not None else record.order_id
        return await self._read(record, target)

    async def follow_other_tills(self) -> list[OtherTillRefund]:
        """Follow the refunds this till made for OTHER tills' sales that are still on their
        way (only with a store database: services/refunds/store_checked.py); returns those
        whose status changed. A till alone has none."""
        return []

    async def follow(self, record: RefundRecord, *, seconds: float | None = None) -> RefundRecord:
        """Check the refund until it is final or `seconds` (default follow_for) have passed."""
        wait = self.follow_for if seconds is None else seconds
        deadline = self.clock().timestamp() + wait
        delay = self.first_poll
        while record.status not in FINAL:
            left = deadline - self.clock().timestamp()
            if left <= 0:
                break
            await self.sleep(min(delay, left))
            delay = min(delay * 1.6, self.max_poll)
            record = (await self.check(record)).record
        return record

    # ---- the use case ------------------------------------------------------------------------
    async def refund(
        self,
        order_id: str,
        amount: Money | None = None,
        reason: str | None = None,
        *,
        another: bool = False,
        follow_seconds: float | None = None,
    ) -> RefundOutcome:
        """Refund a paid sale and follow the refund to a final state (or the wait's end).

        A refund request is one thing however often it is retried. The sale's refunds on
        their way (REQUESTED or PENDING) are brought up to date first: an unconfirmed one
        is sent again with its own id and key, a pending one is read. If one is still on
        its way, that is the answer (`resumed`) when the request is the same (no amount,
        or the same amount); a different one is refused with RefundPending. Only with
        `another` (the manager said it is a further refund) is a new refund made beside
        it. The journal enforces the same rule in its write transaction, so a second
        process racing this one resumes the first one's refund instead of making its own.
        """
        self.paid_sale(order_id)
        earlier = await self._bring_up_to_date(order_id)
        if not another:
            waiting = next((r for r in earlier if r.status not in FINAL), None)
            if waiting is not None:
                return await self._resume(waiting, amount, follow_seconds)
            # One that was on its way when this run began and has just gone through is the
            # answer to a rerun of the same request (not a reason for a second refund).
            done = next(
                (
                    r
                    for r in earlier
                    if r.status == "SUCCESS" and (amount is None or r.amount == amount)
                ),
                None,
            )
            if done is not None:
                return await self._finish(done, follow_seconds, resumed=True)
        try:
            record = self.prepare(order_id, amount, reason, another=another)
        except RefundPendingError as exc:
            # Another process journaled a refund of this sale a moment ago: that one it is.
            raced = next(
                (r for r in self.journal.refunds_for(order_id) if r.refund_id == exc.refund_id),
                None,
            )
            if raced is None:  # pragma: no cover - a journaled refund does not vanish
                raise RefundRefused(exc.message) from None
            return await self._resume(raced, amount, follow_seconds)
        record = await self.submit(record)
        return await self._finish(record, follow_seconds)

    def waiting_refund(self, order_id: str) -> RefundRecord | None:
        """The sale's oldest refund still on its way, as the journal knows it."""
        for record in self.journal.refunds_for(order_id):
            if record.status not in FINAL:
                return record
        return None

    async def _bring_up_to_date(self, order_id: str) -> list[RefundRecord]:
        """Check each refund of the sale that is on its way; returns them as they are now."""
        now: list[RefundRecord] = []
        for earlier in self.journal.refunds_for(order_id):
            if earlier.status not in FINAL:
                now.append((await self.check(earlier)).record)
        return now

    async def _resume(
        self, waiting: RefundRecord, amount: Money | None, follow_seconds: float | None
    ) -> RefundOutcome:
        if amount is not None and amount != waiting.amount:
            raise RefundPending(waiting)
        return await self._finish(waiting, follow_seconds, resumed=True)

    async def retry(
        self, record: RefundRecord, *, follow_seconds: float | None = None
    ) -> RefundOutcome:
        """Send an unconfirmed refund again (same id and key), or follow a pending one."""
        checked = await self.check(record)
        return await self._finish(checked.record, follow_seconds, resumed=True)

    async def _finish(
        self, record: RefundRecord, follow_seconds: float | None, *, resumed: bool = False
    ) -> RefundOutcome:
        if record.status not in FINAL and record.status != REQUESTED:
            record = await self.follow(record, seconds=follow_seconds)
        return RefundOutcome(record, describe_refund(record), resumed=resumed)

    # ---- journaling what Cashfree says ---------------------------------------------------
    async def _read(self, record: RefundRecord, target: str) -> RefundCheck:
        try:
            answer = await self.gateway.get_refund(target, record.refund_id)
        except NotFoundError as exc:
            if record.status == REQUESTED:
                # Cashfree never got it: it is safe to send (same id and key).
                return RefundCheck(record, describe_error(exc))
            log.warning("refund %s is unknown at Cashfree: %r", record.refund_id, exc)
            return RefundCheck(record, describe_error(exc))
        except GatewayError as exc:
            return RefundCheck(record, describe_error(exc))
        return RefundCheck(self._record(record, answer))

    def _note_unconfirmed(self, record: RefundRecord, exc: GatewayError) -> RefundRecord:
        text = describe_error(exc)
        log.info("refund %s not confirmed: %r", record.refund_id, exc)
        if record.status != REQUESTED:
            return record
        return self.journal.update_refund(record.refund_id, status_description=text)

    def _record(self, record: RefundRecord, answer: Refund) -> RefundRecord:
        status = answer.status.value
        if answer.status is RefundStatus.UNKNOWN:
            status = (answer.raw_status or "UNKNOWN").upper()
        if answer.amount != record.amount:
            log.warning(
                "refund %s: Cashfree reports %s, the journal %s",
                record.refund_id,
                answer.amount.format(),
                record.amount.format(),
            )
        changes: dict[str, object] = {}
        if status != record.status:
            changes["status"] = status
        for name, value in (("cf_refund_id", answer.cf_refund_id), ("arn", answer.arn)):
            if value is not None and value != getattr(record, name):
                changes[name] = value
        description = answer.status_description
        # Cashfree's words replace the till's "not confirmed yet" note once it answers.
        if description != record.status_description and (
            description is not None or record.status == REQUESTED
        ):
            changes["status_description"] = description
        if not changes:
            return record
        return self.journal.update_refund(record.refund_id, **changes)


def day_limit(
    journal: Any,
    most: Money,
    clock: Clock,
    zone: Any = None,
) -> Callable[[Money], str | None]:
    """The shop policy's "at most this much refunded per day": refunds made (or on their
    way) since the local midnight, plus the new one, must not pass `most`."""

    def check(amount: Money) -> str | None:
        from datetime import timedelta

        now = clock().astimezone(zone) if zone is not None else clock().astimezone()
        start = now.replace(hour=0, minute=0, second=0, microsecond=0)
        totals = journal.day_totals(start, start + timedelta(days=1))
        taken = totals.refunded.amount + totals.pending_refunds.amount
        if taken + amount > most:
            left = most - taken if most > taken else Money(0)
            return (
                f"The shop's policy allows at most {most.format()} of refunds a day; "
                f"{taken.format()} is refunded or on its way today, so at most "
                f"{left.format()} more can be refunded."
            )
        return None

    return check
