"""A till in real time against the in-process simulator, with the store's webhook receiver
and the till's push listener: for the push tests and the push-vs-polling benchmark."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from pos_app.app import make_checkout, make_deps
from pos_app.config import Settings
from pos_app.domain.money import Money
from pos_app.domain.sale import Method, SaleStatus
from pos_app.gateway.cashfree import CashfreeGateway
from pos_app.gateway.retry import RateBudget, RetryPolicy
from pos_app.secrets import Secret
from pos_app.services.checkout.deps import Deps
from pos_app.services.checkout.schedule import PollSchedule
from pos_app.services.checkout.service import CheckoutService
from pos_app.services.checkout.state import ChargeRequest, SaleState
from pos_app.services.store_sync.push import PushListener
from pos_app.services.store_sync.webhook_server import DEFAULT_PATH, WebhookReceiver
from pos_app.simulator import (
    SIM_CLIENT_ID,
    SIM_CLIENT_SECRET,
    Simulator,
    SimulatorTransport,
)
from pos_app.simulator.webhooks import WebhookSender
from pos_app.store.journal import Journal
from pos_app.store_db.connect import connect


class Counting(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.calls: list[tuple[float, str, str]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.calls.append((time.monotonic(), request.method, request.url.path))
        return await self.inner.handle_async_request(request)

    def get_orders(self, since: float = 0.0) -> int:
        return sum(
            1
            for t, m, p in self.calls
            if t >= since and m == "GET" and "/orders/" in p and not p.endswith("/payments")
        )


@dataclass
class PushTill:
    sim: Simulator
    transport: Counting
    client: httpx.AsyncClient
    journal: Journal
    deps: Deps
    checkout: CheckoutService
    listener: PushListener | None
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def sale_until_awaiting(self, rupees: int = 170) -> tuple[str, asyncio.Task[SaleState]]:
        stream = self.checkout.start(
            ChargeRequest(amount=Money.rupees(rupees), method=Method.UPI_QR)
        )
        first: asyncio.Future[str] = asyncio.get_running_loop().create_future()

        async def drive() -> SaleState:
            last = None
            async for state in stream:
                last = state
                if (
                    state.status is SaleStatus.AWAITING_PAYMENT
                    and state.has_qr
                    and not first.done()
                ):
                    first.set_result(state.order_id)
            assert last is not None
            if not first.done():
                first.set_result(last.order_id)
            return last

        task = asyncio.create_task(drive())
        return await first, task

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await self.checkout.shutdown()
        await self.client.aclose()
        self.journal.close()


def make_push_till(
    tmp_path: Path,
    sim: Simulator,
    store_url: str | None,
    *,
    schedule: PollSchedule | None = None,
    till_id: str = "T1",
    budget: str = "sandbox",
) -> PushTill:
    transport = Counting(SimulatorTransport(sim))
    client = httpx.AsyncClient(transport=transport)
    gateway = CashfreeGateway(
        client,
        base_url="http://simulator.invalid/pg",
        client_id=SIM_CLIENT_ID,
        client_secret=Secret(SIM_CLIENT_SECRET),
        retry=RetryPolicy(jitter=lambda d: d),
        budget=RateBudget.for_environment(budget),
    )
    folder = tmp_path / f"till-{till_id}"
    folder.mkdir(parents=True, exist_ok=True)
    journal = Journal.open(folder / "journal-demo.sqlite3")
    # Wired by the composition root's factories, as the app wires a till.
    settings = Settings(
        store_name="Push Store",
        terminal_id=till_id,
        default_customer_phone="9999999999",
        order_expiry_minutes=15,
        enabled_methods=tuple(m.value for m in Method),
        collect_enabled=True,
        card_payments_enabled=True,
        embedded_checkout=True,
        max_amount_paise=10**9,
        late_sweep_hours=60.0 / 3600.0,
    )
    deps = make_deps(
        settings,
        "demo",
        gateway.single_attempt(),
        journal,
        background=gateway.background(),
        schedule=schedule or PollSchedule(),
    )
    checkout = make_checkout(settings, deps, keep_leases=False)
    listener = None
    till = PushTill(sim, transport, client, journal, deps, checkout, None)
    if store_url is not None:
        listener = PushListener(
            "shop", lambda: connect(store_url), checkout.check_now, quiet_after=2.0
        )
        deps.schedule = dataclasses.replace(deps.schedule, backstop=listener.backstop)
        till.listener = listener
        till.tasks.append(asyncio.create_task(listener.run()))
    return till


async def start_receiver(store_url: str, heartbeat: float = 0.3) -> tuple[WebhookReceiver, str]:
    receiver = WebhookReceiver(
        Secret(SIM_CLIENT_SECRET), "shop", lambda: connect(store_url), heartbeat_seconds=heartbeat
    )
    host, port = await receiver.start("127.0.0.1", 0)
    return receiver, f"http://{host}:{port}{DEFAULT_PATH}"


def start_sender(sim: Simulator, url: str) -> WebhookSender:
    return WebhookSender(sim, url, tick=0.05).start()
