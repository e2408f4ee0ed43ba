"""A crash with real processes: the simulated Cashfree on loopback, `pos-app charge`
killed with SIGKILL while the customer is paying, the payment completed through Cashfree's
Simulation API, then `pos-app reconcile` finds the sale PAID, with one order at Cashfree."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from proc_kit import (
    HEADERS,
    order_id_from,
    pay_shown_attempt,
    read_until,
    running_simulator,
    till_env,
)

pytestmark = pytest.mark.slow


@pytest.fixture
def simulator_url() -> Iterator[str]:
    with running_simulator() as url:
        yield url


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
        lines = read_until(charge, "QR content:", time.monotonic() + 30)
    finally:
        charge.send_signal(signal.SIGKILL)
        charge.wait(timeout=10)
    order_id = order_id_from(lines)

    # The QR attempt's id was journaled before the QR was shown.
    journal = tmp_path / "till" / "data" / "journal-demo.sqlite3"
    pay_shown_attempt(simulator_url, journal, order_id)

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
        read_until(charge, "QR content:", time.monotonic() + 30)
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


def _charge(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "pos_app", "--demo", "charge", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )


def test_two_charges_on_one_till_only_one_takes_the_counter(
    simulator_url: str, tmp_path: Path
) -> None:
    env = till_env(tmp_path / "till", simulator_url)
    first = _charge(env, "101")
    try:
        lines = read_until(first, "QR content:", time.monotonic() + 30)
        order_id = order_id_from(lines)
        second = subprocess.run(
            [sys.executable, "-m", "pos_app", "--demo", "charge", "102"],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        assert second.returncode == 7, second.stdout + second.stderr
        assert order_id in second.stdout  # it names the sale at the counter
        first.send_signal(signal.SIGINT)
        out, _ = first.communicate(timeout=30)
        assert first.returncode == 4, out
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    with httpx.Client(base_url=simulator_url, timeout=10) as control:
        assert control.get("/_sim/orders").json()["orders"] == [order_id]


def test_reconcile_while_charge_creates_its_order_leaves_the_sale_alone(
    simulator_url: str, tmp_path: Path
) -> None:
    env = till_env(tmp_path / "till", simulator_url)
    journal = tmp_path / "till" / "data" / "journal-demo.sqlite3"
    with httpx.Client(base_url=simulator_url, timeout=10) as control:
        control.post("/_sim/faults", json={"latency": 4.0})
        charge = _charge(env, "103")
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                if journal.exists():
                    try:
                        with sqlite3.connect(journal) as db:
                            rows = db.execute("SELECT order_id, status FROM sales").fetchall()
                    except sqlite3.OperationalError:
                        rows = []  # still being created
                    if rows:
                        break
                time.sleep(0.05)
            assert rows and rows[0][1] == "CREATED"
            order_id = rows[0][0]
            done = subprocess.run(
                [sys.executable, "-m", "pos_app", "--demo", "reconcile"],
                capture_output=True,
                text=True,
                env=env,
                timeout=60,
            )
            assert done.returncode == 0, done.stdout + done.stderr
            assert "followed by the till right now" in done.stdout
            control.post("/_sim/faults", json={"latency": 0.0})
            read_until(charge, "QR content:", time.monotonic() + 30)
            with sqlite3.connect(journal) as db:
                assert db.execute("SELECT status FROM sales").fetchall() == [("AWAITING_PAYMENT",)]
            order = httpx.get(f"{simulator_url}/pg/orders/{order_id}", headers=HEADERS).json()
            assert order["order_status"] == "ACTIVE"
            charge.send_signal(signal.SIGINT)
            charge.communicate(timeout=30)
        finally:
            if charge.poll() is None:
                charge.kill()
                charge.wait()


def test_a_refused_close_is_never_reported_as_no_money(simulator_url: str, tmp_path: Path) -> None:
    env = till_env(tmp_path / "till", simulator_url)
    with httpx.Client(base_url=simulator_url, timeout=10) as control:
        control.post("/_sim/faults", json={"refuse_terminate": True})
        done = subprocess.run(
            [sys.executable, "-m", "pos_app", "--demo", "charge", "104", "--timeout", "2"],
            capture_output=True,
            text=True,
            env=env,
            timeout=90,
        )
        assert done.returncode == 6, done.stdout + done.stderr  # not confirmed
        assert "No money was taken" not in done.stdout
        assert "can still pay" in done.stdout
        (order_id,) = control.get("/_sim/orders").json()["orders"]
        control.post(f"/_sim/orders/{order_id}/customer", json={"action": "pay"})
    later = subprocess.run(
        [sys.executable, "-m", "pos_app", "--demo", "reconcile"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert later.returncode == 0, later.stdout + later.stderr
    assert "-> PAID" in later.stdout
