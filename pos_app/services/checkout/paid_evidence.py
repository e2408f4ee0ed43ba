""" "The customer says they paid": evidence, not a blind override.

The cashier (or manager, behind the manager PIN) types what the customer's phone shows:
the UPI reference (UTR, usually 12 digits, or at least its last 4) and the amount. The
till looks for it at Cashfree: first this order's payments, then the reconciliation
lines of the sale's day. Found, successful and matching -> the sale is recorded PAID with
the normal PAID fields (so every report counts it), an event naming the evidence and who
asked, and the day end lists it under "needs a look". Anything else -> it says why and
the sale stays exactly as it was.
"""

from __future__ import annotations

import enum
import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from pos_app.domain.clock import Clock
from pos_app.domain.money import Money
from pos_app.domain.sale import CLOSED_UNPAID, InvalidTransition, Sale, SaleStatus
from pos_app.gateway.base import Payment, PaymentStatus
from pos_app.gateway.errors import GatewayError, NotFoundError
from pos_app.gateway.recon_types import ReconEvent, ReconEventKind, ReconGateway
from pos_app.services.reporting.recon import MARGIN, fetch_day_events
from pos_app.services.reporting.recon_match import link_of, sale_key
from pos_app.services.wording import describe_error, status_name

__all__ = [
    "EVIDENCE_EVENT",
    "EVIDENCE_STATUSES",
    "EvidenceGateway",
    "EvidenceOutcome",
    "Verdict",
    "check_paid_evidence",
    "clean_utr",
]

log = logging.getLogger(__name__)

EVIDENCE_EVENT = "paid_on_evidence"
EVIDENCE_STATUSES = frozenset({SaleStatus.AWAITING_PAYMENT, SaleStatus.UNCERTAIN, *CLOSED_UNPAID})
FULL_UTR = 12  # a UPI reference number
SHORTEST = 4  # "the last digits"
_UTR = re.compile(r"^[A-Za-z0-9]{4,35}$")


class EvidenceGateway(ReconGateway, Protocol):
    async def list_payments(self, order_id: str) -> list[Payment]: ...


class EvidenceJournal(Protocol):
    def get_sale(self, order_id: str) -> Sale | None: ...

    def update_sale(
        self,
        order_id: str,
        *,
        event: str,
        detail: Any = None,
        status: SaleStatus | None = None,
        **fields: Any,
    ) -> Sale: ...


class Verdict(enum.Enum):
    RECORDED = "recorded"  # found and matching: the sale is now PAID
    NOT_FOUND = "not_found"
    MISMATCH = "mismatch"  # found, but the amount (or the order) does not match
    REFUSED = "refused"  # this sale cannot take evidence (unknown, paid, failed...)
    UNREACHABLE = "unreachable"  # Cashfree could not be asked


@dataclass(frozen=True, slots=True)
class EvidenceOutcome:
    verdict: Verdict
    message: str
    sale: Sale | None = None

    @property
    def recorded(self) -> bool:
        return self.verdict is Verdict.RECORDED


def clean_utr(text: str) -> str:
    """What the customer shows, without spaces or dashes: 4 to 35 letters and digits."""
    cleaned = re.sub(r"[\s-]+", "", text or "")
    if not _UTR.match(cleaned):
        raise ValueError(
            "Type the UPI reference (UTR) from the customer's payment: its 12 digits, "
            "or at least the last 4."
        )
    return cleaned.upper()


def _same_utr(entered: str, found: str | None) -> bool:
    if not found:
        return False
    found = found.strip().upper()
    return found == entered if len(entered) >= FULL_UTR else found.endswith(entered)


@dataclass(frozen=True, slots=True)
class _Found:
    source: str  # "payments" | "recon"
    cf_payment_id: str | None
    utr: str
    amount: Money
    group: str | None
    at: datetime | None
    payer: str | None
    order_id: str | None


def _from_payment(payment: Payment) -> _Found:
    return _Found(
        "payments",
        payment.cf_payment_id,
        payment.bank_reference or "",
        payment.amount,
        payment.group,
        payment.completed_at or payment.initiated_at,
        payment.payer,
        payment.order_id,
    )


def _from_event(event: ReconEvent) -> _Found:
    return _Found(
        "recon",
        event.cf_payment_id,
        event.payment_utr or "",
        event.payment_amount or event.amount,
        (event.payment_group or "").lower() or None,
        event.at,
        None,
        event.order_id,
    )


