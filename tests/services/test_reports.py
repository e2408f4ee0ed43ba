"""Day bounds, formula-safe CSV and the JSON summary."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta, timezone

from pos_app.domain.money import Money
from pos_app.domain.sale import Method, Sale, SaleStatus
from pos_app.services.reporting.reports import SALE_COLUMNS, csv_safe, day_bounds, sales_csv

IST = timezone(timedelta(hours=5, minutes=30))


def _sale(**kw: object) -> Sale:
    now = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)
    base: dict[str, object] = {
        "order_id": "T1-261126060000-ABCDEF",
        "terminal_id": "T1",
        "environment": "demo",
        "amount": Money(123456),
        "method": Method.UPI_QR,
        "status": SaleStatus.PAID,
        "idempotency_key": "k",
        "created_at": now,
        "updated_at": now,
    }
    base.update(kw)
    return Sale(**base)  # type: ignore[arg-type]


def test_day_bounds_follow_the_shop_time_zone() -> None:
    start, end = day_bounds(date(2026, 11, 26), zone=IST)
    assert start == datetime(2026, 11, 25, 18, 30, tzinfo=UTC)
    assert end - start == timedelta(days=1)
    start, end = day_bounds(date(2026, 11, 1), date(2026, 11, 30), zone=IST)
    assert end - start == timedelta(days=30)


def test_no_cell_can_start_a_formula() -> None:
    for dangerous in ("=1+1", "+91", "-5", "@SUM(A1)", "\tx", "\rx"):
        assert csv_safe(dangerous).startswith("'")
    assert csv_safe("T1-2611") == "T1-2611"
    assert csv_safe(None) == ""


def test_sales_csv_has_a_header_and_escapes_every_cell() -> None:
    sale = _sale(bill_number="=HYPERLINK(1)", reason="-minus", bank_reference="401234567890")
    text = sales_csv([sale], zone=IST)
    rows = list(csv.reader(io.StringIO(text)))
    assert tuple(rows[0]) == SALE_COLUMNS
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["bill_number"] == "'=HYPERLINK(1)"
    assert row["reason"] == "'-minus"
    assert row["amount"] == "1234.56"
    assert row["created_local"] == "2026-11-26 11:30:00"
    assert row["utr"] == "401234567890"
    for cell in rows[1]:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_summary_json_is_valid_json_with_integer_paise() -> None:
    from pos_app.services.reporting.reports import summary_json
    from pos_app.store.queries import DayTotals, Tally

    start, end = day_bounds(date(2026, 11, 26), zone=IST)
    totals = DayTotals(
        start=start,
        end=end,
        by_status={SaleStatus.PAID: Tally(1, Money(123456))},
        paid_by_method={Method.UPI_QR: Tally(1, Money(123456))},
        paid_by_group={"upi": Tally(1, Money(123456))},
    )
    body = json.loads(summary_json(totals, [_sale()], zone=IST))
    assert body["collected"] == {"count": 1, "paise": 123456, "amount": "₹1,234.56"}
    assert body["net"]["paise"] == 123456
    assert body["sales"][0]["order_id"] == "T1-261126060000-ABCDEF"


def test_summary_json_is_laid_out_exactly_as_json_dumps_would() -> None:
    """The sales are written without json.dumps's slow indenting encoder: the text must be
    the same, byte for byte, whatever the cells hold."""
    from pos_app.services.reporting.reports import summary_json
    from pos_app.store.queries import DayTotals

    start, end = day_bounds(date(2026, 11, 26), zone=IST)
    totals = DayTotals(start=start, end=end)
    odd = [
        _sale(order_id="T1-a", bill_number='quote " back \\ slash', customer_phone="9999999999"),
        _sale(order_id="T1-b", bill_number="tab\there\nnew line \x01 ₹ नमस्ते 😀", late=True),
        _sale(order_id="T1-c", status=SaleStatus.EXPIRED, bill_number="=SUM(A1)"),
    ]
    refunded = {"T1-a": Money(100)}
    for sales in (odd, odd[:1], []):
        text = summary_json(totals, sales, zone=IST, refunded=refunded)
        body = json.loads(text)
        assert text == json.dumps(body, indent=2, ensure_ascii=False)
        assert [s["order_id"] for s in body["sales"]] == [s.order_id for s in sales]
    assert json.loads(summary_json(totals, odd, zone=IST))["sales"][1]["bill_number"] == (
        "tab\there\nnew line \x01 ₹ नमस्ते 😀"
    )


def test_local_times_in_the_csv_and_table_read_as_strftime_would() -> None:
    """The report writes clock times without strftime (a day has thousands of them)."""
    from zoneinfo import ZoneInfo

    from pos_app.services.reporting.reports import sales_table
    from pos_app.store.queries import DayTotals

    moments = [
        datetime(2026, 11, 26, 18, 29, 59, 999_000, tzinfo=UTC),
        datetime(2026, 3, 29, 0, 59, 1, tzinfo=UTC),  # London's clocks go forward at 01:00
        datetime(2026, 1, 1, 0, 0, 0, tzinfo=UTC),
    ]
    for zone in (IST, UTC, ZoneInfo("Europe/London"), ZoneInfo("America/St_Johns")):
        sales = [_sale(order_id=f"T1-{n}", created_at=m, paid_at=m) for n, m in enumerate(moments)]
        rows = list(csv.reader(io.StringIO(sales_csv(sales, zone))))[1:]
        start, end = day_bounds(date(2026, 11, 26), zone=zone)
        table = sales_table(DayTotals(start=start, end=end), sales, zone).splitlines()[-3:]
        for moment, row, line in zip(moments, rows, table, strict=True):
            local = moment.astimezone(zone)
            assert row[0] == row[11] == local.strftime("%Y-%m-%d %H:%M:%S")
            assert line.startswith(local.strftime("%H:%M:%S") + " ")
