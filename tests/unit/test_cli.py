"""`pos-app` commands end to end on the in-process demo Cashfree: exit codes and output."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from pathlib import Path

import pytest

from pos_app.cli import main
from pos_app.commands import exit_codes
from pos_app.config import load_settings, paths, save_settings


def _journal_rows(data_dir: Path) -> list[tuple[str, str]]:
    db = data_dir / "data" / "journal-demo.sqlite3"
    if not db.exists():
        return []
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT order_id, status FROM sales").fetchall()


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["--version"])
    assert caught.value.code == 0
    assert "pos-app" in capsys.readouterr().out


@pytest.mark.parametrize("amount", ["abc", "0", "-5", "1.234", "1e3"])
def test_bad_amount_is_refused_before_anything_is_created(
    amount: str, capsys: pytest.CaptureFixture[str], _isolated_data_dir: Path
) -> None:
    assert main(["--demo", "charge", amount]) == exit_codes.BAD_INPUT
    assert "Refused" in capsys.readouterr().err
    assert _journal_rows(_isolated_data_dir) == []


def test_collect_is_off_unless_enabled(
    capsys: pytest.CaptureFixture[str], _isolated_data_dir: Path
) -> None:
    code = main(["--demo", "charge", "10", "--method", "collect", "--vpa", "testsuccess@gocash"])
    assert code == exit_codes.BAD_INPUT
    assert "switched off" in capsys.readouterr().out
    assert _journal_rows(_isolated_data_dir) == []


def test_collect_to_a_succeeding_vpa_exits_zero(
    capsys: pytest.CaptureFixture[str], _isolated_data_dir: Path
) -> None:
    where = paths()
    settings = dataclasses.replace(load_settings(where).settings, collect_enabled=True)
    save_settings(where, settings)
    code = main(["charge", "42.50", "--demo", "--method", "collect", "--vpa", "testsuccess@gocash"])
    out = capsys.readouterr().out
    assert code == exit_codes.PAID, out
    assert "PAID ₹42.50" in out
    ((order_id, status),) = _journal_rows(_isolated_data_dir)
    assert status == "PAID"
    assert main(["--demo", "status", order_id]) == 0
    assert "PAID" in capsys.readouterr().out


def test_timeout_cancels_properly(
    capsys: pytest.CaptureFixture[str], _isolated_data_dir: Path
) -> None:
    assert main(["--demo", "charge", "10", "--timeout", "0.5"]) == exit_codes.CANCELLED
    out = capsys.readouterr().out
    assert "QR content: upi://pay?" in out and "am=10.00" in out
    assert [s for _, s in _journal_rows(_isolated_data_dir)] == ["CANCELLED"]


def test_report_formats(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["--demo", "charge", "11", "--timeout", "0.5"]) == exit_codes.CANCELLED
    capsys.readouterr()
    assert main(["--demo", "report", "--format", "json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["by_status"]["CANCELLED"]["count"] == 1
    assert body["collected"]["paise"] == 0
    target = tmp_path / "day.csv"
    assert main(["--demo", "report", "--format", "csv", "--output", str(target)]) == 0
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("created_local,order_id") and len(lines) == 2
    assert main(["--demo", "report", "--date", "26-11-2026"]) == exit_codes.BAD_INPUT


def test_status_of_an_unknown_order(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--demo", "status", "T1-nothing"]) == exit_codes.BAD_INPUT
    assert "no sale" in capsys.readouterr().out


def test_reconcile_with_nothing_open(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--demo", "reconcile"]) == 0
    assert "Nothing to reconcile" in capsys.readouterr().out


def test_sandbox_without_credentials_says_what_to_do(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--env", "sandbox", "reconcile"]) == exit_codes.SETUP
    err = capsys.readouterr().err
    assert "credentials set --env sandbox" in err and "--demo" in err


def test_demo_sales_left_open_by_an_earlier_run_are_closed(
    capsys: pytest.CaptureFixture[str], _isolated_data_dir: Path
) -> None:
    from pos_app.app import DEMO_RESTARTED, open_runtime
    from pos_app.domain.money import Money
    from pos_app.domain.sale import Method, Sale, SaleStatus
    from pos_app.store.journal import Journal

    runtime = open_runtime("demo")
    now = runtime.deps.clock()
    runtime.journal.create_sale(
        Sale(
            order_id="T1-261126000000-AAAAAA",
            terminal_id="T1",
            environment="demo",
            amount=Money(5000),
            method=Method.UPI_QR,
            status=SaleStatus.CREATED,
            idempotency_key="k1",
            created_at=now,
            updated_at=now,
        )
    )
    runtime.journal.close()
    assert main(["--demo", "reconcile"]) == 0
    capsys.readouterr()
    with Journal.open(_isolated_data_dir / "data" / "journal-demo.sqlite3") as journal:
        sale = journal.get_sale("T1-261126000000-AAAAAA")
        assert sale is not None and sale.status is SaleStatus.CANCELLED
        assert sale.reason == DEMO_RESTARTED
        assert [e.kind for e in journal.events(sale.order_id)][-1] == "demo_restarted"
