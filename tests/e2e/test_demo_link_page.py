"""In demo, the payment link on screen opens a working checkout page served by the till
(issue 13, the first day): the customer pays on that page and the desk shows PAID."""

from __future__ import annotations

import asyncio
import urllib.request
from urllib.parse import urlencode

from desk_drive import close_desk, open_desk, type_amount
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from pos_app.app import open_runtime, serve_checkout_pages


def fetch(url: str, form: dict[str, str] | None = None) -> tuple[int, str]:
    data = urlencode(form).encode() if form is not None else None
    with urllib.request.urlopen(url, data=data, timeout=5) as answer:
        return answer.status, answer.read().decode()


def test_the_demo_link_opens_a_page_that_takes_the_payment(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    runtime = open_runtime("demo")
    stop = serve_checkout_pages(runtime)
    assert stop is not None
    desk = open_desk(qtbot, runtime)
    try:
        window = desk.window
        type_amount(qtbot, window.amount, "345")
        qtbot.keyClick(window.amount, Qt.Key.Key_F2)
        qtbot.keyClick(window.amount, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: window.waiting.qr.has_code(), timeout=3000)
        state = window.waiting.state
        assert state is not None and state.link_url
        assert state.link_url.startswith("http://127.0.0.1:")

        done = asyncio.ensure_future(asyncio.to_thread(fetch, state.link_url))
        qtbot.waitUntil(done.done, timeout=5000)
        status, page = done.result()
        assert status == 200 and "₹345.00" in page and "Pay" in page

        paying = asyncio.ensure_future(asyncio.to_thread(fetch, state.link_url, {"action": "pay"}))
        qtbot.waitUntil(paying.done, timeout=5000)
        assert paying.result()[0] == 200
        qtbot.waitUntil(lambda: window.result.title.text() == "PAID", timeout=8000)
    finally:
        close_desk(qtbot, desk)
        stop()
