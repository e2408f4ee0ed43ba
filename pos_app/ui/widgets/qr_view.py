"""A QR code shown crisp: whole-number scaling, nearest-neighbour, quiet zone kept.

Smooth scaling blurs module edges and non-integer factors make modules of unequal width,
both of which cost scans. So the PNG is enlarged by an integer factor, or reduced by an
integer divisor of its module size (then every module stays a block of equal pixels), and
always drawn on a white frame so the quiet zone survives a dark palette.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QPixmap, QResizeEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from pos_app.ui import text

MIN_SHOWN = 300  # px on screen: scannable from about a metre
FRAME = 12  # white margin drawn around the image, on top of the PNG's own quiet zone


@dataclass(frozen=True, slots=True)
class Scale:
    """shown = source * factor // divisor; exactly one of them is 1."""

    factor: int = 1
    divisor: int = 1

    def apply(self, size: int) -> int:
        return size * self.factor // self.divisor


def module_size(image: QImage) -> int:
    """The pixel width of one QR module: the gcd of dark/light run lengths on sampled rows.

    1 when the image is not made of whole-pixel modules (then it may only be enlarged).
    """
    gray = image.convertToFormat(QImage.Format.Format_Grayscale8)
    width, height = gray.width(), gray.height()
    stride = gray.bytesPerLine()
    data = bytes(gray.constBits())
    result = 0
    for row in range(0, height, max(1, height // 24)):
        line = data[row * stride : row * stride + width]
        run, dark = 0, line[0] < 128
        for value in line:
            is_dark = value < 128
            if is_dark == dark:
                run += 1
                continue
            result = math.gcd(result, run)
            run, dark = 1, is_dark
        result = math.gcd(result, run)
        if result == 1:
            return 1
    return max(result, 1)


def choose_scale(source: int, module: int, available: int, minimum: int = MIN_SHOWN) -> Scale:
    """The largest crisp scale that fits `available`, never below `minimum` when possible."""
    source = max(source, 1)
    options = [Scale(factor=k) for k in range(1, max(available, minimum) // source + 2)]
    options += [Scale(divisor=d) for d in range(2, module + 1) if module % d == 0]
    fitting = [s for s in options if minimum <= s.apply(source) <= available]
    if fitting:
        return max(fitting, key=lambda s: s.apply(source))
    big_enough = [s for s in options if s.apply(source) >= minimum]
    if big_enough:
        return min(big_enough, key=lambda s: s.apply(source))
    return max(options, key=lambda s: s.apply(source))


class QrView(QWidget):
    def __init__(self, parent: QWidget | None = None, *, minimum: int = MIN_SHOWN) -> None:
        super().__init__(parent)
        self.setObjectName("qrView")
        self.setAccessibleName("Payment QR code")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._minimum = minimum
        self._image: QImage | None = None
        self._module = 1
        self._scaled: QPixmap | None = None
        self._scale = Scale()

    # ---- data ---------------------------------------------------------------------------
    def set_png(self, png: bytes | None) -> bool:
        """Show this PNG; returns False (and shows a sentence instead) if it is unusable."""
        image = QImage()
        if png and image.loadFromData(png) and _looks_like_qr(image):
            if image.isNull() or image == self._image:
                return True
            self._image = image
            self._module = module_size(image)
        else:
            self._image = None
        self._rescale()
        self.updateGeometry()
        return self._image is not None

    def has_code(self) -> bool:
        return self._image is not None

    @property
    def scale(self) -> Scale:
        return self._scale

    def source_size(self) -> int:
        if self._image is None:
            return 0
        return max(self._image.width(), self._image.height())

    def shown_size(self) -> int:
        """Side of the drawn code in device pixels (= logical pixels at 100 %)."""
        if self._scaled is None:
            return 0
        return max(self._scaled.width(), self._scaled.height())

    def shown_rect(self) -> QRect:
        """Where the code is drawn, in widget coordinates."""
        if self._scaled is None:
            return QRect()
        size = self._scaled.deviceIndependentSize().toSize()
        w, h = size.width(), size.height()
        return QRect((self.width() - w) // 2, (self.height() - h) // 2, w, h)

    # ---- layout -------------------------------------------------------------------------
    def _smallest(self) -> int:
        if self._image is None:
            return self._minimum
        return choose_scale(self.source_size(), self._module, 0, self._minimum).apply(
            self.source_size()
        )

    def minimumSizeHint(self) -> QSize:
        """Never squeezed below the smallest crisp size that is at least the minimum."""
        side = self._smallest() + 2 * FRAME
        return QSize(side, side)

    def sizeHint(self) -> QSize:
        return self.minimumSizeHint()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._rescale()

    def _rescale(self) -> None:
        if self._image is None:
            self._scaled = None
            self._scale = Scale()
            self.update()
            return
        # Work in device pixels so a 125 % or 200 % screen still gets whole-pixel modules.
        ratio = max(1.0, self.devicePixelRatioF())
        available = int((min(self.width(), self.height()) - 2 * FRAME) * ratio)
        minimum = math.ceil(self._minimum * ratio)
        scale = choose_scale(self.source_size(), self._module, available, minimum)
        if self._scaled is None or scale != self._scale or self._scaled.devicePixelRatio() != ratio:
            scaled = self._image.scaled(
                scale.apply(self._image.width()),
                scale.apply(self._image.height()),
                Qt.AspectRatioMode.IgnoreAspectRatio,
                Qt.TransformationMode.FastTransformation,
            )
            pixmap = QPixmap.fromImage(scaled)
            pixmap.setDevicePixelRatio(ratio)
            self._scaled = pixmap
            self._scale = scale
        self.update()

    # ---- painting -----------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            if self._scaled is None:
                painter.setPen(self.palette().color(self.foregroundRole()))
                painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, text.QR_MISSING)
                return
            target = self.shown_rect()
            painter.fillRect(target.adjusted(-FRAME, -FRAME, FRAME, FRAME), QColor("white"))
            painter.drawPixmap(target.topLeft(), self._scaled)
        finally:
            painter.end()


def _looks_like_qr(image: QImage) -> bool:
    """Nearly square and big enough to hold the smallest QR (21 modules)."""
    if image.isNull() or image.width() < 21 or image.height() < 21:
        return False
    return abs(image.width() - image.height()) <= image.width() // 10
