"""Day reports from the journal: the day's bounds in the shop's time zone, totals, and
spreadsheet-safe CSV (no cell can start a formula).

The sales CSV has one row per sale; the day-summary CSV (from a day_end.DayReport) has
one row per figure: totals, statuses, methods, payment groups, hours and exceptions.
Every cell goes through `csv_safe`; files are UTF-8 with a header row.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from pos_app.domain.money import Money
from pos_app.domain.sale import Method, Sale, SaleStatus
from pos_app.services.reporting.day_end import DayException, DayReport, ExceptionKind
from pos_app.services.wording import reason_text

__all__ = [
    "DAY_SUMMARY_COLUMNS",
    "EXCEPTION_TITLES",
    "SALE_COLUMNS",
    "TillNote",
    "csv_safe",
    "day_bounds",
    "day_report_json",
    "day_report_summary",
    "day_summary_csv",
    "day_summary_rows",
    "exception_detail",
    "local_zone",
    "sales_csv",
    "sales_table",
    "summary",
    "summary_json",
]

SALE_COLUMNS = (
    "created_local",
    "order_id",
    "terminal_id",
    "status",
    "late",
    "method",
    "amount",
    "bill_number",
    "utr",
    "payment_group",
    "cf_payment_id",
    "paid_local",
    "customer_phone",
    "reason",
    "refunded",
    "net",
)

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def local_zone() -> tzinfo:
    zone = datetime.now().astimezone().tzinfo
    return zone if zone is not None else UTC


def day_bounds(
    first: date, last: date | None = None, zone: tzinfo | None = None
) -> tuple[datetime, datetime]:
    """[start, end) in UTC covering whole local days first..last."""
    tz = zone or local_zone()
    start = datetime.combine(first, time(0), tzinfo=tz)
    end = datetime.combine((last or first) + timedelta(days=1), time(0), tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def csv_safe(value: object) -> str:
    """A cell a spreadsheet shows as text: a leading = + - @ tab or CR gets a quote mark."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def _local(moment: datetime | None, zone: tzinfo) -> str:
    """`2026-11-26 14:05:09` in the zone ("" for none); no strftime: a day has thousands."""
    if not moment:
        return ""
    t = moment.astimezone(zone)
    return f"{t.year:04d}-{t.month:02d}-{t.day:02d} {t.hour:02d}:{t.minute:02d}:{t.second:02d}"


def _row(sale: Sale, zone: tzinfo, refunded: Money | None = None) -> list[str]:
    back = refunded if refunded is not None else Money(0)
    kept = (sale.amount if sale.status is SaleStatus.PAID else Money(0)) - back
    values: list[Any] = [
        _local(sale.created_at, zone),
        sale.order_id,
        sale.terminal_id,
        sale.status.value,
        "yes" if sale.late else "",
        sale.method.value,
        sale.amount.decimal_text(),
        sale.bill_number,
        sale.bank_reference,
        sale.payment_group,
        sale.cf_payment_id,
        _local(sale.paid_at, zone),
        sale.customer_phone,
        reason_text(sale),
        back.decimal_text(),
        kept.decimal_text() if kept.paise >= 0 else "-" + Money(-kept.paise).decimal_text(),
    ]
    return [csv_safe(v) for v in values]


def sales_csv(
    sales: Iterable[Sale],
    zone: tzinfo | None = None,
    refunded: Mapping[str, Money] | None = None,
    outside: Iterable[Any] = (),
    notes: Iterable[TillNote] = (),
) -> str:
    """One row per sale (refunded = SUCCESS refunds, net = paid less refunded). Refunds made
    outside this till come first, as "exception" rows naming the sale and the refund."""
    tz = zone or local_zone()
    back = refunded or {}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(SALE_COLUMNS)
    for found in outside:
        writer.writerow(_outside_row(found, tz))
    for note in notes:
        cells = dict.fromkeys(SALE_COLUMNS, "")
        cells.update(
            created_local=_local(note.at, tz),
            status=f"EXCEPTION: {note.kind}",
            reason=note.sentence,
        )
        writer.writerow([csv_safe(cells[name]) for name in SALE_COLUMNS])
    for sale in sales:
        writer.writerow(_row(sale, tz, back.get(sale.order_id)))
    return buffer.getvalue()


