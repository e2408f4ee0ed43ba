"""The reads of the day report and the manager's console, as the services offer them.

The SQL and the read-only `ReportReader` live in the store (store/report_sql.py,
store/report_reader.py); this module names them for the layers above the services (the
console may not import `store`). See ReportReader for what each read does.
"""

from __future__ import annotations

from pos_app.store.report_reader import ReportReader
from pos_app.store.report_sql import HOUR_MS, GroupRow, RefundGroupRow, SalesFilter
from pos_app.store.till_records import refunded_by_order

__all__ = [
    "HOUR_MS",
    "GroupRow",
    "RefundGroupRow",
    "ReportReader",
    "SalesFilter",
    "refunded_by_order",
]
