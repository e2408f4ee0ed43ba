"""Three-way day end benchmark (a script, not a test).

Makes a day of N paid sales that the journal and the in-process simulated Cashfree both
know (plus 1% Cashfree-only payments and 1% journal-only ones, so there are exceptions to
list), then times, warm, over several runs:

* `reconcile_day` end to end: every /recon page (1000 lines each) through the real
  CashfreeGateway and the simulator, the settlements, the journal side and the match
  (no rate budget here: this measures our work, not Cashfree's per-minute limit);
* `match_day` alone on the lines already read (the pure comparison).

The rate budget, not this work, bounds a real day end: at Cashfree's published 30 calls a
minute for settlements (our bucket keeps 22 and leaves 30% to the counter), N = 100,000
payments need 100 pages, about 5 minutes in the background.

Run:  /work/main/.venv/bin/python tests/bench/bench_recon.py [--sales 5000] [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import httpx

from pos_app.domain.money import Money
from pos_app.domain.sale import Method, Sale, SaleStatus
from pos_app.gateway.cashfree import CashfreeGateway
from pos_app.simulator import (
    SIM_CLIENT_ID,
    SIM_CLIENT_SECRET,
    SimRequest,
    Simulator,
    SimulatorTransport,
)
from pos_app.simulator.wire import dump_json
from pos_app.secrets import Secret
from pos_app.services.reporting.recon import fetch_day_events, reconcile_day
from pos_app.services.reporting.recon_match import match_day
from pos_app.services.reporting.queries import ReportReader
from pos_app.store.journal import Journal

IST = timezone(timedelta(hours=5, minutes=30))
DAY = datetime(2026, 11, 26, tzinfo=IST)
HEADERS = [
    ("x-client-id", SIM_CLIENT_ID),
    ("x-client-secret", SIM_CLIENT_SECRET),
    ("x-api-version", "2025-01-01"),
]


class Clock:
    def __init__(self) -> None:
        self.now = DAY.astimezone(UTC) + timedelta(hours=9)

    def __call__(self) -> datetime:
        return self.now


def _order(sim: Simulator, order_id: str, paise: int) -> None:
    body = {
        "order_id": order_id,
        "order_amount": paise / 100,
        "order_currency": "INR",
        "customer_details": {"customer_id": "bench1", "customer_phone": "9999999999"},
    }
    request = SimRequest.build("POST", "/pg/orders", headers=HEADERS, body=dump_json(body))
    assert sim.handle(request).status == 200
    sim.customer_pays(order_id)


def build(folder: Path, sales: int) -> tuple[Simulator, Journal, Clock]:
    clock = Clock()
    sim = Simulator(clock=clock, rate_limits=None, seed=3)
    journal = Journal.open(folder / "journal.sqlite3", clock=clock)
    for n in range(sales):
        order_id = f"T1-B-{n:06d}"
        paise = 1000 + (n * 37) % 500_000
        only = n % 100
        if only != 1:
            _order(sim, order_id, paise)
        if only != 0:
            now = clock()
            journal.create_sale(
                Sale(order_id, "T1", "demo", Money(paise), Method.UPI_QR,
                     SaleStatus.AWAITING_PAYMENT, f"k{n}", now, now)
            )
            found = sim.payments(order_id) if only != 1 else []
            journal.update_sale(
                order_id,
                event="paid",
                status=SaleStatus.PAID,
                paid_at=now,
                cf_payment_id=found[0]["cf_payment_id"] if found else f"X{n}",
            )
        clock.now += timedelta(seconds=max(1, 40_000 // max(sales, 1)))
    return sim, journal, clock


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sales", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        sim, journal, _clock = build(Path(tmp), args.sales)
        print(f"built {args.sales:,} sales in {time.perf_counter() - started:.1f} s")

        async def measure() -> None:
            async with httpx.AsyncClient(transport=SimulatorTransport(sim)) as client:
                gateway = CashfreeGateway(
                    client,
                    base_url="http://simulator.invalid/pg",
                    client_id=SIM_CLIENT_ID,
                    client_secret=Secret(SIM_CLIENT_SECRET),
                )
                reader = ReportReader.beside(journal)
                end = DAY + timedelta(days=1)
                full: list[float] = []
                pure: list[float] = []
                report = None
                for _ in range(args.runs):
                    t0 = time.perf_counter()
                    report = await reconcile_day(gateway, reader, DAY, end, zone=IST)
                    full.append(time.perf_counter() - t0)
                events = await fetch_day_events(gateway, DAY, end)
                sales = reader.sales_between(DAY, end)
                refunds = {s.order_id: [] for s in sales}
                for _ in range(args.runs):
                    t0 = time.perf_counter()
                    match_day(DAY, end, IST, events, sales, refunds, {})  # type: ignore[arg-type]
                    pure.append(time.perf_counter() - t0)
                reader.close()
                assert report is not None
                print(
                    f"lines read {report.events:,}; issues {len(report.issues):,}; "
                    f"matched {report.matched.count:,}"
                )
                print(
                    f"reconcile_day (all pages + journal + match): median "
                    f"{statistics.median(full) * 1000:.0f} ms over {args.runs} runs"
                )
                print(
                    f"match_day alone: median {statistics.median(pure) * 1000:.1f} ms "
                    f"over {args.runs} runs"
                )

        asyncio.run(measure())
        journal.close()


if __name__ == "__main__":
    main()
