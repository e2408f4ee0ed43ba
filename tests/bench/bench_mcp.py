"""MCP tool-call overhead (a script, not a test): run `python tests/bench/bench_mcp.py`.

What a client waits for between calling initiate_cashfree_payment and its reply, in real
time, through the SDK's in-process client, against the in-process simulated Cashfree with
no added latency (upi-qr: order, UPI attempt, QR drawn and encoded; link: the payment
link). Side by side: the same sale through CheckoutService.start() alone, so the
difference is what the MCP layer adds (argument validation, journaling the call, the
structured reply and the PNG). After each measured call the customer pays and a confirm
waits for PAID, so no sale is left running while the next one is timed.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mcp import Client  # noqa: E402
from mcp_kit import mcp_till  # noqa: E402
from till_fakes import qr_request  # noqa: E402

from pos_app.mcp.server import build_server  # noqa: E402

WARM_UP = 5


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def show(label: str, timings: list[float]) -> None:
    print(
        f"{label:<44} median {statistics.median(timings):6.1f} ms   "
        f"p95 {pct(timings, 0.95):6.1f} ms   ({len(timings)} runs)"
    )


async def direct(runs: int) -> list[float]:
    with tempfile.TemporaryDirectory() as tmp:
        till, _services = mcp_till(Path(tmp), calls_per_minute=600)
        timings = []
        for i in range(runs + WARM_UP):
            started = time.perf_counter()
            shown = await till.run(qr_request(100 + i), until_awaiting=True)
            elapsed = time.perf_counter() - started
            if i >= WARM_UP:
                timings.append(elapsed * 1000)
            till.sim.customer_pays(shown.order_id)
            await till.finish()
        await till.checkout.shutdown()
        await till.client.aclose()
        till.journal.close()
    return timings


async def through_mcp(runs: int, method: str) -> tuple[list[float], list[float]]:
    with tempfile.TemporaryDirectory() as tmp:
        till, services = mcp_till(Path(tmp), calls_per_minute=600)
        initiate, confirm = [], []
        async with Client(build_server(services)) as client:
            for i in range(runs + WARM_UP):
                arguments = {"amount": str(100 + i), "payment_method": method}
                started = time.perf_counter()
                reply = await client.call_tool("initiate_cashfree_payment", arguments)
                elapsed = time.perf_counter() - started
                assert not reply.is_error, reply.content
                order_id = reply.structured_content["order_id"]  # type: ignore[index]
                if method == "link":
                    till.sim.link_customer_pays(order_id)
                else:
                    till.sim.customer_pays(order_id)
                asked = time.perf_counter()
                answer = await client.call_tool(
                    "confirm_cashfree_payment", {"order_id": order_id, "wait_seconds": 60}
                )
                confirmed = time.perf_counter() - asked
                assert answer.structured_content["payment_status"] == "SUCCESS"  # type: ignore[index]
                if i >= WARM_UP:
                    initiate.append(elapsed * 1000)
                    confirm.append(confirmed * 1000)
        await till.checkout.shutdown()
        await till.client.aclose()
        till.journal.close()
    return initiate, confirm


async def main_async(runs: int) -> None:
    show("CheckoutService.start -> QR shown (baseline)", await direct(runs))
    qr, qr_confirm = await through_mcp(runs, "upi-qr")
    show("MCP initiate (upi-qr) -> reply", qr)
    link, _ = await through_mcp(runs, "link")
    show("MCP initiate (link) -> reply", link)
    show("MCP confirm (paid, nudged owner) -> SUCCESS", qr_confirm)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args()
    asyncio.run(main_async(args.runs))


if __name__ == "__main__":
    main()
