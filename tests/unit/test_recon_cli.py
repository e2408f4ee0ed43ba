"""`pos-app report --recon` (table, CSV, JSON) and `pos-app paid-evidence`, end to end:
the real commands against the simulated Cashfree served on loopback (so its payments
outlive one command), with the demo journal of an isolated data folder."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from pos_app.cli import main
from pos_app.commands import exit_codes
from pos_app.config import load_settings, paths, save_settings
from pos_app.services.reporting.recon_output import RECON_CSV_COLUMNS
from pos_app.simulator import (
    SIM_CLIENT_ID,
    SIM_CLIENT_SECRET,
    SimRequest,
    Simulator,
    start_server,
)
from pos_app.simulator.wire import dump_json


@pytest.fixture
def sim(monkeypatch: pytest.MonkeyPatch) -> Iterator[Simulator]:
    simulator = Simulator()
    handle = start_server(simulator)
    monkeypatch.setenv("POS_CASHFREE_BASE_URL", handle.url + "/pg")
    where = paths()
    save_settings(where, dataclasses.replace(load_settings(where).settings, collect_enabled=True))
    try:
        yield simulator
    finally:
        handle.stop()


def _orders(data_dir: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(data_dir / "data" / "journal-demo.sqlite3") as conn:
        return conn.execute("SELECT order_id, status FROM sales ORDER BY created_at").fetchall()


def _dashboard_order(sim: Simulator, order_id: str, rupees: float) -> None:
    """An order made outside this till (the Cashfree dashboard, another till), then paid."""
    body = {
        "order_id": order_id,
        "order_amount": rupees,
        "order_currency": "INR",
        "customer_details": {"customer_id": "dash1", "customer_phone": "9999999999"},
    }
    headers = {
        "x-client-id": SIM_CLIENT_ID,
        "x-client-secret": SIM_CLIENT_SECRET,
        "x-api-version": "2025-01-01",
    }
    request = SimRequest.build(
        "POST", "/pg/orders", headers=list(headers.items()), body=dump_json(body)
    )
    assert sim.handle(request).status == 200
    sim.customer_pays(order_id)


def test_recon_report_in_three_formats(
    sim: Simulator, capsys: pytest.CaptureFixture[str], tmp_path: Path, _isolated_data_dir: Path
) -> None:
    code = main(["--demo", "charge", "42.50", "--method", "collect", "--vpa", "testsuccess@gocash"])
    assert code == exit_codes.PAID, capsys.readouterr()
    ((order_id, status),) = _orders(_isolated_data_dir)
    assert status == "PAID"
    _dashboard_order(sim, "DASH-77", 199)
    capsys.readouterr()

    assert main(["--demo", "report", "--recon", "--format", "json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["complete"] is True
    assert body["matched"] == {"count": 1, "amount": "42.50"}
    assert body["cashfree_paid"] == {"count": 2, "amount": "241.50"}
    assert body["till_paid"] == {"count": 1, "amount": "42.50"}
    (issue,) = body["issues"]
    assert issue["kind"] == "not_in_journal" and issue["order_id"] == "DASH-77"
    assert issue["amount"] == "199.00" and issue["utr"]
    assert body["unsettled"]["count"] == 2 and body["unsettled"]["expected"]
    assert body["settlements"] == []

    target = tmp_path / "recon.csv"
    assert main(["--demo", "report", "--recon", "--format", "csv", "--output", str(target)]) == 0
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert tuple(rows[0]) == RECON_CSV_COLUMNS
    assert rows[1][:4] == ["issue", "not_in_journal", "DASH-77", "199.00"]
    assert rows[2][:4] == ["settlement", "not_settled_yet", "", "241.50"]
    assert len(rows) == 3

    capsys.readouterr()
    assert main(["--demo", "report", "--recon"]) == 0
    table = capsys.readouterr().out
    assert "Needs a look (1):" in table
    assert "Paid at Cashfree, not in the till" in table and "DASH-77" in table
    assert "₹241.50" in table and "Not settled yet: 2 payments" in table
    assert order_id not in table  # the matched sale is counted, not listed


def test_recon_report_when_cashfree_is_down_claims_nothing(
    sim: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    sim.set_faults(down=True)
    code = main(["--demo", "report", "--recon", "--format", "json"])
    captured = capsys.readouterr()
    assert code == exit_codes.GATEWAY_TROUBLE
    body = json.loads(captured.out)
    assert body["complete"] is False and body["issues"] == []
    assert "could not be read" in captured.err


def test_paid_evidence_records_only_a_matching_payment(
    sim: Simulator, capsys: pytest.CaptureFixture[str], _isolated_data_dir: Path
) -> None:
    assert main(["--demo", "charge", "11", "--timeout", "0.5"]) == exit_codes.CANCELLED
    ((order_id, _),) = _orders(_isolated_data_dir)
    sim.customer_pays(order_id)  # the money arrives after the cashier gave up
    (paid,) = [p for p in sim.payments(order_id) if p["payment_status"] == "SUCCESS"]
    utr = paid["bank_reference"]
    capsys.readouterr()

    wrong = main(["--demo", "paid-evidence", order_id, "--utr", "999999999999", "--amount", "11"])
    assert wrong == exit_codes.FAILED
    assert "Nothing was changed" in capsys.readouterr().out
    assert _orders(_isolated_data_dir) == [(order_id, "CANCELLED")]

    assert (
        main(["--demo", "paid-evidence", order_id, "--utr", utr[-6:], "--amount", "12"])
        == exit_codes.FAILED
    )
    assert main(["--demo", "paid-evidence", order_id, "--utr", "12", "--amount", "11"]) == (
        exit_codes.BAD_INPUT
    )
    assert "UPI reference" in capsys.readouterr().err
    assert _orders(_isolated_data_dir) == [(order_id, "CANCELLED")]

    code = main(["--demo", "paid-evidence", order_id, "--utr", utr[-6:], "--amount", "11"])
    out = capsys.readouterr().out
    assert code == exit_codes.PAID, out
    assert f"UTR     {utr}" in out
    assert _orders(_isolated_data_dir) == [(order_id, "PAID")]
    with sqlite3.connect(_isolated_data_dir / "data" / "journal-demo.sqlite3") as conn:
        (detail,) = conn.execute(
            "SELECT detail FROM sale_events WHERE kind = 'paid_on_evidence'"
        ).fetchone()
    assert "command line" in json.loads(detail)["asked_by"]
    again = main(["--demo", "paid-evidence", order_id, "--utr", utr, "--amount", "11"])
    assert again == exit_codes.BAD_INPUT
    assert "already recorded as paid" in capsys.readouterr().out


def test_in_process_demo_says_its_cashfree_forgot_earlier_sales(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from pos_app.commands.recon_report import DEMO_NOTE

    monkeypatch.delenv("POS_CASHFREE_BASE_URL", raising=False)
    assert main(["--demo", "report", "--recon", "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert DEMO_NOTE in captured.err
    assert json.loads(captured.out)["issues"] == []
