"""A QR code shown crisp: its modules painted as whole-pixel squares, quiet zone kept.

The view paints the sale's `QrCode` itself: every module becomes a square of the same
whole number of device pixels (the largest that fits, never under `MIN_SHOWN`), so edges
stay sharp and modules equal at any window size or screen scale, with no picture to
decode or rescale. The quiet zone and a white frame are always painted, so the code
survives a dark palette.

Only when Cashfree sent a picture the till could not read as text is a picture shown
instead: enlarged by a whole number, nearest-neighbour, on the same white frame.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QPixmap, QResizeEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from pos_app.domain.qr import QUIET_ZONE, QrCode
from pos_app.ui import text

__all__ = ["FRAME", "MIN_SHOWN", "QrView", "choose_factor"]

MIN_SHOWN = 300  # px on screen, quiet zone included: scannable from about a metre
FRAME = 12  # white margin drawn around the code, on top of its quiet zone
_DARK = QColor("black")
_LIGHT = QColor("white")


def choose_factor(source: int, available: int, minimum: int = MIN_SHOWN) -> int:
    """Pixels per source unit (a module, or a picture's pixel): the largest whole number
    that fits `available`, never below `minimum` when a larger one can reach it."""
    source = max(source, 1)
    largest = available // source
    if largest * source >= minimum:
        return max(largest, 1)
    return max(1, math.ceil(minimum / source))


class QrView(QWidget):
    def __init__(self, parent: QWidget | None = None, *, minimum: int = MIN_SHOWN) -> None:
        super().__init__(parent)
        self.setObjectName("qrView")
        self.setAccessibleName("Payment QR code")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._minimum = minimum
        self._code: QrCode | None = None
        self._runs: tuple[tuple[int, int, int], ...] = ()
        self._picture: QImage | None = None
        self._scaled: QPixmap | None = None
        self._factor = 0  # device pixels per module (or per picture pixel); 0: nothing shown
        self._ratio = 1.0

    # ---- data ---------------------------------------------------------------------------
    def set_code(self, code: QrCode | None, picture: bytes | None = None) -> bool:
        """Show this code; without one, Cashfree's `picture` if it can be a QR. Returns
        False (and shows a sentence instead) when there is nothing to show."""
        if code is not None:
            if code != self._code:
                self._code, self._runs, self._scaled = code, code.dark_runs(), None
            self._picture = None
        else:
            if self._code is not None:
                self._code, self._runs, self._scaled = None, (), None
            image = QImage()
            usable = bool(picture) and image.loadFromData(picture or b"") and _looks_like_qr(image)
            if not usable:
                self._picture = None
            elif self._picture is None or image != self._picture:
                self._picture = image
                self._scaled = None
        self._rescale()
        self.updateGeometry()
        return self.has_code()

    def has_code(self) -> bool:
        return self._code is not None or self._picture is not None

    @property
    def code(self) -> QrCode | None:
        return self._code

    @property
    def factor(self) -> int:
        """Device pixels per module (or per picture pixel); 0 when nothing is shown."""
        return self._factor

    def source_size(self) -> int:
        """Modules a side with the quiet zone (or the picture's pixels); 0 when empty."""
        if self._code is not None:
            return self._code.size + 2 * QUIET_ZONE
        if self._picture is not None:
            return max(self._picture.width(), self._picture.height())
        return 0

    def shown_size(self) -> int:
        """Side of the drawn code, quiet zone included, in device pixels (= logical
        pixels at 100 %)."""
        return self.source_size() * self._factor

    def shown_rect(self) -> QRect:
        """Where the code (with its quiet zone) is drawn, in widget coordinates."""
        if not self.has_code() or self._factor == 0:
            return QRect()
        side = math.ceil(self.shown_size() / self._ratio)
        return QRect((self.width() - side) // 2, (self.height() - side) // 2, side, side)

    # ---- layout -------------------------------------------------------------------------
    def minimumSizeHint(self) -> QSize:
        """Never squeezed below the smallest crisp size that is at least the minimum."""
        source = self.source_size()
        smallest = (
            self._minimum if source == 0 else source * choose_factor(source, 0, self._minimum)
        )
        side = smallest + 2 * FRAME
        return QSize(side, side)

    def sizeHint(self) -> QSize:
        return self.minimumSizeHint()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._rescale()

    def _rescale(self) -> None:
        source = self.source_size()
        if source == 0:
            self._factor, self._scaled = 0, None
            self.update()
            return
        # Work in device pixels so a 125 % or 200 % screen still gets whole-pixel modules.
        ratio = max(1.0, self.devicePixelRatioF())
        available = int((min(self.width(), self.height()) - 2 * FRAME) * ratio)
        factor = choose_factor(source, available, math.ceil(self._minimum * ratio))
        if self._scaled is None or factor != self._factor or ratio != self._ratio:
            if self._code is not None:
                pixmap = QPixmap.fromImage(self._painted(factor))
            else:
                assert self._picture is not None
                pixmap = QPixmap.fromImage(
                    self._picture.scaled(
                        self._picture.width() * factor,
                        self._picture.height() * factor,
                        Qt.AspectRatioMode.IgnoreAspectRatio,
                        Qt.TransformationMode.FastTransformation,
                    )
                )
            pixmap.setDevicePixelRatio(ratio)
            self._scaled = pixmap
        self._factor, self._ratio = factor, ratio
        self.update()

    # ---- painting -----------------------------------------------------------------------
    def _painted(self, factor: int) -> QImage:
        """The code with its quiet zone, `factor` device pixels a module: each run of dark
        modules one black rectangle on white. Painted once per size, then only copied."""
        side = self.source_size() * factor
        image = QImage(side, side, QImage.Format.Format_RGB32)
        image.fill(_LIGHT)
        painter = QPainter(image)
        try:
            offset = QUIET_ZONE * factor
            for row, column, length in self._runs:
                painter.fillRect(
                    QRect(offset + column * factor, offset + row * factor, length * factor, factor),
                    _DARK,
                )
        finally:
            painter.end()
        return image

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            target = self.shown_rect()
            if target.isNull():
                painter.setPen(self.palette().color(self.foregroundRole()))
                painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, text.QR_MISSING)
                return
            painter.fillRect(target.adjusted(-FRAME, -FRAME, FRAME, FRAME), _LIGHT)
            if self._scaled is not None:  # device pixels 1:1, so modules stay whole
                painter.drawPixmap(target.topLeft(), self._scaled)
        finally:
            painter.end()


def _looks_like_qr(image: QImage) -> bool:
    """Nearly square and big enough to hold the smallest QR (21 modules)."""
    if image.isNull() or image.width() < 21 or image.height() < 21:
        return False
    return abs(image.width() - image.height()) <= image.width() // 10
