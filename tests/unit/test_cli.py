"""`pos-app` commands end to end on the in-process demo Cashfree: exit codes and output."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from datetime import timedelta
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


def test_demo_sales_left_open_by_an_earlier_run_are_closed_by_a_starting_desk_only(
    capsys: pytest.CaptureFixture[str], _isolated_data_dir: Path
) -> None:
    from pos_app.app import open_runtime
    from pos_app.domain.money import Money
    from pos_app.domain.sale import Method, ReasonCode, Sale, SaleStatus
    from pos_app.store.journal import Journal
    from pos_app.store.leases import Owner

    runtime = open_runtime("demo")
    now = runtime.deps.clock()

    def sale(order_id: str, status: SaleStatus) -> Sale:
        return Sale(
            order_id=order_id,
            terminal_id="T1",
            environment="demo",
            amount=Money(5000),
            method=Method.UPI_QR,
            status=status,
            idempotency_key=order_id,
            created_at=now,
            updated_at=now,
            cf_order_id="cf-1",
        )

    runtime.journal.create_sale(sale("T1-261126000000-AAAAAA", SaleStatus.AWAITING_PAYMENT))
    # A sale a running desk follows right now (another live process).
    runtime.journal.create_sale(sale("T1-261126000000-BBBBBB", SaleStatus.AWAITING_PAYMENT))
    desk = Owner(token="desk", host="another-host", pid=1)
    assert runtime.journal.claim("T1-261126000000-BBBBBB", desk, "follow", timedelta(hours=1))
    runtime.journal.close()
    # A command (status, report, reconcile) never closes the desk's sales as orphans.
    main(["--demo", "status", "T1-261126000000-BBBBBB"])
    capsys.readouterr()
    with Journal.open(_isolated_data_dir / "data" / "journal-demo.sqlite3") as journal:
        assert "demo_restarted" not in [e.kind for e in journal.events("T1-261126000000-BBBBBB")]
    # A starting desk closes the orphan, and leaves the followed one alone.
    starting = open_runtime("demo", close_demo_orphans=True)
    starting.journal.close()
    with Journal.open(_isolated_data_dir / "data" / "journal-demo.sqlite3") as journal:
        orphan = journal.get_sale("T1-261126000000-AAAAAA")
        assert orphan is not None and orphan.status is SaleStatus.CANCELLED
        assert orphan.reason_code is ReasonCode.DEMO_RESTARTED
        followed = journal.get_sale("T1-261126000000-BBBBBB")
        assert followed is not None and followed.status is SaleStatus.AWAITING_PAYMENT
