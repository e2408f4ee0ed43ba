"""Three-way day end against the in-process simulator: every kind of disagreement, the
matched sales, and the grouping by settlement (UTR) before and after Cashfree pays out."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from manager_kit import sale_at_gateway
from till_fakes import Till, make_till

from pos_app.domain.money import Money
from pos_app.domain.sale import Method, Sale, SaleStatus
from pos_app.gateway.base import Customer, NewOrder, NewRefund
from pos_app.gateway.errors import GatewayError
from pos_app.gateway.recon_types import ReconPage
from pos_app.services.checkout.reconcile import refresh_sale
from pos_app.services.reporting.queries import ReportReader
from pos_app.services.reporting.recon import reconcile_day
from pos_app.services.reporting.recon_match import IssueKind, ReconReport, expected_settlement

pytestmark = pytest.mark.asyncio

IST = timezone(timedelta(hours=5, minutes=30))
DAY_START = datetime(2026, 11, 26, tzinfo=IST)
DAY_END = DAY_START + timedelta(days=1)


async def _paid_sale(till: Till, rupees: int) -> Sale:
    sale = await sale_at_gateway(till, rupees, SaleStatus.AWAITING_PAYMENT)
    till.sim.customer_pays(sale.order_id)
    settled = await refresh_sale(till.deps, sale)
    assert settled.sale.status is SaleStatus.PAID
    return settled.sale


async def _cashfree_only(till: Till, order_id: str, rupees: int) -> None:
    await till.gateway.create_order(
        NewOrder(order_id, Money.rupees(rupees), Customer("cust1", "9999999999")),
        idempotency_key=f"k-{order_id}",
    )
    till.sim.customer_pays(order_id)


def _journal_only(till: Till, order_id: str, rupees: int, **paid: object) -> Sale:
    now = till.clock()
    till.journal.create_sale(
        Sale(
            order_id=order_id,
            terminal_id="T1",
            environment="demo",
            amount=Money.rupees(rupees),
            method=Method.UPI_QR,
            status=SaleStatus.AWAITING_PAYMENT,
            idempotency_key=f"k-{order_id}",
            created_at=now,
            updated_at=now,
        )
    )
    return till.journal.update_sale(
        order_id, event="paid", status=SaleStatus.PAID, paid_at=now, **paid
    )


async def _report(till: Till) -> ReconReport:
    reader = ReportReader.beside(till.journal)
    try:
        return await reconcile_day(till.gateway, reader, DAY_START, DAY_END, zone=IST)
    finally:
        reader.close()


async def test_every_kind_of_disagreement_is_found(tmp_path: Path) -> None:
    till = make_till(tmp_path)
    good = await _paid_sale(till, 100)
    refunded = await _paid_sale(till, 200)
    disputed = await _paid_sale(till, 300)
    await _cashfree_only(till, "DASH-1", 450)  # made from the dashboard: the till never knew
    _journal_only(till, "T1-GHOST", 75, cf_payment_id="999", bank_reference="123456789012")
    # The till journaled 120 but Cashfree's order says 125.
    now = till.clock()
    till.journal.create_sale(
        Sale(
            "T1-MISM",
            "T1",
            "demo",
            Money.rupees(120),
            Method.UPI_QR,
            SaleStatus.AWAITING_PAYMENT,
            "k-mism",
            now,
            now,
        )
    )
    await till.gateway.create_order(
        NewOrder("T1-MISM", Money.rupees(125), Customer("cust1", "9999999999")),
        idempotency_key="k-mism",
    )
    till.sim.customer_pays("T1-MISM")
    (payment,) = till.sim.payments("T1-MISM")
    till.journal.update_sale(
        "T1-MISM",
        event="paid",
        status=SaleStatus.PAID,
        paid_at=now,
        cf_payment_id=payment["cf_payment_id"],
    )
    # The till gave up (EXPIRED) but the customer's money arrived.
    expired = await sale_at_gateway(till, 60, SaleStatus.EXPIRED)
    till.sim.customer_pays(expired.order_id)
    # A refund from the dashboard; a chargeback from the customer's bank.
    await till.gateway.create_refund(
        refunded.order_id, NewRefund("DASH-RF-1", Money.rupees(50), "SUCCESS"), idempotency_key="r1"
    )
    till.sim.open_dispute(disputed.order_id, "CHARGEBACK")

    report = await _report(till)
    assert report.complete
    found = {(i.kind, i.order_id) for i in report.issues}
    assert found == {
        (IssueKind.NOT_IN_JOURNAL, "DASH-1"),
        (IssueKind.NOT_PAID_IN_JOURNAL, expired.order_id),
        (IssueKind.MISSING_AT_CASHFREE, "T1-GHOST"),
        (IssueKind.AMOUNT_MISMATCH, "T1-MISM"),
        (IssueKind.UNKNOWN_REFUND, refunded.order_id),
        (IssueKind.DISPUTE, disputed.order_id),
    }
    # Most urgent first, in IssueKind's order.
    assert [i.kind for i in report.issues] == sorted(
        (i.kind for i in report.issues), key=list(IssueKind).index
    )
    mismatch = next(i for i in report.issues if i.kind is IssueKind.AMOUNT_MISMATCH)
    assert "₹125.00" in mismatch.detail and "₹120.00" in mismatch.detail
    assert report.matched.count == 3  # good, refunded and disputed agree on the payment
    assert report.matched.amount == Money.rupees(600)
    assert report.cashfree_paid.amount == Money.rupees(100 + 200 + 300 + 450 + 125 + 60)
    assert report.journal_paid.amount == Money.rupees(100 + 200 + 300 + 75 + 120)
    assert good.order_id not in {i.order_id for i in report.issues}


async def test_a_refund_the_till_made_is_not_an_issue(tmp_path: Path) -> None:
    from pos_app.services.refunds.service import RefundService

    till = make_till(tmp_path)
    sale = await _paid_sale(till, 500)
    refunds = RefundService(till.gateway, till.journal, clock=till.clock, sleep=till.clock.sleep)
    outcome = await refunds.refund(sale.order_id, Money.rupees(100), "customer asked")
    assert outcome.refund.status == "SUCCESS"
    report = await _report(till)
    assert report.issues == ()
    assert report.matched.count == 1


async def test_grouped_by_settlement_once_cashfree_pays_out(tmp_path: Path) -> None:
    till = make_till(tmp_path)
    for rupees in (100, 250, 1000):
        await _paid_sale(till, rupees)
        till.clock.now += timedelta(minutes=5)
    before = await _report(till)
    assert before.settlements == ()
    assert before.unsettled.count == 3
    assert before.unsettled.amount == Money.rupees(1350)
    assert before.expected == date(2026, 11, 27)

    till.clock.now += timedelta(days=1, hours=2)  # past 11:00 IST the next day
    after = await _report(till)
    assert after.unsettled.count == 0 and after.expected is None
    (group,) = after.settlements
    assert group.from_cashfree
    assert group.utr == "CFSIM26112601"
    assert group.day_payments.count == 3
    assert group.gross == Money.rupees(1350)
    # 1.75% charge and 18% GST on it, per payment, rounded to the paisa.
    assert group.charges == Money(175 + 438 + 1750)
    assert group.tax == Money(32 + 79 + 315)
    assert group.adjustment == Money(0)
    assert group.net == group.gross - group.charges - group.tax
    assert group.settled_at == datetime(2026, 11, 27, 11, 0, tzinfo=IST)
    assert after.settled.amount == Money.rupees(1350)


async def test_recon_calls_stay_in_the_rate_budget_as_background_work(tmp_path: Path) -> None:
    till = make_till(tmp_path)
    for n in range(3):
        await _paid_sale(till, 10 + n)
    await _report(till)
    granted = till.budget.granted
    assert granted["recon"] == 1  # one page holds the day
    assert till.budget.capacity("recon") == 15  # sandbox 20/min less the headroom


async def test_when_cashfree_cannot_be_read_nothing_is_claimed(tmp_path: Path) -> None:
    till = make_till(tmp_path)
    await _paid_sale(till, 100)

    class Down:
        async def fetch_recon(self, *a: object, **k: object) -> ReconPage:
            raise GatewayError("Could not reach Cashfree", request_id="req-9")

    reader = ReportReader.beside(till.journal)
    try:
        report = await reconcile_day(Down(), reader, DAY_START, DAY_END, zone=IST)  # type: ignore[arg-type]
    finally:
        reader.close()
    assert not report.complete
    assert report.error is not None and "req-9" in report.error
    assert report.issues == () and report.matched.count == 0


async def test_expected_settlement_skips_sunday() -> None:
    assert expected_settlement(date(2026, 11, 26)) == date(2026, 11, 27)  # Thu -> Fri
    assert expected_settlement(date(2026, 11, 28)) == date(2026, 11, 30)  # Sat -> Mon


class _NotesPriority:
    """The till's real rate budget, noting the priority each HTTP attempt asked for."""

    def __init__(self, till: Till) -> None:
        self.calls: list[tuple[str, bool]] = []
        real = till.budget.acquire

        async def acquire(endpoint: str, *, background: bool = False) -> None:
            self.calls.append((endpoint, background))
            await real(endpoint, background=background)

        till.budget.acquire = acquire  # type: ignore[method-assign]


