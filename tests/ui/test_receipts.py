"""Receipts for the printers shops have (issue 13, the manager): 58 mm and 80 mm rolls and
A4, with the store's details from Settings, the amount in words and the refunds; the day
report says its date."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from manager_pdf import pdf_text, squeeze

from pos_app.domain.money import Money
from pos_app.domain.sale import Method, Sale, SaleStatus
from pos_app.store.codec import RefundRecord
from pos_app.ui.manager.period import day_period
from pos_app.ui.manager.receipt import (
    Paper,
    StoreDetails,
    amount_in_words,
    receipt_document_html,
    rupees_in_words,
)
from pos_app.ui.manager.receipt_print import receipt_document, save_receipt_pdf

IST = timezone(timedelta(hours=5, minutes=30))
PAID_AT = datetime(2026, 11, 26, 6, 15, tzinfo=UTC)
STORE = StoreDetails(
    "Sharma General Store", "12 MG Road, Pune 411001", "27AAPFU0939F1ZV", "9876543210"
)


def paid_sale() -> Sale:
    return Sale(
        order_id="T1-261126061500-ABCDEF",
        terminal_id="T1",
        environment="production",
        amount=Money(125050),
        method=Method.UPI_QR,
        status=SaleStatus.PAID,
        idempotency_key="k",
        created_at=PAID_AT - timedelta(seconds=40),
        updated_at=PAID_AT,
        bill_number="INV-1042",
        bank_reference="612345678901",
        cf_payment_id="5114910000001",
        payment_group="upi",
        paid_at=PAID_AT,
    )


def refund() -> RefundRecord:
    import dataclasses

    fields = {f.name for f in dataclasses.fields(RefundRecord)}
    values: dict[str, object] = {
        "refund_id": "RF-1",
        "order_id": "T1-261126061500-ABCDEF",
        "amount": Money(25000),
        "status": "SUCCESS",
        "created_at": PAID_AT + timedelta(hours=1),
        "updated_at": PAID_AT + timedelta(hours=1),
        "idempotency_key": "r",
    }
    return RefundRecord(**{k: v for k, v in values.items() if k in fields})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (0, "Zero"),
        (15, "Fifteen"),
        (1250, "One Thousand Two Hundred Fifty"),
        (1_23_456, "One Lakh Twenty Three Thousand Four Hundred Fifty Six"),
        (10_00_00_000, "Ten Crore"),
        (2_05_00_101, "Two Crore Five Lakh One Hundred One"),
    ],
)
def test_amounts_in_indian_words(number: int, words: str) -> None:
    assert amount_in_words(number) == words


def test_rupees_and_paise_in_words() -> None:
    assert rupees_in_words(Money(125050)) == (
        "Rupees One Thousand Two Hundred Fifty and Fifty Paise Only"
    )
    assert rupees_in_words(Money(10000)) == "Rupees One Hundred Only"


def test_the_receipt_carries_everything_a_shop_prints(qapp: object) -> None:
    html = receipt_document_html(
        paid_sale(), [refund()], store=STORE, zone=IST, paper=Paper.ROLL_58
    )
    document = receipt_document(html, Paper.ROLL_58)
    plain = document.toPlainText()
    for expected in (
        "Sharma General Store",
        "12 MG Road, Pune 411001",
        "GSTIN 27AAPFU0939F1ZV",
        "Phone 9876543210",
        "INV-1042",
        "₹1,250.50",
        "Rupees One Thousand Two Hundred Fifty and Fifty Paise Only",
        "UPI QR (upi)",
        "612345678901",
        "26 Nov 2026 11:45:00",
        "Refunded",
        "₹250.00",
        "Kept",
        "₹1,000.50",
    ):
        assert expected in plain, expected


@pytest.mark.parametrize(("paper", "width_mm"), [(Paper.ROLL_58, 54.0), (Paper.ROLL_80, 78.0)])
def test_a_roll_receipt_is_one_page_as_wide_as_the_roll(
    qapp: object, tmp_path: Path, paper: Paper, width_mm: float
) -> None:
    html = receipt_document_html(paid_sale(), [refund()], store=STORE, zone=IST, paper=paper)
    path = save_receipt_pdf(receipt_document(html, paper), paper, tmp_path / "r.pdf", title="r")
    data = path.read_bytes()
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    assert len(boxes) == 1, "a roll receipt is one page"
    width_pt, height_pt = (float(v) for v in boxes[0])
    assert width_pt == pytest.approx(width_mm * 72 / 25.4, abs=1.5)
    assert height_pt > width_pt  # as long as the receipt, not a fixed sheet
    text = squeeze(pdf_text(data))
    assert squeeze("₹1,250.50") in text and squeeze("Sharma General Store") in text


def test_an_a4_receipt(qapp: object, tmp_path: Path) -> None:
    html = receipt_document_html(paid_sale(), [], store=STORE, zone=IST, paper=Paper.A4)
    path = save_receipt_pdf(
        receipt_document(html, Paper.A4), Paper.A4, tmp_path / "a4.pdf", title="r"
    )
    [box] = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", path.read_bytes())
    assert float(box[0]) == pytest.approx(595, abs=2) and float(box[1]) == pytest.approx(842, abs=2)


def test_the_day_report_says_its_date() -> None:
    start = datetime(2026, 11, 25, 18, 30, tzinfo=UTC)  # 26 Nov 00:00 IST
    assert day_period(start, start + timedelta(days=1), IST) == "Thursday 26 Nov 2026"
    assert day_period(start, start + timedelta(days=3), IST) == "26 Nov 2026 to 28 Nov 2026"
    assert "00:00:00" not in day_period(start, start + timedelta(days=1), IST)


def test_the_store_page_keeps_address_and_gstin(qtbot: object) -> None:
    from pos_app.config import Settings
    from pos_app.ui.setup.pages import PageProblem, StorePage

    page = StorePage()
    page.load(Settings())
    page.address.setText("12 MG Road, Pune 411001")
    page.gstin.setText("27aapfu0939f1zv")
    settings = page.apply(Settings())
    assert (settings.store_address, settings.store_gstin) == (
        "12 MG Road, Pune 411001",
        "27AAPFU0939F1ZV",
    )
    page.gstin.setText("27-NOT-A-GSTIN")
    with pytest.raises(PageProblem, match="GSTIN"):
        page.apply(Settings())
    page.gstin.setText("")
    assert page.apply(Settings()).store_gstin is None


def test_a_day_report_table_that_fits_a_page_is_not_split(qapp: object) -> None:
    from pos_app.ui.manager.paginate import _tables, keep_tables_whole
    from pos_app.ui.manager.printing import make_document

    rows = "".join(f"<tr><td>hour {i}</td><td>₹{i},000.00</td></tr>" for i in range(30))
    html = (
        "<p>" + "exception<br>" * 40 + "</p>"
        f"<h3>Totals</h3><table>{rows}</table><h3>Hours</h3><table>{rows}</table>"
    )
    document = make_document(html)
    assert keep_tables_whole(document) >= 1
    height = document.pageSize().height()
    layout = document.documentLayout()
    for table in _tables(document):
        box = layout.frameBoundingRect(table)
        assert int(box.top() // height) == int((box.bottom() - 1) // height)
    block = document.begin()
    while block.isValid():
        if block.text() == "Totals":  # the heading moved with its table
            first = document.documentLayout().frameBoundingRect(_tables(document)[0])
            assert layout.blockBoundingRect(block).top() // height == first.top() // height
        block = block.next()
