"""The `pos-app reconcile` step that looks for refunds made outside this till (one line
in commands.sales calls it). Prints what it found, first, as exceptions to look at."""

from __future__ import annotations

import sys
from typing import Any, TextIO

from pos_app.services.refunds.outside import describe_outside, reconcile_outside_refunds

__all__ = ["run_outside_check"]


async def run_outside_check(deps: Any, out: TextIO | None = None) -> int:
    """Check the last week's paid sales; returns how many outside refunds were found."""
    stream = out or sys.stdout
    if not callable(getattr(deps.gateway, "list_refunds", None)):
        return 0
    check = await reconcile_outside_refunds(deps)
    for found in check.found:
        print(f"NEEDS A LOOK: {describe_outside(found)}", file=stream)
    for problem in check.problems:
        print(f"Refunds not read at Cashfree: {problem}", file=stream)
    if check.not_checked:
        print(
            f"{check.not_checked} paid sale(s) not checked for outside refunds this time "
            "(rate budget); the next reconcile reads them.",
            file=stream,
        )
    return len(check.found)
