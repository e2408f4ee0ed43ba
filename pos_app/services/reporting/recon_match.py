"""Three-way day end, the pure part: the till's journal against Cashfree's reconciliation
events, then Cashfree's events grouped by the settlement (bank transfer, UTR) that holds
them. No I/O: services/reporting/recon.py fetches, this module compares.

Matching is by Cashfree's order id (the sale's own, or the CFPay_<link>_<n> order a paid
link made), then by payment id and amount. What does not match becomes a ReconIssue with
a plain sentence; everything else is counted as matched.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo

from pos_app.domain.money import Money
from pos_app.domain.sale import Sale, SaleStatus
from pos_app.gateway.recon_types import ReconEvent, ReconEventKind, Settlement
from pos_app.services.wording import status_name
from pos_app.store.codec import RefundRecord
from pos_app.store.queries import Tally

__all__ = [
    "ISSUE_ORDER",
    "IssueKind",
    "ReconIssue",
    "ReconReport",
    "SettlementGroup",
    "expected_settlement",
    "link_of",
    "match_day",
    "sale_key",
]


class IssueKind(enum.Enum):
    """What does not agree, most urgent first (the report lists them in this order)."""

    NOT_IN_JOURNAL = "not_in_journal"  # paid at Cashfree, the till has no such sale
    NOT_PAID_IN_JOURNAL = "not_paid_in_journal"  # paid at Cashfree, the till thinks unpaid
    MISSING_AT_CASHFREE = "missing_at_cashfree"  # PAID in the journal, not in Cashfree's records
    AMOUNT_MISMATCH = "amount_mismatch"
    EXTRA_PAYMENT = "extra_payment"  # a second payment on a sale already paid
    UNKNOWN_REFUND = "unknown_refund"  # a refund made outside this till
    REFUND_REVERSED = "refund_reversed"  # a refund the bank sent back: the customer has not got it
    DISPUTE = "dispute"  # disputes and chargebacks, and their reversals


ISSUE_ORDER = {kind: n for n, kind in enumerate(IssueKind)}
ISSUE_TITLES = {
    IssueKind.NOT_IN_JOURNAL: "Paid at Cashfree, not in the till",
    IssueKind.NOT_PAID_IN_JOURNAL: "Paid at Cashfree, unpaid in the till",
    IssueKind.MISSING_AT_CASHFREE: "Paid in the till, not in Cashfree's records",
    IssueKind.AMOUNT_MISMATCH: "Amounts differ",
    IssueKind.EXTRA_PAYMENT: "Paid twice",
    IssueKind.UNKNOWN_REFUND: "Refund made outside the till",
    IssueKind.REFUND_REVERSED: "Refund reversed",
    IssueKind.DISPUTE: "Dispute or chargeback",
}
_DISPUTES = frozenset(
    {
        ReconEventKind.DISPUTE,
        ReconEventKind.DISPUTE_REVERSAL,
        ReconEventKind.CHARGEBACK,
        ReconEventKind.CHARGEBACK_REVERSAL,
    }
)
_GOOD = frozenset({"SUCCESS", "PAID", "SETTLED", ""})
# services.checkout.new_order_id: <terminal>-<UTC yymmddHHMMSS>-<6 random>
_TILL_ORDER = re.compile(r"^(?P<terminal>[A-Za-z0-9_-]+)-[0-9]{12}-[A-Z2-9]{6}$")


@dataclass(frozen=True, slots=True)
class ReconIssue:
    kind: IssueKind
    order_id: str | None
    amount: Money
    detail: str  # one plain sentence
    at: datetime | None = None
    cf_payment_id: str | None = None
    utr: str | None = None
    sale: Sale | None = None

    @property
    def title(self) -> str:
        return ISSUE_TITLES[self.kind]


@dataclass(frozen=True, slots=True)
class SettlementGroup:
    """One bank transfer holding some of the day's money: a line on the bank statement."""

    cf_settlement_id: str
    utr: str | None
    settled_at: datetime | None
    day_payments: Tally  # this day's payments inside it
    day_debits: Money  # this day's refunds, disputes... inside it
    gross: Money
    charges: Money
    tax: Money
    adjustment: Money  # negative when money was taken out
    net: Money  # credited to the bank
    from_cashfree: bool  # the totals are Cashfree's settlement record (else summed here)


