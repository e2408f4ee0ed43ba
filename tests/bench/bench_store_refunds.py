"""Store-database benchmarks for refunds across tills and payment links by push (a script,
not a test): `python tests/bench/bench_store_refunds.py [--refunds N] [--links N]`.

Starts its own PostgreSQL (tests/pg_server.py) and the simulator, in real time:

1. A refund made at till T2 for a sale of till T1 (reserve in the store database with the
   sale's row locked, journal at T2, Create Refund, settle): seconds per refund, median
   and p95; then the time for T2's outbox to push those refund rows.
2. A payment link paid by the customer: PAID shown with push (webhook -> receiver ->
   NOTIFY -> the till wakes the link's sale), polling slowed to the backstop. Median, p95.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pg_server import start_server  # noqa: E402
from store_db.push_kit import make_push_till, start_receiver, start_sender  # noqa: E402

from pos_app.domain.money import Money  # noqa: E402
from pos_app.domain.sale import Method, SaleStatus  # noqa: E402
from pos_app.services.checkout.state import ChargeRequest, SaleState  # noqa: E402
from pos_app.services.refunds.at_other_till import OtherTillRefunds  # noqa: E402
from pos_app.services.store_sync.sync import StoreSync  # noqa: E402
from pos_app.simulator import Simulator  # noqa: E402
from pos_app.store_db.connect import connect  # noqa: E402
from pos_app.store_db.push import TillKey  # noqa: E402
from pos_app.store_db.schema import migrate  # noqa: E402


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def now() -> datetime:
    return datetime.now(UTC)


def line(name: str, values: list[float]) -> str:
    return (
        f"   {name:<24} median {statistics.median(values):.3f} s  p95 {pct(values, 0.95):.3f} s"
        f"  max {max(values):.3f} s  (n={len(values)})"
    )


async def refunds_across_tills(url: str, count: int, tmp: Path) -> tuple[list[float], float]:
    sim = Simulator(rate_limits=None)
    t1 = make_push_till(tmp / "r1", sim, None, till_id="T1", budget="production")
    t2 = make_push_till(tmp / "r2", sim, None, till_id="T2", budget="production")
    sync1 = StoreSync(t1.journal, TillKey("shop", "T1", "demo"), lambda: connect(url), clock=now)
    sync2 = StoreSync(t2.journal, TillKey("shop", "T2", "demo"), lambda: connect(url), clock=now)
    refunds = OtherTillRefunds(
        t2.deps.gateway, t2.journal, lambda: connect(url), TillKey("shop", "T2", "demo"), clock=now
    )
    took: list[float] = []
    try:
        orders = []
        for n in range(count):  # different amounts: the same one again is a duplicate charge
            order_id, sale = await t1.sale_until_awaiting(500 + n)
            sim.customer_pays(order_id)
            t1.checkout.check_now(order_id)
            assert (await asyncio.wait_for(sale, 30)).status is SaleStatus.PAID
            orders.append(order_id)
        await sync1.sync_once()
        for order_id in orders:
            start = time.perf_counter()
            await refunds.refund(order_id, Money.rupees(120), "SUCCESS")
            took.append(time.perf_counter() - start)
        start = time.perf_counter()
        report = await sync2.sync_once()
        pushed = time.perf_counter() - start
        assert report.refunds == count, report
    finally:
        for s in (sync1, sync2):
            await s.aclose()
        for till in (t1, t2):
            await till.close()
    return took, pushed


async def links_by_push(url: str, count: int, tmp: Path, seed: int) -> list[float]:
    from pos_app.services.checkout.schedule import PollSchedule

    sim = Simulator(rate_limits=None)
    receiver, hook = await start_receiver(url, heartbeat=5.0)
    sender = start_sender(sim, hook)
    till = make_push_till(tmp / "links", sim, url, budget="production", schedule=PollSchedule())
    rng = random.Random(seed)
    out: list[float] = []
    try:
        assert till.listener is not None
        while not till.listener.healthy():
            await asyncio.sleep(0.05)
        for _ in range(count):
            stream = till.checkout.start(
                ChargeRequest(amount=Money.rupees(100 + rng.randint(1, 500)), method=Method.LINK)
            )
            waiting: asyncio.Future[SaleState] = asyncio.get_running_loop().create_future()

            async def drive(
                stream: object = stream, waiting: asyncio.Future[SaleState] = waiting
            ) -> SaleState:
                last = None
                async for state in stream:  # type: ignore[attr-defined]
                    last = state
                    if state.status is SaleStatus.AWAITING_PAYMENT and not waiting.done():
                        waiting.set_result(state)
                assert last is not None
                return last

            sale = asyncio.create_task(drive())
            state = await asyncio.wait_for(waiting, 10)
            stored = till.journal.get_sale(state.order_id)
            assert stored is not None and stored.link_id
            await asyncio.sleep(rng.uniform(0.2, 3.0))
            paid = time.monotonic()
            sim.link_customer_pays(stored.link_id)
            final = await asyncio.wait_for(sale, 30)
            assert final.status is SaleStatus.PAID
            out.append(time.monotonic() - paid)
    finally:
        sender.stop()
        await till.close()
        await receiver.aclose()
    return out


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--refunds", type=int, default=30)
    parser.add_argument("--links", type=int, default=15)
    args = parser.parse_args()
    server = start_server()
    try:
        import psycopg

        with psycopg.connect(server.url(), autocommit=True) as conn:
            conn.execute("CREATE DATABASE bench_refunds")
        url = server.url("bench_refunds")
        conn2 = await connect(url)
        await migrate(conn2)
        await conn2.close()
        with tempfile.TemporaryDirectory() as folder:
            tmp = Path(folder)
            print(f"1. Refunds of another till's sales ({args.refunds}, real time)")
            took, pushed = await refunds_across_tills(url, args.refunds, tmp)
            print(line("one refund, end to end", took))
            print(f"   outbox push of {args.refunds} refund rows: {pushed:.3f} s")
            print(f"2. Payment links: PAID shown after payment ({args.links}, push healthy)")
            print(line("link paid, push", await links_by_push(url, args.links, tmp, 1)))
    finally:
        server.stop()


if __name__ == "__main__":
    asyncio.run(main())
