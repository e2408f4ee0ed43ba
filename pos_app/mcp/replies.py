"""The structured replies of the tools (the SDK publishes their JSON schema as each tool's
output schema). Every reply names the environment; none carries a secret, a full phone
number, an e-mail address or a UPI id."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from pos_app.domain.money import Money
from pos_app.domain.sale import Sale, SaleStatus

__all__ = [
    "CancelReply",
    "ConfirmReply",
    "DayReply",
    "PaymentReply",
    "RefundInfo",
    "RefundRequestInfo",
    "RefundRequestReply",
    "SaleLine",
    "SaleReply",
    "SalesReply",
    "TallyInfo",
    "payment_status",
]

Environment = Literal["DEMO", "SANDBOX", "PRODUCTION"]
PaymentStatus = Literal["SUCCESS", "PENDING", "FAILED"]


def payment_status(status: SaleStatus) -> PaymentStatus:
    """The seed system's three words: SUCCESS when paid, FAILED when it can no longer be
    paid at the counter (a late payment would still turn it SUCCESS), PENDING otherwise."""
    if status is SaleStatus.PAID:
        return "SUCCESS"
    if status in (SaleStatus.EXPIRED, SaleStatus.CANCELLED, SaleStatus.FAILED):
        return "FAILED"
    return "PENDING"


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def rupees(amount: Money) -> str:
    """ "250.00": the decimal text, no symbol (Cashfree's order_amount)."""
    return amount.decimal_text()


class _Reply(BaseModel):
    environment: Environment = Field(description="the Cashfree environment: DEMO is pretend")


class PaymentReply(_Reply):
    order_id: str
    amount: str = Field(description="rupees, e.g. 250.00")
    amount_paise: int
    payment_method: str
    till_status: str
    payment_status: PaymentStatus
    payment_link: str | None = None
    upi_payload: str | None = Field(default=None, description="what the UPI QR encodes")
    expires_at: str | None = None
    message: str


class ConfirmReply(_Reply):
    order_id: str
    payment_status: PaymentStatus
    till_status: str
    amount: str
    amount_paise: int
    payment_method: str
    utr: str | None = Field(default=None, description="the bank reference of the payment")
    paid_at: str | None = None
    late_payment: bool = Field(description="paid after the sale was cancelled or expired")
    expires_at: str | None = None
    followed_here: bool = Field(
        description="this server follows the sale with Cashfree; otherwise another door of "
        "the till (the desk, reconcile) does and this reply reads the till's journal"
    )
    message: str


class RefundInfo(BaseModel):
    refund_id: str
    amount: str
    status: str


class RefundRequestInfo(BaseModel):
    request_id: str
    amount: str
    status: str
    refund_id: str | None = None
    message: str


class SaleReply(_Reply):
    order_id: str
    till_status: str
    payment_status: PaymentStatus
    amount: str
    amount_paise: int
    payment_method: str
    created_at: str
    expires_at: str | None = None
    paid_at: str | None = None
    utr: str | None = None
    late_payment: bool
    bill_number: str | None = None
    customer_phone: str | None = Field(default=None, description="masked: last two digits")
    reason: str | None = None
    started_through_mcp: bool
    payment_link: str | None = None
    refunds: list[RefundInfo] = Field(default_factory=list)
    refund_requests: list[RefundRequestInfo] = Field(default_factory=list)
    events: list[str] = Field(default_factory=list, description="what happened, oldest first")


class SaleLine(BaseModel):
    order_id: str
    created_at: str
    till_status: str
    payment_status: PaymentStatus
    amount: str
    payment_method: str
    bill_number: str | None = None
    utr: str | None = None

    @classmethod
    def of(cls, sale: Sale) -> SaleLine:
        return cls(
            order_id=sale.order_id,
            created_at=sale.created_at.isoformat(),
            till_status=sale.status.value,
            payment_status=payment_status(sale.status),
            amount=rupees(sale.amount),
            payment_method=sale.method.value,
            bill_number=sale.bill_number,
            utr=sale.bank_reference,
        )


class SalesReply(_Reply):
    date: str
    count: int
    sales: list[SaleLine]


class TallyInfo(BaseModel):
    count: int
    paise: int
    amount: str


class DayReply(_Reply):
    date: str
    collected: TallyInfo
    refunded: TallyInfo
    net_paise: int
    net: str
    pending_refunds: TallyInfo
    still_open: int
    late_payments: int
    by_status: dict[str, TallyInfo]
    paid_by_method: dict[str, TallyInfo]
    paid_by_group: dict[str, TallyInfo]
    # all_tills: the store database's day (every till), with each till's collected tally
    store_id: str | None = None
    tills: dict[str, TallyInfo] | None = None


class CancelReply(_Reply):
    order_id: str
    till_status: str
    payment_status: PaymentStatus
    message: str


class RefundRequestReply(_Reply):
    request_id: str
    order_id: str
    amount: str
    status: str
    message: str
