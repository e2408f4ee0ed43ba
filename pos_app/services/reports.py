"""Day reports from the journal: the day's bounds in the shop's time zone, totals, and
spreadsheet-safe CSV (no cell can start a formula)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from pos_app.domain.sale import Sale, SaleStatus

__all__ = [
    "SALE_COLUMNS",
    "csv_safe",
    "day_bounds",
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
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def _row(sale: Sale, zone: tzinfo) -> list[str]:
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
        sale.reason,
    ]
    return [csv_safe(v) for v in values]


def sales_csv(sales: Iterable[Sale], zone: tzinfo | None = None) -> str:
    tz = zone or local_zone()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(SALE_COLUMNS)
    for sale in sales:
        writer.writerow(_row(sale, tz))
    return buffer.getvalue()


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


def summary_json(totals: Any, sales: Iterable[Sale], zone: tzinfo | None = None) -> str:
    tz = zone or local_zone()
    body = summary(totals)
    body["sales"] = [dict(zip(SALE_COLUMNS, _row(s, tz), strict=True)) for s in sales]
    return json.dumps(body, indent=2, ensure_ascii=False)


def sales_table(totals: Any, sales: list[Sale], zone: tzinfo | None = None) -> str:
    tz = zone or local_zone()
    data = summary(totals)
    lines = [
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
    lines.append(f"{'time':<8} {'order':<28} {'status':<16} {'amount':>14}  utr")
    for sale in sales:
        lines.append(
            f"{sale.created_at.astimezone(tz):%H:%M:%S} {sale.order_id:<28} "
            f"{sale.status.value + ('*' if sale.late else ''):<16} {sale.amount.format():>14}  "
            f"{sale.bank_reference or ''}"
        )
    return "\n".join(lines)
