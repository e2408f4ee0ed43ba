"""Day end against a generated journal: totals, hours, exceptions, CSV and JSON exports,
and "refresh the day" against the in-process simulator."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, timedelta, timezone
from pathlib import Path

import pytest
from manager_kit import DAY, Clock, Expected, fill_day, sale_at_gateway
from till_fakes import FakeClock, make_till

from pos_app.domain.money import Money
from pos_app.domain.sale import Method, Sale, SaleStatus
from pos_app.services.refunds.service import RefundService
from pos_app.services.reporting.day_end import (
    DayReport,
    ExceptionKind,
    build_day_report,
    build_day_report_stepwise,
    payment_family,
)
from pos_app.services.reporting.day_refresh import refresh_day
from pos_app.services.reporting.queries import ReportReader, SalesFilter
from pos_app.services.reporting.reports import (
    DAY_SUMMARY_COLUMNS,
    day_report_json,
    day_summary_csv,
    sales_csv,
)
from pos_app.store.journal import Journal

IST = timezone(timedelta(hours=5, minutes=30))
END = DAY + timedelta(days=1)


@pytest.fixture
def day(tmp_path: Path) -> Iterator[tuple[Journal, ReportReader, Expected]]:
    clock = Clock()
    journal = Journal.open(tmp_path / "journal.sqlite3", clock=clock)
    expected = fill_day(journal, clock, sales=400, zone=IST)
    # Another till's sales the same day, and one sale the day before: never counted.
    fill_day(journal, clock, sales=40, seed=5, terminal_id="T2", prefix="T2")
    fill_day(journal, clock, sales=5, seed=9, day=DAY - timedelta(days=1), prefix="OLD")
    reader = ReportReader.beside(journal)
    yield journal, reader, expected
    reader.close()
    journal.close()


def test_totals_match_the_journal_and_the_generated_facts(day: tuple) -> None:  # type: ignore[type-arg]
    journal, reader, expected = day
    report = build_day_report(reader, DAY, END, zone=IST, terminal_id="T1")
    assert report.totals == journal.day_totals(DAY, END, "T1")
    for status in SaleStatus:
        tally = report.totals.by_status[status]
        assert tally.count == expected.by_status[status], status
        assert tally.amount.paise == expected.paise_by_status[status], status
    assert report.collected.amount.paise == expected.paise_by_status[SaleStatus.PAID]
    assert report.refunded.amount.paise == expected.refunded
    assert report.refunded.count == expected.refunded_count
    assert report.net.paise == expected.paise_by_status[SaleStatus.PAID] - expected.refunded
    assert report.pending_refunds.amount.paise == expected.pending_refunds
    assert report.pending_refunds.count == expected.pending_refund_count
    open_statuses = (SaleStatus.CREATED, SaleStatus.AWAITING_PAYMENT, SaleStatus.UNCERTAIN)
    assert report.pending.count == sum(expected.by_status[s] for s in open_statuses)
    assert report.totals.late == expected.late > 0
    for method in Method:
        assert report.totals.paid_by_method[method].amount.paise == expected.paid_by_method[method]
    families = report.by_family
    assert list(families)[:4] == ["UPI", "Card", "Net banking", "Wallet"]
    for family, paise in expected.paid_by_family.items():
        assert families[family].amount.paise == paise, family
    assert report.count(SaleStatus.EXPIRED) == expected.by_status[SaleStatus.EXPIRED]


def test_all_tills_together_match_the_journal(day: tuple) -> None:  # type: ignore[type-arg]
    journal, reader, _ = day
    report = build_day_report(reader, DAY, END, zone=IST)
    assert report.totals == journal.day_totals(DAY, END)
    assert report.totals.by_status[SaleStatus.PAID].count > 0


def test_hours_are_local_and_add_up(day: tuple) -> None:  # type: ignore[type-arg]
    _, reader, expected = day
    report = build_day_report(reader, DAY, END, zone=IST, terminal_id="T1")
    assert [b.hour for b in report.hours] == list(range(24))
    for bucket in report.hours:
        assert bucket.paid.amount.paise == expected.paid_by_hour[bucket.hour], bucket.hour
    assert sum(b.paid.amount.paise for b in report.hours) == report.collected.amount.paise
    assert sum(b.sales for b in report.hours) == sum(expected.by_status.values())
    assert sum(b.refunded.amount.paise for b in report.hours) == expected.refunded
    # The generated day starts at 00:00 IST and stops before 22:00 IST.
    assert report.hours[22].sales == report.hours[23].sales == 0


def test_exceptions_come_first_and_are_complete(day: tuple) -> None:  # type: ignore[type-arg]
    _, reader, expected = day
    report = build_day_report(reader, DAY, END, zone=IST, terminal_id="T1")
    found = {(e.kind.value, e.sale.order_id) for e in report.exceptions if not e.earlier}
    assert found == expected.exceptions
    ranks = [list(ExceptionKind).index(e.kind) for e in report.exceptions]
    assert ranks == sorted(ranks)
    assert report.exceptions[0].kind is ExceptionKind.UNCERTAIN
    refund_items = [e for e in report.exceptions if e.kind is ExceptionKind.REFUND_NOT_FINAL]
    assert refund_items and all(e.refund is not None for e in refund_items)
    assert {e.refund.status for e in refund_items if e.refund} <= {"PENDING", "ONHOLD"}
    assert report.exceptions_left_out == 0


def test_open_sales_from_an_earlier_day_are_listed_as_earlier(day: tuple) -> None:  # type: ignore[type-arg]
    _, reader, _ = day
    report = build_day_report(reader, DAY, END, zone=IST)
    earlier = [e for e in report.exceptions if e.earlier]
    assert earlier and all(e.sale.order_id.startswith("OLD") for e in earlier)


def test_exception_list_is_capped_and_says_so(day: tuple) -> None:  # type: ignore[type-arg]
    _, reader, expected = day
    report = build_day_report(reader, DAY, END, zone=IST, terminal_id="T1", exception_limit=5)
    assert len(report.exceptions) == 5
    assert report.exceptions_left_out >= len(expected.exceptions) - 5


def test_a_range_of_days_sums_hours_of_the_day(day: tuple) -> None:  # type: ignore[type-arg]
    journal, reader, _ = day
    first = DAY - timedelta(days=1)
    report = build_day_report(reader, first, END, zone=IST)
    assert report.totals == journal.day_totals(first, END)
    assert sum(b.paid.amount.paise for b in report.hours) == report.collected.amount.paise


def test_the_stepwise_report_is_the_same_report(day: tuple) -> None:  # type: ignore[type-arg]
    _, reader, _ = day
    first = DAY - timedelta(days=1)
    steps = build_day_report_stepwise(reader, first, END, zone=IST, slice_hours=5)
    turns = 0
    try:
        while True:
            steps.send(None)  # each slice gives the event loop a turn
            turns += 1
    except StopIteration as done:
        stepwise = done.value
    assert turns == 10  # 48 hours in slices of 5
    assert stepwise == build_day_report(reader, first, END, zone=IST)


def test_payment_families() -> None:
    assert payment_family("upi") == payment_family("UPI_CREDIT_CARD") == "UPI"
    assert payment_family("debit_card_emi") == "Card"
    assert payment_family("net_banking") == "Net banking"
    assert payment_family("paypal") == payment_family("wallet") == "Wallet"
    assert payment_family(None) == payment_family("cash") == "Other"


# ---- exports ------------------------------------------------------------------------------
def _rows(text: str) -> list[dict[str, str]]:
    assert text.startswith(",".join(DAY_SUMMARY_COLUMNS) + "\r\n")
    return list(csv.DictReader(io.StringIO(text)))


def test_day_summary_csv_has_every_figure(day: tuple) -> None:  # type: ignore[type-arg]
    _, reader, expected = day
    report = build_day_report(reader, DAY, END, zone=IST, terminal_id="T1")
    rows = _rows(day_summary_csv(report))
    by_item = {(r["section"], r["item"]): r for r in rows}
    collected = expected.paise_by_status[SaleStatus.PAID]
    assert by_item[("totals", "collected")]["amount"] == Money(collected).decimal_text()
    assert by_item[("totals", "refunded")]["amount"] == Money(expected.refunded).decimal_text()
    assert by_item[("status", "EXPIRED")]["count"] == str(expected.by_status[SaleStatus.EXPIRED])
    assert (
        by_item[("payment_group", "UPI")]["amount"]
        == Money(expected.paid_by_family["UPI"]).decimal_text()
    )
    assert len([r for r in rows if r["section"] == "hour"]) == 24
    exceptions = [r for r in rows if r["section"] == "exception"]
    today = [r for r in exceptions if not r["order_id"].startswith("OLD")]
    assert {r["order_id"] for r in today} == {o for _, o in expected.exceptions}
    earlier = [r for r in exceptions if r["order_id"].startswith("OLD")]
    assert earlier and all("from an earlier day" in r["detail"] for r in earlier)
    assert by_item[("report", "from")]["detail"] == "2026-11-26 00:00:00"


def test_day_summary_csv_cannot_start_a_formula(day: tuple) -> None:  # type: ignore[type-arg]
    _, reader, _ = day
    report = build_day_report(reader, DAY, END, zone=IST, terminal_id="T1")
    # A hostile terminal name and a negative net (refunds beyond the day's takings).
    hostile = DayReport(
        start=report.start,
        end=report.end,
        zone=report.zone,
        terminal_id='=HYPERLINK("http://x")',
        totals=report.totals.__class__(
            start=report.start, end=report.end, refunded=report.totals.refunded
        ),
        hours=report.hours,
        exceptions=(),
    )
    rows = _rows(day_summary_csv(hostile))
    cells = [cell for row in rows for cell in row.values()]
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))]
    by_item = {(r["section"], r["item"]): r for r in rows}
    assert by_item[("report", "terminal")]["detail"] == '\'=HYPERLINK("http://x")'
    assert by_item[("totals", "net")]["amount"].startswith("'-")


def test_sales_csv_is_utf8_text_with_a_header(day: tuple) -> None:  # type: ignore[type-arg]
    _, reader, expected = day
    sales = reader.sales_between(DAY, END, terminal_id="T1")
    text = sales_csv(sales, IST)
    data = text.encode("utf-8")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    assert rows[0][:3] == ["created_local", "order_id", "terminal_id"]
    assert len(rows) - 1 == sum(expected.by_status.values())


def test_day_report_json(day: tuple) -> None:  # type: ignore[type-arg]
    _, reader, expected = day
    report = build_day_report(reader, DAY, END, zone=IST, terminal_id="T1")
    body = json.loads(day_report_json(report))
    assert body["collected"]["paise"] == expected.paise_by_status[SaleStatus.PAID]
    assert len(body["hours"]) == 24
    assert body["paid_by_family"]["UPI"]["paise"] == expected.paid_by_family["UPI"]
    kinds = {(e["kind"], e["order_id"]) for e in body["exceptions"]}
    assert {k for k in kinds if not k[1].startswith("OLD")} == expected.exceptions


# ---- the reader's lists ---------------------------------------------------------------------
def test_sale_ids_filter_and_order(day: tuple) -> None:  # type: ignore[type-arg]
    journal, reader, expected = day
    every = reader.sale_ids(SalesFilter(DAY, END))
    assert len(every) == len(journal.sales_between(DAY, END))
    sales = [s for s in reader.sales_by_ids(list(every[:50])) if s is not None]
    times = [s.created_at for s in sales]
    assert times == sorted(times, reverse=True)
    paid = reader.sale_ids(
        SalesFilter(DAY, END, statuses=frozenset({SaleStatus.PAID}), terminal_id="T1")
    )
    assert len(paid) == expected.by_status[SaleStatus.PAID]
    found = reader.sale_ids(SalesFilter(DAY, END, search="T1-000007"))
    assert [s.order_id for s in reader.sales_by_ids(list(found)) if s] == ["T1-000007"]
    assert reader.sales_by_ids([10**9]) == [None]
    assert "T2" in reader.terminals()


# ---- refresh the day from Cashfree ----------------------------------------------------------
@pytest.mark.asyncio
async def test_refresh_day_settles_open_and_late_sales(tmp_path: Path) -> None:
    till = make_till(tmp_path, clock=FakeClock(DAY + timedelta(hours=10)))
    reader = ReportReader.beside(till.journal)
    try:
        awaiting = await sale_at_gateway(till, 120, SaleStatus.AWAITING_PAYMENT)
        cancelled = await sale_at_gateway(till, 130, SaleStatus.CANCELLED)
        still_open = await sale_at_gateway(till, 140, SaleStatus.AWAITING_PAYMENT)
        at_counter = await sale_at_gateway(till, 150, SaleStatus.AWAITING_PAYMENT)
        for sale in (awaiting, cancelled, at_counter):
            till.sim.customer_pays(sale.order_id)
        seen: list[tuple[int, int]] = []
        result = await refresh_day(
            till.deps,
            reader,
            None,
            DAY,
            END,
            skip={at_counter.order_id},
            progress=lambda done, total: seen.append((done, total)),
        )
        get = till.journal.get_sale
        assert get(awaiting.order_id).status is SaleStatus.PAID  # type: ignore[union-attr]
        late = get(cancelled.order_id)
        assert late is not None and late.status is SaleStatus.PAID and late.late
        assert get(still_open.order_id).status is SaleStatus.AWAITING_PAYMENT  # type: ignore[union-attr]
        assert get(at_counter.order_id).status is SaleStatus.AWAITING_PAYMENT  # type: ignore[union-attr]
        assert result.skipped == (at_counter.order_id,)
        assert result.sales_checked == 3 and not result.problems
        assert {s.sale.order_id for s in result.sales_changed} == {
            awaiting.order_id,
            cancelled.order_id,
        }
        assert seen[-1] == (4, 4)
        report = build_day_report(reader, DAY, END)
        kinds = {(e.kind, e.sale.order_id) for e in report.exceptions}
        assert (ExceptionKind.LATE_PAYMENT, cancelled.order_id) in kinds
    finally:
        reader.close()
        await till.client.aclose()
        till.journal.close()


@pytest.mark.asyncio
async def test_refresh_day_follows_refunds_and_reports_an_unreachable_gateway(
    tmp_path: Path,
) -> None:
    till = make_till(tmp_path, clock=FakeClock(DAY + timedelta(hours=10)))
    reader = ReportReader.beside(till.journal)
    refunds = RefundService(
        till.gateway, till.journal, clock=till.clock, sleep=till.clock.sleep, follow_for=0
    )
    try:
        sale = await sale_at_gateway(till, 200, SaleStatus.AWAITING_PAYMENT)
        till.sim.customer_pays(sale.order_id)
        first = await refresh_day(till.deps, reader, refunds, DAY, END)
        assert first.sales_checked == 1
        outcome = await refunds.refund(sale.order_id, Money.rupees(50))
        assert outcome.refund.status == "PENDING"  # settles 5 s later at the simulator
        open_sale = await sale_at_gateway(till, 210, SaleStatus.AWAITING_PAYMENT)
        till.sim.set_faults(down=True)
        trouble = await refresh_day(till.deps, reader, refunds, DAY, END)
        assert trouble.problems and any(open_sale.order_id in p for p in trouble.problems)
        assert any(outcome.refund.refund_id in p for p in trouble.problems)
        till.sim.set_faults(down=False)
        await till.clock.sleep(6)
        again = await refresh_day(till.deps, reader, refunds, DAY, END)
        assert [r.status for r in again.refunds_changed] == ["SUCCESS"]
        assert till.journal.refunds_for(sale.order_id)[0].status == "SUCCESS"
    finally:
        reader.close()
        await till.client.aclose()
        till.journal.close()


def test_report_reader_refuses_to_write(tmp_path: Path) -> None:
    journal = Journal.open(tmp_path / "j.sqlite3", clock=Clock())
    reader = ReportReader.beside(journal)
    try:
        from pos_app.store.errors import JournalError

        now = DAY.astimezone(UTC)
        sale = Sale(
            "T1-1", "T1", "demo", Money(100), Method.UPI_QR, SaleStatus.CREATED, "k", now, now
        )
        with pytest.raises(JournalError):
            reader.create_sale(sale)
    finally:
        reader.close()
        journal.close()
