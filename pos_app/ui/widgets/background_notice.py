"""A calm line in the header: a sale followed in the background was paid.

Sales the till resumed after a restart, or left the counter unsettled, are followed in the
background; when one is paid the cashier sees it here without being interrupted (a late
payment after a cancel or expiry is different: the Announcer asks for an acknowledgement).
The wording of this notice lives here, beside the one widget that shows it.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtWidgets import QLabel, QWidget

from pos_app.services.checkout.state import SaleState
from pos_app.ui.text import clock_time

ACCESSIBLE_NAME = "Background payments"


def paid_in_background(state: SaleState, count: int, now: datetime) -> str:
    """One short line for the header (fits beside the rest at 1024 px): the latest
    background payment, and how many so far. The order and bill are in `details`."""
    latest = f"{state.amount.format()} at {clock_time(state.paid_at or now)}"
    if count <= 1:
        return f"✓ Paid in the background: {latest}"
    return f"✓ {count} paid in the background · latest {latest}"


def details(state: SaleState) -> str:
    bill = f" (bill {state.bill_number})" if state.bill_number else ""
    lines = [f"{state.amount.format()} for order {state.order_id}{bill} was paid while the"]
    lines.append("till followed it in the background. It is recorded as paid.")
    if state.bank_reference:
        lines.append(f"UTR / bank reference: {state.bank_reference}")
    if state.late:
        lines.append("Paid late: after the sale was cancelled or expired; tell the manager.")
    return "\n".join(lines)


class BackgroundNotice(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("", parent)
        self.setObjectName("backgroundNotice")
        self.setAccessibleName(ACCESSIBLE_NAME)
        self.count = 0
        self.latest: SaleState | None = None
        self.hide()

    def announce(self, state: SaleState, now: datetime) -> None:
        self.count += 1
        self.latest = state
        self.setText(paid_in_background(state, self.count, now))
        self.setToolTip(details(state))
        self.setAccessibleDescription(details(state))
        self.show()
