"""A receipt document on its paper: a roll page exactly as long as the receipt, or A4."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMarginsF, QSizeF
from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument

from pos_app.ui.manager.receipt import Paper

__all__ = ["page_layout", "receipt_document", "save_receipt_pdf"]

_DPI = 96.0  # the document's own unit: Qt lays out text documents at 96 per inch
_MM_TO_PX = _DPI / 25.4
_ROLL_MARGIN_MM = 3.0  # either side of the printable width on a roll
_A4_MARGIN_MM = 12.0


def receipt_document(html: str, paper: Paper) -> QTextDocument:
    """The receipt laid out `paper` wide; a roll is one page exactly as long as the text,
    an A4 receipt pages like any document."""
    document = QTextDocument()
    document.setDocumentMargin(0)
    document.setHtml(html)
    width = paper.width_mm * _MM_TO_PX
    document.setTextWidth(width)
    if paper.is_roll:
        document.setPageSize(QSizeF(width, document.size().height() + 2))
    return document


def page_layout(document: QTextDocument, paper: Paper) -> QPageLayout:
    """A4, or a roll page as wide as the roll and as long as the receipt."""
    if not paper.is_roll:
        return QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(_A4_MARGIN_MM, _A4_MARGIN_MM, _A4_MARGIN_MM, _A4_MARGIN_MM),
            QPageLayout.Unit.Millimeter,
        )
    height_mm = document.pageSize().height() / _MM_TO_PX + 2 * _ROLL_MARGIN_MM
    size = QSizeF(paper.width_mm + 2 * _ROLL_MARGIN_MM, height_mm)
    return QPageLayout(
        QPageSize(size, QPageSize.Unit.Millimeter, paper.caption),
        QPageLayout.Orientation.Portrait,
        QMarginsF(_ROLL_MARGIN_MM, _ROLL_MARGIN_MM, _ROLL_MARGIN_MM, _ROLL_MARGIN_MM),
        QPageLayout.Unit.Millimeter,
    )


def save_receipt_pdf(document: QTextDocument, paper: Paper, path: Path, *, title: str) -> Path:
    target = Path(path)
    writer = QPdfWriter(str(target))
    writer.setTitle(title)
    writer.setCreator("pos-app")
    writer.setPageLayout(page_layout(document, paper))
    document.print_(writer)
    del writer
    return target
