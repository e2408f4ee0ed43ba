"""A refund made at this till for a sale taken at ANOTHER till of the store.

The order of things keeps it safe to retry and counted once:

1. The store database reserves the amount (store_db/refunds.py: one transaction, the
   sale's row locked, never above what it took), under the refund id this till chose.
2. This till journals the refund (store/other_till_refunds.py, status REQUESTED) with its
   id and idempotency key, before Cashfree is asked; the outbox pushes it to the store
   database, where the synced row then stands for the reservation (counted once).
3. Create Refund is sent. A lost answer leaves it REQUESTED; the next look sends the same
   id and key again, so Cashfree never pays twice. A refusal gives the amount back.
4. A refund still pending at the bank is followed (`follow_open`, run after each store
   sync by the desk, by `pos-app store sync` and by the console's "Refresh the day") until
   SUCCESS, FAILED or CANCELLED; each answer is journaled here and settled on the store
   database's reservation.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

import psycopg
from psycopg import AsyncConnection

from pos_app.domain.money import Money
from pos_app.gateway.base import NewRefund, PaymentGateway, Refund, RefundStatus
from pos_app.gateway.errors import (
    DuplicateOrderError,
    GatewayError,
    IdempotencyConflictError,
    NotFoundError,
)
from pos_app.services.refunds.service import REQUESTED, RefundRefused, clean_reason, new_refund_id
from pos_app.services.wording import describe_error
from pos_app.store.journal import Journal
from pos_app.store.other_till_refunds import (
    OtherTillRefund,
    add_other_till_refund,
    get_other_till_refund,
    open_other_till_refunds,
    update_other_till_refund,
)
from pos_app.store_db.connect import StoreDbError
from pos_app.store_db.push import TillKey, register_till
from pos_app.store_db.refunds import (
    StoreRefundRefused,
    gateway_order_id,
    open_requests,
    order_of_request,
    refundable_left,
    reserve_refund,
    settle_reservation,
    unjournaled_reservations,
)

__all__ = [
    "NOT_CONFIRMED",
    "OtherTillRefunds",
    "StoreRefundOutcome",
    "refund_from_another_till",
]

log = logging.getLogger(__name__)

Connector = Callable[[], Awaitable[AsyncConnection[tuple[object, ...]]]]
NOT_CONFIRMED = "NOT CONFIRMED"
_FINAL = {
    RefundStatus.SUCCESS: "SUCCESS",
    RefundStatus.FAILED: "FAILED",
    RefundStatus.CANCELLED: "CANCELLED",
}
_RELEASED = ("FAILED", "CANCELLED")
# A reservation this till made but never journaled (it stopped in between) is released
# after this long, once Cashfree confirms it never got the refund.
ORPHAN_AFTER_SECONDS = 120.0


@dataclass(frozen=True, slots=True)
class StoreRefundOutcome:
    order_id: str
    refund_id: str
    amount: Money
    status: str  # SUCCESS, PENDING, FAILED, CANCELLED, or NOT CONFIRMED
    left_after: Money
    message: str


async def _target(conn: AsyncConnection[tuple[object, ...]], till: TillKey, order_id: str) -> str:
    return await gateway_order_id(conn, till.store_id, till.environment, order_id)


def _shown_status(record: OtherTillRefund) -> str:
    return NOT_CONFIRMED if record.status == REQUESTED else record.status


class OtherTillRefunds:
    """Refunds this till makes for sales of other tills. See the module docstring."""

    def __init__(
        self,
        gateway: PaymentGateway,
        journal: Journal,
        connector: Connector,
        till: TillKey,
        *,
        clock: Callable[[], datetime],
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        limit: Callable[[Money], str | None] | None = None,
    ) -> None:
        self.gateway = gateway
        self.journal = journal
        self.connector = connector
        self.till = till
        self.clock = clock
        self.sleep = sleep
        # A rule above the store's (the shop policy's refunds per day): a sentence refuses.
        self.limit = limit

    # ---- the use case ------------------------------------------------------------------------
    async def refund(
        self, order_id: str, amount: Money | None, reason: str | None
    ) -> StoreRefundOutcome:
        """Raises StoreRefundRefused (nothing sent, nothing kept) when the store database
        refuses the refund, StoreDbError when it cannot be reached."""
        try:
            note = clean_reason(reason)
        except RefundRefused as exc:
            raise StoreRefundRefused(exc.message) from None
        conn = await self.connector()
        try:
            await register_till(conn, self.till)  # a till that has not synced yet
            await self._bring_up_to_date(conn, order_id)
            chosen = (
                amount
                if amount is not None
                else await refundable_left(
                    conn, self.till.store_id, self.till.environment, order_id
                )
            )
            if chosen.paise <= 0:
                raise StoreRefundRefused(f"Nothing is left to refund on sale {order_id}.")
            refused = self.limit(chosen) if self.limit is not None else None
            if refused is not None:
                raise StoreRefundRefused(refused)
            now = self.clock()
            refund_id = new_refund_id(now)
            target = await _target(conn, self.till, order_id)
            reservation = await reserve_refund(
                conn,
                store_id=self.till.store_id,
                environment=self.till.environment,
                till_id=self.till.till_id,
                order_id=order_id,
                amount=chosen,
                refund_id=refund_id,
            )
            try:
                record = add_other_till_refund(
                    self.journal,
                    OtherTillRefund(
                        refund_id=refund_id,
                        order_id=order_id,
                        target_order_id=target,
                        till_id=self.till.till_id,
                        request_id=reservation.request_id,
                        amount=chosen,
                        status=REQUESTED,
                        idempotency_key=str(uuid.uuid4()),
                        reason=note,
                        created_at=now,
                        updated_at=now,
                    ),
                )
            except BaseException:
                # Not journaled, so never sent: give the amount back at once.
                with contextlib.suppress(Exception):
                    await settle_reservation(conn, reservation.request_id, status="CANCELLED")
                raise
            record = await self._submit(record)
            await self._settle(conn, record)
            left = reservation.left_after + (chosen if record.status in _RELEASED else Money(0))
            return StoreRefundOutcome(
                order_id, refund_id, chosen, _shown_status(record), left, self._message(record)
            )
        finally:
            with contextlib.suppress(Exception):
                await conn.close()

    # ---- following what is on its way ----------------------------------------------------------
    async def check(
        self, record: OtherTillRefund, conn: AsyncConnection[tuple[object, ...]] | None = None
    ) -> OtherTillRefund:
        """One look at a refund that is not final: an unconfirmed one is sent again (same id
        and key), a pending one is read with Get Refund. The answer is journaled, then
        settled on the store database's reservation when it can be reached."""
        if record.final:
            return record
        if record.status == REQUESTED:
            after = await self._submit(record)
        else:
            after = await self._read(record)
        if after.status != record.status:
            await self._settle_somehow(after, conn)
        return after

    async def follow(
        self, refund_id: str, seconds: float, *, first: float = 1.0
    ) -> OtherTillRefund:
        """Check one refund until it is final or `seconds` have passed."""
        record = get_other_till_refund(self.journal, refund_id)
        if record is None:
            raise LookupError(refund_id)
        deadline = self.clock().timestamp() + seconds
        delay = first
        while not record.final:
            left = deadline - self.clock().timestamp()
            if left <= 0:
                break
            await self.sleep(min(delay, left))
            delay = min(delay * 1.6, 10.0)
            record = await self.check(record)
        return record

    async def follow_open(self) -> list[OtherTillRefund]:
        """Check every refund made here for another till's sale that is still on its way
        (and release this till's reservations that were never journaled). Returns the
        refunds whose status changed."""
        changed: list[OtherTillRefund] = []
        waiting = open_other_till_refunds(self.journal)
        conn: AsyncConnection[tuple[object, ...]] | None = None
        with contextlib.suppress(StoreDbError, psycopg.Error):
            conn = await self.connector()
        try:
            for record in waiting:
                after = await self.check(record, conn)
                if after.status != record.status:
                    changed.append(after)
            if conn is not None:
                with contextlib.suppress(psycopg.Error):
                    await self._release_orphans(conn)
        finally:
            if conn is not None:
                with contextlib.suppress(Exception):
                    await conn.close()
        return changed

    # ---- the steps ---------------------------------------------------------------------------
    async def _submit(self, record: OtherTillRefund) -> OtherTillRefund:
        request = NewRefund(refund_id=record.refund_id, amount=record.amount, note=record.reason)
        try:
            answer = await self.gateway.create_refund(
                record.target_order_id, request, idempotency_key=record.idempotency_key
            )
        except (DuplicateOrderError, IdempotencyConflictError):
            return await self._read(record)  # an earlier try got through
        except GatewayError as exc:
            if exc.retryable:
                log.info("refund %s not confirmed: %r", record.refund_id, exc)
                return self._update(record, status_description=describe_error(exc))
            log.warning("refund %s refused by Cashfree: %r", record.refund_id, exc)
            return self._update(record, status="FAILED", status_description=describe_error(exc))
        return self._record(record, answer)

    async def _read(self, record: OtherTillRefund) -> OtherTillRefund:
        try:
            answer = await self.gateway.get_refund(record.target_order_id, record.refund_id)
        except NotFoundError as exc:
            if record.status == REQUESTED:  # Cashfree never got it: safe to send again
                return record
            log.warning("refund %s is unknown at Cashfree: %r", record.refund_id, exc)
            return record
        except GatewayError as exc:
            log.info("refund %s not read: %r", record.refund_id, exc)
            return record
        return self._record(record, answer)

    def _record(self, record: OtherTillRefund, answer: Refund) -> OtherTillRefund:
        status = answer.status.value
        if answer.status is RefundStatus.UNKNOWN:
            status = (answer.raw_status or "UNKNOWN").upper()
        changes: dict[str, object] = {}
        if status != record.status:
            changes["status"] = status
        for name, value in (("cf_refund_id", answer.cf_refund_id), ("arn", answer.arn)):
            if value is not None and value != getattr(record, name):
                changes[name] = value
        if answer.status_description != record.status_description and (
            answer.status_description is not None or record.status == REQUESTED
        ):
            changes["status_description"] = answer.status_description
        return self._update(record, **changes) if changes else record

    def _update(self, record: OtherTillRefund, **changes: object) -> OtherTillRefund:
        return update_other_till_refund(self.journal, record.refund_id, self.clock(), **changes)

    async def _settle(
        self, conn: AsyncConnection[tuple[object, ...]], record: OtherTillRefund
    ) -> None:
        """Write Cashfree's answer on the reservation (REQUESTED changes nothing there)."""
        if record.status == REQUESTED:
            return
        status = record.status if record.final else "PENDING"
        # Refused when already final there (another process of this till settled it).
        with contextlib.suppress(StoreRefundRefused):
            await settle_reservation(conn, record.request_id, status=status)

    async def _settle_somehow(
        self, record: OtherTillRefund, conn: AsyncConnection[tuple[object, ...]] | None
    ) -> None:
        """Settle with `conn`, or a connection of its own; when the store database is away
        the synced refund row carries the answer there later."""
        try:
            if conn is not None:
                await self._settle(conn, record)
                return
            own = await self.connector()
            try:
                await self._settle(own, record)
            finally:
                await own.close()
        except (StoreDbError, psycopg.Error) as exc:
            log.info("refund %s: the store database will hear it from the outbox (%s)",
                     record.refund_id, getattr(exc, "message", exc))  # fmt: skip

    async def _bring_up_to_date(
        self, conn: AsyncConnection[tuple[object, ...]], order_id: str
    ) -> None:
        """Earlier refunds of this sale still on their way: this till's own are checked
        (sent again when unconfirmed); those of other tills are read at Cashfree and their
        final answers settled (a failed one frees its amount)."""
        mine = {
            r.refund_id: r for r in open_other_till_refunds(self.journal) if r.order_id == order_id
        }
        for record in mine.values():
            await self.check(record, conn)
        target = await _target(conn, self.till, order_id)
        for request in await open_requests(
            conn, self.till.store_id, self.till.environment, order_id
        ):
            if request.refund_id is None or request.refund_id in mine:
                continue
            try:
                answer = await self.gateway.get_refund(target, request.refund_id)
            except GatewayError as exc:
                log.info("refund %s not read: %r", request.refund_id, exc)
                continue
            final = _FINAL.get(answer.status)
            if final is not None:
                with contextlib.suppress(StoreRefundRefused):
                    await settle_reservation(conn, request.request_id, status=final)

    async def _release_orphans(self, conn: AsyncConnection[tuple[object, ...]]) -> None:
        for request in await unjournaled_reservations(
            conn,
            self.till.store_id,
            self.till.environment,
            self.till.till_id,
            ORPHAN_AFTER_SECONDS,
        ):
            if request.refund_id is None:
                continue
            if get_other_till_refund(self.journal, request.refund_id) is not None:
                continue
            # Only this till could send it, and its journal does not have it: it was never
            # sent and never will be. Cashfree's "not found" confirms it.
            sale = await order_of_request(conn, request.request_id)
            target = await _target(conn, self.till, sale) if sale is not None else ""
            try:
                await self.gateway.get_refund(target, request.refund_id)
            except NotFoundError:
                with contextlib.suppress(StoreRefundRefused):
                    await settle_reservation(conn, request.request_id, status="CANCELLED")
            except GatewayError as exc:
                log.info("reservation %s not checked: %r", request.request_id, exc)

    @staticmethod
    def _message(record: OtherTillRefund) -> str:
        amount = record.amount.format()
        if record.status == REQUESTED:
            why = f" ({record.status_description})" if record.status_description else ""
            return (
                f"Cashfree did not confirm the refund{why}; it stays reserved in the store "
                f"database and journaled here. The till sends the same refund "
                f"({record.refund_id}) again, so it is never paid twice."
            )
        if record.status == "FAILED":
            why = (record.status_description or "Cashfree gave no reason").rstrip(".")
            return f"Cashfree refused the refund: {why}."
        return (
            f"Refund of {amount} for sale {record.order_id} (taken at another till): "
            f"{record.status}."
        )


async def refund_from_another_till(
    gateway: PaymentGateway,
    connector: Connector,
    till: TillKey,
    order_id: str,
    amount: Money | None,
    reason: str | None,
    *,
    journal: Journal,
    clock: Callable[[], datetime],
) -> StoreRefundOutcome:
    """One refund through OtherTillRefunds (the `pos-app refund` door)."""
    service = OtherTillRefunds(gateway, journal, connector, till, clock=clock)
    return await service.refund(order_id, amount, reason)
