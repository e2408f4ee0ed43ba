"""Store-database benchmarks (a script, not a test): `python tests/bench/bench_store.py`.

Starts its own PostgreSQL (tests/pg_server.py, as the tests do) and measures, in real time:

1. PAID shown after the simulator's payment, push vs polling, in one run: the customer
   pays 0.2-3 s after the QR is shown; push = webhook -> receiver -> NOTIFY -> the till
   checks now (its polling slowed to the 10 s backstop); polling = the default adaptive
   schedule (1.6 s at the counter) and no push. Median and p95.
2. Get Order calls per till per minute with push healthy (one sale left open for --hold s)
   against polling without push.
3. Sync throughput (events/s) and the time for a till to catch up 10,000 events.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pg_server import start_server  # noqa: E402
from store_db.kit import Clock, open_till  # noqa: E402
from store_db.push_kit import make_push_till, start_receiver, start_sender  # noqa: E402

from pos_app.simulator import Simulator  # noqa: E402
from pos_app.store_db.connect import connect  # noqa: E402
from pos_app.store_db.schema import migrate  # noqa: E402


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


async def prepare(url: str) -> None:
    conn = await connect(url)
    await migrate(conn)
    await conn.close()


async def paid_latency(url: str | None, sales: int, tmp: Path, seed: int) -> list[float]:
    sim = Simulator(rate_limits=None)
    receiver = sender = None
    if url:
        receiver, hook = await start_receiver(url, heartbeat=5.0)
        sender = start_sender(sim, hook)
    # Production's rate budget: many sales in a row by one till would drain sandbox's.
    till = make_push_till(tmp / ("push" if url else "poll"), sim, url, budget="production")
    rng = random.Random(seed)
    out: list[float] = []
    try:
        if till.listener:
            while not till.listener.healthy():
                await asyncio.sleep(0.05)
        for _ in range(sales):
            order_id, sale = await till.sale_until_awaiting(100 + rng.randint(1, 500))
            await asyncio.sleep(rng.uniform(0.2, 3.0))
            paid = time.monotonic()
            sim.customer_pays(order_id)
            await asyncio.wait_for(sale, 30)
            out.append(time.monotonic() - paid)
    finally:
        if sender:
            sender.stop()
        await till.close()
        if receiver:
            await receiver.aclose()
    return out


async def calls_per_minute(url: str | None, hold: float, tmp: Path) -> float:
    sim = Simulator(rate_limits=None)
    receiver = None
    if url:
        receiver, _ = await start_receiver(url, heartbeat=5.0)
    till = make_push_till(tmp / ("hold-push" if url else "hold-poll"), sim, url)
    try:
        if till.listener:
            while not till.listener.healthy():
                await asyncio.sleep(0.05)
        order_id, sale = await till.sale_until_awaiting(250)
        start = time.monotonic()
        await asyncio.sleep(hold)
        reads = till.transport.get_orders(start)
        await till.checkout.cancel(order_id)
        await asyncio.wait_for(sale, 30)
    finally:
        await till.close()
        if receiver:
            await receiver.aclose()
    return reads * 60.0 / hold


async def sync_speed(url: str, events: int, batch: int, tmp: Path) -> tuple[float, float]:
    till = open_till(tmp / f"sync-{batch}", f"S{batch}", url, Clock())
    sales = events // 3
    for _ in range(sales):
        till.sell(1_000)
    total = sales * 3
    sync = till.syncer(batch_size=batch)
    start = time.perf_counter()
    report = await sync.sync_once()
    took = time.perf_counter() - start
    assert report.pushed == total and report.waiting == 0
    await sync.aclose()
    till.journal.close()
    return took, total / took


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sales", type=int, default=20)
    parser.add_argument("--hold", type=float, default=60.0)
    parser.add_argument("--events", type=int, default=10_002)
    args = parser.parse_args()
    server = start_server()
    try:
        import psycopg

        with psycopg.connect(server.url(), autocommit=True) as conn:
            conn.execute("CREATE DATABASE bench")
        url = server.url("bench")
        await prepare(url)
        with tempfile.TemporaryDirectory() as folder:
            tmp = Path(folder)
            print(f"1. PAID shown after payment ({args.sales} sales each, real time)")
            push = await paid_latency(url, args.sales, tmp, 1)
            poll = await paid_latency(None, args.sales, tmp, 1)
            for name, values in (("push (webhook)", push), ("polling (adaptive)", poll)):
                print(
                    f"   {name:<20} median {statistics.median(values):.3f} s"
                    f"  p95 {pct(values, 0.95):.3f} s  max {max(values):.3f} s"
                )
            print(f"2. Get Order calls per till per minute, one sale open {args.hold:.0f} s")
            print(f"   push healthy         {await calls_per_minute(url, args.hold, tmp):.1f}")
            print(f"   polling, no push     {await calls_per_minute(None, args.hold, tmp):.1f}")
            print(f"3. Sync of {args.events} events to the store database")
            for batch in (100, 500, 2000):
                took, rate = await sync_speed(url, args.events, batch, tmp)
                print(f"   batch {batch:>5}: catch-up {took:.2f} s, {rate:,.0f} events/s")
    finally:
        server.stop()


if __name__ == "__main__":
    asyncio.run(main())
