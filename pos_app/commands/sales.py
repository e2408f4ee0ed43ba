"""`pos-app status ORDER_ID` and `pos-app reconcile`."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta
from typing import Any, TextIO

from pos_app.commands import exit_codes
from pos_app.commands.outside_check import run_outside_check
from pos_app.domain.sale import CLOSED_UNPAID, OPEN_STATUSES, Sale, SaleStatus
from pos_app.services.checkout.deps import Deps
from pos_app.services.checkout.reconcile import reconcile_open_sales, refresh_sale
from pos_app.services.wording import reason_text

__all__ = [
    "describe_sale",
    "print_journal_status",
    "run_reconcile",
    "run_status",
    "status_needs_cashfree",
]


_ELSEWHERE = (
    "This sale is being followed by the till right now (another window or command); it was "
    "asked to check Cashfree now. The state above is the journal's."
)


def describe_sale(sale: Sale) -> str:
    rows = [
        ("Order", sale.order_id),
        ("Status", sale.status.value + (" (late payment)" if sale.late else "")),
        ("Amount", sale.amount.format()),
        ("Method", sale.method.label),
        ("Created", f"{sale.created_at:%Y-%m-%d %H:%M:%S} UTC"),
        ("Bill", sale.bill_number or "-"),
        ("UTR", sale.bank_reference or "-"),
        ("Payment", sale.cf_payment_id or "-"),
        ("Group", sale.payment_group or "-"),
        ("Paid at", f"{sale.paid_at:%Y-%m-%d %H:%M:%S} UTC" if sale.paid_at else "-"),
        ("Reason", reason_text(sale) or "-"),
    ]
    return "\n".join(f"{k:<8} {v}" for k, v in rows)


def status_needs_cashfree(sale: Sale, now: datetime, late_window: timedelta) -> bool:
    """Whether `status` must ask Cashfree about this sale: while it is open, and while a
    cancelled or expired sale can still receive late money. A PAID or FAILED sale (or one
    past the late-payment window) is read from the journal alone."""
    if sale.status in OPEN_STATUSES:
        return True
    return sale.status in CLOSED_UNPAID and now - sale.updated_at <= late_window


def _print_events(journal: Any, order_id: str, out: TextIO) -> None:
    print("Events:", file=out)
    events = getattr(journal, "events", None)
    if callable(events):
        for event in events(order_id):
            detail = ", ".join(f"{k}={v}" for k, v in event.detail.items() if v is not None)
            print(f"  {event.at:%H:%M:%S} {event.kind} {detail}".rstrip(), file=out)


def _no_such_sale(order_id: str, environment: str, out: TextIO) -> int:
    print(f"This till has no sale {order_id!r} (environment {environment}).", file=out)
    return exit_codes.BAD_INPUT


def print_journal_status(
    journal: Any, environment: str, sale: Sale | None, order_id: str, out: TextIO | None = None
) -> int:
    """`status` from the journal alone (no keyring, no network)."""
    out = out or sys.stdout
    if sale is None:
        return _no_such_sale(order_id, environment, out)
    print(describe_sale(sale), file=out)
    if sale.status in OPEN_STATUSES:
        print(
            "Not refreshed from Cashfree (--no-refresh): this is what the journal says.", file=out
        )
    _print_events(journal, order_id, out)
    return exit_codes.PAID


async def run_status(deps: Deps, order_id: str, *, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    sale = deps.journal.get_sale(order_id)
    if sale is None:
        return _no_such_sale(order_id, deps.environment, out)
    result = await refresh_sale(deps, sale)
    print(describe_sale(result.sale), file=out)
    if result.error:
        print(f"Not refreshed from Cashfree: {result.error}", file=out)
    if result.followed_elsewhere:
        print(_ELSEWHERE, file=out)
    _print_events(deps.journal, order_id, out)
    return exit_codes.GATEWAY_TROUBLE if result.error else exit_codes.PAID


async def run_reconcile(deps: Deps, *, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    await run_outside_check(deps, out)  # refunds made outside this till, first
    results = await reconcile_open_sales(deps)
    if not results:
        print("Nothing to reconcile: every sale of this till is settled.", file=out)
        return exit_codes.PAID
    trouble = False
    for item in results:
        sale = item.sale
        line = f"{sale.order_id}  {sale.amount.format():>14}  {item.before.value} -> {sale.status.value}"
        if item.error:
            line += f"  ({item.error})"
            trouble = True
        elif item.followed_elsewhere:
            line += "  (followed by the till right now; asked it to check now)"
        elif sale.late and sale.status is SaleStatus.PAID:
            line += "  (late payment: it arrived after the sale was closed)"
        elif sale.status in OPEN_STATUSES:
            line += "  (still open at Cashfree)"
        print(line, file=out)
    return exit_codes.GATEWAY_TROUBLE if trouble else exit_codes.PAID
