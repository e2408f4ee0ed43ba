"""`pos-app charge AMOUNT --method card` on the demo Cashfree, the card and the OTPs one per
line on stdin: paid, refused, declined, abandoned. And after a DEBUG session with card
payments, the test card number is in no file under the data folder and in no output."""

from __future__ import annotations

import dataclasses
import io
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from pos_app.cli import main
from pos_app.commands import exit_codes
from pos_app.config import load_settings, paths, save_settings

CARD = "4111111111111111"
SPACED = "4111 1111 1111 1111"


def _cards_on() -> None:
    where = paths()
    save_settings(
        where, dataclasses.replace(load_settings(where).settings, card_payments_enabled=True)
    )


def _stdin(monkeypatch: pytest.MonkeyPatch, *lines: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("".join(f"{line}\n" for line in lines)))


def _sales(data_dir: Path) -> list[tuple[str, str]]:
    db = data_dir / "data" / "journal-demo.sqlite3"
    if not db.exists():
        return []
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT order_id, status FROM sales").fetchall()


def test_card_is_refused_while_switched_off(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], _isolated_data_dir: Path
) -> None:
    _stdin(monkeypatch, CARD, "08/29", "123")
    assert main(["--demo", "charge", "10", "--method", "card"]) == exit_codes.REFUSED
    assert "card payments are switched off" in capsys.readouterr().err
    assert _sales(_isolated_data_dir) == []
    assert sys.stdin.read() == f"{CARD}\n08/29\n123\n"  # nothing was even asked


@pytest.mark.parametrize(
    ("lines", "says"),
    [
        (("4111111111111112", "08/29", "123"), "card_number"),
        ((CARD, "13/29", "123"), "card_expiry"),
        ((CARD, "08/29", "12"), "card_cvv"),
        ((CARD, "08/29"), "no answer for CVV"),
    ],
)
def test_bad_card_input_is_refused_before_anything_is_created(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    _isolated_data_dir: Path,
    lines: tuple[str, ...],
    says: str,
) -> None:
    _cards_on()
    _stdin(monkeypatch, *lines)
    assert main(["--demo", "charge", "10", "--method", "card"]) == exit_codes.BAD_INPUT
    captured = capsys.readouterr()
    assert says in captured.err
    assert CARD not in captured.out + captured.err
    assert _sales(_isolated_data_dir) == []


def test_wrong_then_right_otp_pays(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], _isolated_data_dir: Path
) -> None:
    _cards_on()
    _stdin(monkeypatch, SPACED, "08/29", "123", "000000", "123456")
    code = main(["--demo", "charge", "499", "--method", "card", "--timeout", "60"])
    out = capsys.readouterr().out
    assert code == exit_codes.PAID, out
    assert "Visa •••• 1111" in out
    assert "otp is invalid, 2 attempts left" in out
    assert "PAID ₹499.00" in out
    assert CARD not in out and SPACED not in out
    ((_, status),) = _sales(_isolated_data_dir)
    assert status == "PAID"


def test_input_ending_at_the_otp_cancels(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], _isolated_data_dir: Path
) -> None:
    _cards_on()
    _stdin(monkeypatch, CARD, "08/29", "123")
    code = main(["--demo", "charge", "20", "--method", "card", "--timeout", "60"])
    out = capsys.readouterr().out
    assert code == exit_codes.CANCELLED, out
    assert "No OTP was given: cancelling." in out
    ((_, status),) = _sales(_isolated_data_dir)
    assert status == "CANCELLED"


def test_a_declined_card_cancels_the_sale(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], _isolated_data_dir: Path
) -> None:
    _cards_on()
    _stdin(monkeypatch, "4000000000000069", "08/29", "123")
    code = main(["--demo", "charge", "30", "--method", "card", "--timeout", "60"])
    out = capsys.readouterr().out
    assert code == exit_codes.CANCELLED, out
    assert "The card was declined" in out and "The card did not work: cancelling." in out


def test_three_wrong_otps_cancel_the_sale(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], _isolated_data_dir: Path
) -> None:
    _cards_on()
    _stdin(monkeypatch, CARD, "08/29", "123", "111111", "222222", "333333")
    code = main(["--demo", "charge", "31", "--method", "card", "--timeout", "60"])
    out = capsys.readouterr().out
    assert code == exit_codes.CANCELLED, out
    assert "no attempts left" in out


def test_no_card_number_anywhere_after_a_debug_session(_isolated_data_dir: Path) -> None:
    """Real processes, DEBUG logging: two card sales (one paid after a wrong OTP, one
    declined). The number may appear in no file under the data folder and no output."""
    _cards_on()
    env = {**os.environ, "POS_LOG_LEVEL": "DEBUG", "PYTHONUNBUFFERED": "1"}
    outputs = []
    runs = [
        (["499"], f"{SPACED}\n08/29\n123\n999999\n123456\n", exit_codes.PAID),
        (["77"], "4000000000000069\n08/29\n123\n", exit_codes.CANCELLED),
    ]
    for amount, stdin, expected in runs:
        done = subprocess.run(
            [sys.executable, "-m", "pos_app", "--demo", "charge", *amount, "--method", "card"],
            input=stdin,
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        outputs.append(done.stdout + done.stderr)
        assert done.returncode == expected, done.stdout + done.stderr
    log_files = list(_isolated_data_dir.rglob("*.log"))
    assert log_files and any(b"DEBUG" in p.read_bytes() for p in log_files)
    for needle in (CARD, SPACED, "4000000000000069"):
        assert all(needle not in text for text in outputs), needle
        holding = [
            str(p)
            for p in _isolated_data_dir.rglob("*")
            if p.is_file() and needle.encode() in p.read_bytes()
        ]
        assert holding == [], needle
    assert any("1111" in text for text in outputs)  # the last four digits are shown
