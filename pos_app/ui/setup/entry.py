"""Where the setup dialogs join the desk.

- `run_first_run(services)`: the first-run wizard on the process's one qasync loop
  (ui/qt_app.py), before the desk starts; returns the saved Settings, or None when the
  wizard was closed.
- `configure(services)`: the composition root (pos_app.app.run_gui) hands over what the
  dialogs need while the desk runs; `attach_setup_entry(window)` then adds the "Till" menu
  (Settings behind the manager PIN, About and diagnostics). Without `configure` it adds
  nothing, so a bare MainWindow (as in widget tests) stays as it was.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Protocol

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QDialog, QMainWindow

from pos_app.config import Settings, load_settings
from pos_app.ui.setup import wording
from pos_app.ui.setup.context import SetupServices

__all__ = ["SetupEntry", "attach_setup_entry", "configure", "configured", "run_first_run"]

log = logging.getLogger(__name__)

_services: SetupServices | None = None


def configure(services: SetupServices | None) -> None:
    global _services
    _services = services


def configured() -> SetupServices | None:
    return _services


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

    def __init__(self, window: QMainWindow, services: SetupServices) -> None:
        super().__init__(window)
        self.window = window
        self.services = services
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
        follow = getattr(self.window, "settings_saved", None)
        if callable(follow):  # what the desk applies at once (the voice)
            follow(settings)
        self._notice(wording.SETTINGS_SAVED)

    def _notice(self, message: str) -> None:
        banner: _Notice | None = getattr(self.window, "notice", None)
        if banner is not None and hasattr(banner, "show_message"):
            banner.show_message(message)
        else:
            log.info("%s", message)


def attach_setup_entry(window: QMainWindow) -> SetupEntry | None:
    """Add the Settings / About menu when the composition root configured the services."""
    services = _services
    if services is None:
        return None
    entry = SetupEntry(window, services)
    window.setProperty("hasSetupEntry", True)
    return entry
