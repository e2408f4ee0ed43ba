"""The customer window that hosts Cashfree's checkout for a "Kiosk" sale (Method.CHECKOUT).

It follows the SaleController: when a sale with Method.CHECKOUT is waiting for payment, the
window shows that order's checkout (the simulator's page in demo); when the sale ends (any
final state, or the stream stops) the checkout is emptied and the window hidden, so
nothing of one customer's checkout is left for the next. Built only when the `kiosk` extra
can run (see embedded_checkout.unavailable_reason).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject
from PySide6.QtGui import QScreen
from PySide6.QtWidgets import QVBoxLayout, QWidget

from pos_app.domain.sale import Method, SaleStatus
from pos_app.services.checkout.state import SaleState
from pos_app.ui.controller import SaleController
from pos_app.ui.embedded_checkout import CheckoutView

__all__ = ["KioskHost"]

log = logging.getLogger(__name__)


class KioskHost(QObject):
    def __init__(
        self,
        controller: SaleController,
        environment: str,
        demo_origin: str | None = None,
        *,
        store_name: str = "",
        screen: QScreen | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.window = QWidget()
        self.window.setObjectName("kioskWindow")
        self.window.setWindowTitle(f"{store_name}: pay here".strip(": "))
        self.view = CheckoutView(environment, demo_origin, self.window)
        column = QVBoxLayout(self.window)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.view)
        self._screen = screen
        if screen is not None:
            self.window.setScreen(screen)
            self.window.setGeometry(screen.geometry())
        else:
            self.window.resize(900, 700)
        controller.state_changed.connect(self.follow)
        controller.sale_ended.connect(lambda _last: self.end())

    @property
    def showing(self) -> str | None:
        """The order whose checkout is on the customer's screen, if any."""
        return self.view.order_id if self.window.isVisible() else None

    def follow(self, state: SaleState) -> None:
        if state.method is not Method.CHECKOUT:
            return
        if state.is_final:
            self.end()
            return
        if state.status is not SaleStatus.AWAITING_PAYMENT or self.view.order_id == state.order_id:
            return
        try:
            self.view.open_checkout(state.order_id, state.checkout_session)
        except ValueError:
            log.exception("the embedded checkout could not open order %s", state.order_id)
            return
        if self._screen is not None:
            self.window.showFullScreen()
        else:
            self.window.show()

    def end(self) -> None:
        if self.view.order_id is None and not self.window.isVisible():
            return
        self.view.close_checkout()
        self.window.hide()

    def close(self) -> None:
        self.end()
        self.window.close()
        self.window.deleteLater()