async def check_paid_evidence(
    gateway: EvidenceGateway,
    journal: EvidenceJournal,
    order_id: str,
    utr: str,
    amount: Money,
    asked_by: str,
    *,
    clock: Clock,
) -> EvidenceOutcome:
    """Look for the customer's payment at Cashfree; record the sale PAID only on a match."""
    entered = clean_utr(utr)
    sale = journal.get_sale(order_id)
    if sale is None:
        return EvidenceOutcome(Verdict.REFUSED, f"There is no sale {order_id} at this till.")
    if sale.status is SaleStatus.PAID:
        return EvidenceOutcome(Verdict.REFUSED, "This sale is already recorded as paid.", sale)
    if sale.status not in EVIDENCE_STATUSES:
        return EvidenceOutcome(
            Verdict.REFUSED,
            f"A {status_name(sale.status).lower()} sale never reached the customer, so no payment "
            "can belong to it.",
            sale,
        )
    if amount != sale.amount:
        return EvidenceOutcome(
            Verdict.MISMATCH,
            f"The amount shown ({amount.format()}) is not this sale's amount "
            f"({sale.amount.format()}). Nothing was changed.",
            sale,
        )
    key = sale_key(sale)
    try:
        try:
            payments = await gateway.list_payments(key)
        except NotFoundError:
            payments = []  # a link sale whose Cashfree order the till has not learnt yet
        found = [
            _from_payment(p)
            for p in payments
            if p.status is PaymentStatus.SUCCESS and _same_utr(entered, p.bank_reference)
        ]
        if not found:
            end = min(clock(), sale.created_at + timedelta(days=2))
            events = await fetch_day_events(
                gateway, sale.created_at - MARGIN, max(end, sale.created_at)
            )
            found = [
                _from_event(e)
                for e in events
                if e.kind is ReconEventKind.PAYMENT
                and e.status in ("SUCCESS", "")
                and _same_utr(entered, e.payment_utr)
            ]
    except GatewayError as exc:
        log.info("paid evidence for %s: Cashfree could not be asked: %r", order_id, exc)
        return EvidenceOutcome(
            Verdict.UNREACHABLE,
            "Cashfree could not be asked, so nothing was changed. " + describe_error(exc),
            sale,
        )
    ours = {key, sale.order_id, sale.link_id} - {None}
    mine = [
        f for f in found if f.order_id is None or f.order_id in ours or link_of(f.order_id) in ours
    ]
    if not mine:
        if found:
            others = ", ".join(sorted({f.order_id or "?" for f in found}))
            return EvidenceOutcome(
                Verdict.MISMATCH,
                f"A payment with that reference exists, but for another order ({others}), "
                "not this sale. Nothing was changed.",
                sale,
            )
        return EvidenceOutcome(
            Verdict.NOT_FOUND,
            f"Cashfree has no successful payment with the reference …{entered[-SHORTEST:]} "
            "for this sale. Nothing was changed: ask the customer to check the reference, or "
            "wait a few minutes and try again.",
            sale,
        )
    matching = [f for f in mine if f.amount == amount]
    if not matching:
        return EvidenceOutcome(
            Verdict.MISMATCH,
            f"The payment with that reference was for {mine[0].amount.format()}, not "
            f"{amount.format()}. Nothing was changed.",
            sale,
        )
    if len({f.cf_payment_id for f in matching}) > 1:
        return EvidenceOutcome(
            Verdict.MISMATCH,
            "More than one payment ends with those digits: type the whole reference.",
            sale,
        )
    try:
        recorded = _record(journal, sale, matching[0], entered, asked_by, clock())
    except InvalidTransition:
        # Its follower recorded the payment meanwhile: one outcome per sale.
        return EvidenceOutcome(
            Verdict.REFUSED,
            "This sale was recorded as paid a moment ago (Cashfree confirmed it).",
            journal.get_sale(order_id) or sale,
        )
    return EvidenceOutcome(
        Verdict.RECORDED,
        f"Payment found at Cashfree (UTR {matching[0].utr}): the sale is recorded as paid.",
        recorded,
    )


def _record(
    journal: EvidenceJournal,
    sale: Sale,
    found: _Found,
    entered: str,
    asked_by: str,
    now: datetime,
) -> Sale:
    detail = {
        "reference_entered": entered,
        "amount_paise": found.amount.paise,
        "asked_by": asked_by[:80],
        "found_in": found.source,
        "cf_payment_id": found.cf_payment_id,
        "bank_reference": found.utr,
        "status_before": sale.status.value,
    }
    fields: dict[str, Any] = {
        "cf_payment_id": found.cf_payment_id,
        "bank_reference": found.utr or None,
        "payment_group": found.group,
        "paid_at": found.at or now,
        "late": sale.late or sale.status in CLOSED_UNPAID,
    }
    if found.payer:
        fields["payer"] = found.payer
    return journal.update_sale(
        sale.order_id, event=EVIDENCE_EVENT, detail=detail, status=SaleStatus.PAID, **fields
    )
