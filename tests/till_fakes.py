"""Test plumbing for the services layer: a fake clock, and a whole till wired to the
in-process simulated Cashfree (the real CashfreeGateway, the real SQLite journal) by the
composition root's own factories (app.make_deps, app.make_checkout, make_desk_services)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

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
from pos_app.simulator import (
    SIM_CLIENT_ID,
    SIM_CLIENT_SECRET,
    Simulator,
    SimulatorTransport,
)
from pos_app.store.journal import Journal
from pos_app.store.leases import Owner

if TYPE_CHECKING:
    from pos_app.ui.services import DeskServices

START = datetime(2026, 11, 26, 5, 30, tzinfo=UTC)


class FakeClock:
    """Time that moves only when someone sleeps: sleep(s) jumps the clock by s."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start
        self._origin = start

    def __call__(self) -> datetime:
        return self.now

    def monotonic(self) -> float:
        return (self.now - self._origin).total_seconds()

    async def sleep(self, seconds: float) -> None:
        self.now += timedelta(seconds=max(0.0, seconds))
        await asyncio.sleep(0)


class CountingTransport(httpx.AsyncBaseTransport):
    """Passes requests to the simulator and remembers (fake time, method, path)."""

    def __init__(self, inner: httpx.AsyncBaseTransport, clock: FakeClock) -> None:
        self.inner = inner
        self.clock = clock
        self.calls: list[tuple[float, str, str]] = []
        self.statuses: list[int] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.calls.append((self.clock.monotonic(), request.method, request.url.path))
        response = await self.inner.handle_async_request(request)
        self.statuses.append(response.status_code)
        return response

    def busiest_minute(self, method: str, suffix_test: Callable[[str], bool]) -> int:
        """The most calls matching (method, path) in any 60-second window."""
        times = sorted(t for t, m, p in self.calls if m == method and suffix_test(p))
        best = 0
        lo = 0
        for hi, t in enumerate(times):
            while t - times[lo] >= 60.0:
                lo += 1
            best = max(best, hi - lo + 1)
        return best

    def count(self, method: str, suffix: str) -> int:
        return sum(1 for _, m, p in self.calls if m == method and p.endswith(suffix))


@dataclass
class Till:
    clock: FakeClock
    sim: Simulator
    transport: CountingTransport
    client: httpx.AsyncClient
    gateway: CashfreeGateway
    budget: RateBudget
    journal: Journal
    deps: Deps
    checkout: CheckoutService
    seen: list[SaleState] = field(default_factory=list)

    async def run(self, request: ChargeRequest, *, until_awaiting: bool = False) -> SaleState:
        """Drive a sale; with until_awaiting, stop (and return) at the first state that shows
        something to the customer, leaving the generator suspended in self.stream."""
        self.stream = self.checkout.start(request)
        async for state in self.stream:
            self.seen.append(state)
            if (
                until_awaiting
                and state.status is SaleStatus.AWAITING_PAYMENT
                and (state.has_qr or state.method is Method.COLLECT)
            ):
                return state
        return self.seen[-1]

    async def finish(self) -> SaleState:
        async for state in self.stream:
            self.seen.append(state)
        return self.seen[-1]

    async def cancel_and_finish(self, order_id: str) -> SaleState:
        """Press Cancel while the watcher keeps iterating the sale's stream."""
        cancel = asyncio.ensure_future(self.checkout.cancel(order_id))
        final = await self.finish()
        await cancel
        return final

    stream: AsyncIterator[SaleState] = field(init=False)


def till_settings(methods: frozenset[Method]) -> Settings:
    """A test till's Settings: `methods` switched on (collect, card and the embedded
    checkout by their own switches), late payments swept for an hour."""
    return Settings(
        store_name="Test Store",
        terminal_id="T1",
        default_customer_phone="9999999999",
        order_expiry_minutes=15,
        enabled_methods=tuple(m.value for m in Method if m in methods),
        collect_enabled=Method.COLLECT in methods,
        card_payments_enabled=Method.CARD in methods,
        embedded_checkout=Method.CHECKOUT in methods,
        max_amount_paise=1_00_000_00,
        late_sweep_hours=1.0,
    )


def make_till(
    tmp_path: Path,
    *,
    sim: Simulator | None = None,
    clock: FakeClock | None = None,
    journal: Journal | None = None,
    methods: frozenset[Method] | None = None,
    owner: Owner | None = None,
) -> Till:
    clock = clock or FakeClock()
    sim = sim or Simulator(clock=clock)
    transport = CountingTransport(SimulatorTransport(sim), clock)
    client = httpx.AsyncClient(transport=transport, base_url="http://simulator.invalid")
    budget = RateBudget.for_environment("sandbox", clock=clock.monotonic, sleep=clock.sleep)
    gateway = CashfreeGateway(
        client,
        base_url="http://simulator.invalid/pg",
        client_id=SIM_CLIENT_ID,
        client_secret=Secret(SIM_CLIENT_SECRET),
        retry=RetryPolicy(jitter=lambda d: d),
        budget=budget,
        sleep=clock.sleep,
        clock=clock.monotonic,
    )
    journal = journal or Journal.open(tmp_path / "journal.sqlite3", clock=clock)
    # The composition root's own factories (app.make_deps / app.make_checkout), so a change
    # to how the app wires the checkout reaches every test till. Two choices are the
    # test's: polling at the plain PollSchedule pace (Get Link's budget is the budget
    # tests' business), and no lease keeper, whose loop would spin on the fake clock.
    settings = till_settings(methods or frozenset(Method))
    deps = make_deps(
        settings,
        "demo",
        gateway.single_attempt(),  # the checkout owns the counter's retries
        journal,
        background=gateway.background(),
        clock=clock,
        sleep=clock.sleep,
        schedule=PollSchedule(),
        owner=owner,
    )
    checkout = make_checkout(settings, deps, keep_leases=False)
    return Till(clock, sim, transport, client, gateway, budget, journal, deps, checkout)


def desk_services(till: Till, environment: str | None = None) -> DeskServices:
    """What the composition root hands a desk running this till (app.make_desk_services):
    the Till menu, the manager's console, and in demo the simulator's customer."""
    from pos_app.app import make_desk_services
    from pos_app.config import paths
    from pos_app.secrets import KeyringSecretStore

    settings = Settings(store_name=till.deps.store_name, terminal_id=till.deps.terminal_id)
    return make_desk_services(
        settings,
        environment or till.deps.environment,
        till.checkout,
        where=paths(),
        secrets=KeyringSecretStore(timeout=3),
        last_call=lambda: till.gateway.last_call,
        simulator=till.sim,
    )


def gone_owner(name: str = "crashed") -> Owner:
    """An owner whose process is gone (a pid above Linux's pid_max): a till that crashed.
    Its claims are stale at once, as a kill -9'd process's are."""
    return Owner(token=f"{socket.gethostname()}:{name}", host=socket.gethostname(), pid=2**22 + 7)


def qr_request(rupees: int = 250, **kw: object) -> ChargeRequest:
    return ChargeRequest(amount=Money.rupees(rupees), method=Method.UPI_QR, **kw)  # type: ignore[arg-type]
