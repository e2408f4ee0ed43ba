"""The embedded Cashfree checkout (optional `kiosk` extra): the demo checkout page of the
simulated Cashfree loads in the locked web view, offscreen, and the customer pays there;
other hosts are refused; the sale's end empties the view. Without the extra the desk does
not offer it and About says why."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pytestqt.qtbot import QtBot

from pos_app.services.embedded_checkout import allowed_navigation, bootstrap_html
from pos_app.simulator import SIM_CLIENT_ID, SIM_CLIENT_SECRET, Simulator, start_server
from pos_app.simulator.server import ServerHandle
from pos_app.ui import embedded_checkout
from pos_app.ui.embedded_checkout import KIOSK_HINT, unavailable_reason

HEADERS = {
    "x-client-id": SIM_CLIENT_ID,
    "x-client-secret": SIM_CLIENT_SECRET,
    "x-api-version": "2025-01-01",
}
needs_webengine = pytest.mark.skipif(
    unavailable_reason() is not None, reason="the kiosk extra (PySide6-Addons) is not installed"
)


@pytest.fixture
def served() -> Iterator[tuple[Simulator, ServerHandle]]:
    sim = Simulator()
    handle = start_server(sim)
    sim.public_url = handle.url
    try:
        yield sim, handle
    finally:
        handle.stop()


def _order(handle: ServerHandle, order_id: str) -> dict[str, Any]:
    body = {
        "order_id": order_id,
        "order_amount": 349,
        "order_currency": "INR",
        "customer_details": {"customer_id": "kiosk1", "customer_phone": "9876543210"},
    }
    answer = httpx.post(f"{handle.url}/pg/orders", json=body, headers=HEADERS, timeout=10)
    assert answer.status_code == 200
    return answer.json()  # type: ignore[no-any-return]


def _js(qtbot: QtBot, view: Any, script: str) -> Any:
    results: list[Any] = []
    view.page.runJavaScript(script, 0, results.append)
    qtbot.waitUntil(lambda: bool(results), timeout=10000)
    return results[0]


@needs_webengine
def test_the_customer_pays_in_the_embedded_demo_checkout(
    qtbot: QtBot, served: tuple[Simulator, ServerHandle]
) -> None:
    sim, handle = served
    _order(handle, "KIOSK-1")
    view = embedded_checkout.CheckoutView("demo", handle.url)
    qtbot.addWidget(view)
    view.resize(800, 600)
    view.show()
    with qtbot.waitSignal(view.loaded, timeout=20000) as loaded:
        view.open_checkout("KIOSK-1", None)
    assert loaded.args == [True]
    assert "₹349.00" in _js(qtbot, view, "document.body.innerText")
    with qtbot.waitSignal(view.loaded, timeout=20000):
        _js(qtbot, view, "document.querySelector(\"button[value='pay']\").click(); 1")
    qtbot.waitUntil(lambda: sim.order("KIOSK-1")["order_status"] == "PAID", timeout=10000)
    assert "Payment successful." in _js(qtbot, view, "document.body.innerText")
    view.close_checkout()
    qtbot.waitUntil(lambda: _js(qtbot, view, "document.body.innerText") == "", timeout=10000)
    assert view.order_id is None


@needs_webengine
def test_other_hosts_and_pop_ups_are_refused(
    qtbot: QtBot, served: tuple[Simulator, ServerHandle]
) -> None:
    _, handle = served
    _order(handle, "KIOSK-2")
    view = embedded_checkout.CheckoutView("demo", handle.url)
    qtbot.addWidget(view)
    view.show()
    with qtbot.waitSignal(view.loaded, timeout=20000):
        view.open_checkout("KIOSK-2", None)
    with qtbot.waitSignal(view.blocked, timeout=10000) as blocked:
        _js(qtbot, view, "window.location.href = 'https://example.com/steal'; 1")
    assert blocked.args == ["example.com"]
    assert view.notice.isVisible() and "blocked" in view.notice.text()
    assert "KIOSK-2" in _js(qtbot, view, "document.body.innerText")  # still the checkout
    assert _js(qtbot, view, "String(window.open('https://sandbox.cashfree.com/'))") == "null"
    with qtbot.waitSignal(view.blocked, timeout=10000) as blocked:
        _js(qtbot, view, f"window.location.href = '{handle.url}/_sim/faults'; 1")
    assert blocked.args == ["127.0.0.1"]  # the simulator, but not a checkout page


def test_the_navigation_policy() -> None:
    sim = "http://127.0.0.1:8790"
    assert allowed_navigation(f"{sim}/checkout/order/A-1", "demo", sim)
    assert not allowed_navigation(f"{sim}/_sim/faults", "demo", sim)
    assert not allowed_navigation("http://127.0.0.1:9999/checkout/order/A", "demo", sim)
    assert not allowed_navigation("https://sandbox.cashfree.com/pg/view", "demo", sim)
    assert allowed_navigation("https://sandbox.cashfree.com/pg/view/sessions/x", "sandbox")
    assert allowed_navigation("https://sdk.cashfree.com/js/v3/cashfree.js", "production")
    assert not allowed_navigation("http://sandbox.cashfree.com/pg", "sandbox")  # not https
    assert not allowed_navigation("https://sandbox.cashfree.com.evil.in/", "sandbox")
    assert not allowed_navigation("https://api.cashfree.com/pg", "sandbox")
    assert not allowed_navigation("https://sandbox.cashfree.com:8443/", "sandbox")
    assert not allowed_navigation("javascript:alert(1)", "production")
    assert not allowed_navigation("file:///etc/passwd", "production")


def test_the_bootstrap_page_hands_only_the_session_to_cashfrees_sdk() -> None:
    page = bootstrap_html("sandbox", "session_abc-123")
    assert "https://sdk.cashfree.com/js/v3/cashfree.js" in page
    assert '"paymentSessionId": "session_abc-123"' in page and '"_self"' in page
    with pytest.raises(ValueError):
        bootstrap_html("sandbox", "</script><script>alert(1)</script>")
    with pytest.raises(ValueError):
        bootstrap_html("demo", "session_abc")


def test_without_the_extra_it_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "PySide6.QtWebEngineWidgets", None)
    reason = unavailable_reason()
    assert reason is not None and reason.startswith(KIOSK_HINT)
    assert "pip install 'pos_app[kiosk]'" in reason


def test_the_quick_look_for_about(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    assert (unavailable_reason(load=False) is None) == (unavailable_reason() is None)
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    reason = unavailable_reason(load=False)
    assert reason is not None and "pip install 'pos_app[kiosk]'" in reason


@pytest.mark.parametrize("installed", [True, False])
def test_about_says_whether_the_embedded_checkout_can_run(
    qtbot: QtBot, qloop: object, monkeypatch: pytest.MonkeyPatch, installed: bool
) -> None:
    import importlib.util

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ui"))
    from setup_kit import services

    from pos_app.ui.setup.about import AboutDialog

    if not installed:
        monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    dialog = AboutDialog(services())
    qtbot.addWidget(dialog)
    qtbot.waitUntil(dialog.copy_button.isEnabled, timeout=5000)
    text = dialog.details.toPlainText()
    if installed and unavailable_reason() is None:
        assert "Embedded checkout: installed (Qt WebEngine)" in text
    else:
        assert "Embedded checkout: " + KIOSK_HINT in text
