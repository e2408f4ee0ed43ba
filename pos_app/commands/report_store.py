"""`pos-app report --all-tills [--till ID]`: the day of every till of the store, read from
the store database (table, CSV or JSON, like a till's own report)."""

from __future__ import annotations

import argparse
import asyncio
from datetime import datetime, tzinfo

import psycopg

from pos_app.commands import exit_codes
from pos_app.commands.output import say, write_out
from pos_app.config import load_settings, paths
from pos_app.services.reporting.reports import sales_csv, sales_table, summary_json
from pos_app.store_db.connect import StoreDbError, describe_error

__all__ = ["run_store_report"]


def run_store_report(args: argparse.Namespace, start: datetime, end: datetime, zone: tzinfo) -> int:
    from pos_app.app import resolve_environment
    from pos_app.store_db.access import store_access
    from pos_app.store_db.reports import StoreScope, store_day_totals, store_sales_between

    settings = load_settings(paths()).settings
    environment = resolve_environment(settings, getattr(args, "env", None))
    till = getattr(args, "till", None)

    async def read() -> tuple[object, list[object]]:
        access = store_access(settings, environment)
        conn = await access.connector("pos-app report")()
        try:
            scope = StoreScope(access.till.store_id, environment, till)
            totals = await store_day_totals(conn, scope, start, end)
            sales = await store_sales_between(conn, scope, start, end)
        finally:
            await conn.close()
        return totals, list(sales)

    try:
        totals, sales = asyncio.run(read())
    except StoreDbError as exc:
        say(exc.message)
        return exit_codes.SETUP
    except psycopg.Error as exc:
        say(f"The store database refused: {describe_error(exc)}")
        return exit_codes.SETUP
    if args.format == "csv":
        text = sales_csv(sales, zone)  # type: ignore[arg-type]
    elif args.format == "json":
        text = summary_json(totals, sales, zone)  # type: ignore[arg-type]
    else:
        scope_line = f"All tills of store {settings.store_id}" + (f", till {till}" if till else "")
        text = scope_line + "\n" + sales_table(totals, sales, zone)  # type: ignore[arg-type]
    write_out(text, args.output, len(sales))
    return exit_codes.PAID
