"""A crash with real processes: the simulated Cashfree on loopback, `pos-app charge`
killed with SIGKILL while the customer is paying, the payment completed through Cashfree's
Simulation API, then `pos-app reconcile` finds the sale PAID, with one order at Cashfree."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from pos_app.gateway.simulator import SIM_CLIENT_ID, SIM_CLIENT_SECRET

pytestmark = pytest.mark.slow

HEADERS = {
    "x-client-id": SIM_CLIENT_ID,
    "x-client-secret": SIM_CLIENT_SECRET,
    "x-api-version": "2025-01-01",
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _read_until(proc: subprocess.Popen[str], needle: str, deadline: float) -> list[str]:
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


@pytest.fixture
def simulator_url() -> str:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "pos_app", "gateway-sim", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _read_until(proc, "listening on", time.monotonic() + 20)
        yield f"http://127.0.0.1:{port}"  # type: ignore[misc]
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_sale_killed_mid_payment_is_settled_by_reconcile(
    simulator_url: str, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "POS_DATA_DIR": str(tmp_path / "till"),
        "POS_CASHFREE_BASE_URL": f"{simulator_url}/pg",
        "PYTHONUNBUFFERED": "1",
    }
    charge = subprocess.Popen(
        [sys.executable, "-m", "pos_app", "--demo", "charge", "321.50"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        lines = _read_until(charge, "QR content:", time.monotonic() + 30)
    finally:
        charge.send_signal(signal.SIGKILL)
        charge.wait(timeout=10)
    order_id = next(line.split()[1].rstrip(":") for line in lines if line.startswith("Order "))

    # The QR attempt's id was journaled before the QR was shown.
    journal = tmp_path / "till" / "data" / "journal-demo.sqlite3"
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

    # The journal still says the customer was paying when the till died.
    with sqlite3.connect(journal) as db:
        assert db.execute("SELECT status FROM sales WHERE order_id=?", (order_id,)).fetchone() == (
            "AWAITING_PAYMENT",
        )

    done = subprocess.run(
        [sys.executable, "-m", "pos_app", "--demo", "reconcile"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{order_id}" in done.stdout and "-> PAID" in done.stdout
    with sqlite3.connect(journal) as db:
        status, utr, amount = db.execute(
            "SELECT status, bank_reference, amount_paise FROM sales WHERE order_id=?", (order_id,)
        ).fetchone()
    assert (status, amount) == ("PAID", 32150) and utr

    with httpx.Client(base_url=simulator_url, timeout=10) as control:
        orders = control.get("/_sim/orders").json()["orders"]
    assert [o for o in orders if o == order_id] == [order_id]
    assert len(orders) == 1  # no second order was created by the restart


def test_ctrl_c_cancels_the_sale_properly(tmp_path: Path) -> None:
    env = {**os.environ, "POS_DATA_DIR": str(tmp_path / "till"), "PYTHONUNBUFFERED": "1"}
    env.pop("POS_CASHFREE_BASE_URL", None)
    charge = subprocess.Popen(
        [sys.executable, "-m", "pos_app", "--demo", "charge", "15"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        _read_until(charge, "QR content:", time.monotonic() + 30)
        charge.send_signal(signal.SIGINT)
        out, _ = charge.communicate(timeout=30)
    finally:
        if charge.poll() is None:
            charge.kill()
            charge.wait()
    assert charge.returncode == 4, out
    assert "Cancelling the sale at Cashfree" in out
    assert "[CANCELLED]" in out
    journal = tmp_path / "till" / "data" / "journal-demo.sqlite3"
    with sqlite3.connect(journal) as db:
        assert db.execute("SELECT status FROM sales").fetchall() == [("CANCELLED",)]
