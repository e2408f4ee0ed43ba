"""Choosing a crisp scale for a QR image."""

from __future__ import annotations

import io

import qrcode
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from pos_app.ui.widgets.qr_view import MIN_SHOWN, QrView, Scale, choose_scale, module_size


def png(box_size: int, payload: str = "upi://pay?pa=a@b&am=1.00") -> bytes:
    code = qrcode.QRCode(box_size=box_size, border=4)
    code.add_data(payload)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer, format="PNG")
    return buffer.getvalue()


def test_module_size_is_found(qapp: object) -> None:
    for box in (1, 4, 10):
        image = QImage()
        assert image.loadFromData(png(box))
        assert module_size(image) == box


def test_enlarges_by_the_largest_whole_factor_that_fits() -> None:
    assert choose_scale(33, 1, 400) == Scale(factor=12)  # 396 px
    assert choose_scale(33, 1, 395) == Scale(factor=11)


def test_never_below_the_minimum_even_when_space_is_short() -> None:
    scale = choose_scale(33, 1, 200)
    assert scale.apply(33) >= MIN_SHOWN
    assert scale == Scale(factor=10)


def test_large_images_are_reduced_by_a_divisor_of_the_module_size() -> None:
    # 37 modules at 20 px = 740 px; 500 px available: 740/2 = 370 fits, /4 = 185 too small.
    assert choose_scale(740, 20, 500) == Scale(divisor=2)
    # A module size of 1 allows no reduction: shown as is.
    assert choose_scale(740, 1, 500) == Scale(factor=1)


def test_view_keeps_quiet_zone_white_and_reports_sizes(qtbot: QtBot) -> None:
    view = QrView()
    qtbot.addWidget(view)
    view.resize(500, 500)
    assert view.set_png(png(1))
    view.show()
    rect = view.shown_rect()
    assert rect.width() == view.shown_size() >= MIN_SHOWN
    image = view.grab().toImage()
    # Just outside the code (inside the white frame) is white even on a dark palette.
    assert image.pixelColor(rect.left() - 3, rect.top() - 3).name() == "#ffffff"
    assert view.minimumSizeHint().width() >= MIN_SHOWN


def test_rejects_images_that_cannot_be_a_qr(qtbot: QtBot) -> None:
    view = QrView()
    qtbot.addWidget(view)
    assert not view.set_png(None)
    assert not view.set_png(b"")
    tiny = QImage(10, 10, QImage.Format.Format_RGB32)
    buffer = io.BytesIO()
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    data = QByteArray()
    qbuffer = QBuffer(data)
    qbuffer.open(QIODevice.OpenModeFlag.WriteOnly)
    tiny.save(qbuffer, "PNG")
    buffer.write(bytes(data.data()))
    assert not view.set_png(buffer.getvalue())
    assert not view.has_code()