@dataclass(frozen=True, slots=True)
class ReconReport:
    start: datetime
    end: datetime
    zone: tzinfo
    issues: tuple[ReconIssue, ...]
    settlements: tuple[SettlementGroup, ...]
    unsettled: Tally  # the day's payments Cashfree has not settled yet
    expected: date | None  # when they should arrive (UPI: usually the next working day)
    matched: Tally  # sales that agree on both sides
    cashfree_paid: Tally
    journal_paid: Tally
    events: int  # reconciliation lines read
    other_tills: Tally = field(default_factory=Tally)  # orders another till of the account made
    error: str | None = None  # Cashfree could not be read: nothing above is complete
    issue_counts: Mapping[IssueKind, int] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return self.error is None

    @property
    def settled(self) -> Tally:
        return Tally(
            sum(g.day_payments.count for g in self.settlements),
            Money(sum(g.day_payments.amount.paise for g in self.settlements)),
        )


def expected_settlement(paid_on: date) -> date:
    """UPI's usual T+1: the next day, or Monday for a Saturday's money (no Sunday payouts)."""
    following = paid_on + timedelta(days=1)
    return following + timedelta(days=1) if following.weekday() == 6 else following


def sale_key(sale: Sale) -> str:
    """The Cashfree order that holds the sale's money."""
    return sale.gateway_order_id or sale.order_id


def link_of(order_id: str) -> str | None:
    """CFPay_<link_id>_<n> (an order a paid payment link made) -> link_id."""
    if not order_id.startswith("CFPay_"):
        return None
    head, _, tail = order_id[len("CFPay_") :].rpartition("_")
    return head if head and tail.isdigit() else None


def _tally(amounts: Iterable[Money]) -> Tally:
    items = list(amounts)
    return Tally(len(items), Money(sum(a.paise for a in items)))


def _paid_amount(event: ReconEvent) -> Money:
    return event.payment_amount or event.amount


def match_day(
    start: datetime,
    end: datetime,
    zone: tzinfo,
    events: Iterable[ReconEvent],
    sales: Iterable[Sale],
    refunds: Mapping[str, list[RefundRecord]],
    settlements: Mapping[str, Settlement],
    *,
    terminal_id: str | None = None,
) -> ReconReport:
    """Compare. `events` are Cashfree's lines for [start, end) (a little margin is fine: a
    payment outside the day only counts when it belongs to one of the day's sales);
    `sales` the journal's sales of the day and any sale the events name; `refunds` the
    journal's refunds by order id; `settlements` Cashfree's records by cf_settlement_id.
    With `terminal_id`, a payment for an order another till of the same Cashfree account
    made (its id says which till) is counted under `other_tills`, not listed as unknown."""
    by_key: dict[str, Sale] = {}
    for each in sales:
        by_key[sale_key(each)] = each
        by_key.setdefault(each.order_id, each)
    issues: list[ReconIssue] = []
    seen_orders: set[str] = set()
    paid_events: list[ReconEvent] = []
    day_events: list[ReconEvent] = []
    elsewhere: list[Money] = []
    for event in events:
        inside = event.at is None or start <= event.at < end
        sale = _find(by_key, event.order_id)
        if not inside and sale is None:
            continue
        day_events.append(event)  # settlements and their grouping are the account's
        if sale is None and _other_till(event.order_id, terminal_id):
            if event.kind is ReconEventKind.PAYMENT and event.status in _GOOD and inside:
                elsewhere.append(_paid_amount(event))
            if event.kind not in _DISPUTES:
                continue
        if event.kind is ReconEventKind.PAYMENT and event.status in _GOOD:
            paid_events.append(event)
            issue = _payment_issue(event, sale, seen_orders)
            if issue is not None:
                issues.append(issue)
            if sale is not None and sale.status is SaleStatus.PAID:
                seen_orders.add(sale.order_id)
        elif event.kind is ReconEventKind.REFUND and event.status in _GOOD:
            issue = _refund_issue(event, sale, refunds)
            if issue is not None:
                issues.append(issue)
        elif event.kind in _DISPUTES:
            issues.append(_dispute_issue(event, sale))
        elif event.kind is ReconEventKind.REFUND_REVERSAL:
            issues.append(
                ReconIssue(
                    IssueKind.REFUND_REVERSED,
                    sale.order_id if sale is not None else event.order_id,
                    event.amount,
                    f"The bank sent back a refund of {event.amount.format()} "
                    f"(refund {event.refund_id or '?'}): the customer has not received it. "
                    "Refund again or settle with the customer another way.",
                    at=event.at,
                    cf_payment_id=event.cf_payment_id,
                    sale=sale,
                )
            )

    journal_paid = [
        s
        for s in by_key.values()
        if s.status is SaleStatus.PAID and s.paid_at is not None and start <= s.paid_at < end
    ]
    journal_paid = list({s.order_id: s for s in journal_paid}.values())
    for paid in journal_paid:
        if paid.order_id not in seen_orders:
            issues.append(
                ReconIssue(
                    IssueKind.MISSING_AT_CASHFREE,
                    paid.order_id,
                    paid.amount,
                    "The till recorded this sale as paid, but Cashfree's records for the day "
                    "have no payment for it. Open the sale and check it with Cashfree.",
                    at=paid.paid_at,
                    cf_payment_id=paid.cf_payment_id,
                    utr=paid.bank_reference,
                    sale=paid,
                )
            )
    issues.sort(key=lambda i: (ISSUE_ORDER[i.kind], i.at or start, i.order_id or ""))
    payment_kinds = (
        IssueKind.NOT_IN_JOURNAL,
        IssueKind.NOT_PAID_IN_JOURNAL,
        IssueKind.AMOUNT_MISMATCH,
        IssueKind.EXTRA_PAYMENT,
    )
    troubled = {i.order_id for i in issues if i.kind in payment_kinds}
    matched = [
        _paid_amount(e)
        for e in paid_events
        if e.order_id not in troubled and (start <= (e.at or start) < end)
    ]
    groups, unsettled = _group(day_events, settlements, start, end)
    counts: dict[IssueKind, int] = {}
    for issue in issues:
        counts[issue.kind] = counts.get(issue.kind, 0) + 1
    last_day = (end - timedelta(microseconds=1)).astimezone(zone).date()
    return ReconReport(
        start=start,
        end=end,
        zone=zone,
        issues=tuple(issues),
        settlements=groups,
        unsettled=unsettled,
        expected=expected_settlement(last_day) if unsettled.count else None,
        matched=_tally(matched),
        cashfree_paid=_tally(
            _paid_amount(e) for e in paid_events if start <= (e.at or start) < end
        ),
        journal_paid=_tally(s.amount for s in journal_paid),
        events=len(day_events),
        other_tills=_tally(elsewhere),
        issue_counts=counts,
    )


