"""Where the setup dialogs join the desk.

- `run_first_run(services)`: the first-run wizard on the process's one qasync loop
  (ui/qt_app.py), before the desk starts; returns the saved Settings, or None when the wizard was closed.
- `attach_setup_entry(window, services)`: adds the "Till" menu (Settings behind the
  manager PIN, About and diagnostics) with the services the composition root
  (pos_app.app) handed the desk. Without services it adds nothing, so a bare MainWindow
  (as in widget tests) stays as it was.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QDialog, QMainWindow

from pos_app.config import Settings, load_settings
from pos_app.ui.setup import wording
from pos_app.ui.setup.context import SetupServices

__all__ = ["SetupEntry", "attach_setup_entry", "run_first_run"]

log = logging.getLogger(__name__)


# ---- first run -------------------------------------------------------------------------------
def run_first_run(services: SetupServices) -> Settings | None:
    """Show the first-run wizard until it is finished or closed."""
    from pos_app.ui.qt_app import gui_thread_gc, run_on_gui_loop

    # The wizard reads and writes the password store, hashes the PIN and saves settings on
    # worker threads: it runs under the same GUI-thread collector, on the same loop, as the desk.
    with gui_thread_gc():
        return run_on_gui_loop(_wizard(services))


async def _wizard(services: SetupServices) -> Settings | None:
    from pos_app.ui.setup.wizard import FirstRunWizard

    wizard = FirstRunWizard(services)
    ended: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def finished(_result: int) -> None:
        if not ended.done():
            ended.set_result(None)

    wizard.finished.connect(finished)
    wizard.show()
    await ended
    return wizard.result_settings


# ---- the desk's menu ---------------------------------------------------------------------------
class _Notice(Protocol):
    def show_message(self, message: str) -> None: ...


class SetupEntry(QObject):
    """The "Till" menu of the cashier's window."""

    def __init__(
        self,
        window: QMainWindow,
        services: SetupServices,
        *,
        on_saved: Callable[[Settings], None] | None = None,
        notice: _Notice | None = None,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.services = services
        self._on_saved = on_saved  # what the desk applies at once (the voice)
        self._banner = notice  # where "saved" and settings notices are shown
        self.dialog: QDialog | None = None
        menu = window.menuBar().addMenu(wording.SETTINGS_MENU)
        self.settings_action = menu.addAction(wording.SETTINGS_ACTION)
        self.settings_action.triggered.connect(lambda _=False: self.open_settings())
        self.about_action = menu.addAction(wording.ABOUT_ACTION)
        self.about_action.triggered.connect(lambda _=False: self.open_about())

    def open_settings(self) -> None:
        from pos_app.ui.setup.pin_dialog import gate_manager_action

        loaded = load_settings(self.services.paths)
        if loaded.notice:
            self._notice(loaded.notice)
        task = gate_manager_action(
            self.window,
            "change the settings",
            lambda: self._show_settings(load_settings(self.services.paths).settings),
            paths=self.services.paths,
            environment=self.services.environment,
            vault=self.services.secrets,
        )
        task.add_done_callback(self._shown)

    def _shown(self, task: Any) -> None:
        if not task.cancelled() and task.exception() is None and task.result() is not None:
            self.dialog = task.result()

    def _show_settings(self, settings: Settings) -> None:
        from pos_app.ui.setup.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.services, settings, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.saved.connect(self._saved)
        self.dialog = dialog
        dialog.open()

    def open_about(self) -> None:
        from pos_app.ui.setup.about import AboutDialog

        dialog = AboutDialog(self.services, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        self.dialog = dialog
        dialog.open()

    def _saved(self, settings: Settings) -> None:
        if self._on_saved is not None:
            self._on_saved(settings)
        self._notice(wording.SETTINGS_SAVED)

    def _notice(self, message: str) -> None:
        if self._banner is not None:
            self._banner.show_message(message)
        else:
            log.info("%s", message)


def attach_setup_entry(
    window: QMainWindow,
    services: SetupServices | None,
    *,
    on_saved: Callable[[Settings], None] | None = None,
    notice: _Notice | None = None,
) -> SetupEntry | None:
    """Add the Settings / About menu with the services the composition root handed the
    desk (none without them)."""
    if services is None:
        return None
    entry = SetupEntry(window, services, on_saved=on_saved, notice=notice)
    window.setProperty("hasSetupEntry", True)
    return entry
