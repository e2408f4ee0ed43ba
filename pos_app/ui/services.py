"""Everything the desk is handed by the composition root (pos_app.app), typed, in one place.

app.py builds one DeskServices and passes it to the desk, which passes its parts on: the
checkout to the sale controller, `setup` to the "Till" menu (Settings, About), `manager`
to the manager's console, `store` to the header and the console's Store tab, and
`demo_customer` to the demo buttons. Nothing in ui/ finds a service any other way (no
module-level registry, no scanning of windows). Qt-free: it only names types.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import tzinfo
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pos_app.config import Paths, Settings
    from pos_app.secrets import TillRecordStore
    from pos_app.services.checkout.service import CheckoutService
    from pos_app.services.demo_customer import DemoCustomer
    from pos_app.services.refunds.requests import RefundRequestService
    from pos_app.services.refunds.service import RefundService
    from pos_app.services.reporting.queries import ReportReader
    from pos_app.services.store_sync.push import PushListener
    from pos_app.ui.manager.store_tab import StoreDayPort
    from pos_app.ui.setup.context import SetupServices
    from pos_app.ui.widgets.store_sync_label import SyncPort

__all__ = ["DeskServices", "ManagerServices", "StoreLink"]


@dataclass(frozen=True, slots=True)
class StoreLink:
    """The till joined to its store database: the outbox pusher (shown in the header), the
    ear for the store's webhooks (runs with the window) and the console's Store tab."""

    sync: SyncPort
    listener: PushListener | None = None
    reader: StoreDayPort | None = None


@dataclass(frozen=True, slots=True)
class ManagerServices:
    """What the manager's console needs beyond the desk's checkout."""

    paths: Paths  # where the settings (PIN set? store details) are read when it opens
    vault: TillRecordStore  # the manager PIN's entry in the password store
    zone: tzinfo  # the shop's local time zone
    # A read-only reader on the journal the checkout writes (opened per console, closed
    # with it). Raises services.records.JournalError when the file cannot be read.
    open_reader: Callable[[], ReportReader]
    # The refund service, with the shop's refunds-per-day limit read when the console opens.
    refunds: Callable[[], RefundService]
    # Refund requests (from the MCP server) decided through that refund service.
    requests: Callable[[RefundService], RefundRequestService]


@dataclass(frozen=True, slots=True)
class DeskServices:
    checkout: CheckoutService
    settings: Settings
    environment: str
    setup: SetupServices  # the "Till" menu; also holds the paths, password store, PIN guard
    manager: ManagerServices
    store: StoreLink | None = None  # None without a store database
    demo_customer: DemoCustomer | None = None  # demo mode only
    # Demo with the embedded checkout: where the simulator's checkout pages are served.
    demo_origin: str | None = None
