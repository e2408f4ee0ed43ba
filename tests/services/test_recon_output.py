"""The three-way day end as text: CSV cells a spreadsheet cannot run, negative amounts kept
as numbers, and a report that could not read Cashfree saying so in every format."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta, timezone

from pos_app.domain.money import Money
from pos_app.gateway.recon_types import ReconEvent, ReconEventKind, Settlement
from pos_app.services.reporting.recon_match import ReconReport, match_day
from pos_app.services.reporting.recon_output import recon_csv, recon_json, recon_table
from pos_app.store.queries import Tally

IST = timezone(timedelta(hours=5, minutes=30))
START = datetime(2026, 11, 26, tzinfo=IST)
END = START + timedelta(days=1)


def _event(order_id: str, **kw: object) -> ReconEvent:
    values: dict[str, object] = {
        "event_id": "1",
        "kind": ReconEventKind.PAYMENT,
        "raw_kind": "PAYMENT",
        "status": "SUCCESS",
        "credit": True,
        "amount": Money.rupees(100),
        "settlement_amount": Money(9794),
        "at": START + timedelta(hours=10),
        "order_id": order_id,
        "payment_utr": "=cmd|' /C calc'!A0",
        "service_charge": Money(175),
        "service_tax": Money(31),
    }
    values.update(kw)
    return ReconEvent(**values)  # type: ignore[arg-type]


def test_csv_cells_cannot_start_a_formula_and_amounts_stay_numbers() -> None:
    refund = _event(
        "-HACK",
        event_id="2",
        kind=ReconEventKind.REFUND,
        raw_kind="REFUND",
        credit=False,
        amount=Money.rupees(30),
        cf_settlement_id="S1",
    )
    settlement = Settlement(
        "S1", "UTR1", END + timedelta(hours=11), Money.rupees(100), Money(175), Money(31),
        Money(0), Money(0), Money.rupees(-30), Money(6794),
    )  # fmt: skip
    report = match_day(
        START,
        END,
        IST,
        [_event("-HACK", cf_settlement_id="S1"), refund],
        [],
        {},
        {"S1": settlement},
    )
    rows = list(csv.reader(io.StringIO(recon_csv(report))))
    issue = rows[1]
    assert issue[2] == "'-HACK"  # a leading "-" could start a formula
    assert issue[5].startswith("'=")
    group = rows[-1]
    assert group[0] == "settlement" and group[11] == "-30.00"  # a number, not text
    body = json.loads(recon_json(report))
    assert body["settlements"][0]["adjustment"] == "-30.00"
    assert body["settlements"][0]["net"] == "67.94"


def test_a_report_that_could_not_read_cashfree_says_so_everywhere() -> None:
    report = ReconReport(
        START, END, IST, (), (), Tally(), None, Tally(), Tally(), Tally(), 0,
        error="Cashfree's reconciliation could not be read, so nothing was compared.",
    )  # fmt: skip
    assert "could not be read" in recon_table(report)
    assert json.loads(recon_json(report))["complete"] is False
    rows = list(csv.reader(io.StringIO(recon_csv(report))))
    assert rows[1][0] == "error" and "could not be read" in rows[1][-1]
