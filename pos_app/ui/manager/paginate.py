"""Pages for the day report: a table that fits on one page is never split across two.

Qt's rich text has no `page-break-inside: avoid`, so the document is laid out on the page
it will be printed on (A4 less the margins, in the document's own units), and each table
that would straddle a page break but fits on a page gets a page break before its heading.
"""

from __future__ import annotations

from PySide6.QtCore import QSizeF
from PySide6.QtGui import QTextBlockFormat, QTextCursor, QTextDocument, QTextFormat, QTextTable

__all__ = ["A4_PRINTABLE", "keep_tables_whole"]

_PX_PER_MM = 96.0 / 25.4
A4_PRINTABLE = QSizeF((210 - 24) * _PX_PER_MM, (297 - 24) * _PX_PER_MM)  # 12 mm margins


def _tables(document: QTextDocument) -> list[QTextTable]:
    return [f for f in document.rootFrame().childFrames() if isinstance(f, QTextTable)]


def keep_tables_whole(document: QTextDocument, page: QSizeF = A4_PRINTABLE) -> int:
    """Paginate `document` on `page`; returns how many page breaks were added."""
    document.setPageSize(page)
    height = page.height()
    added = 0
    for _round in range(64):  # each pass moves one table; a report has a handful
        layout = document.documentLayout()
        moved = False
        for table in _tables(document):
            box = layout.frameBoundingRect(table)
            first_page = int(box.top() // height)
            last_page = int((box.bottom() - 1) // height)
            if first_page == last_page or box.height() > height:
                continue  # already whole, or too long for any page: let it flow
            table_format = table.format()
            if table_format.pageBreakPolicy() & QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore:
                continue  # already starts a page
            # The heading goes with its table: break before the heading's block.
            cursor = QTextCursor(document)
            cursor.setPosition(table.firstPosition() - 1)  # the block just before the table
            fmt = QTextBlockFormat()
            fmt.setPageBreakPolicy(QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore)
            cursor.mergeBlockFormat(fmt)
            table_format.setPageBreakPolicy(QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore)
            laid = layout.frameBoundingRect(table)
            if int(laid.top() // height) == int((laid.bottom() - 1) // height):
                table_format.setPageBreakPolicy(QTextFormat.PageBreakFlag.PageBreak_Auto)
            table.setFormat(table_format)
            added += 1
            moved = True
            break
        if not moved:
            break
    return added
