"""Issue 11 item 6: the journal is busy (another program holds its write lock for longer
than the busy timeout) at the moment a paid sale is recorded. `charge` must not call that
a setup problem: the money may have been taken, so it says "not confirmed, do not charge
again, reconcile once the journal is free" (exit 6), and the sale stays open so that
`reconcile` records the PAID afterwards."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.proc_kit import (
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


def test_busy_journal_while_paid_is_not_a_setup_problem(simulator_url: str, tmp_path: Path) -> None:
    env = till_env(tmp_path / "till", simulator_url)
    journal = tmp_path / "till" / "data" / "journal-demo.sqlite3"
    charge = subprocess.Popen(
        [sys.executable, "-m", "pos_app", "--demo", "charge", "250", "--timeout", "120"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    holder = None
    try:
        lines = read_until(charge, "QR content:", time.monotonic() + 60)
        order_id = order_id_from(lines)
        # Another program takes the journal's write lock and keeps it.
        holder = sqlite3.connect(journal, isolation_level=None, timeout=1)
        holder.execute("BEGIN IMMEDIATE")

        pay_shown_attempt(simulator_url, journal, order_id)
        out, _ = charge.communicate(timeout=90)
    finally:
        if charge.poll() is None:
            charge.kill()
            charge.wait()
        if holder is not None:
            holder.execute("ROLLBACK")
            holder.close()

    assert charge.returncode == 6, out
    assert "do not charge the customer again" in out.lower()
    assert "may have paid" in out, out
    assert "pos-app reconcile" in out
    assert "setup" not in out.lower()

    # The sale is still open in the journal: nothing claimed an outcome.
    with sqlite3.connect(journal) as db:
        (status,) = db.execute("SELECT status FROM sales WHERE order_id=?", (order_id,)).fetchone()
    assert status == "AWAITING_PAYMENT"

    done = subprocess.run(
        [sys.executable, "-m", "pos_app", "--demo", "reconcile"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert order_id in done.stdout and "-> PAID" in done.stdout
    with sqlite3.connect(journal) as db:
        rows = db.execute(
            "SELECT status, amount_paise FROM sales WHERE order_id=?", (order_id,)
        ).fetchall()
        paid_events = db.execute(
            "SELECT count(*) FROM sale_events WHERE order_id=? AND kind='paid'", (order_id,)
        ).fetchone()
    assert rows == [("PAID", 25000)]
    assert paid_events == (1,)