async def test_every_call_of_the_day_end_and_evidence_is_background_work(
    tmp_path: Path,
) -> None:
    from pos_app.services.checkout.paid_evidence import check_paid_evidence

    till = make_till(tmp_path)
    await _paid_sale(till, 100)
    till.clock.now += timedelta(days=1, hours=2)
    # The gateway the manager's console and the recon commands hand to the day end.
    quiet = till.deps.background
    noted = _NotesPriority(till)
    reader = ReportReader.beside(till.journal)
    try:
        await reconcile_day(quiet, reader, DAY_START, DAY_END, zone=IST)  # type: ignore[arg-type]
    finally:
        reader.close()
    day_end = list(noted.calls)
    expired = await sale_at_gateway(till, 70, SaleStatus.EXPIRED)
    noted.calls.clear()  # the sale made above, at the counter
    await check_paid_evidence(
        quiet,  # type: ignore[arg-type]
        till.journal,
        expired.order_id,
        "123456789012",
        Money.rupees(70),
        "test",
        clock=till.clock,
    )
    calls = day_end + noted.calls
    assert [name for name, _ in calls] == ["recon", "settlements", "list_payments", "recon"]
    assert all(background for _, background in calls)


async def test_another_tills_orders_are_counted_apart_not_listed(tmp_path: Path) -> None:
    till = make_till(tmp_path)
    await _paid_sale(till, 100)
    await _cashfree_only(till, "T2-261126053000-ABCDEF", 80)  # till T2, same account
    await _cashfree_only(till, "DASH-2", 30)
    reader = ReportReader.beside(till.journal)
    try:
        report = await reconcile_day(
            till.gateway, reader, DAY_START, DAY_END, zone=IST, terminal_id="T1"
        )
    finally:
        reader.close()
    assert [(i.kind, i.order_id) for i in report.issues] == [(IssueKind.NOT_IN_JOURNAL, "DASH-2")]
    assert report.other_tills.count == 1 and report.other_tills.amount == Money.rupees(80)
    assert report.unsettled.amount == Money.rupees(210)  # the account's money, all tills


