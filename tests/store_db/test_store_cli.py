"""`pos-app store init|status|sync` and joining a till with `config set store_database_url`."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest

from pos_app.cli import main
from pos_app.config import paths, settings_file
from pos_app.secrets import STORE_DATABASE, KeyringSecretStore


def _with_password(url: str, password: str) -> str:
    return url.replace("postgresql://postgres@", f"postgresql://postgres:{password}@")


def _charge_demo_sale() -> None:
    from pos_app.app import open_runtime
    from pos_app.domain.money import Money
    from pos_app.domain.sale import Method, Sale, SaleStatus

    runtime = open_runtime("demo")
    try:
        now = runtime.deps.clock()
        runtime.journal.create_sale(
            Sale(
                order_id="T1-cli-1",
                terminal_id="T1",
                environment="demo",
                amount=Money(12_345),
                method=Method.UPI_QR,
                status=SaleStatus.CREATED,
                idempotency_key="k",
                created_at=now,
                updated_at=now,
            )
        )
    finally:
        runtime.journal.close()


def test_init_join_sync_status(pg_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    # trust authentication: any password is accepted, so it must travel but never be saved
    secret_url = _with_password(pg_url, "s3cret-pass-word")
    assert main(["store", "init", "--database-url", pg_url]) == 0
    out = capsys.readouterr().out
    assert "schema 0 -> 1" in out
    assert main(["store", "init", "--database-url", pg_url]) == 0
    assert "nothing to do" in capsys.readouterr().out

    assert main(["config", "set", "store_database_url", secret_url]) == 0
    captured = capsys.readouterr()
    assert "s3cret" not in captured.out + captured.err
    text = settings_file(paths()).read_text(encoding="utf-8")
    assert "s3cret" not in text
    assert json.loads(text)["store_database_url"] == pg_url
    saved = KeyringSecretStore().get(*STORE_DATABASE)
    assert saved is not None and saved.reveal() == "s3cret-pass-word"

    _charge_demo_sale()
    assert main(["store", "sync", "--demo"]) == 0
    assert "Pushed 1 events (1 new" in capsys.readouterr().out
    assert main(["store", "sync", "--demo"]) == 0
    assert "Pushed 0 events" in capsys.readouterr().out
    with psycopg.connect(pg_url) as conn:
        row = conn.execute("SELECT till_id, amount_paise FROM sales").fetchone()
    assert row == ("T1", 12_345)

    assert main(["store", "status", "--demo"]) == 0
    out = capsys.readouterr().out
    assert "0 events waiting" in out and "T1" in out and "demo" in out

    assert main(["config", "set", "store_database_url", "none"]) == 0
    assert KeyringSecretStore().get(*STORE_DATABASE) is None
    assert main(["store", "sync", "--demo"]) == 8
    assert "no store database yet" in capsys.readouterr().err


def test_bad_urls_are_refused_and_change_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    for bad in (
        "mysql://x@h/db",
        "postgresql:///db",
        "postgresql://u@h/",
        "postgresql://u@h/db?password=oops-in-query",
    ):
        assert main(["config", "set", "store_database_url", bad]) == 2
        err = capsys.readouterr().err
        assert "Refused: store_database_url" in err and "oops-in-query" not in err
    assert not settings_file(paths()).exists()
    assert KeyringSecretStore().get(*STORE_DATABASE) is None


def test_an_unreachable_store_database_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    url = "postgresql://till:pw-never-shown@127.0.0.1:1/store"
    assert main(["store", "init", "--database-url", url]) == 8
    err = capsys.readouterr().err
    assert "did not answer" in err and "pw-never-shown" not in err


def test_report_all_tills_reads_the_store_database(
    store_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import asyncio
    from datetime import date

    from store_db.kit import open_till

    tills = [open_till(tmp_path, t, store_url) for t in ("T1", "T2")]
    for till in tills:
        till.clock.now = till.clock.now.replace(year=2026, month=3, day=14, hour=6)
        till.sell(10_000)
        till.sell(2_500)
        asyncio.run(till.syncer().sync_once())
    assert main(["config", "set", "store_database_url", store_url]) == 0
    assert main(["config", "set", "store_id", "shop"]) == 0
    capsys.readouterr()
    day = date(2026, 3, 14).isoformat()
    assert main(["report", "--demo", "--all-tills", "--date", day, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["collected"] == {"count": 4, "paise": 25_000, "amount": "₹250.00"}
    assert sorted(s["terminal_id"] for s in data["sales"]) == ["T1", "T1", "T2", "T2"]

    assert main(["report", "--demo", "--till", "T2", "--date", day, "--format", "csv"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3 and all("T1-" not in line for line in lines)

    assert main(["report", "--demo", "--all-tills", "--date", day]) == 0
    out = capsys.readouterr().out
    assert out.startswith("All tills of store shop") and "₹250.00" in out


def test_charge_pushes_before_it_exits(store_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "set", "store_database_url", store_url]) == 0
    code = main(["charge", "25", "--demo", "--timeout", "0.5"])
    assert code in (3, 4)  # nobody paid: cancelled (or expired) at the simulated Cashfree
    with psycopg.connect(store_url) as conn:
        sales = conn.execute("SELECT status FROM sales").fetchall()
        events = conn.execute("SELECT count(*) FROM events").fetchone()
    assert len(sales) == 1 and sales[0][0] in ("CANCELLED", "EXPIRED")
    assert events is not None and events[0] >= 3


def test_webhook_receiver_command_prints_its_address_and_stores_deliveries(
    store_url: str, tmp_path: Path
) -> None:
    import os
    import subprocess
    import sys
    import time

    import httpx

    from pos_app.gateway.webhooks import sign
    from pos_app.secrets import Secret
    from pos_app.simulator import SIM_CLIENT_SECRET

    assert main(["config", "set", "store_database_url", store_url]) == 0
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    proc = subprocess.Popen(
        [sys.executable, "-m", "pos_app", "webhook-receiver", "--demo", "--port", "0"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("Listening for Cashfree webhooks at http://127.0.0.1:"), line
        url = line.rsplit(" ", 1)[1].strip()
        assert url.endswith("/cashfree/webhook")
        body = b'{"data":{"order":{"order_id":"T1-9"},"payment":{"payment_status":"SUCCESS"}},"type":"PAYMENT_SUCCESS_WEBHOOK"}'
        stamp = str(time.time_ns() // 1_000_000)
        headers = {
            "x-webhook-timestamp": stamp,
            "x-webhook-signature": sign(Secret(SIM_CLIENT_SECRET), stamp, body),
        }
        assert httpx.post(url, content=body, headers=headers).status_code == 200
        headers["x-webhook-signature"] = sign(Secret("wrong"), stamp, body)
        assert httpx.post(url, content=body + b" ", headers=headers).status_code == 401
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    with psycopg.connect(store_url) as conn:
        rows = conn.execute("SELECT order_id FROM webhook_deliveries").fetchall()
    assert rows == [("T1-9",)]


def test_an_unprepared_database_says_run_store_init(
    pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["config", "set", "store_database_url", pg_url]) == 0
    capsys.readouterr()
    assert main(["store", "status", "--demo"]) == 8
    assert "run `pos-app store init` once" in capsys.readouterr().err
    assert main(["store", "sync", "--demo"]) == 8
    assert "run `pos-app store init` once" in capsys.readouterr().err
    assert main(["report", "--demo", "--all-tills"]) == 8
    assert "run `pos-app store init` once" in capsys.readouterr().err
