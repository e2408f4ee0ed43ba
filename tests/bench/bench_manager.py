"""Manager's console benchmark (a script, not a test).

Builds a journal with 100,000 sales in one day (plus 5 other days of 20,000, so the day is
found through the index, not by reading the whole table), with every status, late payments,
duplicate overrides and refunds; then times:

* day end for that day: `build_day_report` (totals, 24 hours, exceptions) on a read-only
  reader, warm, one thread (target: <= 200 ms); and as the desk runs it
  (`build_day_report_stepwise`: 3-hour slices, the event loop turning in between), with
  its longest step;
* the first paint of the transactions view listing the 100,000 sales, offscreen: building
  the view, loading the list and painting the table once (target: <= 300 ms);
* and, for information, jumping to the last row, a filter change, the table model's memory.

Run:  QT_QPA_PLATFORM=offscreen /work/.venv/bin/python tests/bench/bench_manager.py
      [--sales 100000] [--runs 9] [--dir PATH]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pos_app.domain.money import Money
from pos_app.domain.sale import Method, Sale, SaleStatus
from pos_app.services.reporting.day_end import build_day_report, build_day_report_stepwise
from pos_app.services.reporting.queries import ReportReader, SalesFilter
from pos_app.store.codec import SALE_COLUMNS, sale_to_row
from pos_app.store.journal import Journal

IST = timezone(timedelta(hours=5, minutes=30))
DAY = datetime(2026, 11, 25, 18, 30, tzinfo=UTC)  # 26 Nov 2026 00:00 IST
STATUSES = (
    [SaleStatus.PAID] * 800
    + [SaleStatus.EXPIRED] * 90
    + [SaleStatus.CANCELLED] * 75
    + [SaleStatus.FAILED] * 31
    + [SaleStatus.UNCERTAIN] * 2
    + [SaleStatus.AWAITING_PAYMENT] * 2
)  # a busy day: ~400 sales still open or unconfirmed at day end
GROUPS = ["upi"] * 6 + ["credit_card", "debit_card", "net_banking", "wallet"]


def build(path: Path, sales: int, seed: int = 3) -> None:
    rng = random.Random(seed)
    days = [(DAY - timedelta(days=d), sales // 5) for d in range(5, 0, -1)] + [(DAY, sales)]
    with Journal.open(path) as journal:
        conn = journal._conn  # bulk set-up only; the timed part uses the public API
        assert conn is not None
        insert_sale = (
            f"INSERT INTO sales ({', '.join(SALE_COLUMNS)})"
            f" VALUES ({', '.join('?' for _ in SALE_COLUMNS)})"
        )
        insert_refund = (
            "INSERT INTO refunds (refund_id, order_id, amount_paise, status, idempotency_key,"
            " reason, cf_refund_id, arn, status_description, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, NULL, NULL, NULL, NULL, ?, ?)"
        )
        began = time.perf_counter()
        serial = 0
        for first, count in days:
            rows, refunds = [], []
            # A till journals its sales as they happen: in time order.
            moments = sorted(rng.randrange(0, 86_400_000) for _ in range(count))
            for offset in moments:
                serial += 1
                created = first + timedelta(milliseconds=offset)
                status = rng.choice(STATUSES)
                paid = status is SaleStatus.PAID
                sale = Sale(
                    order_id=f"T{serial % 3 + 1}-{serial:08d}",
                    terminal_id=f"T{serial % 3 + 1}",
                    environment="production",
                    amount=Money(rng.randrange(100, 5_000_00)),
                    method=rng.choice(list(Method)),
                    status=status,
                    idempotency_key=f"k{serial}",
                    created_at=created,
                    updated_at=created + timedelta(seconds=40),
                    bill_number=f"B{serial}" if serial % 2 else None,
                    customer_phone=f"9{serial % 10**9:09d}" if serial % 5 == 0 else None,
                    bank_reference=f"UTR{serial:012d}" if paid else None,
                    payment_group=rng.choice(GROUPS) if paid else None,
                    paid_at=created + timedelta(seconds=30) if paid else None,
                    cf_payment_id=f"p{serial}" if paid else None,
                    late=paid and serial % 997 == 0,
                    duplicate_override=paid and serial % 1499 == 0,
                )
                row = sale_to_row(sale)
                rows.append(tuple(row.values()))
                if paid and serial % 40 == 0:
                    at = row["updated_at"] + 600_000
                    state = "SUCCESS" if serial % 200 else "PENDING"
                    amount = sale.amount.paise // (1 if serial % 80 else 2)
                    refunds.append(
                        (f"RF{serial}", sale.order_id, amount, state, f"rk{serial}", at, at)
                    )
            conn.execute("BEGIN")
            conn.executemany(insert_sale, rows)
            conn.executemany(insert_refund, refunds)
            conn.execute("COMMIT")
        conn.execute("ANALYZE")
        print(f"built {serial:,} sales in {time.perf_counter() - began:.1f} s -> {path}")


def timed(runs: int, action: Callable[[], object]) -> list[float]:
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        action()
        samples.append((time.perf_counter() - began) * 1000)
    return samples


def show(label: str, samples: list[float], target: str = "") -> None:
    ordered = sorted(samples)
    print(
        f"{label:<46} median {statistics.median(samples):7.1f} ms   min {ordered[0]:7.1f} ms"
        f"   max {ordered[-1]:7.1f} ms   (n={len(samples)})"
        f"{'   target ' + target if target else ''}"
    )


def first_paint(reader: ReportReader) -> tuple[float, int]:
    """Build the transactions view, load the day, show it: ms until the table has painted."""
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication

    from pos_app.ui.manager.transactions import TransactionsView

    app = QApplication.instance()
    assert app is not None
    painted: list[float] = []

    class Watch(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and not painted:
                painted.append(time.perf_counter())
            return False

    watch = Watch()
    began = time.perf_counter()
    view = TransactionsView(reader, DAY.astimezone(IST).date(), IST)
    view.table.viewport().installEventFilter(watch)
    rows = view.load()
    view.resize(1280, 800)
    view.show()
    while not painted and time.perf_counter() - began < 10:
        app.processEvents()
    elapsed = (painted[0] - began) * 1000
    view.table.viewport().removeEventFilter(watch)
    view.close()
    view.deleteLater()
    app.processEvents()
    return elapsed, rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sales", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()

    folder = args.dir or Path(tempfile.mkdtemp(prefix="bench-manager-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"journal-manager-{args.sales}.sqlite3"
    if not path.exists():
        build(path, args.sales)
    print(f"journal file {path.stat().st_size / 1e6:.0f} MB; {os.cpu_count()} CPUs")
    end = DAY + timedelta(days=1)

    with Journal.open(path) as journal, ReportReader.beside(journal) as reader:
        report = build_day_report(reader, DAY, end, zone=IST)  # warm the cache once
        print(
            f"  the day: {sum(t.count for t in report.totals.by_status.values()):,} sales,"
            f" {report.collected.count:,} paid ({report.collected.amount.format()}),"
            f" refunded {report.refunded.amount.format()}, net {report.net.format()},"
            f" {len(report.exceptions):,} exceptions listed"
            f" (+{report.exceptions_left_out:,} more)"
        )
        assert report.totals == journal.day_totals(DAY, end), "day end disagrees with the journal"
        show(
            "day end, 100,000 sales (all tills)",
            timed(args.runs, lambda: build_day_report(reader, DAY, end, zone=IST)),
            "<= 200 ms",
        )
        steps: list[float] = []

        def stepwise() -> None:
            """As the desk runs it: slices with the event loop turning in between."""
            coroutine = build_day_report_stepwise(reader, DAY, end, zone=IST)
            while True:
                began = time.perf_counter()
                try:
                    coroutine.send(None)
                except StopIteration:
                    steps.append((time.perf_counter() - began) * 1000)
                    return
                steps.append((time.perf_counter() - began) * 1000)

        show("day end as the desk reads it (3-hour slices)", timed(args.runs, stepwise))
        print(f"  longest step without the event loop turning: {max(steps):.1f} ms")
        show(
            "day end, one till",
            timed(
                args.runs, lambda: build_day_report(reader, DAY, end, zone=IST, terminal_id="T2")
            ),
        )
        show(
            "list ids for the day (newest first)",
            timed(args.runs, lambda: reader.sale_ids(SalesFilter(DAY, end))),
        )
        show(
            "list ids, paid only, search '00042'",
            timed(
                args.runs,
                lambda: reader.sale_ids(
                    SalesFilter(DAY, end, statuses=frozenset({SaleStatus.PAID}), search="00042")
                ),
            ),
        )

        from PySide6.QtWidgets import QApplication

        app = QApplication(sys.argv[:1])
        cold, rows = first_paint(reader)
        warm = [first_paint(reader)[0] for _ in range(args.runs)]
        print(f"  transactions view lists {rows:,} sales")
        show("first paint of the transactions view (cold)", [cold], "<= 300 ms")
        show("first paint of the transactions view (warm)", warm, "<= 300 ms")

        from pos_app.ui.manager.transactions import TransactionsView

        view = TransactionsView(reader, DAY.astimezone(IST).date(), IST)
        view.load()
        view.resize(1280, 800)
        view.show()
        app.processEvents()

        def jump_to_end() -> None:
            view.table.scrollToBottom()
            view.table.viewport().repaint()

        show("jump to the last row and paint", timed(args.runs, jump_to_end))
        show(
            "filter change (paid only) and paint",
            timed(
                3,
                lambda: (
                    view.filters.choose_status(frozenset({SaleStatus.PAID})),
                    view.table.viewport().repaint(),
                    view.filters.choose_status(None),
                ),
            ),
        )
        jump_to_end()
        print(f"  rows held by the model: {view.model.cached_blocks} block(s) of 256 sales")
        view.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
