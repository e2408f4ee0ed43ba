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


async def baseline_once(till, i: int) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    shown = await till.run(qr_request(100 + i), until_awaiting=True)
    elapsed = time.perf_counter() - started
    till.sim.customer_pays(shown.order_id)
    await till.finish()
    return elapsed * 1000


async def mcp_once(client: Client, till, i: int, method: str) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    # Amounts differ per call: the till refuses the same amount just paid (duplicate guard).
    arguments = {"amount": str((100 if method == "upi-qr" else 5000) + i), "payment_method": method}
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
    return elapsed * 1000, confirmed * 1000


async def main_async(runs: int) -> None:
    """The three measurements take turns, so the machine's load falls on all alike."""
    timings: dict[str, list[float]] = {k: [] for k in ("base", "qr", "link", "confirm")}
    with tempfile.TemporaryDirectory() as tmp:
        base_till, _ = mcp_till(Path(tmp) / "base", calls_per_minute=600)
        till, services = mcp_till(Path(tmp) / "mcp", calls_per_minute=600)
        async with Client(build_server(services)) as client:
            for i in range(runs + WARM_UP):
                base = await baseline_once(base_till, i)
                qr, confirm = await mcp_once(client, till, i, "upi-qr")
                link, _ = await mcp_once(client, till, i, "link")
                if i >= WARM_UP:
                    for key, value in (("base", base), ("qr", qr), ("link", link), ("confirm", confirm)):
                        timings[key].append(value)
        for t in (base_till, till):
            await t.checkout.shutdown()
            await t.client.aclose()
            t.journal.close()
    show("CheckoutService.start -> QR shown (baseline)", timings["base"])
    show("MCP initiate (upi-qr) -> reply", timings["qr"])
    show("MCP initiate (link) -> reply", timings["link"])
    show("MCP confirm after payment -> SUCCESS", timings["confirm"])
    overhead = [q - b for q, b in zip(timings["qr"], timings["base"], strict=True)]
    show("MCP upi-qr minus baseline (paired)", overhead)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args()
    asyncio.run(main_async(args.runs))


if __name__ == "__main__":
    main()