def _other_till(order_id: str | None, terminal_id: str | None) -> bool:
    if not order_id or terminal_id is None:
        return False
    found = _TILL_ORDER.match(order_id)
    return found is not None and found.group("terminal") != terminal_id


def _find(by_key: Mapping[str, Sale], order_id: str | None) -> Sale | None:
    if not order_id:
        return None
    found = by_key.get(order_id)
    if found is None:
        link = link_of(order_id)
        found = by_key.get(link) if link else None
    return found


def _payment_issue(event: ReconEvent, sale: Sale | None, seen: set[str]) -> ReconIssue | None:
    amount = _paid_amount(event)
    common = {"at": event.at, "cf_payment_id": event.cf_payment_id, "utr": event.payment_utr}
    if sale is None:
        return ReconIssue(
            IssueKind.NOT_IN_JOURNAL,
            event.order_id,
            amount,
            "Cashfree received this payment for an order this till has no record of "
            "(another till, a payment link or the dashboard?).",
            **common,  # type: ignore[arg-type]
        )
    if sale.status is not SaleStatus.PAID:
        return ReconIssue(
            IssueKind.NOT_PAID_IN_JOURNAL,
            sale.order_id,
            amount,
            f"Cashfree received {amount.format()}, but the till still shows this sale as "
            f"{status_name(sale.status).lower()}. Check it with Cashfree from the "
            "sale's detail.",
            sale=sale,
            **common,  # type: ignore[arg-type]
        )
    if sale.order_id in seen or (
        sale.cf_payment_id and event.cf_payment_id and sale.cf_payment_id != event.cf_payment_id
    ):
        return ReconIssue(
            IssueKind.EXTRA_PAYMENT,
            sale.order_id,
            amount,
            f"Cashfree shows another payment of {amount.format()} on this sale "
            f"(payment {event.cf_payment_id or '?'}); the till recorded "
            f"{sale.cf_payment_id or 'a different one'}. A refund may be owed.",
            sale=sale,
            **common,  # type: ignore[arg-type]
        )
    if amount != sale.amount:
        return ReconIssue(
            IssueKind.AMOUNT_MISMATCH,
            sale.order_id,
            amount,
            f"Cashfree received {amount.format()}; the till recorded {sale.amount.format()}.",
            sale=sale,
            **common,  # type: ignore[arg-type]
        )
    return None


