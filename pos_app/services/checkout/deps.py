"""What the checkout needs from the rest of the till (Deps): the gateway's two views, the
journal (as the JournalLike protocol), the clock, the schedules and who this process is."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from pos_app.domain.clock import Clock
from pos_app.domain.sale import Sale, SaleStatus
from pos_app.gateway.base import PaymentGateway
from pos_app.services.checkout.schedule import PollSchedule, SweepSchedule
from pos_app.store.leases import Lease, Nudge, Owner

if TYPE_CHECKING:
    from pos_app.services.checkout.run import SaleRun

__all__ = ["Deps", "JournalLike"]


class JournalLike(Protocol):
    """The part of store.journal.Journal the checkout uses."""

    def create_sale(
        self, sale: Sale, *, counter: Owner | None = None, lease: timedelta = ...
    ) -> Sale: ...

    def get_sale(self, order_id: str) -> Sale | None: ...

    def update_sale(
        self,
        order_id: str,
        *,
        event: str,
        detail: Mapping[str, object] | None = None,
        status: SaleStatus | None = None,
        **fields: Any,
    ) -> Sale: ...

    def add_event(
        self, order_id: str, kind: str, detail: Mapping[str, object] | None = None
    ) -> None: ...

    def open_sales(self, terminal_id: str | None = None) -> list[Sale]: ...

    def sweep_candidates(self, since: datetime) -> list[Sale]: ...

    def last_paid(self, terminal_id: str, amount: Any, since: datetime) -> Sale | None: ...

    # who follows each sale (store/leases.py)
    def claim(self, order_id: str, owner: Owner, role: str, ttl: timedelta) -> bool: ...

    def change_role(self, order_id: str, owner: Owner, role: str) -> bool: ...

    def release(self, order_id: str, owner: Owner) -> None: ...

    def release_all(self, owner: Owner) -> int: ...

    def renew(self, owner: Owner, ttl: timedelta) -> int: ...

    def live_lease(self, order_id: str) -> Lease | None: ...

    def nudge(self, order_id: str, *, cancel: bool = False) -> bool: ...

    def take_nudges(self, owner: Owner) -> list[Nudge]: ...

    def live_leases(
        self, terminal_id: str, *, exclude_owner: Owner | None = None
    ) -> list[Lease]: ...

    def counter_sale(self, terminal_id: str) -> Lease | None: ...


@dataclass(slots=True)
class Deps:
    """What the checkout needs. Two views of one gateway say who is calling:

    - `gateway`: the counter's. The checkout's loops own the cadence, so it makes one
      HTTP attempt per call (`CashfreeGateway.single_attempt()`): a hanging network shows
      "offline" within the first timeout, and the loop tries again on its own clock.
    - `background`: for sales followed away from the counter, sweeps and refreshes
      (`CashfreeGateway.background()`): its calls leave the rate budget's reserve to the
      counter and never go before a waiting counter call.
    """

    gateway: PaymentGateway
    journal: JournalLike
    clock: Clock  # aware UTC
    sleep: Callable[[float], Awaitable[None]]
    terminal_id: str
    environment: str
    store_name: str
    default_phone: str | None
    order_expiry_minutes: float
    background: PaymentGateway
    schedule: PollSchedule = field(default_factory=PollSchedule)
    sweep: SweepSchedule = field(default_factory=SweepSchedule)
    # This process, as the owner of the sales it follows (see store/leases.py).
    owner: Owner = field(default_factory=Owner.of_this_process)
    # Wakes this process's own follower of a sale at once (set by CheckoutService).
    wake_local: Callable[[str], bool] = field(default=lambda order_id: False)
    notify_url: str | None = None  # the store's public webhook URL, sent with every order

    def gateway_for(self, run: SaleRun) -> PaymentGateway:
        """The counter's gateway for the sale at the counter, the background one for any
        other (a run leaves the counter by turning `foreground` off)."""
        return self.gateway if run.foreground else self.background
