"""`pos-app report --recon [--date D]`: the day three ways (the till, Cashfree, the bank)
as a table, CSV or JSON. Reads Cashfree's reconciliation as background work.

Exit codes: 0 the report is complete (whatever it found); 6 Cashfree could not be read
(the report says so and claims nothing); 2 bad input; 8 setup problems.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from pos_app.commands import exit_codes
from pos_app.services.reporting.recon_output import recon_csv, recon_json, recon_table

__all__ = ["DEMO_NOTE", "run_recon_report"]

DEMO_NOTE = (
    "Demo: the pretend Cashfree inside this command started afresh and knows no earlier "
    "sales, so they show as missing at Cashfree. Run `pos-app gateway-sim` and point the "
    "demo at it (POS_CASHFREE_BASE_URL) to keep its records between commands."
)


def run_recon_report(args: argparse.Namespace) -> int:
    from pos_app.app import open_runtime
    from pos_app.commands.report import report_window
    from pos_app.services.reporting.queries import ReportReader
    from pos_app.services.reporting.recon import reconcile_day

    start, end, zone = report_window(args)

    async def body() -> tuple[str, str | None]:
        runtime = open_runtime(args.env)
        if runtime.simulator is not None:
            print(DEMO_NOTE, file=sys.stderr)
        try:
            reader = ReportReader.beside(runtime.journal)
            try:
                report = await reconcile_day(
                    runtime.gateway.background(),
                    reader,
                    start,
                    end,
                    zone=zone,
                    terminal_id=runtime.deps.terminal_id,
                )
            finally:
                reader.close()
        finally:
            await runtime.aclose()
        if args.format == "csv":
            text = recon_csv(report)
        elif args.format == "json":
            text = recon_json(report)
        else:
            text = recon_table(report)
        return text, report.error

    text, error = asyncio.run(body())
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8", newline="")
        print(f"Wrote the reconciliation to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    if error:
        print(error, file=sys.stderr)
        return exit_codes.GATEWAY_TROUBLE
    return exit_codes.PAID
