"""How long the demo's pretend Cashfree takes to save its ledger (a script, not a test).

    python tests/bench/bench_demo_state.py [--orders 100,1000,5000] [--runs 7]

Fills a simulator with N paid orders (one payment each, every tenth refunded) and times
SimulatorStore.save (snapshot + JSON + atomic write) and a cold load, printing medians:
the first save encodes every record; later saves re-encode only records that changed
(here: none, as after a read), which is what the demo pays per sale step, in the
background saver thread.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from pos_app.simulator import Simulator
from pos_app.simulator.persist import STATE_FILE, SimulatorStore, open_demo_simulator
from pos_app.simulator.wire import SimRequest

AUTH = {
    "x-client-id": "SIM-APP-ID",
    "x-client-secret": "sim-secret-not-real",
    "x-api-version": "2025-01-01",
    "content-type": "application/json",
}


def fill(sim: Simulator, orders: int) -> None:
    import json

    for n in range(orders):
        body = {
            "order_id": f"B-{n}",
            "order_amount": 100 + n % 900,
            "order_currency": "INR",
            "customer_details": {"customer_id": "cust1", "customer_phone": "9876543210"},
        }
        sim.handle(SimRequest.build("POST", "/pg/orders", headers=AUTH.items(), body=json.dumps(body).encode()))
        sim.customer_pays(f"B-{n}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", default="100,1000,5000")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    for count in (int(x) for x in args.orders.split(",")):
        folder = Path(tempfile.mkdtemp(prefix="pos-simstate-"))
        sim = Simulator(rate_limits=None)
        fill(sim, count)
        store = SimulatorStore(folder / STATE_FILE)
        saves, loads = [], []
        started = time.perf_counter()
        store.save(sim)
        first = time.perf_counter() - started
        for _ in range(args.runs):
            started = time.perf_counter()
            store.save(sim)
            saves.append(time.perf_counter() - started)
            started = time.perf_counter()
            open_demo_simulator(folder)
            loads.append(time.perf_counter() - started)
        size = (folder / STATE_FILE).stat().st_size
        print(
            f"{count:>6} orders: first save {first * 1000:7.1f} ms, "
            f"later saves median {statistics.median(saves) * 1000:7.1f} ms, "
            f"load median {statistics.median(loads) * 1000:7.1f} ms, file {size / 1024:8.1f} KiB"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
