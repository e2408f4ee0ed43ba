"""Where the manager's console joins the desk: an entry in the cashier's "Till" menu (or
a "Manager" menu when there is none), F9, behind the manager PIN.

The console uses the desk's own checkout (its gateway, journal, clock and rate budget), so
the sale at the counter and the console share one budget, with the counter first. The
composition root hands over everything else (ui.services.ManagerServices); a window built
without services (widget tests) gets no menu.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QWidget

from pos_app.config import load_settings
from pos_app.services.checkout.service import CheckoutService
from pos_app.services.records import JournalError
from pos_app.services.reporting.queries import ReportReader
from pos_app.ui.manager import text
from pos_app.ui.manager.console import ManagerConsole
from pos_app.ui.manager.controller import ManagerContext
from pos_app.ui.manager.receipt import StoreDetails
from pos_app.ui.manager.store_tab import StoreDayPort
from pos_app.ui.services import ManagerServices
from pos_app.ui.widgets.banner import Banner

__all__ = ["SHORTCUT", "ManagerEntry", "attach_manager_entry"]

log = logging.getLogger(__name__)

SHORTCUT = "F9"


def _till_menu(window: QMainWindow) -> QMenu | None:
    """The desk's "Till" menu (Settings, About) when there is one: the console joins it."""
    from pos_app.ui.setup import wording

    for action in window.menuBar().actions():
        menu = action.menu()
        if isinstance(menu, QMenu) and action.text() == wording.SETTINGS_MENU:
            return menu
    return None


class ManagerEntry(QObject):
    def __init__(
        self,
        window: QMainWindow,
        checkout: CheckoutService,
        services: ManagerServices,
        *,
        problem: Banner | None = None,
        store_reader: StoreDayPort | None = None,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.checkout = checkout
        self.services = services
        self.problem = problem  # where a journal that cannot be read is explained
        self.store_reader = store_reader  # the store database's day, for the Store tab
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
            paths=self.services.paths,
            environment=self.checkout.deps.environment,
            vault=self.services.vault,
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
        deps = self.checkout.deps
        services = self.services
        try:
            reader = services.open_reader()
        except JournalError as exc:
            log.warning("manager console: %s", exc.message)
            if self.problem is not None:
                self.problem.show_message(exc.message)
            return None
        refunds = services.refunds()
        settings = load_settings(services.paths).settings
        pin_set = (settings.manager_pin_fingerprint or settings.manager_pin_hash) is not None
        store = StoreDetails(
            settings.store_name,
            settings.store_address,
            settings.store_gstin,
            settings.default_customer_phone,
        )
        context = ManagerContext(
            deps,
            reader,
            refunds,
            self.checkout,
            services.zone,
            pin_set,
            services.requests(refunds),
            store=store,
        )
        console = ManagerConsole(context, pin_gate=self.pin_gate, store_reader=self.store_reader)
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


def attach_manager_entry(
    window: QMainWindow,
    checkout: CheckoutService,
    services: ManagerServices | None,
    *,
    problem: Banner | None = None,
    store_reader: StoreDayPort | None = None,
) -> ManagerEntry | None:
    """Add the console's menu entry with the services the composition root handed the desk
    (none without them)."""
    if services is None:
        return None
    return ManagerEntry(window, checkout, services, problem=problem, store_reader=store_reader)
