"""Checkout benchmarks (a script, not a test): run `python tests/bench/bench_checkout.py`.

1. PAID detection. The simulated customer pays at a random moment within 2 minutes of the
   QR being shown; we measure (moment PAID is shown - moment paid) and Get Order calls per
   minute while waiting, for the till's adaptive schedule and for fixed 5 s and 10 s polling,
   side by side in one run. Time is virtual (a fake clock shared by the till and the
   simulator), so the numbers are the schedule's own, free of machine noise.
2. Overhead from start() to the state that shows the QR, in real time, against the
   in-process simulator with no added latency.
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

from till_fakes import FakeClock, make_till, qr_request  # noqa: E402

from pos_app.domain.sale import SaleStatus  # noqa: E402
from pos_app.services.checkout.schedule import PollSchedule  # noqa: E402

SCHEDULES = {
    "adaptive (default)": PollSchedule(),
    "fixed 5 s": PollSchedule(
        fast_interval=5, medium_interval=5, slow_interval=5, fast_for=0, medium_until=0
    ),
    "fixed 10 s": PollSchedule(
        fast_interval=10, medium_interval=10, slow_interval=10, fast_for=0, medium_until=0
    ),
}


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


async def one_detection(
    folder: Path, schedule: PollSchedule, pay_after: float
) -> tuple[float, float]:
    clock = FakeClock()
    till = make_till(folder, clock=clock)
    till.deps.schedule = schedule
    shown = await till.run(qr_request(100), until_awaiting=True)
    qr_at = clock.monotonic()
    till.sim.customer_pays(shown.order_id, after_seconds=pay_after)
    paid_at = qr_at + pay_after
    calls_before = till.transport.count("GET", f"/pg/orders/{shown.order_id}")
    async for state in till.stream:
        if state.status is SaleStatus.PAID:
            break
    shown_at = clock.monotonic()
    calls = till.transport.count("GET", f"/pg/orders/{shown.order_id}") - calls_before
    per_minute = calls / ((shown_at - qr_at) / 60.0) if shown_at > qr_at else 0.0
    await till.checkout.shutdown()
    await till.client.aclose()
    till.journal.close()
    return shown_at - paid_at, per_minute


async def detection(runs: int, seed: int) -> None:
    rng = random.Random(seed)
    moments = [rng.uniform(0.0, 120.0) for _ in range(runs)]
    print(
        f"PAID detection: {runs} sales, payment at uniform random moments in 0-120 s (seed {seed})"
    )
    print(f"{'schedule':<20} {'median s':>9} {'p95 s':>7} {'max s':>7} {'GetOrder/min':>13}")
    with tempfile.TemporaryDirectory() as tmp:
        for name, schedule in SCHEDULES.items():
            lags, rates = [], []
            for i, moment in enumerate(moments):
                folder = Path(tmp) / f"s{list(SCHEDULES).index(name)}-{i}"
                folder.mkdir()
                lag, rate = await one_detection(folder, schedule, moment)
                lags.append(lag)
                rates.append(rate)
            print(
                f"{name:<20} {statistics.median(lags):>9.2f} {pct(lags, 0.95):>7.2f} "
                f"{max(lags):>7.2f} {statistics.median(rates):>13.1f}"
            )


async def overhead(runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        till = make_till(Path(tmp))
        timings = []
        for i in range(runs + 5):
            started = time.perf_counter()
            shown = await till.run(qr_request(100 + i), until_awaiting=True)
            elapsed = time.perf_counter() - started
            if i >= 5:  # warm-up
                timings.append(elapsed * 1000)
            till.sim.customer_pays(shown.order_id)
            await till.finish()
        await till.checkout.shutdown()
        await till.client.aclose()
        till.journal.close()
    print(
        f"start -> QR shown (real time, in-process simulator, {runs} runs): "
        f"median {statistics.median(timings):.1f} ms, p95 {pct(timings, 0.95):.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    asyncio.run(detection(args.runs, args.seed))
    asyncio.run(overhead(min(args.runs, 100)))


if __name__ == "__main__":
    main()