OUTSIDE_REFUND_TITLE = "EXCEPTION: refund made outside this till"


@dataclass(frozen=True, slots=True)
class TillNote:
    """A till event the manager must see in the report (e.g. the manager PIN replaced)."""

    at: datetime
    kind: str
    sentence: str


def _outside_row(found: Any, zone: tzinfo) -> list[str]:
    """An outside refund in the sales CSV's columns (status names the exception)."""
    cells = dict.fromkeys(SALE_COLUMNS, "")
    cells.update(
        created_local=_local(found.made_at, zone),
        order_id=found.order_id,
        status=OUTSIDE_REFUND_TITLE,
        amount=found.amount.decimal_text(),
        reason=f"refund {found.refund_id} ({found.status}), found {_local(found.seen_at, zone)}",
        refunded=found.amount.decimal_text(),
    )
    return [csv_safe(cells[name]) for name in SALE_COLUMNS]


def outside_json(found: Any, zone: tzinfo) -> dict[str, Any]:
    return {
        "kind": "outside_refund",
        "title": "refund made outside this till",
        "order_id": found.order_id,
        "refund_id": found.refund_id,
        "amount": found.amount.format(),
        "paise": found.amount.paise,
        "status": found.status,
        "made_local": _local(found.made_at, zone),
        "found_local": _local(found.seen_at, zone),
    }


def summary(totals: Any) -> dict[str, Any]:
    """The day's totals as plain values (paise as integers, and formatted rupees)."""

    def tally(t: Any) -> dict[str, Any]:
        return {"count": t.count, "paise": t.amount.paise, "amount": t.amount.format()}

    return {
        "from": totals.start.isoformat(),
        "to": totals.end.isoformat(),
        "collected": tally(totals.paid),
        "refunded": tally(totals.refunded),
        "net": {"paise": totals.net.paise, "amount": totals.net.format()},
        "pending_refunds": tally(totals.pending_refunds),
        "late_payments": totals.late,
        "by_status": {s.value: tally(t) for s, t in totals.by_status.items()},
        "paid_by_method": {m.value: tally(t) for m, t in totals.paid_by_method.items()},
        "paid_by_group": {g: tally(t) for g, t in totals.paid_by_group.items()},
    }


def summary_json(
    totals: Any,
    sales: Iterable[Sale],
    zone: tzinfo | None = None,
    refunded: Mapping[str, Money] | None = None,
    outside: Iterable[Any] = (),
    notes: Iterable[TillNote] = (),
) -> str:
    tz = zone or local_zone()
    back = refunded or {}
    body: dict[str, Any] = {"needs_a_look": [outside_json(found, tz) for found in outside]}
    body["needs_a_look"] += [
        {"kind": n.kind, "title": n.sentence, "at_local": _local(n.at, tz)} for n in notes
    ]
    body.update(summary(totals))
    head = json.dumps(body, indent=2, ensure_ascii=False)
    rows = [_sale_json(_row(s, tz, back.get(s.order_id))) for s in sales]
    listed = "[\n" + ",\n".join(rows) + "\n  ]" if rows else "[]"
    return head[: -len("\n}")] + ',\n  "sales": ' + listed + "\n}"


# A str as a JSON string literal, non-ASCII kept (json.dumps(..., ensure_ascii=False) uses it).
_JSON_TEXT = json.encoder.encode_basestring
_SALE_KEYS = tuple(f"      {_JSON_TEXT(name)}: " for name in SALE_COLUMNS)


def _sale_json(cells: list[str]) -> str:
    """One sale as json.dumps(body, indent=2) lays it out inside body["sales"]: the same
    text, without the pure-Python indenting encoder (a busy day has thousands of sales)."""
    return (
        "    {\n"
        + ",\n".join(key + _JSON_TEXT(cell) for key, cell in zip(_SALE_KEYS, cells, strict=True))
        + "\n    }"
    )


