"""Where the manager's console joins the desk: an entry in the cashier's "Till" menu (or
a "Manager" menu when there is none), F9, behind the manager PIN.

The console uses the desk's own checkout (its gateway, journal, clock and rate budget), so
the sale at the counter and the console share one budget, with the counter first. A window
whose checkout is not a real one (widget tests) gets no menu.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QWidget

from pos_app.config import load_settings, paths
from pos_app.secrets import TillRecordStore
from pos_app.services.checkout.run import Deps
from pos_app.services.manager.policy import load_policy
from pos_app.services.records import Journal, JournalError
from pos_app.services.refunds.requests import RefundRequestService
from pos_app.services.refunds.service import RefundService, day_limit
from pos_app.services.reporting.queries import ReportReader
from pos_app.services.reporting.reports import local_zone
from pos_app.ui.manager import text
from pos_app.ui.manager.console import ManagerConsole
from pos_app.ui.manager.controller import ManagerContext
from pos_app.ui.manager.receipt import StoreDetails

__all__ = ["SHORTCUT", "ManagerEntry", "attach_manager_entry", "checkout_of"]

log = logging.getLogger(__name__)

SHORTCUT = "F9"
GUI_FOLLOW_SECONDS = 30.0  # how long the refund dialog waits for a final answer


def checkout_of(window: QMainWindow) -> Any:
    """The desk's CheckoutService, found through the window's SaleController."""
    controller = getattr(window, "controller", None)
    return getattr(controller, "checkout", None)


def _vault() -> TillRecordStore:
    """The till's password store entry, from the composition root's services."""
    from pos_app.ui.setup.entry import configured

    services = configured()
    secrets = getattr(services, "secrets", None)
    if secrets is not None and hasattr(secrets, "get_till_record"):
        return secrets  # type: ignore[no-any-return]
    from pos_app.secrets import KeyringSecretStore

    return KeyringSecretStore()


def _till_menu(window: QMainWindow) -> QMenu | None:
    """The desk's "Till" menu (Settings, About) when there is one: the console joins it."""
    from pos_app.ui.setup import wording

    for action in window.menuBar().actions():
        menu = action.menu()
        if isinstance(menu, QMenu) and action.text() == wording.SETTINGS_MENU:
            return menu
    return None


class ManagerEntry(QObject):
    def __init__(self, window: QMainWindow, checkout: Any) -> None:
        super().__init__(window)
        self.window = window
        self.checkout = checkout
        self.console: ManagerConsole | None = None
        self.reader: ReportReader | None = None
        self.dialog: QWidget | None = None
        menu = _till_menu(window)
        if menu is None:
            menu = window.menuBar().addMenu(text.MENU)
        else:
            menu.addSeparator()
        self.action = menu.addAction(text.OPEN_CONSOLE)
        self.action.setShortcut(QKeySequence(SHORTCUT))
        self.action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.action.triggered.connect(lambda _=False: self.open_console())
        closed = getattr(window, "closed", None)
        if closed is not None:
            closed.connect(self.close_console)

    # ---- the PIN -----------------------------------------------------------------------------
    def pin_gate(
        self,
        parent: QWidget,
        what: str,
        then: Callable[[], object],
        *,
        on_refused: Callable[[], object] | None = None,
    ) -> None:
        """Run `then` once the manager may act: the PIN given, or (demo only) none set.
        Locked or refused manager actions are explained instead."""
        from pos_app.ui.setup.pin_dialog import gate_manager_action

        task = gate_manager_action(
            parent,
            what,
            then,
            paths=paths(),
            environment=self.checkout.deps.environment,
            vault=_vault(),
            on_refused=on_refused,
        )
        task.add_done_callback(self._shown)

    def _shown(self, task: Any) -> None:
        if not task.cancelled() and task.exception() is None:
            self.dialog = task.result()

    # ---- the console ---------------------------------------------------------------------------
    def open_console(self) -> None:
        if self.console is not None:
            self.console.show()
            self.console.raise_()
            self.console.activateWindow()
            return
        self.pin_gate(self.window, text.PIN_TO_OPEN, self.show_console)

    def show_console(self) -> ManagerConsole | None:
        if self.console is not None:
            return self.console
        deps: Deps = self.checkout.deps
        try:
            reader = ReportReader.beside(deps.journal)  # type: ignore[arg-type]
        except JournalError as exc:
            log.warning("manager console: %s", exc.message)
            notice = getattr(self.window, "problem", None)
            if notice is not None:
                notice.show_message(exc.message)
            return None
        policy = load_policy().policy  # the shop's refunds-per-day limit, if pinned
        most = policy.max_refund_per_day if policy is not None else None
        refunds = RefundService(
            deps.background,
            deps.journal,  # type: ignore[arg-type]
            clock=deps.clock,
            sleep=deps.sleep,
            follow_for=GUI_FOLLOW_SECONDS,
            limit=None if most is None else day_limit(deps.journal, most, deps.clock),
        )
        settings = load_settings(paths()).settings
        pin_set = (settings.manager_pin_fingerprint or settings.manager_pin_hash) is not None
        requests = RefundRequestService(deps.journal, refunds, clock=deps.clock)  # type: ignore[arg-type]
        store = StoreDetails(
            settings.store_name,
            settings.store_address,
            settings.store_gstin,
            settings.default_customer_phone,
        )
        context = ManagerContext(
            deps, reader, refunds, self.checkout, local_zone(), pin_set, requests, store=store
        )
        console = ManagerConsole(context, pin_gate=self.pin_gate)
        console.closed.connect(self._console_closed)
        self.console, self.reader = console, reader
        console.show()
        return console

    def close_console(self) -> None:
        if self.console is not None:
            self.console.close()

    def _console_closed(self) -> None:
        reader, self.reader, self.console = self.reader, None, None
        if reader is not None:
            reader.close()


def attach_manager_entry(window: QMainWindow) -> ManagerEntry | None:
    """Add the console's menu entry when the window's checkout journals to a real journal."""
    checkout = checkout_of(window)
    deps = getattr(checkout, "deps", None)
    if deps is None or not isinstance(getattr(deps, "journal", None), Journal):
        return None
    return ManagerEntry(window, checkout)
