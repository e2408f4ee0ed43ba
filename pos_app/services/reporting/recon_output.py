"""The three-way day end as text: a table for the terminal, CSV for a spreadsheet, JSON
for programs. Exceptions first, then the settlements (one line per bank transfer, to
tick off against the bank statement), then what Cashfree has not settled yet.

Amounts: ₹ with Indian grouping in the table; plain "1234.50" in CSV and JSON (a negative
adjustment stays a number; text cells are made spreadsheet-safe).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, tzinfo
from typing import Any

from pos_app.domain.money import Money
from pos_app.services.reporting.recon_match import ReconIssue, ReconReport, SettlementGroup
from pos_app.services.reporting.reports import csv_safe

__all__ = [
    "RECON_CSV_COLUMNS",
    "payments",
    "recon_csv",
    "recon_json",
    "recon_summary",
    "recon_table",
    "sentence",
    "settlement_state",
    "unsettled_line",
]

RECON_CSV_COLUMNS = (
    "section",
    "kind",
    "order_id",
    "amount",
    "time",
    "utr",
    "cf_payment_id",
    "settlement_id",
    "gross",
    "charges",
    "tax",
    "adjustment",
    "net",
    "detail",
)


def _when(moment: datetime | None, zone: tzinfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else ""


def _day(value: date | None) -> str:
    return value.strftime("%d %b %Y") if value else ""


def payments(count: int) -> str:
    return f"{count:,} payment" + ("" if count == 1 else "s")


def sentence(text: str) -> str:
    """The first letter upper case, the rest as it was (str.capitalize lowers "UPI")."""
    return text[:1].upper() + text[1:]


def settlement_state(report: ReconReport) -> str:
    """ "settled", "not settled yet (expected …)", or both."""
    parts = []
    if report.settled.count:
        parts.append(f"settled: {payments(report.settled.count)}, {report.settled.amount.format()}")
    if report.unsettled.count:
        parts.append(unsettled_line(report))
    return "; ".join(parts) or "no payments to settle"


def unsettled_line(report: ReconReport) -> str:
    return (
        f"not settled yet: {payments(report.unsettled.count)}, "
        f"{report.unsettled.amount.format()} (expected {_day(report.expected)}, "
        "UPI usually settles the next working day)"
    )


def _issue_dict(issue: ReconIssue, zone: tzinfo) -> dict[str, Any]:
    return {
        "kind": issue.kind.value,
        "title": issue.title,
        "order_id": issue.order_id,
        "amount": issue.amount.decimal_text(),
        "time": _when(issue.at, zone),
        "utr": issue.utr,
        "cf_payment_id": issue.cf_payment_id,
        "detail": issue.detail,
    }


def _group_dict(group: SettlementGroup, zone: tzinfo) -> dict[str, Any]:
    return {
        "settlement_id": group.cf_settlement_id,
        "utr": group.utr,
        "settled_at": _when(group.settled_at, zone),
        "day_payments": group.day_payments.count,
        "day_amount": group.day_payments.amount.decimal_text(),
        "day_debits": group.day_debits.decimal_text(),
        "gross": group.gross.decimal_text(),
        "charges": group.charges.decimal_text(),
        "tax": group.tax.decimal_text(),
        "adjustment": group.adjustment.decimal_text(),
        "net": group.net.decimal_text(),
        "from_cashfree": group.from_cashfree,
    }


def recon_summary(report: ReconReport) -> dict[str, Any]:
    zone = report.zone

    def tally(count: int, amount: Money) -> dict[str, Any]:
        return {"count": count, "amount": amount.decimal_text()}

    return {
        "from": report.start.astimezone(zone).isoformat(),
        "to": report.end.astimezone(zone).isoformat(),
        "complete": report.complete,
        "error": report.error,
        "cashfree_paid": tally(report.cashfree_paid.count, report.cashfree_paid.amount),
        "till_paid": tally(report.journal_paid.count, report.journal_paid.amount),
        "matched": tally(report.matched.count, report.matched.amount),
        "settled": tally(report.settled.count, report.settled.amount),
        "unsettled": {
            **tally(report.unsettled.count, report.unsettled.amount),
            "expected": report.expected.isoformat() if report.expected else None,
        },
        "other_tills": tally(report.other_tills.count, report.other_tills.amount),
        "events_read": report.events,
        "issues": [_issue_dict(i, zone) for i in report.issues],
        "settlements": [_group_dict(g, zone) for g in report.settlements],
    }


def recon_json(report: ReconReport) -> str:
    return json.dumps(recon_summary(report), indent=2, ensure_ascii=False) + "\n"


def recon_csv(report: ReconReport) -> str:
    zone = report.zone
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(RECON_CSV_COLUMNS)
    blank = [""] * 5
    if report.error:
        writer.writerow(["error", "", "", "", "", "", "", "", *blank, csv_safe(report.error)])
    for issue in report.issues:
        writer.writerow(
            [
                "issue",
                issue.kind.value,
                csv_safe(issue.order_id),
                issue.amount.decimal_text(),
                _when(issue.at, zone),
                csv_safe(issue.utr),
                csv_safe(issue.cf_payment_id),
                "",
                *blank,
                csv_safe(issue.detail),
            ]
        )
    for group in report.settlements:
        writer.writerow(
            [
                "settlement",
                "settled",
                "",
                group.day_payments.amount.decimal_text(),
                _when(group.settled_at, zone),
                csv_safe(group.utr),
                "",
                csv_safe(group.cf_settlement_id),
                group.gross.decimal_text(),
                group.charges.decimal_text(),
                group.tax.decimal_text(),
                group.adjustment.decimal_text(),
                group.net.decimal_text(),
                f"{group.day_payments.count} of the day's payments",
            ]
        )
    if report.unsettled.count:
        writer.writerow(
            [
                "settlement",
                "not_settled_yet",
                "",
                report.unsettled.amount.decimal_text(),
                report.expected.isoformat() if report.expected else "",
                "",
                "",
                "",
                *blank,
                f"{payments(report.unsettled.count)}, expected {_day(report.expected)}",
            ]
        )
    return buffer.getvalue()


def recon_table(report: ReconReport) -> str:
    zone = report.zone
    first = report.start.astimezone(zone).date()
    lines = [f"Reconciliation {first.isoformat()}: the till, Cashfree and the bank", ""]
    if report.error:
        return "\n".join([*lines, report.error]) + "\n"
    lines += [
        f"  Cashfree received  {report.cashfree_paid.count:>5}  "
        f"{report.cashfree_paid.amount.format():>16}",
        f"  The till recorded  {report.journal_paid.count:>5}  "
        f"{report.journal_paid.amount.format():>16}",
        f"  Agree              {report.matched.count:>5}  {report.matched.amount.format():>16}",
    ]
    if report.other_tills.count:
        lines.append(
            f"  Other tills        {report.other_tills.count:>5}  "
            f"{report.other_tills.amount.format():>16}  (same Cashfree account)"
        )
    lines += [
        "",
    ]
    if report.issues:
        lines.append(f"Needs a look ({len(report.issues)}):")
        for issue in report.issues:
            lines.append(
                f"  {issue.title:<44} {issue.order_id or '-':<28} {issue.amount.format():>14}"
            )
            lines.append(f"      {issue.detail}")
    else:
        lines.append("Needs a look: nothing. The till and Cashfree agree.")
    lines.append("")
    if report.settlements:
        lines.append("Settlements (bank transfers):")
        header = (
            f"  {'UTR':<18} {'credited':<16} {'gross':>14} {'charges':>12} {'tax':>10}"
            f" {'adjust':>12} {'net':>14}"
        )
        lines.append(header)
        for g in report.settlements:
            lines.append(
                f"  {g.utr or g.cf_settlement_id:<18} {_when(g.settled_at, zone):<16}"
                f" {g.gross.format():>14} {g.charges.format():>12} {g.tax.format():>10}"
                f" {g.adjustment.format():>12} {g.net.format():>14}"
            )
            lines.append(
                f"      holds {payments(g.day_payments.count)} of the day, "
                f"{g.day_payments.amount.format()}"
            )
    if report.unsettled.count:
        lines.append(sentence(unsettled_line(report)))
    if not report.settlements and not report.unsettled.count:
        lines.append("No payments to settle.")
    return "\n".join(lines) + "\n"
