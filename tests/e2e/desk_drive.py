"""Driving the live desk like a cashier: keys, dialog answers, reading the screen's QR."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import zxingcpp
from PIL import Image
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from pos_app.app import Runtime, runtime_desk_services
from pos_app.secrets import KeyringSecretStore
from pos_app.ui.controller import SaleController
from pos_app.ui.main_window import MainWindow
from pos_app.ui.options import DeskOptions
from pos_app.ui.resources import stylesheet


def type_amount(qtbot: QtBot, widget: QWidget, keys: str) -> None:
    for key in keys:
        qtbot.keyClicks(widget, key)


def answer(box: QMessageBox | None, caption: str) -> None:
    assert box is not None, "no question on screen"
    [button] = [b for b in box.findChildren(QPushButton) if b.text() == caption]
    button.click()


def decode_qr(widget: QWidget) -> list[str]:
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    width, height, stride = image.width(), image.height(), image.bytesPerLine()
    raw = bytes(image.constBits())
    rows = b"".join(raw[y * stride : y * stride + width * 3] for y in range(height))
    return [r.text for r in zxingcpp.read_barcodes(Image.frombytes("RGB", (width, height), rows))]


@dataclass
class LiveDesk:
    runtime: Runtime
    controller: SaleController
    window: MainWindow


def open_desk(qtbot: QtBot, runtime: Runtime, **window_options: object) -> LiveDesk:
    """The desk's window over `runtime`, with the services the composition root builds
    for it (app.runtime_desk_services), as run_gui would."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    app.setStyleSheet(stylesheet())
    services = runtime_desk_services(runtime, KeyringSecretStore(timeout=3))
    options = DeskOptions.from_settings(services.settings, services.environment)
    controller = SaleController(services.checkout, services.demo_customer)
    window = MainWindow(controller, options, services=services, **window_options)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.resize(1024, 600)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    window.amount.setFocus()
    return LiveDesk(runtime, controller, window)


def close_desk(qtbot: QtBot, desk: LiveDesk) -> None:
    tasks = desk.controller.shutdown()
    qtbot.waitUntil(lambda: all(t.done() for t in tasks), timeout=5000)
    closing = asyncio.ensure_future(desk.runtime.aclose())
    qtbot.waitUntil(closing.done, timeout=5000)
    closing.result()


async def leave_a_sale_open(sim: object, bill: str | None = None) -> str:
    """An earlier run of the till: the QR reaches the customer, then the till goes away
    (the stream is closed and the runtime shut, as on a restart)."""
    from pos_app.app import open_runtime
    from pos_app.domain.money import Money
    from pos_app.domain.sale import Method, SaleStatus
    from pos_app.services.checkout.state import ChargeRequest

    runtime = open_runtime("demo", simulator=sim)
    request = ChargeRequest(amount=Money(43210), method=Method.UPI_QR, bill_number=bill)
    stream = runtime.checkout.start(request)
    order_id = ""
    async for state in stream:
        order_id = state.order_id
        if state.status is SaleStatus.AWAITING_PAYMENT:
            break
    await stream.aclose()  # type: ignore[attr-defined]
    await runtime.aclose()
    return order_id
