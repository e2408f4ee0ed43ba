"""`pos-app store init | status | sync`, and joining a till to a store database
(`pos-app config set store_database_url URL`, which moves the URL's password to the keyring).
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import datetime
from typing import TYPE_CHECKING

import psycopg

from pos_app.commands import exit_codes
from pos_app.commands.output import say
from pos_app.config import Paths, Settings, journal_path, load_settings, paths
from pos_app.store_db.connect import StoreDbError, describe_error

if TYPE_CHECKING:
    from pos_app.app import Runtime
    from pos_app.services.store_sync.sync import StoreSync
    from pos_app.store_db.access import StoreAccess

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
    """Push what is waiting now; then follow this till's refunds of other tills' sales that
    are still on their way, through the runtime's gateway (as `pos-app refund` opens it)."""
    from pos_app.app import SetupError, open_runtime
    from pos_app.services.store_sync.sync import StoreSync
    from pos_app.store.journal import Journal
    from pos_app.store.other_till_refunds import open_other_till_refunds
    from pos_app.store_db.access import store_access

    environment = _environment(settings, args)
    access = store_access(settings, environment)
    runtime: Runtime | None = None
    no_gateway = ""
    try:
        runtime = open_runtime(environment)
    except SetupError as exc:
        no_gateway = exc.message
    journal = runtime.journal if runtime is not None else _open_journal(where, environment)
    assert isinstance(journal, Journal)
    connector = access.connector("pos-app store sync")
    sync = StoreSync(journal, access.till, connector, clock=lambda: datetime.now().astimezone())
    try:
        report = await sync.sync_once()
        if report.skipped:
            print("Another pos-app of this till is syncing right now; nothing to do here.")
        else:
            print(
                f"Pushed {report.pushed} events ({report.inserted} new to the store database) "
                f"in {report.batches} batches; {report.waiting} waiting."
            )
        if open_other_till_refunds(journal):
            if runtime is None:
                print(
                    f"{len(open_other_till_refunds(journal))} refunds made here for other "
                    f"tills' sales are still on their way; not followed now: {no_gateway}"
                )
            else:
                await _follow_other_tills(runtime, access, sync, report.skipped)
    finally:
        await sync.aclose()
        if runtime is not None:
            await runtime.aclose()
        else:
            journal.close()
    return OK


async def _follow_other_tills(
    runtime: Runtime, access: StoreAccess, sync: StoreSync, skipped: bool
) -> None:
    """One look at each refund made here for another till's sale that is not final; what
    changed is pushed at once (unless another process of this till is syncing)."""
    from pos_app.services.refunds.at_other_till import NOT_CONFIRMED, OtherTillRefunds
    from pos_app.services.refunds.service import REQUESTED
    from pos_app.store.other_till_refunds import open_other_till_refunds

    refunds = OtherTillRefunds(
        runtime.gateway,
        runtime.journal,
        access.connector("pos-app store sync"),
        access.till,
        clock=runtime.deps.clock,
    )
    changed = await refunds.follow_open()
    for record in changed:
        status = NOT_CONFIRMED if record.status == REQUESTED else record.status
        print(
            f"Refund {record.refund_id} of {record.amount.format()} for sale "
            f"{record.order_id} (taken at another till): {status}."
        )
    if changed and not skipped:
        await sync.sync_once()  # the store database hears the answers now
    still = len(open_other_till_refunds(runtime.journal))
    if still:
        print(f"{still} refunds made here for other tills' sales are still on their way.")
