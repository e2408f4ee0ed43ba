"""`pos-app store init | status | sync`, and joining a till to a store database
(`pos-app config set store_database_url URL`, which moves the URL's password to the keyring).
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import datetime

import psycopg

from pos_app.commands import exit_codes
from pos_app.commands.output import say
from pos_app.config import Paths, Settings, journal_path, load_settings, paths
from pos_app.store_db.connect import StoreDbError, describe_error

__all__ = ["run_store"]

OK = 0


def run_store(args: argparse.Namespace) -> int:
    where = paths()
    loaded = load_settings(where)
    if loaded.notice:
        say(loaded.notice)
    action = getattr(args, "store_action", None)
    try:
        if action == "init":
            return asyncio.run(_init(loaded.settings, args))
        if action == "status":
            return asyncio.run(_status(loaded.settings, where, args))
        if action == "sync":
            return asyncio.run(_sync(loaded.settings, where, args))
    except StoreDbError as exc:
        say(exc.message)
        return exit_codes.SETUP
    except psycopg.Error as exc:
        say(f"The store database refused: {describe_error(exc)}")
        return exit_codes.SETUP
    say("Say what to do: pos-app store init | status | sync (see --help).")
    return exit_codes.BAD_INPUT


def _environment(settings: Settings, args: argparse.Namespace) -> str:
    from pos_app.app import resolve_environment

    return resolve_environment(settings, getattr(args, "env", None))


async def _init(settings: Settings, args: argparse.Namespace) -> int:
    from pos_app.store_db.access import store_access
    from pos_app.store_db.push import register_till
    from pos_app.store_db.schema import migrate

    access = store_access(
        settings, _environment(settings, args), url=getattr(args, "database_url", None)
    )
    conn = await access.connector("pos-app store init")()
    try:
        try:
            before, after = await migrate(conn)
        except ValueError as exc:
            raise StoreDbError(str(exc)) from None
        await register_till(conn, access.till)
    finally:
        await conn.close()
    if before == after:
        print(f"The store database at {access.url} is ready (schema {after}); nothing to do.")
    else:
        print(f"The store database at {access.url} is ready: schema {before} -> {after}.")
    print(f"Store {access.till.store_id!r}, till {access.till.till_id!r} registered.")
    if not settings.store_database_url:
        say(
            "Join this till to it with `pos-app config set store_database_url URL` "
            "(the password goes to the OS keyring)."
        )
    return OK


def _fmt(moment: datetime | None) -> str:
    return "never" if moment is None else moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _open_journal(where: Paths, environment: str) -> object:
    from pos_app.store.journal import Journal

    return Journal.open(journal_path(where, environment))


async def _status(settings: Settings, where: Paths, args: argparse.Namespace) -> int:
    from pos_app.store import outbox
    from pos_app.store.journal import Journal
    from pos_app.store_db.access import store_access
    from pos_app.store_db.status import till_rows

    environment = _environment(settings, args)
    journal = _open_journal(where, environment)
    assert isinstance(journal, Journal)
    try:
        local = outbox.outbox_status(journal)
    finally:
        journal.close()
    print(
        f"This till ({settings.terminal_id}, {environment}): {local.waiting} events waiting, "
        f"last pushed {_fmt(local.pushed_at)}"
        + (f"; last problem: {local.last_error}" if local.last_error else "")
    )
    access = store_access(settings, environment)
    conn = await access.connector("pos-app store status")()
    try:
        rows = await till_rows(conn, access.till.store_id)
    finally:
        await conn.close()
    print(f"Store {access.till.store_id!r} at {access.url}:")
    print(f"  {'till':<10} {'env':<10} {'last sync':<20} {'pushed':>8} {'waiting':>8}")
    for row in rows:
        print(
            f"  {row.till_id:<10} {row.environment:<10} {_fmt(row.last_sync_at):<20} "
            f"{row.events:>8} {row.waiting:>8}"
        )
    if not rows:
        print("  (no till has synced yet)")
    return OK


async def _sync(settings: Settings, where: Paths, args: argparse.Namespace) -> int:
    from pos_app.services.store_sync.sync import StoreSync
    from pos_app.store.journal import Journal
    from pos_app.store_db.access import store_access

    environment = _environment(settings, args)
    access = store_access(settings, environment)
    journal = _open_journal(where, environment)
    assert isinstance(journal, Journal)
    sync = StoreSync(
        journal,
        access.till,
        access.connector("pos-app store sync"),
        clock=lambda: datetime.now().astimezone(),
    )
    try:
        report = await sync.sync_once()
    finally:
        await sync.aclose()
        journal.close()
    if report.skipped:
        print("Another pos-app of this till is syncing right now; nothing to do here.")
        return OK
    print(
        f"Pushed {report.pushed} events ({report.inserted} new to the store database) "
        f"in {report.batches} batches; {report.waiting} waiting."
    )
    return OK
