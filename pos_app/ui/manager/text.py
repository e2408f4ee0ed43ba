"""Every sentence and label of the manager's console, in one place.

Refund outcomes arrive already worded by services.refunds (describe_refund) and
exceptions by services.reports (exception_detail); status names and reasons come from the
one table (services.wording); this module words the console itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo
from types import MappingProxyType

from pos_app.domain.money import Money
from pos_app.domain.sale import Sale, SaleEvent, SaleStatus
from pos_app.services import wording
from pos_app.services.reporting.day_refresh import DayRefresh
from pos_app.services.wording import reason_text

CONSOLE_TITLE = "Manager"
MENU = "Manager"
OPEN_CONSOLE = "Manager: transactions and day end…"
PIN_TO_OPEN = "open the manager's console"
PIN_TO_REFUND = "refund"
TRANSACTIONS_TAB = "Transactions"
DAY_END_TAB = "Day end"

# ---- filters ------------------------------------------------------------------------------
FROM = "From"
TO = "To"
ALL_STATUSES = "All statuses"
OPEN_SALES = "Open (waiting or not confirmed)"
ALL_METHODS = "All methods"
ALL_TILLS = "All tills"
SEARCH_HINT = "Bill, order id, UTR or phone"
COUNT_NONE = "No sales match."

COLUMNS = ("Time", "Order", "Bill", "Status", "Method", "Amount", "UTR", "Phone")

# Short status names, for the filters and the day's counts: read from the one table.
STATUS_NAMES: Mapping[SaleStatus, str] = MappingProxyType(
    {status: wording.status_name(status) for status in SaleStatus}
)

# ---- the detail pane ------------------------------------------------------------------------
PICK_A_SALE = "Pick a sale to see its details."
TIMELINE = "What happened"
ATTEMPTS = "Customer's attempts"
NO_ATTEMPTS = "No failed or refused attempts."
REFUNDS = "Refunds"
NO_REFUNDS = "No refunds."
REFRESH = "Refresh from Cashfree"
CANCEL = "Cancel payment"
REFUND = "Refund…"
CHECK_REFUND = "Check refunds"
REPRINT = "Print receipt…"
RECEIPT_PDF = "Save receipt as PDF…"
CUSTOMER_PAID = "Check their UTR…"  # the customer says they paid: look up the reference
CUSTOMER_PAID_TIP = "The customer says they paid: look up their UPI reference (UTR) at Cashfree"
PIN_TO_EVIDENCE = "record a payment the customer shows"

# ---- the refund dialog ------------------------------------------------------------------------
REFUND_TITLE = "Refund"
REFUND_AMOUNT = "Amount to refund"
REFUND_REASON = "Reason (optional, 3-100 characters)"
REFUND_GO = "Refund"
REFUND_CLOSE = "Close"
REFUND_CANCEL = "Cancel"
REFUNDING = "Sending the refund to Cashfree and waiting for the bank's answer…"
REFUND_ANOTHER = "Refund another amount…"
PIN_TO_REFUND_ANOTHER = "make a FURTHER refund while one is on its way"

# ---- refund requests (asked for through the MCP server; the manager decides) -------------------
REQUEST_BUTTON = "Refund request…"
REQUEST_TITLE = "Refund request"
PIN_TO_DECIDE = "approve or reject a refund request"
REQUEST_APPROVE = "Approve and refund"
REQUEST_REJECT = "Reject"
REQUEST_NOTE = "Why (rejection, optional)"
REQUEST_WORKING = "Approved: sending the refund to Cashfree…"
NO_PENDING_REQUEST = "This sale has no refund request waiting for a decision."
MCP_TAB = "MCP calls"
MCP_COLUMNS = ("Time", "Tool", "Outcome", "Order", "Arguments (no personal data)")
MCP_NONE = "No MCP client has called this till yet."
MCP_RELOAD = "Reload"

# ---- day end ------------------------------------------------------------------------------------
SHOW = "Show"
REFRESH_DAY = "Refresh the day from Cashfree"
EXPORT_SALES = "Export sales (CSV)…"
EXPORT_SUMMARY = "Export day summary (CSV)…"
PRINT = "Print…"
SAVE_PDF = "Save as PDF…"
NEEDS_A_LOOK = "Needs a look"
NOTHING_TO_LOOK_AT = "Nothing needs a look: every sale and refund is settled."
EXCEPTION_COLUMNS = ("What", "Order", "Amount", "Details")
COLLECTED = "Collected"
REFUNDED = "Refunded"
NET = "Net"
PENDING = "Still pending"
PENDING_REFUNDS = "Refunds not final"
BY_METHOD = "Paid by method"
BY_GROUP = "Paid by payment type"
COUNTS = "Sales"
HOURLY = "Collected by hour"
LOADING = "Reading the journal…"
CSV_FILTER = "CSV files (*.csv)"
PDF_FILTER = "PDF files (*.pdf)"

# ---- messages ---------------------------------------------------------------------------------------
UNEXPECTED = (
    "Something went wrong inside the till. Nothing recorded was lost; details are in the log."
)
CANCEL_SENT = "Cancelled at Cashfree."
CANCEL_NOT_OPEN = "This sale is not open any more, so there is nothing to cancel."
CANCEL_UNCONFIRMED = (
    "Cashfree has not confirmed the cancel yet. The till keeps checking; "
    "money that still arrives is recorded."
)
NO_PIN_SET = (
    "No manager PIN is set, so anyone at this till can refund (demo only: sandbox and "
    "production refuse manager actions without one). Set one in Settings (Till menu)."
)


def followed_elsewhere(order_id: str) -> str:
    return (
        f"{order_id} is being followed right now (the counter, a background check or another "
        "command): it was asked to check Cashfree now; the list shows the journal."
    )


def status_name(status: SaleStatus, late: bool = False) -> str:
    return wording.status_name(status, late)


def local(moment: datetime | None, zone: tzinfo, *, with_date: bool = True) -> str:
    if moment is None:
        return ""
    shape = "%d %b %Y %H:%M:%S" if with_date else "%H:%M:%S"
    return moment.astimezone(zone).strftime(shape)


def sale_count(count: int) -> str:
    if count == 0:
        return COUNT_NONE
    return "1 sale" if count == 1 else f"{count:,} sales"


def sale_lines(sale: Sale, zone: tzinfo) -> list[tuple[str, str]]:
    """(label, value) rows for the detail pane and the receipt."""
    group = f" ({sale.payment_group.replace('_', ' ')})" if sale.payment_group else ""
    rows = [
        ("Amount", sale.amount.format()),
        ("Status", status_name(sale.status, sale.late)),
        ("Method", sale.method.label + group),
        ("Order", sale.order_id),
        ("Till", sale.terminal_id),
        ("Started", local(sale.created_at, zone)),
    ]
    if sale.paid_at is not None:
        rows.append(("Paid", local(sale.paid_at, zone)))
    if sale.bank_reference:
        rows.append(("UTR", sale.bank_reference))
    if sale.cf_payment_id:
        rows.append(("Payment id", sale.cf_payment_id))
    if sale.gateway_order_id and sale.gateway_order_id != sale.order_id:
        rows.append(("Cashfree order", sale.gateway_order_id))
    for label, value in (
        ("Bill", sale.bill_number),
        ("Phone", sale.customer_phone),
        ("UPI id", sale.vpa),
        ("Paid by", sale.payer),
        ("Note", reason_text(sale)),
    ):
        if value:
            rows.append((label, value))
    if sale.duplicate_override:
        rows.append(("Guard", "The cashier confirmed a repeat of a recent charge."))
    return rows


def event_line(event: SaleEvent, zone: tzinfo) -> str:
    words = event.kind.replace("_", " ")
    shown = [
        f"{key.replace('_', ' ')}: {value}"
        for key, value in event.detail.items()
        if value not in (None, "", {}) and key != "amount_paise"
    ]
    amount = event.detail.get("amount_paise")
    if isinstance(amount, int):
        shown.insert(0, Money(amount).format())
    detail = f" ({'; '.join(shown)})" if shown else ""
    return f"{local(event.at, zone, with_date=False)}  {words}{detail}"


def refundable_line(paid: Money, taken: Money, left: Money) -> str:
    return f"Paid {paid.format()}; refunded or on its way {taken.format()}; left {left.format()}."


def refunded_status(paid: Money, refunded: Money, late: bool = False) -> str:
    """The list's status for a paid sale with SUCCESS refunds: Refunded / Partly refunded."""
    word = "Refunded" if refunded >= paid else "Partly refunded"
    return f"{word} {refunded.format()}" + (" (late)" if late else "")


