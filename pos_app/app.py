"""The composition root: builds settings, secrets, the one httpx.AsyncClient, the gateway,
the journal and the services, then starts the desk or runs a command.

Only this module (besides gateway/) creates HTTP clients, and only it decides which
Cashfree the till talks to: production always means Cashfree's production host.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import sqlite3
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Literal

import httpx

from pos_app.config import Paths, Settings, journal_path, load_settings, paths
from pos_app.domain.clock import Clock, utc_now
from pos_app.domain.environment import NAMES
from pos_app.domain.money import Money
from pos_app.domain.sale import Method, ReasonCode, SaleStatus
from pos_app.domain.secret import Secret
from pos_app.domain.store_phone import fallback_phone
from pos_app.gateway.base import PaymentGateway
from pos_app.gateway.cashfree import DEFAULT_TIMEOUT, CashfreeGateway, base_url_for
from pos_app.gateway.retry import CallBudget, RateBudget, published_limits
from pos_app.logs import register_secret
from pos_app.services.checkout.deps import Deps, JournalLike
from pos_app.services.checkout.schedule import PollSchedule, SweepSchedule, sustainable_interval
from pos_app.services.checkout.service import CheckoutService
from pos_app.store.journal import Journal
from pos_app.store.leases import Owner

if TYPE_CHECKING:
    from pos_app.mcp.context import McpServices
    from pos_app.secrets import TillRecordStore
    from pos_app.services.demo_customer import DemoCustomer
    from pos_app.services.diagnostics import CallRecord, ConnectionCheck
    from pos_app.services.manager.pin import PinGuard
    from pos_app.services.refunds.service import RefundService
    from pos_app.simulator.core import Simulator
    from pos_app.ui.main_window import MainWindow
    from pos_app.ui.services import DeskServices, ManagerServices, StoreLink
    from pos_app.ui.setup.context import AsyncSecretStore, SetupServices
    from pos_app.ui.setup_problem import SetupChoice, SetupProblem

__all__ = [
    "JournalOnly",
    "Runtime",
    "SetupError",
    "make_desk_services",
    "open_journal_only",
    "open_runtime",
    "resolve_environment",
    "setup_services",
]

log = logging.getLogger(__name__)

BASE_URL_ENV = "POS_CASHFREE_BASE_URL"
IN_PROCESS_URL = "http://simulator.invalid/pg"


SetupReason = Literal[
    "no_backend",  # no OS password store at all
    "refused_backend",  # a store that keeps secrets in a file / prompts on stdin
    "locked",  # locked, or its unlock prompt was dismissed
    "timeout",  # the store did not answer in time
    "backend_error",  # the store failed otherwise
    "no_credentials",  # the store works but holds no App ID / secret for this environment
    "other",  # anything else (an unknown environment, ...)
]
# Reasons that stop a real (sandbox/production) till until the password store or the
# credentials are put right: the desk asks the user, it never switches to demo by itself.
CREDENTIAL_REASONS: frozenset[str] = frozenset(
    {"no_backend", "refused_backend", "locked", "timeout", "backend_error", "no_credentials"}
)


class SetupError(Exception):
    """The till cannot start this way; the message says what to do, `reason` lets the
    caller choose what to do (never by matching words in the message)."""

    def __init__(
        self, message: str, *, reason: SetupReason = "other", environment: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.reason: SetupReason = reason
        self.environment = environment

    @property
    def credentials_unavailable(self) -> bool:
        return self.reason in CREDENTIAL_REASONS


@dataclass
class Runtime:
    settings: Settings
    paths: Paths
    environment: str
    journal: Journal
    client: httpx.AsyncClient
    gateway: CashfreeGateway
    deps: Deps
    checkout: CheckoutService
    simulator: Simulator | None = None  # the in-process simulated Cashfree (demo mode)
    notice: str | None = None
    budget: CallBudget | None = None
    _closed: bool = field(default=False, repr=False)

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        await self.checkout.shutdown()
        await self.client.aclose()
        self.journal.close()
        if self.simulator is not None:  # the demo's pretend Cashfree writes what is pending
            self.simulator.close()
        close_budget = getattr(self.budget, "close", None)
        if callable(close_budget):
            close_budget()


@dataclass
class JournalOnly:
    """What reading the till's own records needs: no keyring, no HTTP client, no gateway."""

    settings: Settings
    paths: Paths
    environment: str
    journal: Journal
    notice: str | None = None

    def close(self) -> None:
        self.journal.close()


