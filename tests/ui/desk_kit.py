"""A stand-in checkout for the sync widget tests (no asyncio runs in tests/ui)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

from pos_app.domain.money import Money
from pos_app.domain.qr import QrCode
from pos_app.domain.sale import Method, SaleStatus
from pos_app.services.checkout.listeners import Listeners
from pos_app.services.checkout.state import ChargeRequest, Offline, SaleState

NOW = datetime(2026, 3, 2, 9, 30, 0, tzinfo=UTC)
UPI_TEXT = (
    "upi://pay?pa=cashfree.store@axis&pn=Test%20Store&am=1250.50&tr=T1-260302093000-ABCDEF&cu=INR"
)
LINK_URL = "https://payments.cashfree.com/links/o/T1-260302093000-ABCDEF"


class FakeCheckout:
    """Records what the desk asks; never runs (widget tests do not start the loop)."""

    def __init__(self) -> None:
        self.late_payments: Listeners[SaleState] = Listeners("late payment")
        self.background_changes: Listeners[SaleState] = Listeners("background change")
        self.open_count = 0
        self.started: list[ChargeRequest] = []
        self.checked: list[str] = []

    async def start(self, request: ChargeRequest) -> AsyncIterator[SaleState]:
        self.started.append(request)
        yield waiting_state()

    def subscribe(
        self, listener: Callable[[SaleState], None], *, late: bool = False
    ) -> Callable[[], None]:
        return (self.late_payments if late else self.background_changes).subscribe(listener)

    async def cancel(self, order_id: str) -> SaleState | None:
        return None

    def check_now(self, order_id: str) -> None:
        self.checked.append(order_id)

    def resume_open_sales(self) -> int:
        return 0


def waiting_state(**changes: object) -> SaleState:
    fields: dict[str, object] = {
        "order_id": "T1-260302093000-ABCDEF",
        "amount": Money(125050),
        "method": Method.UPI_QR,
        "status": SaleStatus.AWAITING_PAYMENT,
        "message": "Waiting for the customer to pay.",
        "qr": QrCode.encode(UPI_TEXT),
        "qr_text": UPI_TEXT,
        "expires_at": NOW + timedelta(minutes=14, seconds=32),
    }
    fields.update(changes)
    return SaleState(**fields)  # type: ignore[arg-type]


def link_state(**changes: object) -> SaleState:
    base: dict[str, object] = {
        "method": Method.LINK,
        "qr": QrCode.encode(LINK_URL),
        "qr_text": LINK_URL,
        "link_url": LINK_URL,
    }
    base.update(changes)
    return waiting_state(**base)


def offline(reason: str = "the connection timed out") -> Offline:
    return Offline(
        since=NOW - timedelta(seconds=40), next_try_at=NOW + timedelta(seconds=20), reason=reason
    )


def final_state(status: SaleStatus, **changes: object) -> SaleState:
    base: dict[str, object] = {"status": status, "message": "", "qr": None, "expires_at": None}
    if status is SaleStatus.PAID:
        base.update(
            bank_reference="612345678901",
            cf_payment_id="5114910000001",
            payment_group="upi",
            paid_at=NOW + timedelta(minutes=1),
            message="Paid.",
        )
    base.update(changes)
    return waiting_state(**base)
