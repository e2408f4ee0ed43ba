"""Receipts and the day-end report as documents: printed, or saved as PDF.

Both are HTML rendered by a QTextDocument, so what is printed is exactly the document's
text (tests read it back with `QTextDocument.toPlainText()`). PDFs are written with
QPdfWriter; printing goes through QPrintDialog opened with open(), never exec().
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import tzinfo
from html import escape
from pathlib import Path

from PySide6.QtCore import QMarginsF, QUrl
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPdfWriter, QTextDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QWidget

from pos_app.domain.money import Money
from pos_app.domain.sale import Method, Sale, SaleStatus
from pos_app.services.records import RefundRecord
from pos_app.services.reporting.day_end import DayReport
from pos_app.services.reporting.reports import EXCEPTION_TITLES, exception_detail
from pos_app.ui.manager import text
from pos_app.ui.manager.period import day_period

__all__ = [
    "CHART_URL",
    "day_report_html",
    "make_document",
    "print_document",
    "receipt_html",
    "save_pdf",
]

CHART_URL = "pos-app:hourly-chart.png"
_ENVIRONMENT_NOTE = {
    "demo": "DEMO: a training sale, no money moved",
    "sandbox": "SANDBOX: a test payment, no money moved",
}


def _rows(rows: Iterable[Sequence[str]], *, head: Sequence[str] = ()) -> str:
    out = ['<table cellspacing="0" cellpadding="3" width="100%">']
    if head:
        out.append("<tr>" + "".join(f"<th align='left'>{escape(h)}</th>" for h in head) + "</tr>")
    for row in rows:
        cells = "".join(f"<td>{escape(cell)}</td>" for cell in row)
        out.append(f"<tr>{cells}</tr>")
    out.append("</table>")
    return "\n".join(out)


def _refund_rows(refunds: Sequence[RefundRecord], zone: tzinfo) -> list[list[str]]:
    return [
        [
            text.local(r.created_at, zone),
            r.refund_id,
            r.amount.format(),
            r.status,
            r.arn or "",
        ]
        for r in refunds
    ]


def receipt_html(
    sale: Sale,
    refunds: Sequence[RefundRecord],
    *,
    store_name: str,
    zone: tzinfo,
    environment: str | None = None,
) -> str:
    """A customer receipt: store, till, amount, UTR, method, time, order id, refund lines."""
    env = environment or sale.environment
    parts = [f"<h2>{escape(store_name)}</h2>", f"<p>Till {escape(sale.terminal_id)}</p>"]
    if env in _ENVIRONMENT_NOTE:
        parts.append(f"<p><b>{escape(_ENVIRONMENT_NOTE[env])}</b></p>")
    title = "Payment received" if sale.status is SaleStatus.PAID else text.status_name(sale.status)
    parts.append(f"<h3>{escape(title)}</h3>")
    parts.append(f"<h1>{escape(sale.amount.format())}</h1>")
    facts = [
        ("Paid at", text.local(sale.paid_at, zone) if sale.paid_at else "-"),
        ("Method", sale.method.label),
        ("Paid with", (sale.payment_group or "-").replace("_", " ")),
        ("UTR", sale.bank_reference or "-"),
        ("Order", sale.order_id),
        ("Payment id", sale.cf_payment_id or "-"),
    ]
    if sale.bill_number:
        facts.append(("Bill", sale.bill_number))
    parts.append(_rows(facts))
    if refunds:
        parts.append("<h3>Refunds</h3>")
        parts.append(
            _rows(_refund_rows(refunds, zone), head=("When", "Refund", "Amount", "Status", "ARN"))
        )
        done = Money(sum(r.amount.paise for r in refunds if r.status == "SUCCESS"))
        parts.append(
            f"<p>Refunded {escape(done.format())}; kept {escape((sale.amount - done).format())}.</p>"
        )
    parts.append("<p>Paid through Cashfree Payments. Thank you!</p>")
    return "\n".join(parts)


def _tally_rows(items: Iterable[tuple[str, int, Money]]) -> list[list[str]]:
    return [[label, f"{count:,}", amount.format()] for label, count, amount in items]


def day_report_html(
    report: DayReport,
    *,
    store_name: str,
    environment: str,
    with_chart: bool = False,
    extra_html: str = "",
) -> str:
    """The day-end report: exceptions first, then totals, methods, payment types, hours."""
    zone = report.zone
    till = report.terminal_id or text.ALL_TILLS.lower()
    parts = [
        f"<h2>{escape(store_name)}: day end</h2>",
        f"<p>{escape(day_period(report.start, report.end, zone))} · {escape(till)}</p>",
    ]
    if environment in _ENVIRONMENT_NOTE:
        parts.append(f"<p><b>{escape(environment.upper())}: no real money moved</b></p>")
    parts.append(f"<h3>{escape(text.NEEDS_A_LOOK)} ({len(report.exceptions)})</h3>")
    if report.exceptions:
        rows = [
            [
                EXCEPTION_TITLES[item.kind],
                item.sale.order_id,
                (item.refund.amount if item.refund else item.sale.amount).format(),
                exception_detail(item, zone),
            ]
            for item in report.exceptions
        ]
        parts.append(_rows(rows, head=text.EXCEPTION_COLUMNS))
        if report.exceptions_left_out:
            parts.append(f"<p>And {report.exceptions_left_out} more not listed.</p>")
    else:
        parts.append(f"<p>{escape(text.NOTHING_TO_LOOK_AT)}</p>")
    totals = [
        (text.COLLECTED, report.collected.count, report.collected.amount),
        (text.REFUNDED, report.refunded.count, report.refunded.amount),
        (text.PENDING, report.pending.count, report.pending.amount),
        (text.PENDING_REFUNDS, report.pending_refunds.count, report.pending_refunds.amount),
    ]
    parts.append("<h3>Totals</h3>")
    parts.append(_rows(_tally_rows(totals), head=("", "Count", "Amount")))
    parts.append(f"<p><b>{escape(text.NET)}: {escape(report.net.format())}</b></p>")
    counts = [
        [text.STATUS_NAMES[s], f"{report.count(s):,}"]
        for s in (SaleStatus.PAID, SaleStatus.EXPIRED, SaleStatus.CANCELLED, SaleStatus.FAILED)
    ]
    parts.append(f"<h3>{escape(text.COUNTS)}</h3>" + _rows(counts))
    methods = [
        (m.label, report.totals.paid_by_method[m].count, report.totals.paid_by_method[m].amount)
        for m in Method
        if m in report.totals.paid_by_method
    ]
    parts.append(f"<h3>{escape(text.BY_METHOD)}</h3>" + _rows(_tally_rows(methods)))
    families = [(name, t.count, t.amount) for name, t in report.by_family.items()]
    parts.append(f"<h3>{escape(text.BY_GROUP)}</h3>" + _rows(_tally_rows(families)))
    parts.append(f"<h3>{escape(text.HOURLY)}</h3>")
    if with_chart:
        parts.append(f'<p><img src="{CHART_URL}" width="600"></p>')
    hours = [
        [f"{b.hour:02d}:00", f"{b.sales:,} sales", f"{b.paid.count:,} paid", b.paid.amount.format()]
        for b in report.hours
        if b.sales or b.refunded.count
    ]
    parts.append(_rows(hours, head=("Hour", "Started", "Paid", "Collected")))
    if extra_html:
        parts.append(extra_html)  # e.g. the reconciliation section (recon_print.py)
    return "\n".join(parts)


def make_document(html: str, *, images: dict[str, QImage] | None = None) -> QTextDocument:
    document = QTextDocument()
    for url, image in (images or {}).items():
        document.addResource(QTextDocument.ResourceType.ImageResource, QUrl(url), image)
    document.setHtml(html)
    return document


def save_pdf(document: QTextDocument, path: Path, *, title: str) -> Path:
    """Write the document as a PDF (A4, 12 mm margins); returns the path."""
    target = Path(path)
    writer = QPdfWriter(str(target))
    writer.setTitle(title)
    writer.setCreator("pos-app")
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(12, 12, 12, 12),
            QPageLayout.Unit.Millimeter,
        )
    )
    document.print_(writer)
    del writer  # the file is complete once the writer is gone
    return target


def print_document(
    document: QTextDocument,
    parent: QWidget | None,
    on_done: Callable[[bool], None],
    *,
    layout: QPageLayout | None = None,
) -> QPrintDialog:
    """Ask where to print (non-blocking) and print when the manager accepts; `layout` sets
    the paper (a receipt roll) before the dialog opens."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    if layout is not None:
        printer.setPageLayout(layout)
    dialog = QPrintDialog(printer, parent)

    def accepted() -> None:
        document.print_(printer)
        on_done(True)

    dialog.accepted.connect(accepted)
    dialog.rejected.connect(lambda: on_done(False))
    QDialog.open(dialog)  # non-blocking (QPrintDialog's own open() wants a receiver)
    return dialog
