"""Refunds made outside this till are caught: a copy of the journal in another folder (or
Cashfree's dashboard) refunds a sale; the real till's "Refresh the day" and reconcile read
each paid sale's refunds at Cashfree and record the unknown one as an exception, first in
"needs a look" and in `pos-app report` (table, CSV, JSON)."""

from __future__ import annotations

import csv
import io
import json
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from manager_kit import DAY, sale_at_gateway
from till_fakes import FakeClock, Till, make_till

from pos_app.commands.sales import run_reconcile
from pos_app.domain.money import Money
from pos_app.domain.sale import SaleStatus
from pos_app.services.refunds.outside import check_outside_refunds
from pos_app.services.refunds.service import RefundService
from pos_app.services.reporting.day_end import ExceptionKind, build_day_report
from pos_app.services.reporting.day_refresh import refresh_day
from pos_app.services.reporting.queries import ReportReader
from pos_app.services.reporting.reports import (
    exception_detail,
    sales_csv,
    sales_table,
    summary_json,
)
from pos_app.store.journal import Journal
from pos_app.store.till_records import outside_refunds, refunded_by_order

END = DAY + timedelta(days=1)


async def paid_sale(till: Till, rupees: int) -> str:
    sale = await sale_at_gateway(till, rupees, SaleStatus.AWAITING_PAYMENT)
    till.sim.customer_pays(sale.order_id)
    reader = ReportReader.beside(till.journal)
    try:
        await refresh_day(till.deps, reader, None, DAY, END)
    finally:
        reader.close()
    assert till.journal.get_sale(sale.order_id).status is SaleStatus.PAID  # type: ignore[union-attr]
    return sale.order_id


def refunds_of(till: Till) -> RefundService:
    return RefundService(
        till.gateway, till.journal, clock=till.clock, sleep=till.clock.sleep, follow_for=0
    )


@pytest.mark.asyncio
async def test_a_copy_in_another_folder_refunds_and_the_real_day_end_reports_it(
    tmp_path: Path,
) -> None:
    real = make_till(tmp_path / "real", clock=FakeClock(DAY + timedelta(hours=10)))
    copy: Till | None = None
    reader = ReportReader.beside(real.journal)
    try:
        order_id = await paid_sale(real, 400)
        mine = await refunds_of(real).refund(order_id, Money.rupees(50), reason="SUCCESS")
        assert mine.succeeded
        # The cashier copies the journal to another folder and refunds from the copy,
        # with the same Cashfree account: the real journal never hears of it.
        (tmp_path / "copy").mkdir()
        for suffix in ("", "-wal", "-shm"):  # the whole journal, as a folder copy takes it
            source = Path(f"{real.journal.path}{suffix}")
            if source.exists():
                shutil.copy(source, tmp_path / "copy" / f"journal.sqlite3{suffix}")
        copy_journal = Journal.open(tmp_path / "copy" / "journal.sqlite3", clock=real.clock)
        copy = make_till(tmp_path / "copy", sim=real.sim, clock=real.clock, journal=copy_journal)
        theirs = await refunds_of(copy).refund(order_id, Money.rupees(120), reason="SUCCESS")
        assert theirs.succeeded
        assert [r.refund_id for r in real.journal.refunds_for(order_id)] == [mine.refund.refund_id]

        await real.clock.sleep(60)
        refreshed = await refresh_day(real.deps, reader, refunds_of(real), DAY, END)
        assert [f.refund_id for f in refreshed.outside_refunds] == [theirs.refund.refund_id]
        found = refreshed.outside_refunds[0]
        assert found.amount == Money.rupees(120) and found.order_id == order_id

        report = build_day_report(reader, DAY, END)
        first = report.exceptions[0]
        assert first.kind is ExceptionKind.OUTSIDE_REFUND
        assert first.refund is not None and first.refund.refund_id == theirs.refund.refund_id
        line = exception_detail(first, report.zone)
        assert "refund made outside this till" in line and "₹120.00" in line
        # The money that really left counts: 50 + 120 refunded, 230 left to refund.
        assert report.refunded.amount == Money.rupees(170)
        assert refunds_of(real).refundable(order_id) == Money.rupees(230)

        # pos-app report: table, CSV and JSON name it first.
        sales = real.journal.sales_between(DAY, END)
        outside = outside_refunds(real.journal, DAY, END)
        refunded = refunded_by_order(real.journal, [s.order_id for s in sales])
        totals = real.journal.day_totals(DAY, END)
        table = sales_table(totals, sales, report.zone, refunded, outside)
        assert table.splitlines()[0].startswith("NEEDS A LOOK: refund made outside this till")
        assert theirs.refund.refund_id in table.splitlines()[0]
        rows = list(csv.DictReader(io.StringIO(sales_csv(sales, report.zone, refunded, outside))))
        assert rows[0]["status"] == "EXCEPTION: refund made outside this till"
        assert theirs.refund.refund_id in rows[0]["reason"]
        sale_row = next(r for r in rows[1:] if r["order_id"] == order_id)
        assert (sale_row["refunded"], sale_row["net"]) == ("170.00", "230.00")
        body = json.loads(summary_json(totals, sales, report.zone, refunded, outside))
        assert next(iter(body)) == "needs_a_look"
        assert body["needs_a_look"][0]["refund_id"] == theirs.refund.refund_id
        assert body["needs_a_look"][0]["paise"] == 12000

        # Found once: the next refresh reports nothing new.
        again = await refresh_day(real.deps, reader, refunds_of(real), DAY, END)
        assert again.outside_refunds == ()
    finally:
        reader.close()
        await real.client.aclose()
        real.journal.close()
        if copy is not None:
            await copy.client.aclose()
            copy.journal.close()


