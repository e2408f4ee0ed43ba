"""Two processes of one till share one rate budget (a script, not a test).

    python tests/bench/bench_two_processes.py [--seconds 130] [--compare]

Starts `pos-app gateway-sim` on loopback, then, for each phase, two real processes of
one till (one data folder, environment demo over loopback, so the runtime wires the
till's shared rate budget exactly as for sandbox/production). Each process builds its
runtime with `pos_app.app.open_runtime`, opens two orders and follows both as the poller
does (a Get Order every 1.6 s per sale): process A at the counter (foreground), process B
in the background. Together they ask for ~150 Get Order calls a minute; the till's budget
allows 40. Calls are counted where Cashfree counts them: at the simulator
(GET /_sim/calls), retries of failed calls included.

Phases: no faults; faults (20% answered 500, 10% connections dropped after processing);
with --compare also the old per-process budgets (POS_BENCH_OWN_BUDGET=1), for contrast.
Prints, per phase, the Get Order calls in each whole minute, the most in any sliding
60 s window, and what each process got.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from tests.proc_kit import running_simulator, till_env  # noqa: E402

POLL_EVERY = 1.6  # the till's fast poll interval (Settings.poll_fast_interval)
SALES_PER_PROCESS = 2
LIMIT = 40


# ---- one process of the till ---------------------------------------------------------------
async def worker(seconds: float, role: str) -> dict[str, object]:
    from pos_app.app import open_runtime
    from pos_app.domain.money import Money
    from pos_app.gateway.base import Customer, NewOrder
    from pos_app.gateway.errors import GatewayError
    from pos_app.gateway.retry import RateBudget

    runtime = open_runtime("demo")
    gateway = runtime.gateway
    if os.environ.get("POS_BENCH_OWN_BUDGET") == "1":  # the old way: a budget per process
        gateway._budget = RateBudget.for_environment("demo")
    budget_kind = type(gateway._budget).__name__
    orders = []
    for n in range(SALES_PER_PROCESS):
        order_id = f"B{role}{os.getpid()}x{n}"
        await gateway.create_order(
            NewOrder(order_id, Money(1000 + n), Customer("bench1", "9999999999")),
            idempotency_key=f"k-{order_id}",
        )
        orders.append(order_id)
    poller = gateway.background() if role == "background" else gateway
    end = time.monotonic() + seconds
    gaps: list[float] = []
    counts = {"polls": 0, "errors": 0}

    async def follow(order_id: str) -> None:
        last = None
        while time.monotonic() < end:
            started = time.monotonic()
            try:
                await poller.get_order(order_id)
            except GatewayError:
                counts["errors"] += 1
            now = time.monotonic()
            if last is not None:
                gaps.append(now - last)
            last = now
            counts["polls"] += 1
            await asyncio.sleep(max(0.0, POLL_EVERY - (time.monotonic() - started)))

    async def follow_all() -> None:
        await asyncio.gather(*(follow(o) for o in orders))

    try:
        # At the end, a call still waiting for the budget is given up (cancelled).
        await asyncio.wait_for(follow_all(), seconds + 2)
    except TimeoutError:
        pass
    finally:
        await runtime.aclose()
    return {
        "role": role,
        "budget": budget_kind,
        "polls": counts["polls"],
        "failed_after_retries": counts["errors"],
        "median_gap_s": round(statistics.median(gaps), 2) if gaps else None,
        "polls_per_sale_per_minute": round(counts["polls"] / SALES_PER_PROCESS / (seconds / 60), 1),
    }


# ---- the conductor -------------------------------------------------------------------------
def most_in_window(times: list[float], window: float = 60.0) -> int:
    most, first = 0, 0
    for last, at in enumerate(times):
        while at - times[first] >= window:
            first += 1
        most = max(most, last - first + 1)
    return most


def run_phase(name: str, url: str, seconds: float, faults: dict[str, float], own: bool) -> None:
    with httpx.Client(base_url=url, timeout=10) as control:
        control.post("/_sim/faults", json={"error_rate": 0.0, "drop_rate": 0.0, **faults})
    folder = Path(tempfile.mkdtemp(prefix="pos-bench-two-"))
    extra = {"POS_BENCH_OWN_BUDGET": "1"} if own else {}
    env = till_env(folder, url, PYTHONPATH=str(ROOT), **extra)
    started = time.time()
    procs = [
        subprocess.Popen(
            [sys.executable, __file__, "--worker", role, "--seconds", str(seconds)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for role in ("foreground", "background")
    ]
    reports = []
    for proc in procs:
        out, err = proc.communicate(timeout=seconds + 120)
        if proc.returncode != 0:
            raise SystemExit(f"worker failed ({proc.returncode}): {err[-2000:]}")
        reports.append(json.loads(out.strip().splitlines()[-1]))
    ended = time.time()
    with httpx.Client(base_url=url, timeout=10) as control:
        calls = control.get("/_sim/calls", params={"since": started}).json()["calls"]
        control.post("/_sim/faults", json={"error_rate": 0.0, "drop_rate": 0.0})
    gets = sorted(c["at"] for c in calls if c["operation"] == "get_order" and c["at"] <= ended)
    outcomes: dict[str, int] = {}
    for c in calls:
        if c["operation"] == "get_order":
            outcomes[c["outcome"]] = outcomes.get(c["outcome"], 0) + 1
    first = gets[0] if gets else started
    minutes = int((gets[-1] - first) // 60) if gets else 0
    per_minute = [sum(1 for t in gets if first + 60 * m <= t < first + 60 * (m + 1)) for m in range(minutes)]
    print(f"\n== {name} ({seconds:.0f} s, faults {faults or 'none'})")
    print(f"Get Order calls at the simulator: {len(gets)}  outcomes {outcomes}")
    print(f"  per whole minute: {per_minute}   median {statistics.median(per_minute) if per_minute else '-'}")
    print(f"  most in any sliding 60 s window: {most_in_window(gets)}  (till limit {LIMIT})")
    for report in reports:
        print(f"  process {report['role']:<10} budget {report['budget']:<16} polls {report['polls']:>4}"
              f"  failed after retries {report['failed_after_retries']:>3}"
              f"  polls a minute per sale {report['polls_per_sale_per_minute']}"
              f"  (median gap {report['median_gap_s']} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=130.0)
    parser.add_argument("--compare", action="store_true", help="also run per-process budgets")
    parser.add_argument("--worker", choices=("foreground", "background"))
    args = parser.parse_args()
    if args.worker:
        report = asyncio.run(worker(args.seconds, args.worker))
        print(json.dumps(report), flush=True)
        return
    with running_simulator() as url:
        run_phase("one till, two processes, shared budget", url, args.seconds, {}, own=False)
        run_phase(
            "same, with faults",
            url,
            args.seconds,
            {"error_rate": 0.2, "drop_rate": 0.1},
            own=False,
        )
        if args.compare:
            run_phase("contrast: a budget per process (before)", url, args.seconds, {}, own=True)


if __name__ == "__main__":
    main()
