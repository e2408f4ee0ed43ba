"""Helpers for tests and benches that run real `pos-app` processes against the simulated
Cashfree on loopback (`pos-app gateway-sim`)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

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


def read_until(proc: subprocess.Popen[str], needle: str, deadline: float) -> list[str]:
    """Lines of the process's stdout up to and including the first one holding `needle`."""
    lines = []
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip("\n"))
        if needle in line:
            return lines
    raise AssertionError(f"{needle!r} not seen; got {lines[-5:]}")


@contextmanager
def running_simulator(port: int | None = None) -> Iterator[str]:
    """`pos-app gateway-sim` on a free loopback port; yields its base URL (without /pg)."""
    port = port or free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "pos_app", "gateway-sim", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        read_until(proc, "listening on", time.monotonic() + 30)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def till_env(data_dir: Path, simulator_url: str | None, **extra: str) -> dict[str, str]:
    """The environment of a demo till process whose Cashfree is the loopback simulator."""
    env = {**os.environ, "POS_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1", **extra}
    env.pop("POS_CASHFREE_BASE_URL", None)
    if simulator_url is not None:
        env["POS_CASHFREE_BASE_URL"] = f"{simulator_url}/pg"
    return env


def order_id_from(lines: list[str]) -> str:
    return next(line.split()[1].rstrip(":") for line in lines if line.startswith("Order "))


def pay_shown_attempt(simulator_url: str, journal: Path, order_id: str) -> None:
    """The customer pays the QR on screen: the attempt's id is read from the journal (it is
    journaled before the QR is shown) and paid through Cashfree's Simulation API."""
    import json
    import sqlite3

    import httpx

    with sqlite3.connect(journal) as db:
        (detail,) = db.execute(
            "SELECT detail FROM sale_events WHERE order_id=? AND kind='attempt_started'",
            (order_id,),
        ).fetchone()
    cf_payment_id = json.loads(detail)["cf_payment_id"]
    with httpx.Client(base_url=f"{simulator_url}/pg", headers=HEADERS, timeout=10) as api:
        answer = api.post(
            "/simulate",
            json={
                "entity": "PAYMENTS",
                "entity_id": cf_payment_id,
                "entity_simulation": {"payment_status": "SUCCESS"},
            },
        )
        assert answer.status_code == 200, answer.text
