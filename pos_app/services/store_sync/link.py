"""Joining a running till to its store database: the StoreSync for a journal (or None when
the till has no store database), and the short push a command makes before it exits."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from pos_app.config import Settings
from pos_app.gateway.base import PaymentGateway
from pos_app.services.refunds.at_other_till import OtherTillRefunds
from pos_app.services.store_sync.push import PushListener
from pos_app.services.store_sync.sync import StoreSync
from pos_app.store.journal import Journal
from pos_app.store_db.access import store_access
from pos_app.store_db.connect import StoreDbError

__all__ = [
    "EXIT_PUSH_SECONDS",
    "FOLLOW_REFUNDS_EVERY",
    "every",
    "make_push_listener",
    "make_store_sync",
    "push_before_exit",
]

log = logging.getLogger(__name__)
EXIT_PUSH_SECONDS = 5.0
FOLLOW_REFUNDS_EVERY = 30.0  # seconds between looks at other tills' refunds on their way


def make_store_sync(
    settings: Settings,
    environment: str,
    journal: Journal,
    clock: Callable[[], datetime],
    *,
    gateway: PaymentGateway | None = None,
    follow_every: float = FOLLOW_REFUNDS_EVERY,
) -> StoreSync | None:
    """The till's outbox pusher, or None when no store database is configured (or its
    password cannot be read: the till keeps selling and the log says why). With `gateway`
    (a running till), refunds made here for other tills' sales that are still on their way
    are followed every `follow_every` seconds after a sync."""
    if not settings.store_database_url:
        return None
    try:
        access = store_access(settings, environment)
    except StoreDbError as exc:
        log.warning("store sync is off: %s", exc.message)
        return None
    connector = access.connector(f"pos-app {settings.terminal_id}")
    sync = StoreSync(journal, access.till, connector, clock=clock)
    if gateway is not None:
        refunds = OtherTillRefunds(gateway, journal, connector, access.till, clock=clock)
        sync.add_after_cycle(every(follow_every, refunds.follow_open, clock))
    return sync


def every(
    seconds: float, step: Callable[[], Awaitable[object]], clock: Callable[[], datetime]
) -> Callable[[], Awaitable[object]]:
    """`step`, run at most once per `seconds` (the first call runs it)."""
    last: list[datetime] = []

    async def maybe() -> object:
        now = clock()
        if last and (now - last[0]).total_seconds() < seconds:
            return None
        last[:] = [now]
        return await step()

    return maybe


def make_push_listener(
    settings: Settings, environment: str, check_now: Callable[[str], None]
) -> PushListener | None:
    """The till's ear for the store's webhooks, or None without a store database."""
    if not settings.store_database_url:
        return None
    try:
        access = store_access(settings, environment)
    except StoreDbError as exc:
        log.warning("push is off: %s", exc.message)
        return None
    return PushListener(
        access.till.store_id, access.connector(f"pos-app {settings.terminal_id} push"), check_now
    )


async def push_before_exit(
    settings: Settings,
    environment: str,
    journal: Journal,
    clock: Callable[[], datetime],
    within: float = EXIT_PUSH_SECONDS,
) -> int | None:
    """A short command's last step: push what is waiting when the store database answers
    `within` seconds. Returns the events still waiting (None: no store database).
    Never raises: the events simply wait for the next sync."""
    sync = make_store_sync(settings, environment, journal, clock)
    if sync is None:
        return None
    try:
        report = await asyncio.wait_for(sync.sync_once(), within)
        return report.waiting
    except (StoreDbError, TimeoutError) as exc:
        log.info("store sync before exit did not finish: %s", getattr(exc, "message", exc))
        return sync.waiting()
    finally:
        with contextlib.suppress(Exception):
            await sync.aclose()
