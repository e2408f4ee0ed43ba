"""The QR view paints a QrCode's modules as whole-pixel squares, crisp at any size."""

from __future__ import annotations

import io

import qrcode
import zxingcpp
from PIL import Image
from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from pos_app.domain.qr import QUIET_ZONE, QrCode
from pos_app.ui.widgets.qr_view import FRAME, MIN_SHOWN, QrView, choose_factor

UPI = "upi://pay?pa=a@b&am=1.00"


def png(box_size: int, payload: str = UPI) -> bytes:
    code = qrcode.QRCode(box_size=box_size, border=4)
    code.add_data(payload)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer, format="PNG")
    return buffer.getvalue()


def decoded(view: QrView) -> list[str]:
    image = view.grab().toImage().convertToFormat(QImage.Format.Format_Grayscale8)
    raw, stride = bytes(image.constBits()), image.bytesPerLine()
    rows = b"".join(raw[y * stride : y * stride + image.width()] for y in range(image.height()))
    return [
        r.text
        for r in zxingcpp.read_barcodes(Image.frombytes("L", (image.width(), image.height()), rows))
    ]


def test_enlarges_by_the_largest_whole_factor_that_fits() -> None:
    assert choose_factor(33, 400) == 12  # 396 px
    assert choose_factor(33, 395) == 11


def test_never_below_the_minimum_even_when_space_is_short() -> None:
    factor = choose_factor(33, 200)
    assert factor * 33 >= MIN_SHOWN and factor == 10


def test_a_picture_larger_than_the_space_is_shown_as_it_is() -> None:
    assert choose_factor(740, 500) == 1


def test_view_paints_the_code_with_its_quiet_zone_white(qtbot: QtBot) -> None:
    view = QrView()
    qtbot.addWidget(view)
    view.resize(500, 500)
    code = QrCode.encode(UPI)
    assert view.set_code(code)
    view.show()
    rect = view.shown_rect()
    assert rect.width() == view.shown_size() >= MIN_SHOWN
    assert view.shown_size() == view.factor * (code.size + 2 * QUIET_ZONE)
    assert view.shown_size() <= 500 - 2 * FRAME
    image = view.grab().toImage()
    # Just outside the code (inside the white frame) is white even on a dark palette.
    assert image.pixelColor(rect.left() - 3, rect.top() - 3).name() == "#ffffff"
    # The quiet zone is white, the top-left finder's corner is black.
    quiet = QUIET_ZONE * view.factor
    assert image.pixelColor(rect.left() + quiet - 1, rect.top() + quiet - 1).name() == "#ffffff"
    assert image.pixelColor(rect.left() + quiet, rect.top() + quiet).name() == "#000000"
    assert view.minimumSizeHint().width() >= MIN_SHOWN
    assert decoded(view) == [UPI]


def test_resizing_repaints_at_a_new_whole_factor(qtbot: QtBot) -> None:
    view = QrView()
    qtbot.addWidget(view)
    code = QrCode.encode(UPI)
    view.resize(900, 900)
    view.set_code(code)
    view.show()
    large = view.factor
    view.resize(420, 420)
    assert view.factor < large and view.shown_size() >= MIN_SHOWN
    assert decoded(view) == [UPI]


def test_rejects_pictures_that_cannot_be_a_qr(qtbot: QtBot) -> None:
    view = QrView()
    qtbot.addWidget(view)
    assert not view.set_code(None)
    assert not view.set_code(None, b"")
    tiny = QImage(10, 10, QImage.Format.Format_RGB32)
    data = QByteArray()
    qbuffer = QBuffer(data)
    qbuffer.open(QIODevice.OpenModeFlag.WriteOnly)
    tiny.save(qbuffer, "PNG")
    assert not view.set_code(None, bytes(data.data()))
    assert not view.has_code() and view.shown_size() == 0


def test_a_picture_is_only_the_fallback(qtbot: QtBot) -> None:
    view = QrView()
    qtbot.addWidget(view)
    view.resize(500, 500)
    assert view.set_code(None, png(4))
    assert view.code is None and view.source_size() == Image.open(io.BytesIO(png(4))).width
    code = QrCode.encode(UPI)
    assert view.set_code(code, png(4))  # a code wins over any picture
    assert view.code == code and view.source_size() == code.size + 2 * QUIET_ZONE
