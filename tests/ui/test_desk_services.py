"""The desk is handed its services by the composition root (app.make_desk_services), and
everything it opens uses them: the "Till" menu, the manager's console, the demo buttons.
No registry, no global, no window scan."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot
from till_fakes import Till, desk_services, make_till

from pos_app.app import run_gui
from pos_app.services.demo_customer import DemoAction
from pos_app.ui.controller import SaleController
from pos_app.ui.main_window import MainWindow
from pos_app.ui.manager.console import ManagerConsole
from pos_app.ui.options import DeskOptions
from pos_app.ui.services import DeskServices
from pos_app.ui.widgets.demo_panel import ACTIONS


@pytest.fixture
def till(tmp_path: Path, qloop: asyncio.AbstractEventLoop, qtbot: QtBot) -> Iterator[Till]:
    made = make_till(tmp_path)
    yield made
    closing = asyncio.ensure_future(made.checkout.shutdown())
    qtbot.waitUntil(closing.done, timeout=5000)
    made.journal.close()


def _desk(qtbot: QtBot, services: DeskServices) -> MainWindow:
    controller = SaleController(services.checkout, services.demo_customer)
    options = DeskOptions.from_settings(services.settings, services.environment)
    window = MainWindow(controller, options, services=services)
    qtbot.addWidget(window)
    window.show()
    return window


def test_the_desk_built_by_the_factory_opens_the_console_on_its_own_checkout(
    qtbot: QtBot, till: Till
) -> None:
    services = desk_services(till)
    window = _desk(qtbot, services)
    setup, entry = window.setup_entry, window.manager_entry
    assert setup is not None and setup.services is services.setup
    assert entry is not None and entry.services is services.manager
    [menu] = window.menuBar().actions()  # the console joined the "Till" menu
    assert entry.action in menu.menu().actions()
    entry.open_console()  # demo without a PIN: it opens at once
    qtbot.waitUntil(lambda: entry.console is not None and entry.console.isVisible())
    console = entry.console
    assert isinstance(console, ManagerConsole)
    assert console.context.checkout is till.checkout
    assert console.context.deps is till.checkout.deps
    assert console.store_tab is None  # no store database joined
    assert services.demo_customer is not None and window.demo.isVisible()  # demo buttons
    window.close()
    assert entry.console is None


def test_outside_demo_the_factory_gives_no_demo_customer(till: Till) -> None:
    assert desk_services(till, environment="sandbox").demo_customer is None


def test_run_gui_hands_the_desk_its_services(qapp: object) -> None:
    """The real start (app.run_gui): the console opens from the desk's own menu entry."""
    seen: dict[str, object] = {}

    def ready(window: MainWindow) -> None:
        entry = window.manager_entry
        assert entry is not None
        seen["checkout"] = window.services is not None and window.services.checkout
        entry.open_console()
        wait_for_console(window, 250)

    def wait_for_console(window: MainWindow, left: int) -> None:
        entry = window.manager_entry
        assert entry is not None
        if entry.console is not None or left == 0:
            seen["console"] = entry.console is not None and entry.console.isVisible()
            if entry.console is not None:
                seen["same checkout"] = entry.console.context.checkout is seen["checkout"]
            window.close()
            return
        QTimer.singleShot(20, lambda: wait_for_console(window, left - 1))

    assert run_gui("demo", on_ready=[ready]) == 0
    assert seen["console"] is True
    assert seen["same checkout"] is True


def test_the_demo_buttons_are_the_demo_actions() -> None:
    assert [action for action, _ in ACTIONS] == list(DemoAction)
