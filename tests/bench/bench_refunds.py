"""Refunds and the manager gate: what the new checks cost (a script, not a test).

Times, each as the median of many runs:

* journaling a refund request with the "one refund on its way per sale" rule checked
  inside the write transaction (`Journal.create_refund`, a journal of 20,000 paid sales
  with 5,000 refunds, WAL, synchronous=FULL: the fsync dominates);
* the manager gate's decision (`services.manager_gate.resolve_access`: the policy file,
  the password store entry, the settings fingerprint) with an in-memory password store;
* checking a PIN (scrypt n=2^14, r=8: the deliberate cost of each try);
* reading one paid sale's refunds at Cashfree and comparing them with the journal
  (`check_outside_refunds`, per sale, against the in-process simulator).

Run:  /work/main/.venv/bin/python tests/bench/bench_refunds.py [--runs 200]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ (till_fakes)

from pos_app.domain.money import Money
from pos_app.domain.sale import Method, Sale, SaleStatus
from pos_app.store.codec import RefundRecord
from pos_app.store.journal import Journal

START = datetime(2026, 11, 26, 4, 0, tzinfo=UTC)


def show(label: str, samples: list[float], unit: str = "ms") -> None:
    scale = 1000.0 if unit == "ms" else 1_000_000.0
    values = sorted(s * scale for s in samples)
    print(
        f"{label}: median {statistics.median(values):.3f} {unit}, "
        f"p90 {values[int(len(values) * 0.9) - 1]:.3f} {unit}, n={len(values)}"
    )


def timed(runs: int, action: Callable[[int], object]) -> list[float]:
    samples = []
    for n in range(runs):
        began = time.perf_counter()
        action(n)
        samples.append(time.perf_counter() - began)
    return samples


def build(path: Path, sales: int) -> Journal:
    journal = Journal.open(path, clock=lambda: START)
    for n in range(sales):
        at = START + timedelta(seconds=n)
        journal.create_sale(
            Sale(
                f"T1-{n:06d}", "T1", "sandbox", Money(10_000 + n), Method.UPI_QR,
                SaleStatus.PAID, str(uuid.uuid4()), at, at,
            )
        )
    return journal


def bench_journal(runs: int, folder: Path) -> None:
    began = time.perf_counter()
    journal = build(folder / "journal.sqlite3", 20_000)
    for n in range(5_000):
        journal.create_refund(_refund(f"OLD-{n}", f"T1-{n:06d}", "SUCCESS"))
    print(f"built 20,000 paid sales and 5,000 refunds in {time.perf_counter() - began:.1f} s")
    order = 10_000

    def one(n: int) -> None:
        journal.create_refund(_refund(f"NEW-{n}", f"T1-{order + n:06d}", "REQUESTED"))

    show("journal a refund request (rule checked in the transaction)", timed(runs, one))
    journal.close()


def _refund(refund_id: str, order_id: str, status: str) -> RefundRecord:
    return RefundRecord(
        refund_id=refund_id,
        order_id=order_id,
        amount=Money(100),
        status=status,
        idempotency_key=str(uuid.uuid4()),
        created_at=START,
        updated_at=START,
    )


def bench_gate(runs: int, folder: Path) -> None:
    os.environ["POS_DATA_DIR"] = str(folder / "till")
    os.environ["POS_POLICY_FILE"] = str(folder / "no-policy.json")
    from pos_app.config import Settings, paths
    from pos_app.secrets import MemorySecretStore
    from pos_app.services.manager.gate import resolve_access
    from pos_app.services.manager.pin import verify_pin
    from pos_app.services.manager.pin_vault import write_new_pin

    where = paths()
    vault = MemorySecretStore()
    mark = write_new_pin(vault, "2580")
    settings = Settings(environment="sandbox", manager_pin_fingerprint=mark)
    access = resolve_access(where, settings, "sandbox", vault)
    assert access.state == "ask" and access.encoded is not None
    encoded = access.encoded
    show(
        "manager gate decision (policy + password store entry + fingerprint)",
        timed(runs, lambda _n: resolve_access(where, settings, "sandbox", vault)),
        "us",
    )
    show("check one PIN (scrypt)", timed(max(10, runs // 10), lambda _n: verify_pin("2580", encoded)))


def bench_outside(runs: int, folder: Path) -> None:
    from till_fakes import FakeClock, make_till

    from pos_app.gateway.base import NewRefund
    from pos_app.services.refunds.outside import check_outside_refunds
    from pos_app.services.checkout.state import ChargeRequest

    async def main() -> list[float]:
        till = make_till(folder / "outside", clock=FakeClock(START))
        sales = []
        for n in range(20):
            request = ChargeRequest(amount=Money.rupees(100 + n), method=Method.UPI_QR)
            shown = await till.run(request, until_awaiting=True)
            till.sim.customer_pays(shown.order_id)
            await till.finish()
            sale = till.journal.get_sale(shown.order_id)
            assert sale is not None and sale.status is SaleStatus.PAID
            sales.append(sale)
            await till.gateway.create_refund(
                shown.order_id,
                NewRefund(refund_id=f"DASH-{n}", amount=Money(100), note="SUCCESS"),
                idempotency_key=f"k-{n}",
            )
        samples = []
        for _ in range(max(1, runs // 20)):
            began = time.perf_counter()
            await check_outside_refunds(till.gateway, till.journal, sales, clock=till.clock)
            samples.append((time.perf_counter() - began) / len(sales))
        await till.client.aclose()
        till.journal.close()
        return samples

    show("outside-refund check per paid sale (in-process simulator)", asyncio.run(main()))


def main() -> int:
    logging.disable(logging.WARNING)  # the outside refunds found are logged; not wanted here
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs; python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as folder:
        bench_journal(args.runs, Path(folder))
        bench_gate(args.runs, Path(folder))
        bench_outside(args.runs, Path(folder))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
