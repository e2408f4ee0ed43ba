"""`pos-app report`: the day (or a range of days) as a table, CSV or JSON.

The figures are the day report's (day_end.build_day_report), the same value the manager
console's day end shows; this command only renders it, with the day's sales listed."""

from __future__ import annotations

import argparse
from datetime import date, datetime, tzinfo

from pos_app.commands import exit_codes
from pos_app.commands.output import write_out
from pos_app.services.reporting.day_end import build_day_report
from pos_app.services.reporting.reports import (
    TillNote,
    day_bounds,
    local_zone,
    sales_csv,
    sales_table,
    summary_json,
)
from pos_app.store.report_reader import ReportReader
from pos_app.store.till_records import outside_refunds, refunded_by_order, till_events

# Till events a manager must see first in the report.
PIN_NOTES = {
    "manager_pin_replaced": "the manager PIN was replaced after the old one was removed or "
    "no longer matched (check who did it)",
}

__all__ = ["run_report"]


def _day(text: str | None, flag: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{flag} takes a date like 2026-11-26, not {text!r}") from None


def report_window(args: argparse.Namespace) -> tuple[datetime, datetime, tzinfo]:
    """`--date D` or `--from D --to D` (today when neither): the local days' bounds."""
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
    return start, end, zone


def run_report(args: argparse.Namespace) -> int:
    from pos_app.app import open_journal_only

    start, end, zone = report_window(args)
    if getattr(args, "all_tills", False) or getattr(args, "till", None):
        from pos_app.commands.report_store import run_store_report

        return run_store_report(args, start, end, zone)
    # Reading the till's own records needs no secret and no network.
    records = open_journal_only(args.env)
    try:
        reader = ReportReader.beside(records.journal)
        try:
            with reader.snapshot():  # the totals and the list are of the same moment
                report = build_day_report(reader, start, end, zone=zone)
                sales = reader.sales_between(start, end)
                refunded = refunded_by_order(reader, [s.order_id for s in sales])
                outside = outside_refunds(reader, start, end)  # refunds made outside this till
                notes = [
                    TillNote(event.at, event.kind, PIN_NOTES[event.kind])
                    for event in till_events(reader, tuple(PIN_NOTES))
                    if start <= event.at < end
                ]
        finally:
            reader.close()
    finally:
        records.close()
    totals = report.totals
    if args.format == "csv":
        text = sales_csv(sales, zone, refunded, outside, notes)
    elif args.format == "json":
        text = summary_json(totals, sales, zone, refunded, outside, notes)
    else:
        text = sales_table(totals, sales, zone, refunded, outside, notes)
    write_out(text, args.output, len(sales))
    return exit_codes.PAID
