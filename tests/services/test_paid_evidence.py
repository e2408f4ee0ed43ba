""" "The customer says they paid": the till looks for the UTR at Cashfree (the order's
payments, then the day's reconciliation) and records PAID only on a match; otherwise the
sale stays exactly as it was. Against the in-process simulator."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from manager_kit import sale_at_gateway
from till_fakes import Till, make_till

from pos_app.domain.money import Money
from pos_app.domain.sale import Method, Sale, SaleStatus
from pos_app.gateway.base import Customer, NewLink
from pos_app.services.checkout.paid_evidence import Verdict, check_paid_evidence, clean_utr
from pos_app.services.reporting.day_end import ExceptionKind, build_day_report
from pos_app.services.reporting.queries import ReportReader

pytestmark = pytest.mark.asyncio

ASKED_BY = "manager (test)"


def _utr(till: Till, order_id: str) -> str:
    (paid,) = [p for p in till.sim.payments(order_id) if p["payment_status"] == "SUCCESS"]
    return str(paid["bank_reference"])


async def _check(till: Till, order_id: str, utr: str, rupees: int) -> object:
    return await check_paid_evidence(
        till.gateway, till.journal, order_id, utr, Money.rupees(rupees), ASKED_BY, clock=till.clock
    )


@pytest.mark.parametrize(
    "status", [SaleStatus.AWAITING_PAYMENT, SaleStatus.EXPIRED, SaleStatus.CANCELLED]
)
async def test_found_and_matching_is_recorded_paid_with_the_evidence(
    tmp_path: Path, status: SaleStatus
) -> None:
    till = make_till(tmp_path)
    sale = await sale_at_gateway(till, 450, status)
    till.sim.customer_pays(sale.order_id)
    utr = _utr(till, sale.order_id)
    outcome = await _check(till, sale.order_id, f" {utr[:6]} {utr[6:]} ", 450)
    assert outcome.verdict is Verdict.RECORDED, outcome.message  # type: ignore[attr-defined]
    paid = till.journal.get_sale(sale.order_id)
    assert paid is not None and paid.status is SaleStatus.PAID
    assert paid.bank_reference == utr
    assert paid.cf_payment_id and paid.paid_at is not None
    assert paid.late is (status is not SaleStatus.AWAITING_PAYMENT)
    event = till.journal.events(sale.order_id)[-1]
    assert event.kind == "paid_on_evidence"
    assert event.detail["asked_by"] == ASKED_BY
    assert event.detail["found_in"] == "payments"
    assert event.detail["status_before"] == status.value
    # The day end lists it under "needs a look", and counts it as paid.
    reader = ReportReader.beside(till.journal)
    try:
        day = sale.created_at.replace(hour=0, minute=0)
        report = build_day_report(reader, day, day + timedelta(days=1))
    finally:
        reader.close()
    assert (ExceptionKind.PAID_ON_EVIDENCE, sale.order_id) in {
        (e.kind, e.sale.order_id) for e in report.exceptions
    }
    assert report.collected.amount == Money.rupees(450)


async def test_the_last_four_digits_are_enough(tmp_path: Path) -> None:
    till = make_till(tmp_path)
    sale = await sale_at_gateway(till, 99, SaleStatus.UNCERTAIN)
    till.sim.customer_pays(sale.order_id)
    outcome = await _check(till, sale.order_id, _utr(till, sale.order_id)[-4:], 99)
    assert outcome.verdict is Verdict.RECORDED  # type: ignore[attr-defined]


async def _unchanged(till: Till, sale: Sale) -> None:
    assert till.journal.get_sale(sale.order_id) == sale


async def test_wrong_reference_or_amount_changes_nothing(tmp_path: Path) -> None:
    till = make_till(tmp_path)
    sale = await sale_at_gateway(till, 300, SaleStatus.EXPIRED)
    till.sim.customer_pays(sale.order_id)
    utr = _utr(till, sale.order_id)
    events = len(till.journal.events(sale.order_id))
    wrong = "1" + utr[1:] if utr[0] != "1" else "2" + utr[1:]
    not_found = await _check(till, sale.order_id, wrong, 300)
    assert not_found.verdict is Verdict.NOT_FOUND  # type: ignore[attr-defined]
    assert "Nothing was changed" in not_found.message  # type: ignore[attr-defined]
    other_amount = await _check(till, sale.order_id, utr, 301)
    assert other_amount.verdict is Verdict.MISMATCH  # type: ignore[attr-defined]
    await _unchanged(till, sale)
    assert len(till.journal.events(sale.order_id)) == events


async def test_unpaid_at_cashfree_is_not_found(tmp_path: Path) -> None:
    till = make_till(tmp_path)
    sale = await sale_at_gateway(till, 120, SaleStatus.AWAITING_PAYMENT)
    outcome = await _check(till, sale.order_id, "123456789012", 120)
    assert outcome.verdict is Verdict.NOT_FOUND  # type: ignore[attr-defined]
    await _unchanged(till, sale)


async def test_another_orders_payment_is_not_this_sales(tmp_path: Path) -> None:
    till = make_till(tmp_path)
    unpaid = await sale_at_gateway(till, 200, SaleStatus.EXPIRED)
    other = await sale_at_gateway(till, 201, SaleStatus.AWAITING_PAYMENT)
    till.sim.customer_pays(other.order_id)
    outcome = await _check(till, unpaid.order_id, _utr(till, other.order_id), 200)
    assert outcome.verdict is Verdict.MISMATCH  # type: ignore[attr-defined]
    assert other.order_id in outcome.message  # type: ignore[attr-defined]
    await _unchanged(till, unpaid)


async def test_a_link_sale_is_found_in_the_days_reconciliation(tmp_path: Path) -> None:
    till = make_till(tmp_path)
    now = till.clock()
    link_id = "T1-LINK-1"
    sale = till.journal.create_sale(
        Sale(
            link_id,
            "T1",
            "demo",
            Money.rupees(700),
            Method.LINK,
            SaleStatus.AWAITING_PAYMENT,
            "k-link",
            now,
            now,
            link_id=link_id,
        )
    )
    await till.gateway.create_link(
        NewLink(link_id, Money.rupees(700), "Bill 7", Customer("cust1", "9999999999")),
        idempotency_key="k-link",
    )
    cf_order = till.sim.link_customer_pays(link_id)
    outcome = await _check(till, link_id, _utr(till, cf_order), 700)
    assert outcome.verdict is Verdict.RECORDED, outcome.message  # type: ignore[attr-defined]
    assert till.journal.events(link_id)[-1].detail["found_in"] == "recon"
    assert sale.status is SaleStatus.AWAITING_PAYMENT


@pytest.mark.parametrize("status", [SaleStatus.PAID, SaleStatus.FAILED])
async def test_paid_and_failed_sales_take_no_evidence(tmp_path: Path, status: SaleStatus) -> None:
    till = make_till(tmp_path)
    sale = await sale_at_gateway(till, 80, SaleStatus.AWAITING_PAYMENT)
    if status is SaleStatus.PAID:
        till.sim.customer_pays(sale.order_id)
    sale = till.journal.update_sale(sale.order_id, event="closed", status=status)
    outcome = await _check(till, sale.order_id, "123456789012", 80)
    assert outcome.verdict is Verdict.REFUSED  # type: ignore[attr-defined]
    await _unchanged(till, sale)


async def test_unknown_sale_and_bad_reference_are_refused(tmp_path: Path) -> None:
    till = make_till(tmp_path)
    outcome = await _check(till, "NOPE", "123456789012", 10)
    assert outcome.verdict is Verdict.REFUSED  # type: ignore[attr-defined]
    for bad in ("", "12", "12ab!!", "x" * 40):
        with pytest.raises(ValueError, match="UPI reference"):
            clean_utr(bad)
    assert clean_utr("4321 0987-6543") == "432109876543"