def more_than_left(left: Money) -> str:
    return f"That is more than is left to refund on this sale ({left.format()})."


def progress(done: int, total: int) -> str:
    return f"Asking Cashfree: {done} of {total}…" if total else "Nothing to ask Cashfree."


def refreshed(result: DayRefresh) -> str:
    parts = [
        f"Asked Cashfree about {result.sales_checked} sale(s) and {result.refunds_checked} "
        f"refund(s): {len(result.sales_changed)} sale(s) and {len(result.refunds_changed)} "
        "refund(s) changed."
    ]
    if result.outside_refunds:
        found = result.outside_refunds
        parts.insert(
            0,
            f"{len(found)} refund(s) made outside this till found at Cashfree "
            f"({', '.join(f'{f.refund_id} {f.amount.format()}' for f in found[:3])}): "
            'see "Needs a look".',
        )
    if result.other_till_refunds_changed:
        moved = result.other_till_refunds_changed
        listed = ", ".join(f"{r.refund_id} {r.amount.format()} {r.status}" for r in moved[:3])
        parts.append(f"{len(moved)} refund(s) of other tills' sales changed ({listed}).")
    if result.skipped:
        parts.append(f"{len(result.skipped)} sale(s) at the counter were left to the cashier.")
    if result.problems:
        parts.append(f"Not read: {'; '.join(result.problems[:3])}")
    return " ".join(parts)


def exported(count: int, path: str) -> str:
    return f"Wrote {count:,} row(s) to {path}."


def saved(path: str) -> str:
    return f"Saved {path}."