def open_journal_only(env_override: str | None = None, *, clock: Clock = utc_now) -> JournalOnly:
    """Settings and the journal of one environment, for commands that only read it
    (`report`, `status` without a refresh). Never touches the password store or the network,
    and never closes anyone's sales."""
    where = paths()
    loaded = load_settings(where)
    environment = resolve_environment(loaded.settings, env_override)
    journal = Journal.open(journal_path(where, environment), clock=clock)
    return JournalOnly(loaded.settings, where, environment, journal, loaded.notice)


def resolve_environment(settings: Settings, override: str | None) -> str:
    from pos_app.services.manager.policy import load_policy

    pinned = load_policy().policy  # the shop's root-owned policy wins over the settings
    locked = pinned.environment if pinned is not None else None
    env = override or locked or settings.environment
    if env not in NAMES:
        raise SetupError(f"Unknown environment {env!r}: use demo, sandbox or production.")
    if locked is not None and env != locked:
        raise SetupError(
            f"The shop's policy file locks this till to {locked}; it cannot run in {env}. "
            "Only an administrator can change that."
        )
    return env


def _credentials(environment: str) -> tuple[str, Secret]:
    """App ID and secret for sandbox/production, from the OS keyring only."""
    from pos_app.secrets import KeyringSecretStore, SecretStoreError

    store = KeyringSecretStore()
    try:
        app_id = store.get(environment, "app_id")
        secret = store.get(environment, "client_secret")
    except SecretStoreError as exc:
        raise SetupError(exc.message, reason=exc.reason, environment=environment) from exc
    if app_id is None or secret is None:
        raise SetupError(
            f"There are no Cashfree {environment} credentials on this till yet. "
            f"Set them with `pos-app credentials set --env {environment}`, "
            "or try the till without an account: `pos-app --demo`.",
            reason="no_credentials",
            environment=environment,
        )
    register_secret(secret)
    return app_id.reveal(), secret


def cashfree_secret(environment: str) -> Secret:
    """The account's client secret, which also signs its webhooks (demo: the simulator's)."""
    if environment == "demo":
        from pos_app.simulator import SIM_CLIENT_SECRET

        return Secret(SIM_CLIENT_SECRET)
    return _credentials(environment)[1]


async def check_connection(environment: str, app_id: str, secret: Secret) -> ConnectionCheck:
    """Prove sandbox or production credentials with one Get Order that creates nothing
    (`pos-app credentials test`, the wizard's "Test connection"). Sandbox honours
    POS_CASHFREE_BASE_URL; production always asks Cashfree's production host."""
    from pos_app.gateway.retry import RetryPolicy
    from pos_app.services.diagnostics import check_credentials

    if environment not in ("sandbox", "production"):
        raise ValueError("only sandbox and production credentials can be checked")
    base_url = base_url_for(environment, os.environ.get(BASE_URL_ENV) or None)
    register_secret(secret)
    async with httpx.AsyncClient(timeout=DEFAULT_TIMEOUT) as client:
        gateway = CashfreeGateway(
            client,
            base_url=base_url,
            client_id=app_id,
            client_secret=secret,
            retry=RetryPolicy(max_attempts=2),
        )
        return await check_credentials(gateway, environment)


def make_deps(
    settings: Settings,
    environment: str,
    gateway: PaymentGateway,
    journal: JournalLike,
    *,
    background: PaymentGateway | None = None,
    clock: Clock = utc_now,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    schedule: PollSchedule | None = None,
    owner: Owner | None = None,
) -> Deps:
    """`gateway` is the counter's view, `background` the one for work away from the
    counter (the same gateway when not given). `schedule` replaces the polling cadence
    built from Settings (a test's own pace); `owner` names the process following the
    sales (this process when not given)."""
    return Deps(
        gateway=gateway,
        background=gateway if background is None else background,
        journal=journal,
        clock=clock,
        sleep=sleep,
        terminal_id=settings.terminal_id,
        environment=environment,
        store_name=settings.store_name,
        default_phone=fallback_phone(settings.default_customer_phone, environment),
        order_expiry_minutes=settings.order_expiry_minutes,
        schedule=poll_schedule(settings, environment) if schedule is None else schedule,
        sweep=SweepSchedule(duration=settings.late_sweep_hours * 3600.0),
        owner=Owner.of_this_process() if owner is None else owner,
        notify_url=settings.store_webhook_url,
    )