@pytest.mark.asyncio
async def test_reconcile_reports_a_refund_made_at_cashfree_directly(tmp_path: Path) -> None:
    till = make_till(tmp_path, clock=FakeClock(DAY + timedelta(hours=10)))
    try:
        order_id = await paid_sale(till, 300)
        from pos_app.gateway.base import NewRefund

        await till.gateway.create_refund(  # as from Cashfree's dashboard
            order_id,
            NewRefund(refund_id="DASH-1", amount=Money.rupees(75), note="SUCCESS"),
            idempotency_key="dash-key-1",
        )
        out = io.StringIO()
        await run_reconcile(till.deps, out=out)
        text = out.getvalue()
        assert text.splitlines()[0].startswith("NEEDS A LOOK: refund made outside this till")
        assert "DASH-1" in text and "₹75.00" in text
        events = [e.kind for e in till.journal.events(order_id)]
        assert "refund_outside" in events
        out = io.StringIO()
        await run_reconcile(till.deps, out=out)
        assert "NEEDS A LOOK" not in out.getvalue()  # recorded once
    finally:
        await till.client.aclose()
        till.journal.close()


@pytest.mark.asyncio
async def test_the_tills_own_refunds_are_not_outside(tmp_path: Path) -> None:
    till = make_till(tmp_path, clock=FakeClock(DAY + timedelta(hours=10)))
    try:
        order_id = await paid_sale(till, 300)
        await refunds_of(till).refund(order_id, Money.rupees(10), reason="PENDING")
        sale = till.journal.get_sale(order_id)
        assert sale is not None
        check = await check_outside_refunds(till.gateway, till.journal, [sale], clock=till.clock)
        assert check.sales_checked == 1 and check.found == ()
    finally:
        await till.client.aclose()
        till.journal.close()


@pytest.mark.asyncio
async def test_capped_runs_take_turns_so_every_paid_sale_is_read(tmp_path: Path) -> None:
    from pos_app.gateway.base import NewRefund
    from pos_app.services.refunds.outside import reconcile_outside_refunds

    till = make_till(tmp_path, clock=FakeClock(DAY + timedelta(hours=10)))
    try:
        orders = [await paid_sale(till, 100 + n) for n in range(5)]
        await till.gateway.create_refund(
            orders[4],
            NewRefund(refund_id="DASH-LAST", amount=Money.rupees(5), note="SUCCESS"),
            idempotency_key="dash-last",
        )
        first = await reconcile_outside_refunds(till.deps, limit=2)
        assert (first.sales_checked, first.not_checked, first.found) == (2, 3, ())
        second = await reconcile_outside_refunds(till.deps, limit=2)
        assert second.sales_checked == 2 and second.found == ()
        third = await reconcile_outside_refunds(till.deps, limit=2)  # the fifth sale's turn
        assert [f.refund_id for f in third.found] == ["DASH-LAST"]
    finally:
        await till.client.aclose()
        till.journal.close()
