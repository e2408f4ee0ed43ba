"""run_desk end to end: the QApplication's qasync loop, the window, a clean shutdown."""

from __future__ import annotations

import asyncio
import sys

from PySide6.QtWidgets import QApplication

from pos_app.app import open_runtime, runtime_desk_services
from pos_app.secrets import KeyringSecretStore
from pos_app.ui import text
from pos_app.ui.desk import Desk, run_desk
from pos_app.ui.main_window import MainWindow


def test_run_desk_shows_the_amount_screen_and_shuts_down_cleanly(
    qapp: QApplication,
) -> None:
    runtime = open_runtime("demo")
    closed: list[bool] = []

    async def on_shutdown() -> None:
        await runtime.aclose()
        closed.append(True)

    seen: dict[str, object] = {}

    def ready(window: MainWindow) -> None:
        seen["screen"] = window.stack.currentWidget() is window.amount
        seen["demo"] = window.demo.isVisible()
        seen["notice"] = window.notice.label.text()
        seen["loop"] = asyncio.get_event_loop().is_running()
        # An unexpected error in a slot: logged, shown calmly, never a traceback.
        try:
            raise ValueError("boom")
        except ValueError:
            sys.excepthook(*sys.exc_info())
        seen["problem"] = window.problem.label.text()
        window.close()

    previous_hook = sys.excepthook
    desk = Desk(
        services=runtime_desk_services(runtime, KeyringSecretStore(timeout=3)),
        notice="Settings were reset.",
        credentials_missing=False,
        on_shutdown=on_shutdown,
        on_ready=[ready],
    )
    assert run_desk(desk) == 0
    assert seen == {
        "screen": True,
        "demo": True,
        "notice": "Settings were reset.",
        "loop": True,
        "problem": text.UNEXPECTED,
    }
    assert closed == [True]
    assert sys.excepthook is previous_hook
    assert not [
        w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()
    ]
