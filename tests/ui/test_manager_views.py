"""The manager's views with pytest-qt (sync, offscreen): the transactions table and its
filters, the detail pane, the refund dialog, day end, the hourly chart, receipts and PDFs."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import timedelta, timezone
from pathlib import Path

import pytest
from manager_kit import DAY, Clock, Expected, fill_day
from manager_pdf import pdf_text, squeeze
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from pos_app.domain.money import Money
from pos_app.domain.sale import Method, Sale, SaleStatus
from pos_app.services.refunds.service import RefundOutcome
from pos_app.services.reporting.day_end import build_day_report
from pos_app.services.reporting.queries import ReportReader, SalesFilter
from pos_app.store.journal import Journal
from pos_app.ui.manager import text
from pos_app.ui.manager.day_end_view import DayEndView
from pos_app.ui.manager.detail import DetailPane, SaleDetail
from pos_app.ui.manager.hourly_chart import HourlyChart
from pos_app.ui.manager.printing import day_report_html, make_document, receipt_html, save_pdf
from pos_app.ui.manager.refund_dialog import RefundDialog
from pos_app.ui.manager.sales_model import SALE_ROLE, SalesTableModel
from pos_app.ui.manager.transactions import TransactionsView

IST = timezone(timedelta(hours=5, minutes=30))
END = DAY + timedelta(days=1)
TODAY = DAY.astimezone(IST).date()


@pytest.fixture
def day(tmp_path: Path) -> Iterator[tuple[Journal, ReportReader, Expected]]:
    clock = Clock()
    journal = Journal.open(tmp_path / "journal.sqlite3", clock=clock)
    expected = fill_day(journal, clock, sales=300, zone=IST)
    fill_day(journal, clock, sales=20, seed=4, terminal_id="T2", prefix="T2")
    reader = ReportReader.beside(journal)
    yield journal, reader, expected
    reader.close()
    journal.close()


def _first(reader: ReportReader, status: SaleStatus, **kw: object) -> Sale:
    ids = reader.sale_ids(SalesFilter(DAY, END, statuses=frozenset({status}), terminal_id="T1"))
    for sale in reader.sales_by_ids(list(ids)):
        if sale is not None and all(getattr(sale, k) == v for k, v in kw.items()):
            return sale
    raise AssertionError(f"no {status} sale with {kw}")


# ---- the table ----------------------------------------------------------------------------------
def test_model_shows_newest_first_and_reads_blocks_on_demand(qtbot: QtBot, day: tuple) -> None:  # type: ignore[type-arg]
    journal, reader, _ = day
    model = SalesTableModel(reader, IST, block=32, blocks_kept=4)
    assert model.load(SalesFilter(DAY, END)) == 320
    assert model.rowCount() == 320 and model.columnCount() == len(text.COLUMNS)
    assert model.cached_blocks == 0  # nothing read until something is shown
    newest = journal.sales_between(DAY, END, newest_first=True, limit=1)[0]
    assert model.data(model.index(0, 1)) == newest.order_id
    assert model.data(model.index(0, 5)) == newest.amount.format()
    assert model.data(model.index(0, 0)) == newest.created_at.astimezone(IST).strftime("%H:%M:%S")
    assert model.data(model.index(0, 5), Qt.ItemDataRole.TextAlignmentRole) & int(
        Qt.AlignmentFlag.AlignRight
    )
    assert model.data(model.index(0, 0), SALE_ROLE) == newest
    for row in range(model.rowCount()):
        model.data(model.index(row, 1))
    assert model.cached_blocks == 4  # bounded, however far one scrolls
    assert model.data(QModelIndex()) is None
    assert model.headerData(3, Qt.Orientation.Horizontal) == "Status"


def test_model_marks_open_and_late_sales(qtbot: QtBot, day: tuple) -> None:  # type: ignore[type-arg]
    _, reader, _ = day
    model = SalesTableModel(reader, IST)
    model.load(SalesFilter(DAY, END, statuses=frozenset({SaleStatus.UNCERTAIN})))
    assert model.data(model.index(0, 3)) == "⚠ Not confirmed"
    model.load(SalesFilter(DAY, END, statuses=frozenset({SaleStatus.PAID})))
    shown = {model.data(model.index(r, 3)) for r in range(model.rowCount())}
    assert {"Paid", "Paid (late)"} <= shown
    # A paid sale with refunds says so, with the amount refunded (SUCCESS refunds only).
    words = set()
    for row in range(model.rowCount()):
        sale = model.data(model.index(row, 0), SALE_ROLE)
        back = reader.refunded_total(sale.order_id, include_pending=False)
        cell = model.data(model.index(row, 3))
        late = " (late)" if sale.late else ""
        if back.paise == 0:
            assert cell == "Paid" + late
        elif back >= sale.amount:
            assert cell == f"Refunded {back.format()}{late}"
        else:
            assert cell == f"Partly refunded {back.format()}{late}"
        words.add(cell.split(" ")[0])
    assert {"Paid", "Partly", "Refunded"} <= words


def test_refresh_order_rereads_a_changed_sale(qtbot: QtBot, day: tuple) -> None:  # type: ignore[type-arg]
    journal, reader, _ = day
    model = SalesTableModel(reader, IST)
    model.load(SalesFilter(DAY, END, statuses=frozenset({SaleStatus.AWAITING_PAYMENT})))
    order_id = model.data(model.index(0, 1))
    assert model.data(model.index(0, 3)) == "⚠ Waiting"
    journal.update_sale(order_id, event="paid", status=SaleStatus.PAID)
    with qtbot.waitSignal(model.dataChanged):
        assert model.refresh_order(order_id) == 0
    assert model.data(model.index(0, 3)) == "Paid"


def test_filters_narrow_the_list(qtbot: QtBot, day: tuple) -> None:  # type: ignore[type-arg]
    _, reader, expected = day
    view = TransactionsView(reader, TODAY, IST)
    qtbot.addWidget(view)
    assert view.load() == 320
    assert view.count.text().startswith("320 sales · collected ₹")  # totals above the list
    view.filters.choose_status(frozenset({SaleStatus.PAID}))
    all_paid = reader.sales_between(DAY, END, statuses=[SaleStatus.PAID])
    assert view.model.rowCount() == len(all_paid) > expected.by_status[SaleStatus.PAID]
    view.filters.till.setCurrentIndex(view.filters.till.findData("T1"))
    assert view.model.rowCount() == expected.by_status[SaleStatus.PAID]
    view.filters.method.setCurrentIndex(view.filters.method.findData(Method.LINK))
    assert view.count.text().startswith(text.sale_count(view.model.rowCount()))
    assert all(
        view.model.data(view.model.index(r, 4)) == "Payment link"
        for r in range(view.model.rowCount())
    )
    with qtbot.waitSignal(view.filters.changed, timeout=2000):
        view.filters.search.setText("T1-000007")  # typed: applied after a short pause
    view.filters.choose_status(None)
    view.filters.method.setCurrentIndex(0)
    assert [view.model.data(view.model.index(r, 1)) for r in range(view.model.rowCount())] == [
        "T1-000007"
    ]
    view.filters.search.setText("no such thing")
    view.filters.search.returnPressed.emit()
    assert view.count.text() == text.COUNT_NONE


def test_day_range_keeps_from_before_to(qtbot: QtBot, day: tuple) -> None:  # type: ignore[type-arg]
    _, reader, _ = day
    view = TransactionsView(reader, TODAY, IST)
    qtbot.addWidget(view)
    days = view.filters.days
    days.set_days(TODAY - timedelta(days=1), TODAY)
    start, end = days.bounds()
    assert start == DAY - timedelta(days=1) and end == END
    days.first.setDate(days.first.date().addDays(5))
    first, last = days.days()
    assert first == last == TODAY + timedelta(days=4)


# ---- the detail pane ---------------------------------------------------------------------------
def test_selecting_a_sale_shows_its_detail_and_actions(qtbot: QtBot, day: tuple) -> None:  # type: ignore[type-arg]
    journal, reader, _ = day
    paid = _first(reader, SaleStatus.PAID)
    journal.add_event(paid.order_id, "attempt_failed", {"reason": "wrong UPI PIN"})
    view = TransactionsView(reader, TODAY, IST)
    qtbot.addWidget(view)
    view.filters.search.setText(paid.order_id)
    view.filters.search.returnPressed.emit()
    with qtbot.waitSignal(view.sale_selected) as seen:
        view.select_row(0)
    detail: SaleDetail = seen.args[0]
    assert detail.sale.order_id == paid.order_id
    pane = view.detail
    labels = _facts(pane)
    assert labels["Amount"] == paid.amount.format()
    assert labels["UTR"] == paid.bank_reference
    attempts = [pane.attempts.item(i).text() for i in range(pane.attempts.count())]
    assert any("wrong UPI PIN" in line for line in attempts)
    timeline = [pane.timeline.item(i).text() for i in range(pane.timeline.count())]
    assert any("Paid" in line for line in timeline)
    assert pane.buttons["refund"].isEnabled() == (detail.refundable.paise > 0)
    assert not pane.buttons["cancel"].isEnabled()
    assert pane.buttons["print"].isEnabled() and pane.buttons["pdf"].isEnabled()
    with qtbot.waitSignal(pane.refresh_requested) as asked:
        qtbot.mouseClick(pane.buttons["refresh"], Qt.MouseButton.LeftButton)
    assert asked.args == [paid.order_id]


def _facts(pane: DetailPane) -> dict[str, str]:
    form = pane.facts
    out = {}
    for row in range(form.rowCount()):
        label = form.itemAt(row, form.ItemRole.LabelRole).widget()
        value = form.itemAt(row, form.ItemRole.FieldRole).widget()
        out[label.text()] = value.text()  # type: ignore[attr-defined]
    return out


def test_detail_of_an_open_sale_and_of_a_refunded_one(qtbot: QtBot, day: tuple) -> None:  # type: ignore[type-arg]
    _, reader, _ = day
    view = TransactionsView(reader, TODAY, IST)
    qtbot.addWidget(view)
    waiting = view.detail_of(_first(reader, SaleStatus.AWAITING_PAYMENT).order_id)
    view.detail.show_detail(waiting)
    assert view.detail.buttons["cancel"].isEnabled()
    assert not view.detail.buttons["refund"].isEnabled()
    with qtbot.waitSignal(view.detail.cancel_requested):
        view.detail.buttons["cancel"].click()
    refunded = [
        view.detail_of(s.order_id)
        for s in reader.sales_between(DAY, END, statuses=[SaleStatus.PAID], terminal_id="T1")
        if reader.refunds_for(s.order_id)
    ]
    with_pending = next(d for d in refunded if d and d.unsettled_refunds)
    view.detail.show_detail(with_pending)
    lines = [view.detail.refunds.item(i).text() for i in range(view.detail.refunds.count())]
    assert len(lines) == len(with_pending.refunds)
    assert view.detail.buttons["check_refunds"].isEnabled()
    assert "left" in view.detail.refundable.text()
    fully = next(d for d in refunded if d and d.refundable.paise == 0)
    view.detail.show_detail(fully)
    assert not view.detail.buttons["refund"].isEnabled()
    view.detail.show_detail(None)
    assert not any(b.isEnabled() for b in view.detail.buttons.values())
    assert isinstance(view.detail, DetailPane)


# ---- the refund dialog -------------------------------------------------------------------------
def _paid(amount: int = 25000) -> Sale:
    return Sale(
        order_id="T1-261126060000-ABCDEF",
        terminal_id="T1",
        environment="sandbox",
        amount=Money(amount),
        method=Method.UPI_QR,
        status=SaleStatus.PAID,
        idempotency_key="k",
        created_at=DAY,
        updated_at=DAY,
        bank_reference="401234567890",
        paid_at=DAY + timedelta(minutes=1),
        payment_group="upi",
    )


def test_refund_dialog_checks_then_submits(qtbot: QtBot) -> None:
    dialog = RefundDialog(_paid(), Money(15000))
    qtbot.addWidget(dialog)
    assert dialog.amount.text() == "150.00"
    dialog.amount.setText("150.01")
    dialog.submit()
    assert "more than is left" in dialog.status.text() and "₹150.00" in dialog.status.text()
    dialog.amount.setText("abc")
    dialog.submit()
    assert "not an amount" in dialog.status.text()
    dialog.amount.setText("99.50")
    dialog.reason.setText("no")
    dialog.submit()
    assert "at least 3" in dialog.status.text()
    dialog.reason.setText("  damaged  goods ")
    with qtbot.waitSignal(dialog.submitted) as sent:
        qtbot.mouseClick(dialog.go, Qt.MouseButton.LeftButton)
    assert sent.args == ["T1-261126060000-ABCDEF", Money(9950), "damaged goods"]
    assert not dialog.go.isEnabled() and dialog.status.text() == text.REFUNDING
    record = _record(Money(9950), "FAILED", "Insufficient balance in the merchant account")
    dialog.show_outcome(RefundOutcome(record, "The refund of ₹99.50 failed: Insufficient balance"))
    assert "Insufficient balance" in dialog.status.text()
    assert dialog.go.isHidden() and dialog.close_button.text() == text.REFUND_CLOSE


def _record(amount: Money, status: str, description: str | None = None) -> object:
    from pos_app.store.codec import RefundRecord

    return RefundRecord(
        refund_id="RF-261126063000-ABCDEF",
        order_id="T1-261126060000-ABCDEF",
        amount=amount,
        status=status,
        idempotency_key="rk",
        status_description=description,
        arn="RF1234567890" if status == "SUCCESS" else None,
        created_at=DAY + timedelta(hours=1),
        updated_at=DAY + timedelta(hours=1),
    )


# ---- day end --------------------------------------------------------------------------------------
def test_day_end_view_shows_exceptions_first_and_totals(
    qtbot: QtBot, day: tuple, tmp_path: Path
) -> None:  # type: ignore[type-arg]
    _, reader, expected = day
    report = build_day_report(reader, DAY, END, zone=IST, terminal_id="T1")
    view = DayEndView(TODAY, IST, reader.terminals())
    qtbot.addWidget(view)
    assert not view.buttons["summary"].isEnabled()
    view.show_report(report)
    assert view.exceptions.rowCount() == len(expected.exceptions)
    assert view.exceptions.item(0, 0).text() == "Not confirmed"
    assert view.exceptions_title.text().startswith(text.NEEDS_A_LOOK)
    collected = Money(expected.paise_by_status[SaleStatus.PAID])
    assert view.values[text.COLLECTED].text().startswith(collected.format())
    assert (
        view.values[text.NET].text()
        == Money(expected.paise_by_status[SaleStatus.PAID] - expected.refunded).format()
    )
    assert view.values["Expired"].text() == str(expected.by_status[SaleStatus.EXPIRED])
    assert "UPI QR" in view.by_method.text() and "Net banking" in view.by_group.text()
    assert view.chart.hours == report.hours
    target = tmp_path / "summary.csv"
    view.export_summary_to(target)
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert rows[0][:4] == ["section", "item", "count", "amount"]
    assert rows[4][:2] == ["totals", "collected"] and rows[4][3] == collected.decimal_text()
    with qtbot.waitSignal(view.load_requested) as asked:
        view.show_button.click()
    assert asked.args[0] == DAY and asked.args[1] == END and asked.args[2] is None


def test_day_end_view_with_nothing_to_look_at(qtbot: QtBot, tmp_path: Path) -> None:
    journal = Journal.open(tmp_path / "empty.sqlite3", clock=Clock())
    reader = ReportReader.beside(journal)
    try:
        view = DayEndView(TODAY, IST, [])
        qtbot.addWidget(view)
        view.show_report(build_day_report(reader, DAY, END, zone=IST))
        assert view.exceptions_title.text() == text.NOTHING_TO_LOOK_AT
        assert view.exceptions.isHidden()
        assert view.values[text.COLLECTED].text() == "₹0.00  (0)"
    finally:
        reader.close()
        journal.close()


def test_hourly_chart_draws_bars(qtbot: QtBot, day: tuple) -> None:  # type: ignore[type-arg]
    _, reader, _ = day
    report = build_day_report(reader, DAY, END, zone=IST)
    chart = HourlyChart()
    qtbot.addWidget(chart)
    chart.resize(720, 220)
    chart.set_hours(report.hours)
    busiest = max(report.hours, key=lambda b: b.paid.amount.paise)
    assert f"{busiest.hour:02d}:00" in chart.accessibleDescription()
    assert chart.peak == busiest.paid.amount
    image = chart.render_image()
    green = QColor(46, 125, 50).rgb()
    greens = sum(
        1
        for x in range(0, image.width(), 4)
        for y in range(0, image.height(), 4)
        if image.pixel(x, y) == green
    )
    assert greens > 200
    grabbed = chart.grab()
    assert not grabbed.isNull() and grabbed.width() == 720


# ---- receipts and PDFs ------------------------------------------------------------------------
def test_receipt_has_every_fact_and_the_refund_lines(tmp_path: Path, qapp: object) -> None:
    sale = _paid(123456)
    refunds = [_record(Money(20000), "SUCCESS"), _record(Money(5000), "PENDING")]
    html = receipt_html(sale, refunds, store_name="Sharma <General> Store", zone=IST)  # type: ignore[arg-type]
    document = make_document(html)
    shown = document.toPlainText()
    for fact in (
        "Sharma <General> Store",
        "Till T1",
        "₹1,234.56",
        "401234567890",
        "UPI QR",
        "26 Nov 2026 00:01:00",
        "T1-261126060000-ABCDEF",
        "RF-261126063000-ABCDEF",
        "₹200.00",
        "₹50.00",
        "PENDING",
        "RF1234567890",
        "kept ₹1,034.56",
        "SANDBOX",
    ):
        assert fact in shown, fact
    path = save_pdf(document, tmp_path / "receipt.pdf", title="Receipt")
    data = path.read_bytes()
    assert data.startswith(b"%PDF-") and len(data) > 2000
    inside = squeeze(pdf_text(data))
    for amount in ("₹1,234.56", "₹200.00", "₹50.00", "401234567890", "T1-261126060000-ABCDEF"):
        assert amount in inside, amount


def test_day_report_document_and_pdf(day: tuple, tmp_path: Path, qapp: object) -> None:  # type: ignore[type-arg]
    _, reader, expected = day
    report = build_day_report(reader, DAY, END, zone=IST, terminal_id="T1")
    html = day_report_html(report, store_name="Sharma Store", environment="production")
    shown = make_document(html).toPlainText()
    collected = Money(expected.paise_by_status[SaleStatus.PAID]).format()
    net = Money(expected.paise_by_status[SaleStatus.PAID] - expected.refunded).format()
    refunded = Money(expected.refunded).format()
    for fact in (
        "Sharma Store: day end",
        collected,
        net,
        refunded,
        text.NEEDS_A_LOOK,
        "Late payment",
    ):
        assert fact in shown, fact
    assert shown.index(text.NEEDS_A_LOOK) < shown.index("Totals")  # exceptions first
    assert "no real money moved" not in shown
    path = save_pdf(make_document(html), tmp_path / "day.pdf", title="Day end")
    inside = squeeze(pdf_text(path.read_bytes()))
    for amount in (collected, net, refunded):
        assert amount in inside, amount
