"""pos_app.app.run_gui on a first run: the wizard comes before the desk, on its own qasync
loop; the desk then runs with the chosen settings and a "Till" menu; closing the wizard
ends the run and leaves the next start to show it again."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from pos_app.app import run_gui
from pos_app.config import paths, settings_file
from pos_app.ui import desk as desk_module
from pos_app.ui.main_window import MainWindow
from pos_app.ui.setup import entry
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
    qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, object] = {}

    def ready(window: MainWindow) -> None:
        seen["environment"] = window.options.environment
        seen["menu"] = [a.text() for a in window.menuBar().actions()]
        seen["configured"] = entry.configured() is not None
        window.close()

    monkeypatch.setattr(desk_module, "READY_HOOKS", [ready])
    _when_the_wizard_shows(lambda wizard: wizard.demo_button.click())
    assert run_gui() == 0
    assert seen == {"environment": "demo", "menu": ["Till"], "configured": True}
    assert entry.configured() is None  # handed back when the desk ended
    saved = json.loads(settings_file(paths()).read_text(encoding="utf-8"))
    assert saved["environment"] == "demo"


def test_closing_the_wizard_ends_the_run_without_settings(
    qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[MainWindow] = []
    monkeypatch.setattr(desk_module, "READY_HOOKS", [started.append])
    _when_the_wizard_shows(lambda wizard: wizard.reject())
    assert run_gui() == 0
    assert started == []
    assert not settings_file(paths()).exists()


def test_an_explicit_environment_skips_the_wizard(
    qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    wizards: list[FirstRunWizard] = []
    _when_the_wizard_shows(wizards.append, tries=5)

    def ready(window: MainWindow) -> None:
        QTimer.singleShot(200, window.close)  # give a wizard time to show, if one would

    monkeypatch.setattr(desk_module, "READY_HOOKS", [ready])
    assert run_gui("demo") == 0
    assert wizards == []
