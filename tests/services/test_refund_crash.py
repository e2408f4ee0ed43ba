"""Refunds interrupted with real processes: `pos-app gateway-sim` on loopback, a paid sale,
then `pos-app refund ORDER --amount 100` stopped by Ctrl-C or kill -9 while the refund is
REQUESTED (Cashfree's answer not in yet) or PENDING (at the bank), and the same command run
again: Cashfree ends up with ONE refund. Two refund commands started at once make one too.

The simulator keeps a refund whose note is "PENDING" pending for ever (like Cashfree's
sandbox), and a `latency` fault holds every answer back, which keeps a refund REQUESTED.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
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


@pytest.fixture(scope="module")
def simulator_url() -> Iterator[str]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "pos_app", "gateway-sim", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _read_until(proc, "listening on", time.monotonic() + 30)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Shop:
    """One till folder against the shared simulator."""

    def __init__(self, url: str, folder: Path) -> None:
        self.url = url
        self.env = {
            **os.environ,
            "POS_DATA_DIR": str(folder),
            "POS_CASHFREE_BASE_URL": f"{url}/pg",
            "PYTHONUNBUFFERED": "1",
        }
        self.journal = folder / "data" / "journal-demo.sqlite3"

    def start(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "pos_app", "--demo", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            env=self.env,
        )

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pos_app", "--demo", *args],
            capture_output=True,
            stdin=subprocess.DEVNULL,
            text=True,
            env=self.env,
            timeout=120,
        )

    def api(self) -> httpx.Client:
        return httpx.Client(base_url=f"{self.url}/pg", headers=HEADERS, timeout=10)

    def faults(self, **values: object) -> None:
        with httpx.Client(base_url=self.url, timeout=10) as control:
            answer = control.post("/_sim/faults", json=values)
            assert answer.status_code == 200, answer.text

    def paid_sale(self, rupees: str = "500") -> str:
        charge = self.start("charge", rupees)
        try:
            lines = _read_until(charge, "QR content:", time.monotonic() + 60)
            order_id = next(x.split()[1].rstrip(":") for x in lines if x.startswith("Order "))
            cf_payment_id = self._attempt(order_id)  # the QR attempt the till journaled
            with self.api() as api:
                paid = api.post(
                    "/simulate",
                    json={
                        "entity": "PAYMENTS",
                        "entity_id": cf_payment_id,
                        "entity_simulation": {"payment_status": "SUCCESS"},
                    },
                )
                assert paid.status_code == 200, paid.text
            out, _ = charge.communicate(timeout=60)
        finally:
            if charge.poll() is None:
                charge.kill()
                charge.wait()
        assert charge.returncode == 0, out
        return order_id

    def _attempt(self, order_id: str) -> str:
        with sqlite3.connect(self.journal) as db:
            (detail,) = db.execute(
                "SELECT detail FROM sale_events WHERE order_id=? AND kind='attempt_started'",
                (order_id,),
            ).fetchone()
        return str(json.loads(detail)["cf_payment_id"])

    def refunds_at_cashfree(self, order_id: str) -> list[dict[str, object]]:
        with self.api() as api:
            answer = api.get(f"/orders/{order_id}/refunds")
            assert answer.status_code == 200, answer.text
            return list(answer.json())

    def journal_refunds(self, order_id: str) -> list[tuple[str, str]]:
        with sqlite3.connect(self.journal) as db:
            return db.execute(
                "SELECT refund_id, status FROM refunds WHERE order_id=? ORDER BY created_at",
                (order_id,),
            ).fetchall()

    def wait_for_refund(self, order_id: str, status: str, deadline: float) -> None:
        while time.monotonic() < deadline:
            try:
                if any(s == status for _, s in self.journal_refunds(order_id)):
                    return
            except sqlite3.OperationalError:  # busy for a moment
                pass
            time.sleep(0.05)
        raise AssertionError(f"no {status} refund journaled in time")


@pytest.fixture
def shop(simulator_url: str, tmp_path: Path) -> Iterator[Shop]:
    till = Shop(simulator_url, tmp_path / "till")
    till.faults(latency=0, error_rate=0, drop_rate=0, malformed_rate=0, down=False)
    yield till
    till.faults(latency=0, error_rate=0, drop_rate=0, malformed_rate=0, down=False)


REFUND = ("--amount", "100", "--reason", "PENDING", "--wait", "30")


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "kill-9"])
@pytest.mark.parametrize("state", ["REQUESTED", "PENDING"])
def test_interrupted_refund_then_the_same_command_makes_one_refund(
    shop: Shop, state: str, stop: signal.Signals
) -> None:
    order_id = shop.paid_sale("500")
    if state == "REQUESTED":
        shop.faults(latency=20)  # Cashfree's answer is held back: the refund stays REQUESTED
    first = shop.start("refund", order_id, *REFUND)
    try:
        shop.wait_for_refund(order_id, state, time.monotonic() + 60)
        time.sleep(0.3)  # the request is on the wire (REQUESTED) / being followed (PENDING)
        first.send_signal(stop)
        first.communicate(timeout=30)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    shop.faults(latency=0)
    [(refund_id, _)] = shop.journal_refunds(order_id)

    again = shop.run("refund", order_id, *REFUND[:4], "--wait", "0")
    assert again.returncode == 6, again.stdout + again.stderr  # pending at the bank
    assert refund_id in again.stdout and "did not make a second one" in again.stdout

    at_cashfree = shop.refunds_at_cashfree(order_id)
    assert [r["refund_id"] for r in at_cashfree] == [refund_id]
    assert shop.journal_refunds(order_id) == [(refund_id, "PENDING")]


def test_two_processes_refunding_the_same_sale_at_once_make_one_refund(shop: Shop) -> None:
    order_id = shop.paid_sale("500")
    args = ("refund", order_id, "--amount", "100", "--reason", "PENDING", "--wait", "0")
    runs = [shop.start(*args), shop.start(*args)]
    outs = []
    for proc in runs:
        out, _ = proc.communicate(timeout=120)
        outs.append(out)
        assert proc.returncode == 6, out
    at_cashfree = shop.refunds_at_cashfree(order_id)
    assert len(at_cashfree) == 1, at_cashfree
    refund_id = str(at_cashfree[0]["refund_id"])
    assert all(refund_id in out for out in outs)
    assert shop.journal_refunds(order_id) == [(refund_id, "PENDING")]


def test_another_makes_a_further_refund_beside_the_pending_one(shop: Shop) -> None:
    order_id = shop.paid_sale("500")
    first = shop.run("refund", order_id, "--amount", "100", "--reason", "PENDING", "--wait", "0")
    assert first.returncode == 6, first.stdout + first.stderr
    refused = shop.run("refund", order_id, "--amount", "50", "--reason", "SUCCESS")
    assert refused.returncode == 7, refused.stdout + refused.stderr
    assert "₹100.00 is already on its way" in refused.stdout
    more = shop.run(
        "refund", order_id, "--amount", "50", "--reason", "SUCCESS", "--another", "--wait", "0"
    )
    assert more.returncode == 0, more.stdout + more.stderr
    assert len(shop.refunds_at_cashfree(order_id)) == 2
