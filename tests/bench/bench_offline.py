"""How long a hanging network takes to show "offline" at the counter (a script, not a test):
run `python tests/bench/bench_offline.py`.

The network hangs: a local TCP server accepts every connection, reads the request and
never answers. A QR sale is started through the real CheckoutService, CashfreeGateway,
httpx client and SQLite journal; we time start() -> the first state that says offline.

- "before": the checkout's gateway is the plain gateway with the 4-attempt RetryPolicy
  under the checkout's own loop (how the till was wired until the checkout owned its
  retries).
- "after": the checkout's gateway is `gateway.single_attempt()` (app.open_runtime now).

Wall clock with a short read timeout (default 0.5 s, so a run takes seconds), then the
same two wirings in virtual time at the production timeout (DEFAULT_TIMEOUT, 10 s read),
where the policy's full jitter is drawn for real. Medians over --runs.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from till_fakes import FakeClock, make_till, qr_request

from pos_app.app import make_checkout, make_deps
from pos_app.config import Settings
from pos_app.domain.sale import Method
from pos_app.domain.secret import Secret
from pos_app.gateway.cashfree import DEFAULT_TIMEOUT, CashfreeGateway
from pos_app.gateway.retry import RateBudget, RetryPolicy
from pos_app.services.checkout.schedule import PollSchedule
from pos_app.services.checkout.service import CheckoutService
from pos_app.store.journal import Journal

# The till the wall-clock runs wire with the composition root's factories.
_BENCH_SETTINGS = Settings(
    store_name="Bench",
    default_customer_phone="9999999999",
    enabled_methods=tuple(m.value for m in Method),
    collect_enabled=True,
    card_payments_enabled=True,
    embedded_checkout=True,
    max_amount_paise=10**9,
)


async def _silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Read whatever comes and never answer: a network that hangs."""
    try:
        while await reader.read(65536):
            pass
    finally:
        writer.close()


async def until_offline(checkout: CheckoutService, rupees: int) -> float:
    began = time.perf_counter()
    stream = checkout.start(qr_request(rupees))
    try:
        async for state in stream:
            if state.offline is not None:
                return time.perf_counter() - began
    finally:
        await stream.aclose()
    raise RuntimeError("the sale ended without ever saying offline")


async def wall_clock(wiring: str, runs: int, read_timeout: float) -> list[float]:
    server = await asyncio.start_server(_silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    times: list[float] = []
    try:
        for n in range(runs):
            with tempfile.TemporaryDirectory() as folder:
                timeout = httpx.Timeout(read_timeout, connect=read_timeout)
                async with httpx.AsyncClient(timeout=timeout) as client:
                    gateway = CashfreeGateway(
                        client,
                        base_url=f"http://127.0.0.1:{port}/pg",
                        client_id="bench",
                        client_secret=Secret("bench-secret-0123456789"),
                        retry=RetryPolicy(),
                        budget=RateBudget.for_environment("sandbox"),
                    )
                    journal = Journal.open(Path(folder) / "journal.sqlite3")
                    counter = gateway if wiring == "before" else gateway.single_attempt()
                    deps = make_deps(
                        _BENCH_SETTINGS,
                        "sandbox",
                        counter,
                        journal,
                        background=gateway.background(),
                        schedule=PollSchedule(),
                    )
                    checkout = make_checkout(_BENCH_SETTINGS, deps, keep_leases=False)
                    try:
                        times.append(await until_offline(checkout, 100 + n))
                    finally:
                        await checkout.shutdown()
                        journal.close()
    finally:
        server.close()
        await server.wait_closed()
    return times


class _Hang(httpx.AsyncBaseTransport):
    def __init__(self, clock: FakeClock, seconds: float) -> None:
        self.clock, self.seconds = clock, seconds

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await self.clock.sleep(self.seconds)
        raise httpx.ReadTimeout("timed out", request=request)


async def virtual(wiring: str, runs: int) -> list[float]:
    """The production read timeout, in virtual time (the policy's real random jitter)."""
    read = float(DEFAULT_TIMEOUT.read or 0.0)
    times: list[float] = []
    for n in range(runs):
        with tempfile.TemporaryDirectory() as folder:
            clock = FakeClock()
            till = make_till(Path(folder), clock=clock)
            till.transport.inner = _Hang(clock, read)
            root = till.gateway
            root._retry = RetryPolicy()  # the real policy, random jitter included
            till.deps.gateway = root if wiring == "before" else root.single_attempt()
            began = clock.monotonic()
            stream = till.checkout.start(qr_request(100 + n))
            async for state in stream:
                if state.offline is not None:
                    break
            await stream.aclose()
            times.append(clock.monotonic() - began)
            await till.checkout.shutdown()
            await till.client.aclose()
            till.journal.close()
    return times


def report(label: str, measure: Callable[[str], Awaitable[list[float]]]) -> None:
    print(label)
    for wiring in ("before", "after"):
        times = asyncio.run(measure(wiring))
        print(
            f"  {wiring:6}  median {statistics.median(times):6.2f} s   "
            f"min {min(times):6.2f}   max {max(times):6.2f}   (n={len(times)})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--read-timeout", type=float, default=0.5)
    args = parser.parse_args()
    report(
        f"wall clock, hanging TCP server, read/connect timeout {args.read_timeout:g} s: "
        "start() -> offline shown",
        lambda w: wall_clock(w, args.runs, args.read_timeout),
    )
    report(
        f"virtual time, production timeout ({DEFAULT_TIMEOUT.read:g} s read): "
        "start() -> offline shown",
        lambda w: virtual(w, args.runs * 3),
    )


if __name__ == "__main__":
    main()