def poll_schedule(settings: Settings, environment: str) -> PollSchedule:
    """The polling cadence Settings ask for; a payment link's reads kept inside the
    environment's Get Link budget."""
    return PollSchedule(
        fast_interval=settings.poll_fast_interval,
        fast_for=settings.poll_fast_for,
        medium_interval=settings.poll_medium_interval,
        medium_until=settings.poll_medium_until,
        slow_interval=settings.poll_slow_interval,
        link_min_interval=sustainable_interval(
            RateBudget.for_environment(environment).capacity("get_link")
        ),
    )


def make_checkout(settings: Settings, deps: Deps, *, keep_leases: bool = True) -> CheckoutService:
    """The checkout Settings describe. `keep_leases` runs the lease keeper (heartbeat
    and hearing other doors of this till); off only where nothing else shares the
    journal and time is fake (a test's till), where its loop would only spin."""
    methods = {Method(m) for m in settings.enabled_methods}
    if settings.collect_enabled:
        methods.add(Method.COLLECT)
    else:
        methods.discard(Method.COLLECT)
    if settings.card_payments_enabled:
        methods.add(Method.CARD)
    else:
        methods.discard(Method.CARD)
    if settings.embedded_checkout:
        methods.add(Method.CHECKOUT)
    else:
        methods.discard(Method.CHECKOUT)
    return CheckoutService(
        deps,
        enabled_methods=frozenset(methods),
        max_amount=Money(settings.max_amount_paise),
        duplicate_window=timedelta(minutes=settings.duplicate_window_minutes),
        keep_leases=keep_leases,
    )


def make_mcp_services(runtime: Runtime) -> McpServices:
    """The MCP server's bundle: the runtime's checkout and journal, a RefundService for
    approved refund requests (store-checked with a store database: refund_maker), and the MCP limits from Settings (the per-call maximum never
    above the till's own)."""
    from pos_app.mcp.context import McpServices
    from pos_app.services.refunds.requests import RefundRequestService
    from pos_app.services.reporting.reports import local_zone

    deps, settings = runtime.deps, runtime.settings
    make = refund_maker(settings, runtime.environment, who="pos-app mcp")
    refunds = make(runtime.gateway, runtime.journal, clock=deps.clock, sleep=deps.sleep)
    till_max = Money(settings.max_amount_paise)
    wanted = settings.mcp_max_amount_paise
    return McpServices(
        environment=runtime.environment,
        checkout=runtime.checkout,
        journal=runtime.journal,
        refunds=refunds,
        refund_requests=RefundRequestService(runtime.journal, refunds, clock=deps.clock),
        max_amount=min(Money(wanted), till_max) if wanted else till_max,
        calls_per_minute=settings.mcp_calls_per_minute,
        zone=local_zone(),
        store_day=_store_day_reader(runtime),
    )


RefundMaker = Callable[..., "RefundService"]


def refund_maker(settings: Settings, environment: str, *, who: str = "pos-app") -> RefundMaker:
    """The one way a till builds the RefundService for ITS OWN sales (console, MCP, `pos-app
    refund`): call the result like RefundService(gateway, journal, **options), where
    `journal` is the till's Journal. Plain RefundService without a store database (or
    without the 'store' extra, or when its access cannot be set up); with one, the
    StoreCheckedRefunds that reserves a new refund in the store database first (the sale's
    row locked) so a till refunding the same sale at the same moment cannot go above paid,
    and that also follows this till's refunds of other tills' sales still on their way.
    The store's access (keyring included) is read here, once, not when a refund is made."""
    from pos_app.services.refunds.service import RefundService

    if not settings.store_database_url:
        return RefundService
    try:
        from pos_app.services.refunds.at_other_till import OtherTillRefunds
        from pos_app.services.refunds.store_checked import StoreCheckedRefunds
        from pos_app.store_db.access import store_access
        from pos_app.store_db.connect import StoreDbError
    except ModuleNotFoundError as exc:  # installed without the 'store' extra
        log.warning("refunds not checked in the store database: %s is missing", exc.name)
        return RefundService
    try:
        access = store_access(settings, environment)
    except StoreDbError as exc:
        log.warning("refunds not checked in the store database: %s", exc.message)
        return RefundService
    connector = access.connector(who)

    def make(gateway: Any, journal: Journal, **options: Any) -> RefundService:
        others = OtherTillRefunds(
            gateway,
            journal,
            connector,
            access.till,
            clock=options["clock"],
            sleep=options.get("sleep", asyncio.sleep),
        )
        return StoreCheckedRefunds(
            gateway, journal, connector=connector, till=access.till, others=others, **options
        )

    return make


