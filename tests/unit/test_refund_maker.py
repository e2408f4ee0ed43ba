"""app.refund_maker: the plain RefundService for a till alone or installed without the
'store' extra (psycopg); the store-checked one only when the till joined a store database."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

from pos_app.app import refund_maker
from pos_app.config import Settings
from pos_app.services.refunds.service import RefundService

REPO = Path(__file__).resolve().parents[2]


def test_a_till_alone_gets_the_plain_refund_service() -> None:
    assert refund_maker(Settings(), "demo") is RefundService


def test_without_the_store_extra_the_refund_service_is_plain(tmp_path: Path) -> None:
    code = (
        "import sys; sys.modules['psycopg'] = None\n"
        "import dataclasses\n"
        "from pos_app.app import refund_maker\n"
        "from pos_app.config import Settings\n"
        "from pos_app.services.refunds.service import RefundService\n"
        "s = dataclasses.replace(Settings(), store_database_url='postgresql://u@h:5432/db')\n"
        "print(refund_maker(s, 'demo') is RefundService)\n"
    )
    env = {**os.environ, "POS_DATA_DIR": str(tmp_path), "PYTHONPATH": str(REPO)}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "True"


def test_a_joined_till_gets_the_store_checked_service() -> None:
    from pos_app.services.refunds.store_checked import StoreCheckedRefunds

    joined = dataclasses.replace(Settings(), store_database_url="postgresql://u@h:5432/db")
    make = refund_maker(joined, "demo")
    assert make is not RefundService
    built = make(object(), object(), clock=lambda: None, sleep=None)  # no I/O when built
    assert isinstance(built, StoreCheckedRefunds) and built.others is not None
