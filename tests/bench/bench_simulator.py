"""Benchmark: Get Order throughput and latency of the simulated Cashfree over loopback.

A script, not a test:  python tests/bench/bench_simulator.py [--clients 8] [--seconds 5]

The simulator runs in its own process (run_forever, rate limits off) so the load
generator does not share its GIL; each client is a thread with one keep-alive
http.client connection asking GET /pg/orders/{id} as fast as it can. Prints requests/s,
median and p95 latency. Target: >= 500 requests/s.
"""

from __future__ import annotations

import argparse
import http.client
import json
import signal
import statistics
import subprocess
import sys
import threading
import time

from pos_app.simulator import SIM_CLIENT_ID, SIM_CLIENT_SECRET

AUTH = {
    "x-client-id": SIM_CLIENT_ID,
    "x-client-secret": SIM_CLIENT_SECRET,
    "x-api-version": "2025-01-01",
}
SERVER = (
    "from pos_app.simulator import Simulator, run_forever; "
    "run_forever('127.0.0.1', 0, sim=Simulator(rate_limits={}))"
)


def start_server() -> tuple[subprocess.Popen[str], str, int]:
    proc = subprocess.Popen([sys.executable, "-u", "-c", SERVER], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    first = proc.stdout.readline()
    url = first.split("listening on ", 1)[1].strip()  # http://127.0.0.1:PORT/pg
    host_port = url.removeprefix("http://").removesuffix("/pg")
    host, port = host_port.rsplit(":", 1)
    return proc, host, int(port)


def create_order(host: str, port: int) -> str:
    conn = http.client.HTTPConnection(host, port, timeout=10)
    body = {
        "order_id": "BENCH-1",
        "order_amount": 250.5,
        "order_currency": "INR",
        "customer_details": {"customer_id": "bench01", "customer_phone": "9876543210"},
    }
    conn.request(
        "POST",
        "/pg/orders",
        body=json.dumps(body),
        headers={**AUTH, "content-type": "application/json"},
    )
    answer = conn.getresponse()
    answer.read()
    assert answer.status == 200, answer.status
    conn.close()
    return "BENCH-1"


def client(
    host: str, port: int, order_id: str, stop_at: float, out: list[float], errors: list[str]
) -> None:
    conn = http.client.HTTPConnection(host, port, timeout=10)
    path = f"/pg/orders/{order_id}"
    while time.perf_counter() < stop_at:
        started = time.perf_counter()
        try:
            conn.request("GET", path, headers=AUTH)
            answer = conn.getresponse()
            answer.read()
        except (OSError, http.client.HTTPException) as exc:
            errors.append(type(exc).__name__)
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=10)
            continue
        if answer.status != 200:
            errors.append(str(answer.status))
        out.append(time.perf_counter() - started)
    conn.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    proc, host, port = start_server()
    try:
        order_id = create_order(host, port)
        latencies: list[list[float]] = [[] for _ in range(args.clients)]
        errors: list[str] = []
        started = time.perf_counter()
        stop_at = started + args.seconds
        threads = [
            threading.Thread(
                target=client, args=(host, port, order_id, stop_at, latencies[i], errors)
            )
            for i in range(args.clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=10)
    every = sorted(x for chunk in latencies for x in chunk)
    if not every:
        print("no request completed")
        return 1
    p95 = every[min(len(every) - 1, int(len(every) * 0.95))]
    rate = len(every) / elapsed
    print(
        f"clients={args.clients} seconds={elapsed:.1f} requests={len(every)} errors={len(errors)}"
    )
    print(f"throughput: {rate:.0f} requests/s (target >= 500)")
    print(f"latency: median {statistics.median(every) * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms")
    return 0 if rate >= 500 and not errors else 1


if __name__ == "__main__":
    raise SystemExit(main())