def _store_day_reader(runtime: Runtime) -> Any:
    """The store database's day for the MCP server (None: no store database, or the
    'store' extra is not installed)."""
    if not runtime.settings.store_database_url:
        return None
    try:
        from pos_app.services.reporting.store_views import StoreDayReader
        from pos_app.store_db.access import store_access
        from pos_app.store_db.connect import StoreDbError
    except ModuleNotFoundError:
        return None
    try:
        access = store_access(runtime.settings, runtime.environment)
    except StoreDbError:
        return None
    return StoreDayReader(
        access.till.store_id, runtime.environment, access.connector("pos-app mcp")
    )


def open_runtime(
    env_override: str | None = None,
    *,
    clock: Clock = utc_now,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    simulator: Simulator | None = None,
    close_demo_orphans: bool = False,
) -> Runtime:
    """Build everything for one run (no I/O but the journal and keyring). Raises
    SetupError with a sentence to show; store.errors.JournalError passes through."""
    where = paths()
    loaded = load_settings(where)
    settings = loaded.settings
    environment = resolve_environment(settings, env_override)
    override = os.environ.get(BASE_URL_ENV) or None
    sim = None
    transport: httpx.AsyncBaseTransport | None = None
    if environment == "demo" and override is None:
        from pos_app.simulator import (
            SIM_CLIENT_ID,
            SIM_CLIENT_SECRET,
            SimulatorTransport,
        )
        from pos_app.simulator.persist import open_demo_simulator

        # The demo's pretend Cashfree keeps its ledger in the demo data folder.
        sim = simulator or open_demo_simulator(where.data_dir, clock=clock)
        transport = SimulatorTransport(sim)
        base_url, app_id, secret = IN_PROCESS_URL, SIM_CLIENT_ID, Secret(SIM_CLIENT_SECRET)
    else:
        if environment == "demo":
            from pos_app.simulator import SIM_CLIENT_ID, SIM_CLIENT_SECRET

            app_id, secret = SIM_CLIENT_ID, Secret(SIM_CLIENT_SECRET)
        else:
            app_id, secret = _credentials(environment)
        base_url = base_url_for(environment, override)
    journal = Journal.open(journal_path(where, environment), clock=clock)
    try:
        if close_demo_orphans and sim is not None and simulator is None:
            # Only a starting desk does this (never a command beside a running desk).
            close_orphaned_demo_sales(journal, sim)
    except BaseException:
        journal.close()
        raise
    # A real Cashfree (or the simulator on loopback) counts calls per account: the till's
    # processes share one budget. The in-process demo Cashfree belongs to this process.
    if sim is not None:
        budget: CallBudget = RateBudget.for_environment(environment)
    else:
        budget = till_budget(where, environment)
    # The HTTP client comes last: nothing after it can fail, so it is never left open.
    client = httpx.AsyncClient(transport=transport, timeout=DEFAULT_TIMEOUT)
    gateway = CashfreeGateway(
        client, base_url=base_url, client_id=app_id, client_secret=secret, budget=budget
    )
    # The checkout's loops own the counter's retries (one attempt per try); work away from
    # the counter leaves the rate budget's reserve to it.
    deps = make_deps(
        settings,
        environment,
        gateway.single_attempt(),
        journal,
        background=gateway.background(),
        clock=clock,
        sleep=sleep,
    )
    checkout = make_checkout(settings, deps)
    return Runtime(
        settings=settings,
        paths=where,
        environment=environment,
        journal=journal,
        client=client,
        gateway=gateway,
        deps=deps,
        checkout=checkout,
        simulator=sim,
        notice=loaded.notice,
        budget=budget,
    )


