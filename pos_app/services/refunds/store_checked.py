"""This till's own refunds, also checked in the store database when the till has joined one.

Another till may be refunding the same sale at the same moment (services/refunds/
at_other_till.py). So before a NEW refund of this till's sale is first sent to Cashfree,
its amount is reserved in the store database under its refund id, in the transaction that
locks the sale's row: the second of two racing refunds is refused there, whichever till
makes it, and never goes out. The refused one is journaled CANCELLED with the store's
reason.

The till stays autonomous: when the store database cannot be reached, or has not received
the sale yet (then no other till can refund it either), the refund goes ahead on the
journal's own check. A refund sent again (unconfirmed, same id and key) is never reserved
afresh: its first try may already have reached Cashfree.

With `others` (the refunds this till made for other tills' sales), `follow_other_tills`
follows those still on their way too, so "Refresh the day" brings them to their end.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import psycopg
from psycopg import AsyncConnection

from pos_app.gateway.base import PaymentGateway
from pos_app.services.refunds.at_other_till import OtherTillRefunds
from pos_app.services.refunds.service import REQUESTED, RefundJournal, RefundRefused, RefundService
from pos_app.store.codec import RefundRecord
from pos_app.store.other_till_refunds import OtherTillRefund
from pos_app.store_db.connect import StoreDbError
from pos_app.store_db.push import TillKey, register_till
from pos_app.store_db.refunds import (
    SaleNotInStore,
    StoreRefundRefused,
    is_reserved,
    reserve_refund,
)

__all__ = ["StoreCheckedRefunds"]

log = logging.getLogger(__name__)

Connector = Callable[[], Awaitable[AsyncConnection[tuple[object, ...]]]]


class StoreCheckedRefunds(RefundService):
    def __init__(
        self,
        gateway: PaymentGateway,
        journal: RefundJournal,
        *,
        connector: Connector,
        till: TillKey,
        others: OtherTillRefunds | None = None,
        **options: Any,
    ) -> None:
        super().__init__(gateway, journal, **options)
        self._connector = connector
        self._till = till
        self.others = others
        self._fresh: set[str] = set()  # refund ids prepared here and not sent yet

    def prepare(self, *args: Any, **kwargs: Any) -> RefundRecord:
        record = super().prepare(*args, **kwargs)
        self._fresh.add(record.refund_id)
        return record

    async def follow_other_tills(self) -> list[OtherTillRefund]:
        if self.others is None:
            return []
        return await self.others.follow_open()

    async def submit(self, record: RefundRecord) -> RefundRecord:
        if record.refund_id in self._fresh:
            self._fresh.discard(record.refund_id)
            if record.status == REQUESTED:
                refused = await self._reserve(record)
                if refused is not None:
                    self.journal.update_refund(
                        record.refund_id, status="CANCELLED", status_description=refused
                    )
                    raise RefundRefused(f"The store database refused the refund: {refused}")
        return await super().submit(record)

    async def _reserve(self, record: RefundRecord) -> str | None:
        """None when the refund may go (reserved, or the store cannot say); else why not."""
        till = self._till
        try:
            conn = await self._connector()
        except StoreDbError as exc:
            log.info("refund %s: store database not reached (%s)", record.refund_id, exc.message)
            return None
        try:
            if await is_reserved(conn, till.store_id, till.environment, record.refund_id):
                return None
            await register_till(conn, till)
            await reserve_refund(
                conn,
                store_id=till.store_id,
                environment=till.environment,
                till_id=till.till_id,
                order_id=record.order_id,
                amount=record.amount,
                refund_id=record.refund_id,
            )
        except SaleNotInStore:
            return None  # not synced yet: no other till can refund it meanwhile
        except StoreRefundRefused as exc:
            return exc.message
        except psycopg.Error as exc:
            log.info("refund %s: store database failed (%s)", record.refund_id, exc)
            return None
        finally:
            with contextlib.suppress(Exception):
                await conn.close()
        return None
