"""Gateway-neutral results of Cashfree's reconciliation and settlement APIs, and the
ReconGateway protocol the day-end reconciliation needs.

Kept apart from base.PaymentGateway so a gateway (or test double) that only takes
payments need not implement them. Amounts are Money; a debit is a positive amount with
`credit=False`; an adjustment may be negative.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from pos_app.domain.money import Money

__all__ = [
    "OrderSettlement",
    "ReconEvent",
    "ReconEventKind",
    "ReconGateway",
    "ReconPage",
    "Settlement",
    "SettlementPage",
    "SettlementQuery",
]


class ReconEventKind(enum.Enum):
    PAYMENT = "PAYMENT"
    REFUND = "REFUND"
    REFUND_REVERSAL = "REFUND_REVERSAL"
    DISPUTE = "DISPUTE"
    DISPUTE_REVERSAL = "DISPUTE_REVERSAL"
    CHARGEBACK = "CHARGEBACK"
    CHARGEBACK_REVERSAL = "CHARGEBACK_REVERSAL"
    SETTLEMENT = "SETTLEMENT"
    OTHER_ADJUSTMENT = "OTHER_ADJUSTMENT"
    UNKNOWN = "UNKNOWN"

    @classmethod
    def parse(cls, value: object) -> ReconEventKind:
        try:
            return cls(value)
        except ValueError:
            return cls.UNKNOWN


@dataclass(frozen=True, slots=True)
class ReconEvent:
    """One reconciliation line: a payment, refund, dispute, settlement, adjustment..."""

    event_id: str
    kind: ReconEventKind
    raw_kind: str
    status: str  # SUCCESS, FAILED, PENDING, CANCELLED, CLOSED... as Cashfree said
    credit: bool  # sale_type CREDIT (money to the merchant) or DEBIT
    amount: Money
    settlement_amount: Money | None
    at: datetime | None
    order_id: str | None = None
    order_amount: Money | None = None
    cf_payment_id: str | None = None
    payment_amount: Money | None = None
    payment_utr: str | None = None
    payment_group: str | None = None
    service_charge: Money | None = None
    service_tax: Money | None = None
    refund_id: str | None = None
    refund_arn: str | None = None
    cf_settlement_id: str | None = None
    settlement_utr: str | None = None
    settled_at: datetime | None = None
    dispute_category: str | None = None
    remarks: str | None = None
    # SETTLEMENT rows only
    adjustment: Money | None = None
    amount_settled: Money | None = None


@dataclass(frozen=True, slots=True)
class ReconPage:
    events: tuple[ReconEvent, ...]
    cursor: str | None  # None: this was the last page


@dataclass(frozen=True, slots=True)
class Settlement:
    """One transfer to the merchant's bank account."""

    cf_settlement_id: str
    utr: str | None
    settled_at: datetime | None
    gross: Money | None  # payments in it
    service_charge: Money
    service_tax: Money
    settlement_charge: Money
    settlement_tax: Money
    adjustment: Money  # negative: refunds, disputes... taken out
    amount_settled: Money | None
    payment_from: datetime | None = None
    payment_till: datetime | None = None
    remarks: str | None = None

    @property
    def charges(self) -> Money:
        return self.service_charge + self.settlement_charge

    @property
    def tax(self) -> Money:
        return self.service_tax + self.settlement_tax


@dataclass(frozen=True, slots=True)
class SettlementPage:
    settlements: tuple[Settlement, ...]
    cursor: str | None


@dataclass(frozen=True, slots=True)
class SettlementQuery:
    """Which settlements: by Cashfree id, by UTR, by a time range (any combination)."""

    settlement_ids: tuple[str, ...] = ()
    utrs: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None

    def __post_init__(self) -> None:
        if (self.start is None) != (self.end is None):
            raise ValueError("give both start and end, or neither")
        if self.start is None and not self.settlement_ids and not self.utrs:
            raise ValueError("say which settlements: ids, UTRs or a time range")


@dataclass(frozen=True, slots=True)
class OrderSettlement:
    """What Cashfree says about one order's money: settled (with its UTR) or not yet."""

    order_id: str
    cf_payment_id: str | None
    order_amount: Money | None
    service_charge: Money | None
    service_tax: Money | None
    settlement_amount: Money | None
    cf_settlement_id: str | None
    transfer_utr: str | None
    transfer_time: datetime | None

    @property
    def settled(self) -> bool:
        return self.transfer_utr is not None or self.transfer_time is not None


class ReconGateway(Protocol):
    """The reconciliation calls. All raise GatewayError (ValueError for bad arguments)."""

    async def fetch_recon(
        self, start: datetime, end: datetime, *, cursor: str | None = None, limit: int = 1000
    ) -> ReconPage: ...

    async def fetch_settlements(
        self, query: SettlementQuery, *, cursor: str | None = None, limit: int = 1000
    ) -> SettlementPage: ...

    async def fetch_settlement_recon(
        self, query: SettlementQuery, *, cursor: str | None = None, limit: int = 1000
    ) -> ReconPage: ...

    async def get_order_settlement(self, order_id: str) -> OrderSettlement | None: ...