def till_budget(where: Paths, environment: str) -> CallBudget:
    """The rate budget shared by every process of this till (store/rate_budget.py); the
    process's own budget if its file cannot be opened (payments never stop for it)."""
    from pos_app.store.rate_budget import SharedRateBudget, budget_path

    def own() -> RateBudget:
        return RateBudget.for_environment(environment)

    try:
        return SharedRateBudget.open(
            budget_path(where.data_dir, environment), published_limits(environment), fallback=own
        )
    except (OSError, sqlite3.Error) as exc:
        log.warning(
            "the till's shared rate budget cannot be opened (%s): using this process's", exc
        )
        return own()


def close_orphaned_demo_sales(journal: Journal, sim: Simulator | None = None) -> int:
    """Training sales left open by an earlier run that the demo's pretend Cashfree no
    longer knows (its ledger was deleted or damaged) cannot be settled: they are closed,
    with an event saying why (real environments never do this). Sales it still knows are
    followed as usual."""
    closed = 0
    for sale in journal.open_sales():
        if journal.live_lease(sale.order_id) is not None:
            continue  # a live process follows it (another desk or command): not an orphan
        if sim is not None and _demo_knows(sim, sale.link_id or sale.order_id):
            continue
        journal.update_sale(
            sale.order_id,
            event="demo_restarted",
            status=SaleStatus.CANCELLED,
            reason_code=ReasonCode.DEMO_RESTARTED,
        )
        closed += 1
    return closed


def serve_checkout_pages(runtime: Runtime) -> Callable[[], None] | None:
    """Demo only: serve the pretend Cashfree's checkout page on loopback, so a payment
    link opens a working page. Returns what stops it (None when nothing was started)."""
    if runtime.simulator is None or runtime.environment != "demo":
        return None
    from pos_app.simulator.demo_pages import serve_demo_pages

    handle = serve_demo_pages(runtime.simulator)
    return handle.stop if handle is not None else None


async def _stop_then(stop: Callable[[], None] | None, then: Callable[[], Awaitable[None]]) -> None:
    if stop is not None:
        stop()  # the loopback page server: a fraction of a second, at shutdown only
    await then()


def _demo_knows(sim: Simulator, order_or_link: str) -> bool:
    looks: tuple[Callable[[str], object], ...] = (sim.order, sim.link)
    for look in looks:
        try:
            look(order_or_link)
        except Exception:  # noqa: S112 (unknown to the simulator)
            continue
        return True
    return False


AskSetupProblem = Callable[["SetupProblem"], "SetupChoice"]


def run_gui(
    env_override: str | None = None,
    *,
    ask: AskSetupProblem | None = None,
    on_ready: Sequence[Callable[[MainWindow], None]] = (),
) -> int:
    """Open the cashier desk. On the first run (no settings file yet) the setup wizard
    comes first. A real till (sandbox/production) whose password store or credentials
    cannot be read shows a blocking message (Retry / Quit / the demo on purpose, through
    `ask`, injectable for tests); it never opens the demo by itself. `on_ready` is called
    with the desk's window once it shows (the start-up bench, tests). Returns the exit
    code: 8 (setup problem) when the user quits there."""
    from pos_app.desktop_check import desktop_problem

    problem = desktop_problem()
    if problem is not None:  # Qt would abort with a page of plugin errors instead
        raise SetupError(problem)
    from pos_app.ui.qt_app import gui_thread_gc

    with gui_thread_gc():  # one GUI-thread collector for the wizard, the message and the desk
        return _run_gui(env_override, ask, on_ready)


