"""Starting the cashier desk: the QApplication, the qasync loop, the windows, shutdown.

pos_app.app builds a Desk around its DeskServices and calls run_desk(desk); it returns
the exit code once the cashier closes the window, after every task the desk started is
cancelled.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import signal
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QProcess, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QKeyEvent, QScreen
from PySide6.QtWidgets import QApplication

from pos_app.domain.sale import Method
from pos_app.ui import text
from pos_app.ui.controller import SaleController
from pos_app.ui.customer_display import CustomerDisplay
from pos_app.ui.main_window import MainWindow
from pos_app.ui.options import DeskOptions
from pos_app.ui.qt_app import application, gui_thread_gc, run_on_gui_loop
from pos_app.ui.services import DeskServices
from pos_app.ui.sound import make_sound
from pos_app.ui.store_join import join_store
from pos_app.voice.desk import DeskVoice
from pos_app.voice.phrases import VoiceOptions

if TYPE_CHECKING:
    from pos_app.ui.kiosk_host import KioskHost

log = logging.getLogger(__name__)

# Set to 1 to start, check the amount screen takes a key, print READY_LINE and quit with
# exit code 0 (1 if the screen was not ready): the smoke test of a packaged build.
EXIT_AFTER_START_ENV = "POS_EXIT_AFTER_START"
READY_LINE = "pos-app: amount screen ready"


@dataclass(frozen=True)
class Desk:
    services: DeskServices
    notice: str | None = None
    credentials_missing: bool = False
    # Awaited after the desk's own tasks are cancelled (e.g. Runtime.aclose); when None,
    # the checkout's shutdown() is awaited.
    on_shutdown: Callable[[], Awaitable[None]] | None = None
    # Called with the main window once it is shown and the loop runs (the start-up bench,
    # tests); the store database's join is one of them.
    on_ready: Sequence[Callable[[MainWindow], None]] = ()


def run_desk(desk: Desk) -> int:
    with gui_thread_gc():  # the process's one loop and collector (ui/qt_app.py)
        return int(run_on_gui_loop(_run(desk, application())))


async def _run(desk: Desk, app: QApplication) -> int:
    services = desk.services
    options = DeskOptions.from_settings(services.settings, services.environment)
    controller = SaleController(services.checkout, services.demo_customer)
    customer = _customer_window(options, app)
    kiosk = _kiosk(options, controller, services)
    closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def try_demo() -> None:
        if _start_demo_process():
            window.close()

    window = MainWindow(
        controller,
        options,
        sound=make_sound(options.sound),
        voice=DeskVoice(VoiceOptions.from_settings(services.settings)),
        customer=customer,
        notice=desk.notice,
        credentials_missing=desk.credentials_missing,
        on_try_demo=try_demo,
        services=services,
    )

    def window_closed() -> None:
        if not closed.done():
            closed.set_result(None)

    window.closed.connect(window_closed)
    exit_code = 0

    def exit_after_start() -> None:
        nonlocal exit_code
        problem = _amount_screen_problem(window)
        if problem is None:
            print(READY_LINE, flush=True)
        else:
            print(f"pos-app: amount screen not ready: {problem}", file=sys.stderr, flush=True)
            exit_code = 1
        window.close()

    previous_hook = sys.excepthook
    sys.excepthook = _calm_excepthook(window, previous_hook)
    previous_sigint = signal.signal(signal.SIGINT, lambda *_: window.close())
    heartbeat = QTimer()  # lets Python see Ctrl-C while Qt sleeps
    heartbeat.timeout.connect(lambda: None)
    heartbeat.start(300)
    try:
        resumed = controller.resume_open_sales()
        if resumed:
            log.info("following %d unsettled sale(s) in the background", resumed)
        _show(window, app)
        if customer is not None:
            customer.show()
        ready = list(desk.on_ready)
        if services.store is not None:
            ready.insert(0, functools.partial(join_store, link=services.store))
        for hook in ready:
            QTimer.singleShot(0, lambda h=hook: h(window))
        if os.environ.get(EXIT_AFTER_START_ENV) == "1":
            QTimer.singleShot(0, exit_after_start)
        await closed
    finally:
        heartbeat.stop()
        signal.signal(signal.SIGINT, previous_sigint)
        await _shutdown(controller, desk)
        sys.excepthook = previous_hook
        if customer is not None:
            customer.close()
        if kiosk is not None:
            kiosk.close()
    return exit_code


def _amount_screen_problem(window: MainWindow) -> str | None:
    """None when the amount screen is shown and a typed digit reaches it (then cleared)."""
    screen = window.amount
    if not window.isVisible() or window.stack.currentWidget() is not screen:
        return "the amount screen is not shown"
    if not screen.isEnabled():
        return "the amount screen is disabled"
    before = screen.amount_text
    for key, typed in ((Qt.Key.Key_1, "1"), (Qt.Key.Key_Escape, "")):
        press = QKeyEvent(QEvent.Type.KeyPress, key, Qt.KeyboardModifier.NoModifier, typed)
        QApplication.sendEvent(screen, press)
        if typed and screen.amount_text == before:
            return "a typed digit did not reach it"
    if screen.amount_text != before:
        return "clearing the typed digit failed"
    return None


async def _shutdown(controller: SaleController, desk: Desk) -> None:
    tasks = controller.shutdown()
    if tasks:
        await asyncio.wait(tasks, timeout=5)
    try:
        if desk.on_shutdown is not None:
            await asyncio.wait_for(desk.on_shutdown(), timeout=10)
        else:
            await asyncio.wait_for(desk.services.checkout.shutdown(), timeout=10)
    except Exception:
        log.exception("shutting the checkout down failed")


def _show(window: MainWindow, app: QApplication) -> None:
    screen = app.primaryScreen()
    area = screen.availableGeometry() if screen is not None else None
    if area is not None and (area.width() <= 1280 or area.height() <= 800):
        window.showMaximized()
        return
    window.resize(1280, 800)
    window.show()


def _kiosk(
    options: DeskOptions, controller: SaleController, services: DeskServices
) -> KioskHost | None:
    """The embedded Cashfree checkout window, when that method is offered here."""
    if Method.CHECKOUT not in options.methods:
        return None
    from pos_app.ui.kiosk_host import KioskHost  # imports QtWebEngine: only when wanted

    wanted = options.customer_display_screen
    screen = _find_screen(wanted) if wanted is not None else None
    return KioskHost(
        controller,
        services.environment,
        services.demo_origin,
        store_name=options.store_name,
        screen=screen,
    )


def _customer_window(options: DeskOptions, app: QApplication) -> CustomerDisplay | None:
    wanted = options.customer_display_screen
    if wanted is None:
        return None
    window = CustomerDisplay(options.store_name)
    screen = _find_screen(wanted)
    if screen is None:
        log.warning("customer display screen %r not found; showing it as a window", wanted)
        window.resize(800, 600)
        return window
    window.setScreen(screen)
    window.setGeometry(screen.geometry())
    if screen is not app.primaryScreen():
        QTimer.singleShot(0, window.showFullScreen)
    return window


def _find_screen(wanted: int | str) -> QScreen | None:
    screens = QGuiApplication.screens()
    if isinstance(wanted, int):
        return screens[wanted] if 0 <= wanted < len(screens) else None
    for screen in screens:
        if screen.name() == wanted:
            return screen
    return None


def _start_demo_process() -> bool:
    """Open the till in demo mode (a separate process with its own data); True when it
    started (the caller then closes this desk's window)."""
    if getattr(sys, "frozen", False):
        started = QProcess.startDetached(sys.executable, ["--demo"])
    else:
        started = QProcess.startDetached(sys.executable, ["-m", "pos_app", "--demo"])
    ok = started[0] if isinstance(started, tuple) else bool(started)
    if not ok:
        log.error("could not start the demo")
    return bool(ok)


def _calm_excepthook(
    window: MainWindow,
    previous: Callable[[type[BaseException], BaseException, TracebackType | None], Any],
) -> Callable[[type[BaseException], BaseException, TracebackType | None], None]:
    """Unexpected errors in slots are logged in full and shown as one calm sentence."""

    def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            previous(kind, error, tb)
            return
        log.error("unexpected error in the desk", exc_info=(kind, error, tb))
        window.problem.show_message(text.UNEXPECTED)

    return hook