async def test_a_reversed_refund_is_listed() -> None:
    from pos_app.gateway.recon_types import ReconEvent, ReconEventKind
    from pos_app.services.reporting.recon_match import match_day

    reversal = ReconEvent(
        event_id="77",
        kind=ReconEventKind.REFUND_REVERSAL,
        raw_kind="REFUND_REVERSAL",
        status="SUCCESS",
        credit=True,
        amount=Money.rupees(40),
        settlement_amount=Money.rupees(40),
        at=DAY_START + timedelta(hours=12),
        order_id="T1-X",
        refund_id="RF-9",
    )
    report = match_day(DAY_START, DAY_END, IST, [reversal], [], {}, {})
    (issue,) = report.issues
    assert issue.kind is IssueKind.REFUND_REVERSED
    assert "RF-9" in issue.detail and "₹40.00" in issue.detail


def _payment_event(order_id: str, cf_payment_id: str, rupees: int, hour: int) -> object:
    from pos_app.gateway.recon_types import ReconEvent, ReconEventKind

    return ReconEvent(
        event_id=cf_payment_id,
        kind=ReconEventKind.PAYMENT,
        raw_kind="PAYMENT",
        status="SUCCESS",
        credit=True,
        amount=Money.rupees(rupees),
        settlement_amount=None,
        at=DAY_START + timedelta(hours=hour),
        order_id=order_id,
        cf_payment_id=cf_payment_id,
    )


