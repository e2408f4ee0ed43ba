"""`pos-app report`: the day (or a range of days) as a table, CSV or JSON."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from pos_app.commands import exit_codes
from pos_app.services.reports import day_bounds, local_zone, sales_csv, sales_table, summary_json

__all__ = ["run_report"]


def _day(text: str | None, flag: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{flag} takes a date like 2026-11-26, not {text!r}") from None


def run_report(args: argparse.Namespace) -> int:
    from pos_app.app import open_runtime

    one = _day(args.date, "--date")
    first = _day(args.date_from, "--from")
    last = _day(args.date_to, "--to")
    if one and (first or last):
        raise ValueError("use either --date or --from/--to, not both")
    zone = local_zone()
    first = one or first or last or date.today()
    last = one or last or first
    if last < first:
        raise ValueError("--to is before --from")
    start, end = day_bounds(first, last, zone)
    if getattr(args, "all_tills", False) or getattr(args, "till", None):
        from pos_app.commands.report_store import run_store_report

        return run_store_report(args, start, end, zone)
    runtime = open_runtime(args.env)
    try:
        journal = runtime.journal
        totals = journal.day_totals(start, end)
        sales = journal.sales_between(start, end)
    finally:
        runtime.journal.close()
    if args.format == "csv":
        text = sales_csv(sales, zone)
    elif args.format == "json":
        text = summary_json(totals, sales, zone)
    else:
        text = sales_table(totals, sales, zone)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8", newline="")
        print(f"Wrote {len(sales)} sales to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return exit_codes.PAID
