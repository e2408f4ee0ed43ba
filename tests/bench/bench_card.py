"""Card sales and the embedded checkout: how long the till's own work takes.

    python tests/bench/bench_card.py [--sales 200] [--lines 20000] [--pages 10]

1. Card sales through the real CheckoutService, CashfreeGateway and SQLite journal against
   the in-process simulated Cashfree (no network, a fake clock so no poll ever sleeps):
   per sale, the time from start() to "OTP wanted" (create order + Order Pay with the card),
   the time of one SUBMIT_OTP, and start() to PAID, each as median and 95th percentile.
2. The log redaction with card-number masking: microseconds per log line (median of runs
   over a mix of lines with and without card-shaped numbers).
3. With the kiosk extra: offscreen QtWebEngine loading the simulator's checkout page over
   loopback, first load and later loads (median).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ for till_fakes

from till_fakes import make_till  # noqa: E402

from pos_app.domain.card import parse_card  # noqa: E402
from pos_app.domain.money import Money  # noqa: E402
from pos_app.domain.sale import Method, SaleStatus  # noqa: E402
from pos_app.gateway.retry import ENDPOINTS, RateBudget  # noqa: E402
from pos_app.logs import RedactionFilter  # noqa: E402
from pos_app.services.checkout.state import ChargeRequest  # noqa: E402


def _ms(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return f"median {statistics.median(ordered) * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms"


async def card_sales(count: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        till = make_till(Path(folder))
        till.gateway._budget = RateBudget(dict.fromkeys(ENDPOINTS, 1_000_000))  # noqa: SLF001
        till.sim._api.limiter.limits = {}  # noqa: SLF001 (the sandbox limits would pace it)
        to_otp: list[float] = []
        otp_calls: list[float] = []
        to_paid: list[float] = []
        for number in range(count):
            card = parse_card("4111111111111111", "08/29", "123", today=date(2026, 11, 26))
            request = ChargeRequest(amount=Money(10_000 + number), method=Method.CARD, card=card)
            started = time.perf_counter()
            stream = till.checkout.start(request)
            async for state in stream:
                if state.card is not None and state.card.needs_otp:
                    break
            to_otp.append(time.perf_counter() - started)
            before = time.perf_counter()
            await till.checkout.submit_otp(state.order_id, "123456")
            otp_calls.append(time.perf_counter() - before)
            async for state in stream:
                pass
            to_paid.append(time.perf_counter() - started)
            assert state.status is SaleStatus.PAID, state
        await till.checkout.shutdown()
        await till.client.aclose()
        till.journal.close()
    print(f"card sales: {count}")
    print(f"  start -> OTP wanted (order + Order Pay): {_ms(to_otp)}")
    print(f"  SUBMIT_OTP:                             {_ms(otp_calls)}")
    print(f"  start -> PAID:                          {_ms(to_paid)}")


def redaction(lines: int) -> None:
    sample = [
        "cashfree pay_order POST attempt 1 -> Answer(status=200, request_id='abc')",
        "sale T1-261126-ABC123: card 4111 1111 1111 1111 typed by mistake in a note",
        "paid 5114910000001 utr 123456789012 payer xxxx1111 phone 9876543210",
        '{"card_number":"5105105105105100","card_cvv":"***"} echoed by a proxy',
    ]
    text = [sample[i % len(sample)] for i in range(lines)]
    f = RedactionFilter(["sim-secret-not-real"])
    runs = []
    for _ in range(5):
        started = time.perf_counter()
        for line in text:
            f.redact(line)
        runs.append((time.perf_counter() - started) / lines)
    print(
        f"log redaction: median {statistics.median(runs) * 1e6:.1f} µs per line ({lines} lines x 5)"
    )


def embedded_pages(pages: int) -> None:
    from pos_app.ui.embedded_checkout import unavailable_reason

    reason = unavailable_reason()
    if reason is not None:
        print(f"embedded checkout: not measured ({reason})")
        return
    import httpx
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from pos_app.simulator import SIM_CLIENT_ID, SIM_CLIENT_SECRET, Simulator, start_server
    from pos_app.ui.embedded_checkout import CheckoutView

    app = QApplication.instance() or QApplication([])
    sim = Simulator()
    handle = start_server(sim)
    sim.public_url = handle.url
    headers = {
        "x-client-id": SIM_CLIENT_ID,
        "x-client-secret": SIM_CLIENT_SECRET,
        "x-api-version": "2025-01-01",
    }
    started = time.perf_counter()
    view = CheckoutView("demo", handle.url)
    view.resize(800, 600)
    view.show()
    created = time.perf_counter() - started
    loads = []
    for number in range(pages):
        order_id = f"BENCH-{number}"
        body = {
            "order_id": order_id,
            "order_amount": 10,
            "order_currency": "INR",
            "customer_details": {"customer_id": "bench", "customer_phone": "9876543210"},
        }
        httpx.post(f"{handle.url}/pg/orders", json=body, headers=headers, timeout=10)
        loop = QEventLoop()
        view.loaded.connect(loop.quit)
        QTimer.singleShot(30_000, loop.quit)
        begin = time.perf_counter()
        view.open_checkout(order_id, None)
        loop.exec()
        view.loaded.disconnect(loop.quit)
        loads.append(time.perf_counter() - begin)
    handle.stop()
    print(f"embedded checkout: view created in {created * 1000:.0f} ms")
    print(f"  first page load {loads[0] * 1000:.0f} ms; later loads {_ms(loads[1:] or loads)}")
    del app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sales", type=int, default=200)
    parser.add_argument("--lines", type=int, default=20_000)
    parser.add_argument("--pages", type=int, default=10)
    args = parser.parse_args()
    asyncio.run(card_sales(args.sales))
    redaction(args.lines)
    embedded_pages(args.pages)


if __name__ == "__main__":
    main()
