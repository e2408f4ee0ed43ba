"""Crash suite: `pos-app charge` killed with SIGKILL at random moments, then reconciled.

Runs the simulated Cashfree on loopback (`pos-app gateway-sim`), then N times: start a
charge, maybe have the customer pay at a random moment, kill -9 the charge at a random
moment (before the order, while the QR is up, around the payment), and at the end run
`pos-app reconcile` (twice: the second must change nothing). Then it compares the journal
with the simulator:

- lost: a payment the simulator took that the journal does not show as PAID;
- duplicate orders: more orders at the simulator than sales that reached it;
- false PAID: a sale the journal says is PAID that the simulator does not.

It also times `pos-app reconcile` over 30 sales left open by crashed charges.

    python tests/bench/bench_crash.py [--runs 30] [--seed 1]
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from pos_app.simulator import SIM_CLIENT_ID, SIM_CLIENT_SECRET

HEADERS = {
    "x-client-id": SIM_CLIENT_ID,
    "x-client-secret": SIM_CLIENT_SECRET,
    "x-api-version": "2025-01-01",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_simulator() -> tuple[subprocess.Popen[str], str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "pos_app", "gateway-sim", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if "listening on" in line:
            break
    return proc, f"http://127.0.0.1:{port}"


def pos_app(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pos_app", "--demo", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )


def one_crash(
    env: dict[str, str], url: str, rng: random.Random, amount: int, *, journaled: bool
) -> None:
    charge = subprocess.Popen(
        [sys.executable, "-m", "pos_app", "--demo", "charge", str(amount)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    if journaled and charge.stdout is not None:
        for line in charge.stdout:  # the sale is in the journal once its order line shows
            if line.startswith("Order "):
                break
    time.sleep(rng.uniform(0.0, 1.5))  # some kills land before the order exists
    if rng.random() < 0.6:
        with httpx.Client(base_url=url, timeout=10) as control:
            orders = control.get("/_sim/orders").json()["orders"]
            if orders:
                control.post(
                    f"/_sim/orders/{orders[-1]}/customer",
                    json={"action": "pay", "after_seconds": rng.uniform(0, 1)},
                )
    time.sleep(rng.uniform(0.0, 1.5))
    charge.send_signal(signal.SIGKILL)
    charge.wait(timeout=10)


def compare(journal: Path, url: str) -> dict[str, int]:
    with sqlite3.connect(journal) as db:
        sales = {
            row[0]: (row[1], row[2])
            for row in db.execute("SELECT order_id, status, cf_order_id FROM sales")
        }
    with httpx.Client(base_url=url, timeout=10) as control:
        orders = control.get("/_sim/orders").json()["orders"]
    paid_at_sim = set()
    with httpx.Client(base_url=f"{url}/pg", headers=HEADERS, timeout=10) as api:
        for order_id in orders:
            answer = api.get(f"/orders/{order_id}")
            while answer.status_code == 429:  # the simulator keeps Cashfree's rate limits
                time.sleep(float(answer.headers.get("x-ratelimit-retry", "1")))
                answer = api.get(f"/orders/{order_id}")
            if answer.json()["order_status"] == "PAID":
                paid_at_sim.add(order_id)
    lost = sum(1 for o in paid_at_sim if sales.get(o, ("", None))[0] != "PAID")
    false_paid = sum(1 for o, (status, _) in sales.items() if status == "PAID" and o not in paid_at_sim)
    duplicates = len(orders) - len(set(orders)) + sum(1 for o in orders if o not in sales)
    open_left = sum(1 for status, _ in sales.values() if status in ("CREATED", "AWAITING_PAYMENT"))
    return {
        "sales": len(sales),
        "orders at Cashfree": len(orders),
        "paid at Cashfree": len(paid_at_sim),
        "lost": lost,
        "duplicate orders": duplicates,
        "false PAID": false_paid,
        "still open": open_left,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--journaled", action="store_true", help="kill only after the sale is journaled"
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)
    sim, url = start_simulator()
    try:
        with tempfile.TemporaryDirectory() as folder:
            env = {
                **os.environ,
                "POS_DATA_DIR": folder,
                "POS_CASHFREE_BASE_URL": f"{url}/pg",
                "PYTHONUNBUFFERED": "1",
            }
            for run in range(args.runs):
                one_crash(env, url, rng, 100 + run, journaled=args.journaled)
            started = time.perf_counter()
            first = pos_app(env, "reconcile")
            took = time.perf_counter() - started
            second = pos_app(env, "reconcile")
            journal = Path(folder) / "data" / "journal-demo.sqlite3"
            numbers = compare(journal, url)
            changed = [line for line in second.stdout.splitlines() if "->" in line and "PAID" in line]
            print(f"crash suite: {args.runs} charges killed with SIGKILL at random moments")
            for key, value in numbers.items():
                print(f"  {key:<20} {value}")
            print(f"  reconcile over {numbers['sales']} crashed sales: {took:.2f} s (exit {first.returncode})")
            print(f"  second reconcile newly PAID: {len(changed)}")
    finally:
        sim.send_signal(signal.SIGINT)
        sim.wait(timeout=10)


if __name__ == "__main__":
    main()
