"""Journal benchmark (a script, not a test).

Builds a journal of 1,000,000 sales over ~200 days (bulk insert for the set-up), then times
what the till does every day:

* a day's report: ``day_totals`` + ``sales_between`` for one day, on the read-only reader
  (target: <= 100 ms);
* recording a state change: ``update_sale`` with its event, one transaction with
  synchronous=FULL (target: median <= 5 ms);
* and, for information, create_sale, last_paid, open_sales and sweep_candidates.

Run:  /work/.venv/bin/python tests/bench/bench_journal.py [--sales 1000000] [--days 200]
      [--dir PATH] [--keep]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pos_app.domain.money import Money
from pos_app.domain.sale import Method, Sale, SaleStatus
from pos_app.store.codec import SALE_COLUMNS, sale_to_row
from pos_app.store.journal import Journal

FIRST_DAY = datetime(2026, 1, 1, tzinfo=UTC)
STATUS_WEIGHTS = [
    (SaleStatus.PAID, 82),
    (SaleStatus.EXPIRED, 8),
    (SaleStatus.CANCELLED, 7),
    (SaleStatus.FAILED, 3),
]  # old sales are all settled; the open ones are the fresh sales made during the run
GROUPS = ["upi", "upi", "upi", "credit_card", "debit_card", "wallet", "net_banking"]


def build(path: Path, sales: int, days: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    statuses = [s for s, w in STATUS_WEIGHTS for _ in range(w)]
    span_ms = days * 86_400_000
    with Journal.open(path) as journal:
        conn = journal._conn  # bulk set-up only; the timed part uses the public API
        assert conn is not None
        columns = ", ".join(SALE_COLUMNS)
        marks = ", ".join("?" for _ in SALE_COLUMNS)
        insert_sale = f"INSERT INTO sales ({columns}) VALUES ({marks})"
        insert_event = (
            "INSERT INTO sale_events (order_id, at, kind, status, detail) VALUES (?, ?, ?, ?, ?)"
        )
        insert_refund = (
            "INSERT INTO refunds (refund_id, order_id, amount_paise, status, idempotency_key,"
            " reason, cf_refund_id, arn, status_description, created_at, updated_at)"
            " VALUES (?, ?, ?, 'SUCCESS', ?, NULL, NULL, NULL, NULL, ?, ?)"
        )
        batch = 50_000
        began = time.perf_counter()
        for first in range(0, sales, batch):
            rows, events, refunds = [], [], []
            for n in range(first, min(first + batch, sales)):
                # spread evenly over the days, random within the day
                created_ms = (n * span_ms) // sales + rng.randrange(0, 60_000)
                created = FIRST_DAY + timedelta(milliseconds=created_ms)
                status = rng.choice(statuses)
                paid = status is SaleStatus.PAID
                sale = Sale(
                    order_id=f"T{n % 3 + 1}-{n:08d}",
                    terminal_id=f"T{n % 3 + 1}",
                    environment="production",
                    amount=Money(rng.randrange(100, 2_000_00)),
                    method=rng.choice((Method.UPI_QR, Method.UPI_QR, Method.LINK)),
                    status=status,
                    idempotency_key=f"k{n}",
                    created_at=created,
                    updated_at=created + timedelta(seconds=40),
                    bill_number=f"B{n}" if n % 2 else None,
                    customer_phone=f"9{n % 1_000_000_000:09d}" if n % 5 == 0 else None,
                    cf_order_id=f"cf{n}",
                    bank_reference=f"UTR{n:012d}" if paid else None,
                    payment_group=rng.choice(GROUPS) if paid else None,
                    paid_at=created + timedelta(seconds=30) if paid else None,
                    cf_payment_id=f"p{n}" if paid else None,
                )
                row = sale_to_row(sale)
                rows.append(tuple(row.values()))
                events.append((sale.order_id, row["created_at"], "created", "CREATED", "{}"))
                events.append((sale.order_id, row["updated_at"], "status", status.value, "{}"))
                if paid and n % 50 == 0:
                    at = row["updated_at"]
                    refunds.append((f"R{n}", sale.order_id, sale.amount.paise, f"rk{n}", at, at))
            conn.execute("BEGIN")
            conn.executemany(insert_sale, rows)
            conn.executemany(insert_event, events)
            conn.executemany(insert_refund, refunds)
            conn.execute("COMMIT")
        conn.execute("ANALYZE")
        print(f"built {sales:,} sales in {time.perf_counter() - began:.1f} s -> {path}")


def timed(runs: int, action: Callable[[int], object]) -> list[float]:
    samples = []
    for i in range(runs):
        began = time.perf_counter()
        action(i)
        samples.append((time.perf_counter() - began) * 1000)
    return samples


def show(label: str, samples: list[float], target: str = "") -> None:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    print(
        f"{label:<42} median {statistics.median(samples):8.2f} ms   p95 {p95:8.2f} ms"
        f"   max {ordered[-1]:8.2f} ms   (n={len(samples)}){'   target ' + target if target else ''}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sales", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=200)
    parser.add_argument("--dir", type=Path, default=None, help="where to build (default: temp)")
    parser.add_argument("--keep", action="store_true", help="keep and reuse the built journal")
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()

    folder = args.dir or Path(tempfile.mkdtemp(prefix="bench-journal-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"journal-bench-{args.sales}.sqlite3"
    if not path.exists():
        build(path, args.sales, args.days)
    size = path.stat().st_size / 1e6
    print(f"journal file {size:.0f} MB")

    rng = random.Random(1)
    now = FIRST_DAY + timedelta(days=args.days)
    with Journal.open(path, clock=lambda: datetime.now(UTC)) as journal:
        with journal.reader() as reader:
            rows_per_day = []

            def report(i: int, terminal: str | None = None) -> None:
                day = FIRST_DAY + timedelta(days=rng.randrange(args.days))
                end = day + timedelta(days=1)
                with reader.snapshot():
                    reader.day_totals(day, end, terminal)
                    rows = reader.sales_between(day, end, terminal_id=terminal)
                rows_per_day.append(len(rows))

            report(0)  # warm the cache once, as a till that has been running would be
            show("day report (totals + list, all tills)", timed(args.runs, report), "<= 100 ms")
            print(f"  ({statistics.median(rows_per_day):.0f} sales in a day's list)")
            show(
                "day report (one till)",
                timed(args.runs, lambda i: report(i, "T2")),
                "<= 100 ms",
            )
            show(
                "day totals only",
                timed(
                    args.runs,
                    lambda i: reader.day_totals(
                        FIRST_DAY + timedelta(days=i % args.days),
                        FIRST_DAY + timedelta(days=i % args.days + 1),
                    ),
                ),
            )
            show(
                "search a UTR within a day",
                timed(
                    args.runs,
                    lambda i: reader.sales_between(
                        FIRST_DAY + timedelta(days=100),
                        FIRST_DAY + timedelta(days=101),
                        search="UTR0000004",
                    ),
                ),
            )

        # Fresh sales "today", then state changes on them (each one transaction + fsync).
        stamp = int(time.time() * 1000)
        fresh = []
        created = []
        for i in range(args.runs * 4):
            at = datetime.now(UTC)
            sale = Sale(
                order_id=f"BENCH-{stamp}-{i}",
                terminal_id="T1",
                environment="production",
                amount=Money(10_000 + i),
                method=Method.UPI_QR,
                status=SaleStatus.CREATED,
                idempotency_key=f"bench-{stamp}-{i}",
                created_at=at,
                updated_at=at,
            )
            began = time.perf_counter()
            journal.create_sale(sale)
            created.append((time.perf_counter() - began) * 1000)
            fresh.append(sale.order_id)
        show("create_sale (+ created event)", created)

        flips = {
            SaleStatus.CREATED: SaleStatus.AWAITING_PAYMENT,
            SaleStatus.AWAITING_PAYMENT: SaleStatus.UNCERTAIN,
            SaleStatus.UNCERTAIN: SaleStatus.AWAITING_PAYMENT,
        }
        state = dict.fromkeys(fresh, SaleStatus.CREATED)

        def change(i: int) -> None:
            order_id = fresh[i % len(fresh)]
            new = flips[state[order_id]]
            journal.update_sale(
                order_id, event="status", detail={"n": i}, status=new, note=f"step {i}"
            )
            state[order_id] = new

        show("update_sale (status + event)", timed(args.runs * 8, change), "median <= 5 ms")
        show(
            "last_paid (duplicate guard)",
            timed(
                args.runs,
                lambda i: journal.last_paid("T2", Money(50_000 + i), now - timedelta(days=30)),
            ),
        )
        show("open_sales", timed(args.runs, lambda i: journal.open_sales("T1")))
        show(
            "sweep_candidates (last 24 h)",
            timed(args.runs, lambda i: journal.sweep_candidates(now - timedelta(hours=24))),
        )
        print(f"journal: {path}")
    if not args.keep and args.dir is None:
        for leftover in folder.glob("*"):
            leftover.unlink()
        folder.rmdir()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