def _refund_issue(
    event: ReconEvent, sale: Sale | None, refunds: Mapping[str, list[RefundRecord]]
) -> ReconIssue | None:
    known = refunds.get(sale.order_id, []) if sale is not None else []
    if any(r.refund_id == event.refund_id for r in known):
        return None
    where = (
        "on a sale this till has no record of" if sale is None else "that this till did not make"
    )
    return ReconIssue(
        IssueKind.UNKNOWN_REFUND,
        sale.order_id if sale is not None else event.order_id,
        event.amount,
        f"Cashfree refunded {event.amount.format()} {where} "
        f"(refund {event.refund_id or '?'}, from the dashboard or another till?).",
        at=event.at,
        cf_payment_id=event.cf_payment_id,
        utr=event.refund_arn,
        sale=sale,
    )


def _dispute_issue(event: ReconEvent, sale: Sale | None) -> ReconIssue:
    word = event.raw_kind.replace("_", " ").lower()
    reason = f" ({event.dispute_category})" if event.dispute_category else ""
    if event.kind in (ReconEventKind.DISPUTE_REVERSAL, ReconEventKind.CHARGEBACK_REVERSAL):
        sentence = f"A {word} gave back {event.amount.format()}{reason}."
    else:
        sentence = (
            f"The customer's bank raised a {word} for {event.amount.format()}{reason}: "
            "Cashfree takes it from a settlement unless it is contested."
        )
    return ReconIssue(
        IssueKind.DISPUTE,
        sale.order_id if sale is not None else event.order_id,
        event.amount,
        sentence,
        at=event.at,
        cf_payment_id=event.cf_payment_id,
        sale=sale,
    )


def _group(
    events: list[ReconEvent], settlements: Mapping[str, Settlement], start: datetime, end: datetime
) -> tuple[tuple[SettlementGroup, ...], Tally]:
    buckets: dict[str, list[ReconEvent]] = {}
    unsettled: list[Money] = []
    for event in events:
        if event.kind is ReconEventKind.SETTLEMENT:
            continue
        if event.cf_settlement_id:
            buckets.setdefault(event.cf_settlement_id, []).append(event)
        elif (
            event.kind is ReconEventKind.PAYMENT
            and event.status in _GOOD
            and start <= (event.at or start) < end
        ):
            unsettled.append(_paid_amount(event))
    groups = []
    for settlement_id, inside in buckets.items():
        credits = [e for e in inside if e.credit and e.kind is ReconEventKind.PAYMENT]
        taken = sum(e.amount.paise for e in inside if not e.credit)
        given_back = sum(  # a dispute won, a refund reversed: money back to the merchant
            e.amount.paise for e in inside if e.credit and e.kind is not ReconEventKind.PAYMENT
        )
        debits = Money(taken - given_back)
        record = settlements.get(settlement_id)
        day = _tally(_paid_amount(e) for e in credits)
        if record is not None:
            gross = record.gross if record.gross is not None else day.amount
            net = record.amount_settled
            if net is None:
                net = gross - record.charges - record.tax + record.adjustment
            groups.append(
                SettlementGroup(
                    settlement_id,
                    record.utr or inside[0].settlement_utr,
                    record.settled_at or inside[0].settled_at,
                    day,
                    debits,
                    gross,
                    record.charges,
                    record.tax,
                    record.adjustment,
                    net,
                    True,
                )
            )
            continue
        charges = Money(sum((e.service_charge or Money(0)).paise for e in credits))
        tax = Money(sum((e.service_tax or Money(0)).paise for e in credits))
        adjustment = Money(-debits.paise)
        groups.append(
            SettlementGroup(
                settlement_id,
                inside[0].settlement_utr,
                inside[0].settled_at,
                day,
                debits,
                day.amount,
                charges,
                tax,
                adjustment,
                day.amount - charges - tax + adjustment,
                False,
            )
        )
    groups.sort(key=lambda g: (g.settled_at is None, g.settled_at or start, g.cf_settlement_id))
    return tuple(groups), _tally(unsettled)