def sales_table(
    totals: Any,
    sales: list[Sale],
    zone: tzinfo | None = None,
    refunded: Mapping[str, Money] | None = None,
    outside: Iterable[Any] = (),
    notes: Iterable[TillNote] = (),
) -> str:
    tz = zone or local_zone()
    back = refunded or {}
    data = summary(totals)
    lines = []
    for found in outside:
        lines.append(
            f"NEEDS A LOOK: refund made outside this till: {found.refund_id} of "
            f"{found.amount.format()} on {found.order_id}, made {_local(found.made_at, tz)} "
            f"({found.status})"
        )
    for note in notes:
        lines.append(f"NEEDS A LOOK: {note.sentence} ({_local(note.at, tz)})")
    if lines:
        lines.append("")
    lines += [
        f"Collected  {data['collected']['amount']:>16}  ({data['collected']['count']} paid)",
        f"Refunded   {data['refunded']['amount']:>16}  ({data['refunded']['count']})",
        f"Net        {data['net']['amount']:>16}",
    ]
    open_count = sum(
        totals.by_status[s].count
        for s in (SaleStatus.CREATED, SaleStatus.AWAITING_PAYMENT, SaleStatus.UNCERTAIN)
        if s in totals.by_status
    )
    lines.append(f"Still open {open_count:>16}")
    if totals.late:
        lines.append(f"Late payments: {totals.late} (paid after cancel or expiry)")
    for status, t in sorted(data["by_status"].items()):
        if t["count"] == 0:
            continue
        lines.append(f"  {status:<17} {t['count']:>5}  {t['amount']:>16}")
    lines.append("")
    lines.append(f"{'time':<8} {'order':<28} {'status':<16} {'amount':>14} {'refunded':>14}  utr")
    for sale in sales:
        gone = back.get(sale.order_id)
        at = sale.created_at.astimezone(tz)  # the clock time, without strftime (a busy day)
        lines.append(
            f"{at.hour:02d}:{at.minute:02d}:{at.second:02d} {sale.order_id:<28} "
            f"{sale.status.value + ('*' if sale.late else ''):<16} {sale.amount.format():>14} "
            f"{gone.format() if gone else '':>14}  {sale.bank_reference or ''}"
        )
    return "\n".join(lines)


# ---- the day-end summary -------------------------------------------------------------------
DAY_SUMMARY_COLUMNS = ("section", "item", "count", "amount", "order_id", "detail")

EXCEPTION_TITLES = {
    ExceptionKind.OUTSIDE_REFUND: "Refund made outside this till",
    ExceptionKind.UNCERTAIN: "Not confirmed",
    ExceptionKind.LATE_PAYMENT: "Late payment",
    ExceptionKind.PAID_ON_EVIDENCE: "Paid on the customer's evidence",
    ExceptionKind.REFUND_NOT_FINAL: "Refund not final",
    ExceptionKind.OPEN: "Still open",
    ExceptionKind.DUPLICATE_OVERRIDE: "Duplicate charge allowed",
}


def exception_detail(item: DayException, zone: tzinfo) -> str:
    """One line saying why this sale is on the list."""
    sale = item.sale
    when = _local(sale.created_at, zone)
    earlier = " (from an earlier day)" if item.earlier else ""
    if item.kind is ExceptionKind.UNCERTAIN:
        return f"started {when}: the outcome is not confirmed with Cashfree yet{earlier}"
    if item.kind is ExceptionKind.OPEN:
        return f"started {when}: still waiting for the customer{earlier}"
    if item.kind is ExceptionKind.LATE_PAYMENT:
        utr = f", UTR {sale.bank_reference}" if sale.bank_reference else ""
        return f"paid {_local(sale.paid_at, zone)} after the sale was closed{utr}"
    if item.kind is ExceptionKind.PAID_ON_EVIDENCE:
        return (
            f"recorded paid from the customer's UPI reference {sale.bank_reference or '?'}, "
            f"found at Cashfree (payment {sale.cf_payment_id or '?'})"
        )
    if item.kind is ExceptionKind.OUTSIDE_REFUND and item.refund is not None:
        refund = item.refund
        return (
            f"refund made outside this till: {refund.refund_id} of {refund.amount.format()}"
            f" made {_local(refund.created_at, zone)} ({refund.status}); this till never"
            " asked for it"
        )
    if item.kind is ExceptionKind.REFUND_NOT_FINAL and item.refund is not None:
        refund = item.refund
        return (
            f"refund {refund.refund_id} of {refund.amount.format()} is {refund.status}"
            f" since {_local(refund.created_at, zone)}"
        )
    bill = f", bill {sale.bill_number}" if sale.bill_number else ""
    return f"paid {_local(sale.paid_at, zone)} after the cashier confirmed a repeat charge{bill}"


