"""Joining a running till to its store database: the StoreSync for a journal (or None when
the till has no store database), and the short push a command makes before it exits."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from pos_app.config import Settings
from pos_app.domain.clock import Clock
from pos_app.services.store_sync.push import PushListener
from pos_app.services.store_sync.sync import StoreSync
from pos_app.store.journal import Journal
from pos_app.store_db.access import store_access
from pos_app.store_db.connect import StoreDbError

__all__ = ["EXIT_PUSH_SECONDS", "make_push_listener", "make_store_sync", "push_before_exit"]

log = logging.getLogger(__name__)
EXIT_PUSH_SECONDS = 5.0


def make_store_sync(
    settings: Settings, environment: str, journal: Journal, clock: Clock
) -> StoreSync | None:
    """The till's outbox pusher, or None when no store database is configured (or its
    password cannot be read: the till keeps selling and the log says why)."""
    if not settings.store_database_url:
        return None
    try:
        access = store_access(settings, environment)
    except StoreDbError as exc:
        log.warning("store sync is off: %s", exc.message)
        return None
    return StoreSync(
        journal, access.till, access.connector(f"pos-app {settings.terminal_id}"), clock=clock
    )


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
    clock: Clock,
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
