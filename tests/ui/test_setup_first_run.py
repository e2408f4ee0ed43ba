"""pos_app.app.run_gui on a first run: the wizard comes before the desk, on its own qasync
loop; the desk then runs with the chosen settings and a "Till" menu (its services handed
over by the composition root); closing the wizard ends the run and leaves the next start
to show it again."""

from __future__ import annotations

import json
from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from pos_app.app import run_gui
from pos_app.config import paths, settings_file
from pos_app.ui.main_window import MainWindow
from pos_app.ui.setup.wizard import FirstRunWizard


def _when_the_wizard_shows(act: Callable[[FirstRunWizard], None], tries: int = 150) -> None:
    """Poll (every 20 ms, for a few seconds at most) for the wizard, then act on it."""

    def look(left: int) -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, FirstRunWizard) and widget.isVisible():
                act(widget)
                return
        if left > 0:
            QTimer.singleShot(20, lambda: look(left - 1))

    QTimer.singleShot(0, lambda: look(tries))


def test_first_run_wizard_then_the_desk_in_demo(
    qapp: QApplication,
) -> None:
    seen: dict[str, object] = {}

    def ready(window: MainWindow) -> None:
        seen["environment"] = window.options.environment
        seen["menu"] = [a.text() for a in window.menuBar().actions()]
        entry = window.setup_entry
        seen["setup"] = entry is not None and entry.services.environment
        window.close()

    _when_the_wizard_shows(lambda wizard: wizard.demo_button.click())
    assert run_gui(on_ready=[ready]) == 0
    assert seen == {"environment": "demo", "menu": ["Till"], "setup": "demo"}
    saved = json.loads(settings_file(paths()).read_text(encoding="utf-8"))
    assert saved["environment"] == "demo"


def test_closing_the_wizard_ends_the_run_without_settings(
    qapp: QApplication,
) -> None:
    started: list[MainWindow] = []
    _when_the_wizard_shows(lambda wizard: wizard.reject())
    assert run_gui(on_ready=[started.append]) == 0
    assert started == []
    assert not settings_file(paths()).exists()


def test_an_explicit_environment_skips_the_wizard(
    qapp: QApplication,
) -> None:
    wizards: list[FirstRunWizard] = []
    _when_the_wizard_shows(wizards.append, tries=5)

    def ready(window: MainWindow) -> None:
        QTimer.singleShot(200, window.close)  # give a wizard time to show, if one would

    assert run_gui("demo", on_ready=[ready]) == 0
    assert wizards == []
