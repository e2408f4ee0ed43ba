"""Render the manager's console offscreen to PNG files, to look at it.

    python tests/bench/render_console.py [OUT_DIR]     (default bench-out/console/)

A journal with a day of varied sales (every status, refunds, late payments); the console
at 1024x600 and 1280x800, light and dark: the transactions list with a sale selected,
and the day end.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from datetime import timedelta, timezone
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE.parent / "ui")]

import qasync
from manager_kit import DAY, Clock, fill_day
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from render_screens import dark_palette

from pos_app.app import make_deps
from pos_app.config import Settings
from pos_app.services.reporting.queries import ReportReader
from pos_app.store.journal import Journal
from pos_app.ui.manager.console import ManagerConsole
from pos_app.ui.manager.controller import ManagerContext
from pos_app.ui.resources import stylesheet

IST = timezone(timedelta(hours=5, minutes=30))
SIZES = ((1024, 600), (1280, 800))


def settle(app: QApplication, seconds: float = 0.6) -> None:
    loop = asyncio.get_event_loop()
    loop.run_until_complete(asyncio.sleep(seconds))
    app.processEvents()


def main(argv: list[str]) -> int:
    out = Path(argv[1] if len(argv) > 1 else "bench-out/console")
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    app.setStyleSheet(stylesheet())
    folder = Path(tempfile.mkdtemp(prefix="pos-console-"))
    clock = Clock(DAY + timedelta(hours=20))
    journal = Journal.open(folder / "journal.sqlite3", clock=clock)
    fill_day(journal, clock, sales=120, zone=IST)
    settings = Settings(store_name="Sharma General Store", terminal_id="T1")
    deps = make_deps(settings, "sandbox", gateway=None, journal=journal, clock=clock)
    reader = ReportReader.beside(journal)
    context = ManagerContext(deps, reader, None, None, IST, pin_set=True)  # type: ignore[arg-type]
    light = app.palette()
    count = 0
    for theme, palette in (("light", light), ("dark", dark_palette())):
        app.setPalette(palette)
        for width, height in SIZES:
            console = ManagerConsole(context, today=DAY + timedelta(hours=12))
            console.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
            console.resize(width, height)
            console.show()
            settle(app)
            console.transactions.select_row(3)
            settle(app)
            shots: list[tuple[str, QWidget]] = [("transactions", console)]
            for name, widget in shots:
                path = out / f"console-{name}-{width}x{height}-{theme}.png"
                widget.grab().save(str(path))
                count += 1
            grew = console.width() > width or console.height() > height
            if grew:
                print(f"console grew to {console.width()}x{console.height()} at {width}x{height}")
            console.tabs.setCurrentWidget(console.day_end)
            console.day_end.request_load()
            settle(app, 1.5)
            console.grab().save(str(out / f"console-dayend-{width}x{height}-{theme}.png"))
            count += 1
            console.close()
            console.deleteLater()
            settle(app, 0.1)
    reader.close()
    journal.close()
    print(f"wrote {count} screens to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