def _run_gui(
    env_override: str | None,
    ask: AskSetupProblem | None,
    on_ready: Sequence[Callable[[MainWindow], None]],
) -> int:
    from pos_app.commands.exit_codes import SETUP
    from pos_app.config import settings_file
    from pos_app.secrets import KeyringSecretStore
    from pos_app.ui.desk import Desk, run_desk
    from pos_app.ui.setup.entry import run_first_run

    where = paths()
    secrets = KeyringSecretStore()
    first_run = env_override is None and not settings_file(where).exists()
    if first_run and run_first_run(setup_services(where, secrets)) is None:
        return 0  # closed without choosing: the wizard comes back next time
    opened = _open_for_the_desk(env_override, ask)
    if opened is None:
        return SETUP
    runtime, notice = opened
    pages = serve_checkout_pages(runtime)
    try:
        services = runtime_desk_services(runtime, secrets, pages_served=pages is not None)
        desk = Desk(
            services=services,
            notice=notice or runtime.notice,
            credentials_missing=False,  # a chosen demo says why in its notice
            on_shutdown=lambda: _stop_then(pages, runtime.aclose),
            on_ready=on_ready,
        )
        return run_desk(desk)
    finally:
        runtime.journal.close()  # again, in case the desk never started its loop


def _open_for_the_desk(
    env_override: str | None, ask: AskSetupProblem | None
) -> tuple[Runtime, str | None] | None:
    """The runtime the desk starts with, and a notice when the user chose the demo; None
    when the user quit. Asks again after each Retry."""
    while True:
        try:
            return open_runtime(env_override, close_demo_orphans=True), None
        except SetupError as exc:
            if not exc.credentials_unavailable or exc.environment in (None, "demo"):
                raise
            choice = _ask(ask, exc)
            problem = exc
        if choice == "quit":
            return None
        if choice == "demo":
            notice = (
                f"You chose the demo because the {problem.environment} till could not start: "
                f"{problem.message} Nothing taken in the demo is real money."
            )
            return open_runtime("demo", close_demo_orphans=True), notice
        # "retry": go round again


def _ask(ask: AskSetupProblem | None, error: SetupError) -> SetupChoice:
    from pos_app.ui.setup_problem import SetupProblem, ask_about_setup_problem

    problem = SetupProblem(
        environment=error.environment or "production", reason=error.reason, message=error.message
    )
    log.warning("the %s till cannot start (%s); asking the user", problem.environment, error.reason)
    return (ask or ask_about_setup_problem)(problem)


# ---- what the desk is handed (ui.services) ------------------------------------------------------
GUI_FOLLOW_SECONDS = 30.0  # how long the console's refund dialog waits for a final answer


def manager_pin_guard(vault: TillRecordStore, clock: Callable[[], float] = time.time) -> PinGuard:
    """The one PinGuard of this till: its wrong-try count lives in the password store entry
    (a deleted or edited file does not reset it); wall-clock time, so it survives restarts."""
    from pos_app.services.manager.gate import pin_guard

    return pin_guard(vault, clock)


def setup_services(
    where: Paths,
    secrets: AsyncSecretStore,
    *,
    environment: str = "demo",
    last_call: Callable[[], CallRecord | None] | None = None,
) -> SetupServices:
    """What the first-run wizard and the desk's "Till" menu need."""
    from pos_app.ui.setup.context import SetupServices

    made = SetupServices(
        paths=where,
        secrets=secrets,
        check=check_connection,
        guard=manager_pin_guard(secrets),
        environment=environment,
    )
    if last_call is not None:
        made.last_call = last_call
    return made


def manager_services(
    checkout: CheckoutService,
    where: Paths,
    vault: TillRecordStore,
    *,
    settings: Settings | None = None,
) -> ManagerServices:
    """What the manager's console needs beside the desk's checkout: a reader on the journal
    the checkout writes, refunds through the checkout's gateway (with the shop's limit per
    day, read when the console opens; store-checked when `settings` join a store database:
    refund_maker), refund requests and the PIN's password store entry."""
    from pos_app.services.refunds.requests import RefundRequestService
    from pos_app.services.refunds.service import RefundService, day_limit
    from pos_app.services.reporting.queries import ReportReader
    from pos_app.services.reporting.reports import local_zone
    from pos_app.ui.services import ManagerServices

    deps = checkout.deps
    make: RefundMaker = (
        RefundService
        if settings is None
        else refund_maker(settings, deps.environment, who="pos-app manager")
    )

    def refunds() -> RefundService:
        from pos_app.services.manager.policy import load_policy

        policy = load_policy().policy  # the shop's refunds-per-day limit, if pinned
        most = policy.max_refund_per_day if policy is not None else None
        return make(
            deps.background,
            deps.journal,
            clock=deps.clock,
            sleep=deps.sleep,
            follow_for=GUI_FOLLOW_SECONDS,
            limit=None if most is None else day_limit(deps.journal, most, deps.clock),
        )

    def requests(through: RefundService) -> RefundRequestService:
        return RefundRequestService(deps.journal, through, clock=deps.clock)  # type: ignore[arg-type]

    return ManagerServices(
        paths=where,
        vault=vault,
        zone=local_zone(),
        open_reader=lambda: ReportReader.beside(deps.journal),  # type: ignore[arg-type]
        refunds=refunds,
        requests=requests,
    )