def _amount_cell(amount: Money) -> str:
    return amount.decimal_text()


def day_summary_rows(report: DayReport) -> list[tuple[str, str, str, str, str, str]]:
    """The day summary as (section, item, count, amount, order_id, detail) text cells."""
    zone = report.zone
    rows: list[tuple[str, str, str, str, str, str]] = [
        ("report", "from", "", "", "", _local(report.start, zone)),
        ("report", "to", "", "", "", _local(report.end, zone)),
        ("report", "terminal", "", "", "", report.terminal_id or "all"),
    ]

    def tally(section: str, item: str, count: int, amount: Money, detail: str = "") -> None:
        rows.append((section, item, str(count), _amount_cell(amount), "", detail))

    tally("totals", "collected", report.collected.count, report.collected.amount)
    tally("totals", "refunded", report.refunded.count, report.refunded.amount)
    rows.append(("totals", "net", "", _amount_cell(report.net), "", "collected less refunded"))
    tally("totals", "pending_sales", report.pending.count, report.pending.amount)
    tally("totals", "pending_refunds", report.pending_refunds.count, report.pending_refunds.amount)
    rows.append(("totals", "late_payments", str(report.totals.late), "", "", ""))
    for status in SaleStatus:
        t = report.totals.by_status.get(status)
        if t is not None:
            tally("status", status.value, t.count, t.amount)
    for method in Method:
        t = report.totals.paid_by_method.get(method)
        if t is not None:
            tally("method", method.label, t.count, t.amount, "paid")
    for family, t in report.by_family.items():
        tally("payment_group", family, t.count, t.amount, "paid")
    for bucket in report.hours:
        tally(
            "hour",
            f"{bucket.hour:02d}:00",
            bucket.paid.count,
            bucket.paid.amount,
            f"{bucket.sales} sales started; {bucket.refunded.amount.decimal_text()} refunded",
        )
    for item in report.exceptions:
        amount = item.refund.amount if item.refund is not None else item.sale.amount
        rows.append(
            (
                "exception",
                EXCEPTION_TITLES[item.kind],
                "",
                _amount_cell(amount),
                item.sale.order_id,
                exception_detail(item, zone),
            )
        )
    if report.exceptions_left_out:
        rows.append(
            ("exception", "more", str(report.exceptions_left_out), "", "", "not listed here")
        )
    return rows


def day_summary_csv(report: DayReport) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(DAY_SUMMARY_COLUMNS)
    for row in day_summary_rows(report):
        writer.writerow([csv_safe(cell) for cell in row])
    return buffer.getvalue()


def day_report_summary(report: DayReport) -> dict[str, Any]:
    """summary() plus what day end adds: pending sales, payment families, hours, exceptions."""

    def tally(count: int, amount: Money) -> dict[str, Any]:
        return {"count": count, "paise": amount.paise, "amount": amount.format()}

    body = summary(report.totals)
    body["terminal_id"] = report.terminal_id
    body["pending_sales"] = tally(report.pending.count, report.pending.amount)
    body["paid_by_family"] = {f: tally(t.count, t.amount) for f, t in report.by_family.items()}
    body["hours"] = [
        {
            "hour": b.hour,
            "sales": b.sales,
            "paid": tally(b.paid.count, b.paid.amount),
            "refunded": tally(b.refunded.count, b.refunded.amount),
        }
        for b in report.hours
    ]
    body["exceptions"] = [
        {
            "kind": item.kind.value,
            "order_id": item.sale.order_id,
            "refund_id": item.refund.refund_id if item.refund is not None else None,
            "detail": exception_detail(item, report.zone),
        }
        for item in report.exceptions
    ]
    body["exceptions_left_out"] = report.exceptions_left_out
    return body


def day_report_json(report: DayReport) -> str:
    return json.dumps(day_report_summary(report), indent=2, ensure_ascii=False)