def _paid_in_journal(order_id: str, rupees: int, **fields: object) -> Sale:
    at = DAY_START + timedelta(hours=10)
    return Sale(
        order_id=order_id,
        terminal_id="T1",
        environment="demo",
        amount=Money.rupees(rupees),
        method=Method.LINK if "link_id" in fields else Method.UPI_QR,
        status=SaleStatus.PAID,
        idempotency_key="k",
        created_at=at,
        updated_at=at,
        paid_at=at,
        **fields,  # type: ignore[arg-type]
    )


async def test_a_paid_link_matches_through_its_cashfree_order() -> None:
    from pos_app.services.reporting.recon_match import match_day

    sale = _paid_in_journal(
        "T1-L", 300, link_id="T1-L", gateway_order_id="CFPay_T1-L_1", cf_payment_id="9"
    )
    found = match_day(
        DAY_START, DAY_END, IST, [_payment_event("CFPay_T1-L_1", "9", 300, 10)], [sale], {}, {}
    )
    assert found.issues == () and found.matched.count == 1
    # Even before the till learnt the link's Cashfree order id.
    early = sale.with_changes(gateway_order_id=None)
    again = match_day(
        DAY_START, DAY_END, IST, [_payment_event("CFPay_T1-L_1", "9", 300, 10)], [early], {}, {}
    )
    assert again.issues == () and again.matched.count == 1


async def test_a_second_payment_on_a_paid_sale_is_listed() -> None:
    from pos_app.services.reporting.recon_match import match_day

    sale = _paid_in_journal("T1-P", 200, cf_payment_id="1")
    events = [_payment_event("T1-P", "1", 200, 10), _payment_event("T1-P", "2", 200, 11)]
    report = match_day(DAY_START, DAY_END, IST, events, [sale], {}, {})
    (issue,) = report.issues
    assert issue.kind is IssueKind.EXTRA_PAYMENT and issue.cf_payment_id == "2"
    assert "refund may be owed" in issue.detail


async def test_a_won_dispute_is_listed_with_its_reversal_and_nets_out(tmp_path: Path) -> None:
    till = make_till(tmp_path)
    sale = await _paid_sale(till, 400)
    dispute = till.sim.open_dispute(sale.order_id, "DISPUTE")
    till.clock.now += timedelta(hours=1)
    till.sim.close_dispute(dispute, merchant_won=True)
    till.clock.now += timedelta(days=1)
    report = await _report(till)
    assert [i.kind for i in report.issues] == [IssueKind.DISPUTE, IssueKind.DISPUTE]
    assert "raised a dispute" in report.issues[0].detail
    assert "gave back ₹400.00" in report.issues[1].detail
    (group,) = report.settlements
    assert group.adjustment == Money(0) and group.day_debits == Money(0)
    assert report.matched.count == 1
