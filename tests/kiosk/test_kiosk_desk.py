"""The desk with the embedded checkout: F5 opens the sale's checkout on the customer window,
the customer pays there (offscreen QtWebEngine on the simulator's demo page), the till shows
PAID and the customer window is emptied and hidden. Switched off, or without the extra,
the method is not offered."""

from __future__ import annotations

import asyncio
import dataclasses
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from pos_app.app import open_runtime
from pos_app.config import Settings, load_settings, paths, save_settings
from pos_app.domain.sale import Method, SaleStatus
from pos_app.simulator import start_server
from pos_app.ui.embedded_checkout import unavailable_reason
from pos_app.ui.options import DeskOptions

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))
from desk_drive import LiveDesk, close_desk, open_desk, type_amount

needs_webengine = pytest.mark.skipif(
    unavailable_reason() is not None, reason="the kiosk extra (PySide6-Addons) is not installed"
)


@pytest.fixture
def kiosk_desk(qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> Iterator[tuple[LiveDesk, Any]]:
    from pos_app.ui.kiosk_host import KioskHost

    where = paths()
    settings = dataclasses.replace(load_settings(where).settings, embedded_checkout=True)
    save_settings(where, settings)
    runtime = open_runtime("demo")
    server = start_server(runtime.simulator)
    runtime.simulator.public_url = server.url
    live = open_desk(qtbot, runtime)
    host = KioskHost(live.controller, "demo", server.url, store_name="Test Store")
    try:
        yield live, host
    finally:
        host.close()
        close_desk(qtbot, live)
        server.stop()


def _js(qtbot: QtBot, page: Any, script: str) -> Any:
    results: list[Any] = []
    page.runJavaScript(script, 0, results.append)
    qtbot.waitUntil(lambda: bool(results), timeout=10000)
    return results[0]


@needs_webengine
def test_the_customer_pays_on_the_customer_screen(
    qtbot: QtBot, kiosk_desk: tuple[LiveDesk, Any]
) -> None:
    desk, host = kiosk_desk
    window = desk.window
    assert Method.CHECKOUT in window.amount.method_buttons
    type_amount(qtbot, window.amount, "640")
    qtbot.keyClick(window.amount, Qt.Key.Key_F5)
    with qtbot.waitSignal(host.view.loaded, timeout=20000):
        qtbot.keyClick(window.amount, Qt.Key.Key_Return)
    state = window.waiting.state
    assert state is not None and state.method is Method.CHECKOUT
    assert state.status is SaleStatus.AWAITING_PAYMENT
    assert host.showing == state.order_id
    assert not window.waiting.qr.isVisible()
    assert "customer screen" in window.waiting.status.text()
    assert "₹640.00" in _js(qtbot, host.view.page, "document.body.innerText")
    _js(qtbot, host.view.page, "document.querySelector(\"button[value='pay']\").click(); 1")
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.result, timeout=10000)
    assert window.result.title.text() == "PAID"
    qtbot.waitUntil(lambda: not host.window.isVisible(), timeout=5000)
    assert host.view.order_id is None and host.showing is None
    sale = desk.runtime.journal.get_sale(state.order_id)
    assert sale is not None and sale.status is SaleStatus.PAID


@needs_webengine
def test_cancel_at_the_till_closes_the_customer_checkout(
    qtbot: QtBot, kiosk_desk: tuple[LiveDesk, Any]
) -> None:
    desk, host = kiosk_desk
    window = desk.window
    type_amount(qtbot, window.amount, "12")
    qtbot.keyClick(window.amount, Qt.Key.Key_F5)
    with qtbot.waitSignal(host.view.loaded, timeout=20000):
        qtbot.keyClick(window.amount, Qt.Key.Key_Return)
    assert host.window.isVisible()
    window.controller.cancel()
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.result, timeout=10000)
    qtbot.waitUntil(lambda: not host.window.isVisible(), timeout=5000)
    assert host.view.order_id is None


def test_not_offered_when_switched_off_or_without_the_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert Method.CHECKOUT not in DeskOptions.from_settings(Settings(), "demo").methods
    on = Settings(embedded_checkout=True)
    monkeypatch.setitem(sys.modules, "PySide6.QtWebEngineWidgets", None)
    assert Method.CHECKOUT not in DeskOptions.from_settings(on, "demo").methods


def test_the_settings_choice_follows_the_extra(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pos_app.ui.setup.pages import TillPage

    with_extra = TillPage()
    qtbot.addWidget(with_extra)
    assert (with_extra.checkout is None) == (unavailable_reason() is not None)
    if with_extra.checkout is not None:
        with_extra.load(Settings())
        with_extra.checkout.setChecked(True)
        assert with_extra.apply(Settings()).embedded_checkout is True
    monkeypatch.setitem(sys.modules, "PySide6.QtWebEngineWidgets", None)
    without = TillPage()
    qtbot.addWidget(without)
    assert without.checkout is None
    without.load(Settings())
    assert without.apply(Settings()).embedded_checkout is False


@needs_webengine
def test_the_desk_with_the_embedded_checkout_starts_and_quits_cleanly() -> None:
    """A real process: settings with the embedded checkout on, the demo desk starts (the
    checkout window and Qt WebEngine with it), takes a key, and quits with exit code 0."""
    import os
    import subprocess

    where = paths()  # POS_DATA_DIR: this test's own folder (tests/conftest.py)
    save_settings(where, dataclasses.replace(load_settings(where).settings, embedded_checkout=True))
    env = {**os.environ, "POS_EXIT_AFTER_START": "1", "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-m", "pos_app", "--demo"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "amount screen ready" in done.stdout