def make_desk_services(
    settings: Settings,
    environment: str,
    checkout: CheckoutService,
    *,
    where: Paths,
    secrets: AsyncSecretStore,
    last_call: Callable[[], CallRecord | None] | None = None,
    simulator: Simulator | None = None,
    demo_origin: str | None = None,
    store: StoreLink | None = None,
) -> DeskServices:
    """The one bundle the desk gets: its checkout, settings, the setup and manager services
    (one password store, one PIN guard), the store database link and the demo customer."""
    from pos_app.ui.services import DeskServices

    customer: DemoCustomer | None = None
    if simulator is not None and environment == "demo":
        from pos_app.simulator.demo_customer import SimulatedCustomer

        customer = SimulatedCustomer(simulator)
    return DeskServices(
        checkout=checkout,
        settings=settings,
        environment=environment,
        setup=setup_services(where, secrets, environment=environment, last_call=last_call),
        manager=manager_services(checkout, where, secrets, settings=settings),
        store=store,
        demo_customer=customer,
        demo_origin=demo_origin,
    )


def runtime_desk_services(
    runtime: Runtime, secrets: AsyncSecretStore, *, pages_served: bool = False
) -> DeskServices:
    """The desk's bundle for an opened runtime (`pages_served`: the demo's checkout pages
    are on loopback, so the embedded checkout can show them)."""
    sim = runtime.simulator
    demo_origin = None
    if pages_served and sim is not None and runtime.settings.embedded_checkout:
        demo_origin = sim.public_url
    return make_desk_services(
        runtime.settings,
        runtime.environment,
        runtime.checkout,
        where=runtime.paths,
        secrets=secrets,
        last_call=lambda: runtime.gateway.last_call,
        simulator=sim,
        demo_origin=demo_origin,
        store=store_link(runtime),
    )


def store_link(runtime: Runtime) -> StoreLink | None:
    """When the till has a store database, the desk pushes its outbox continuously (its
    header shows "store sync: N events waiting"), hears the store's webhooks (then polls
    slowly as a backstop) and the console gets a Store tab. None without one."""
    if not runtime.settings.store_database_url:
        return None
    try:
        from pos_app.services.store_sync.link import make_push_listener, make_store_sync
    except ModuleNotFoundError as exc:  # installed without the 'store' extra (psycopg)
        log.warning("store database off: %s is missing", exc.name)
        return None
    from pos_app.services.reporting.store_views import StoreDayReader
    from pos_app.store_db.access import store_access
    from pos_app.ui.services import StoreLink

    sync = make_store_sync(
        runtime.settings, runtime.environment, runtime.journal, utc_now, gateway=runtime.gateway
    )
    if sync is None:
        return None
    # Webhooks heard through the store database: check that order now, poll slowly meanwhile.
    listener = make_push_listener(runtime.settings, runtime.environment, runtime.checkout.check_now)
    if listener is not None:
        runtime.deps.schedule = dataclasses.replace(
            runtime.deps.schedule, backstop=listener.backstop
        )
    from pos_app.services.refunds.at_other_till import OtherTillRefunds

    access = store_access(runtime.settings, runtime.environment)
    connector = access.connector("pos-app manager")
    refunds = OtherTillRefunds(
        runtime.gateway, runtime.journal, connector, access.till, clock=utc_now
    )
    reader = StoreDayReader(
        access.till.store_id,
        runtime.environment,
        connector,
        this_till=access.till.till_id,
        refunds=refunds,
    )
    return StoreLink(sync=sync, listener=listener, reader=reader)
