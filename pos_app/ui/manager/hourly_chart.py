"""Money collected in each hour of the day, drawn with QPainter (no QtCharts needed).

One bar per local hour (collected), a thin red bar beside it for refunds, a light grid
with the largest hour's amount, and hour labels every three hours. The same picture can
be rendered into an image for the printed report (`render_image`).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from pos_app.domain.money import Money
from pos_app.services.reporting.day_end import HourBucket

__all__ = ["HourlyChart"]

_PAID = QColor(46, 125, 50)
_REFUNDED = QColor(198, 40, 40)


class HourlyChart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.hours: tuple[HourBucket, ...] = ()
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setMinimumHeight(180)
        self.setAccessibleName("Collected by hour")

    def set_hours(self, hours: Sequence[HourBucket]) -> None:
        self.hours = tuple(hours)
        busiest = max(self.hours, key=lambda b: b.paid.amount.paise, default=None)
        if busiest is not None and busiest.paid.amount.paise:
            self.setAccessibleDescription(
                f"Busiest hour {busiest.hour:02d}:00 with {busiest.paid.amount.format()} "
                f"from {busiest.paid.count} payments."
            )
        else:
            self.setAccessibleDescription("No payments in this period.")
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(640, 200)

    @property
    def peak(self) -> Money:
        top = max(
            (max(b.paid.amount.paise, b.refunded.amount.paise) for b in self.hours), default=0
        )
        return Money(top)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            self.draw(painter, QRectF(self.rect()), self.palette().color(QPalette.ColorRole.Text))
        finally:
            painter.end()

    def render_image(self, size: QSize | None = None) -> QImage:
        """The chart on a white background, for the printed day report."""
        size = size or QSize(1200, 360)
        image = QImage(size, QImage.Format.Format_ARGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        try:
            self.draw(painter, QRectF(0, 0, size.width(), size.height()), QColor("black"))
        finally:
            painter.end()
        return image

    def draw(self, painter: QPainter, area: QRectF, ink: QColor) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        font = QFont(painter.font())
        font.setPixelSize(max(10, min(18, int(area.height() / 18))))
        painter.setFont(font)
        metrics = QFontMetricsF(font)
        peak = self.peak.paise
        top_label = Money(peak).format() if peak else "₹0.00"
        left = metrics.horizontalAdvance(top_label) + 12
        plot = QRectF(
            area.left() + left,
            area.top() + metrics.height() / 2 + 4,
            max(1.0, area.width() - left - 8),
            max(1.0, area.height() - metrics.height() * 1.5 - 10),
        )
        grid = QColor(ink)
        grid.setAlpha(60)
        painter.setPen(QPen(grid, 1))
        for step in range(5):
            y = plot.bottom() - plot.height() * step / 4
            painter.drawLine(int(plot.left()), int(y), int(plot.right()), int(y))
        painter.setPen(ink)
        painter.drawText(
            QRectF(area.left(), plot.top() - metrics.height() / 2, left - 6, metrics.height()),
            int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
            top_label,
        )
        slot = plot.width() / 24
        for bucket in self.hours:
            x = plot.left() + bucket.hour * slot
            self._bar(painter, plot, x + slot * 0.12, slot * 0.56, bucket.paid.amount, peak, _PAID)
            self._bar(
                painter, plot, x + slot * 0.70, slot * 0.18, bucket.refunded.amount, peak, _REFUNDED
            )
        painter.setPen(ink)
        for hour in range(0, 24, 3):
            painter.drawText(
                QRectF(
                    plot.left() + hour * slot - slot, plot.bottom() + 3, slot * 3, metrics.height()
                ),
                int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop),
                f"{hour:02d}:00",
            )

    @staticmethod
    def _bar(
        painter: QPainter,
        plot: QRectF,
        x: float,
        width: float,
        amount: Money,
        peak: int,
        colour: QColor,
    ) -> None:
        if peak <= 0 or amount.paise <= 0:
            return
        height = max(1.0, plot.height() * amount.paise / peak)
        painter.fillRect(QRectF(x, plot.bottom() - height, width, height), colour)
