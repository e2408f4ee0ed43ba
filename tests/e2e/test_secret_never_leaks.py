"""The client secret against a real Secret Service (GNOME Keyring on a private D-Bus; see
TESTING.md and .ci/run): set through the CLI in a subprocess with the secret on stdin, read
back through keyring, proven with `credentials test`, used for sales with full DEBUG
logging; then it must occur in no file under POS_DATA_DIR (journal, settings, logs,
backups) and in nothing any process printed."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest

from pos_app.commands import exit_codes
from pos_app.simulator import SIM_CLIENT_ID, SIM_CLIENT_SECRET, Simulator, start_server

pytestmark = pytest.mark.secret_service

SERVICE = "pos_app"


class Cashier:
    """Runs `python -m pos_app ...` like a shop owner's terminal would, keeping every output."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.outputs: list[str] = []

    def run(self, *args: str, stdin: str = "", timeout: float = 90) -> int:
        done = subprocess.run(
            [sys.executable, "-m", "pos_app", *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=self.env,
            timeout=timeout,
        )
        self.outputs.append(done.stdout + done.stderr)
        return done.returncode


class PayingCustomer(threading.Thread):
    """Pays the first order that appears at the simulated Cashfree."""

    def __init__(self, sim: Simulator) -> None:
        super().__init__(daemon=True)
        self.sim = sim
        self.stop = threading.Event()
        self.paid: list[str] = []

    def run(self) -> None:
        while not self.stop.wait(0.05):
            ids = self.sim.order_ids()
            if ids:
                self.sim.customer_pays(ids[0])
                self.paid.append(ids[0])
                return


@pytest.fixture
def cashfree() -> Iterator[tuple[Simulator, str]]:
    sim = Simulator()
    handle = start_server(sim)
    try:
        yield sim, handle.url + "/pg"
    finally:
        handle.stop()


def _files_holding(root: Path, needle: bytes) -> list[str]:
    return [
        str(path.relative_to(root))
        for path in sorted(root.rglob("*"))
        if path.is_file() and needle in path.read_bytes()
    ]


def test_the_secret_lives_only_in_the_secret_service(
    cashfree: tuple[Simulator, str], _isolated_data_dir: Path
) -> None:
    backend = type(keyring.get_keyring()).__module__
    assert "SecretService" in backend, (
        f"this test needs a real Secret Service, not {backend}: run it under dbus-run-session "
        "with an unlocked gnome-keyring-daemon (TESTING.md)"
    )
    sim, base_url = cashfree
    env = {
        **os.environ,
        "POS_DATA_DIR": str(_isolated_data_dir),
        "POS_CASHFREE_BASE_URL": base_url,
        "POS_LOG_LEVEL": "DEBUG",
    }
    cashier = Cashier(env)
    try:
        set_code = cashier.run(
            "credentials", "set", "--env", "sandbox", "--app-id", SIM_CLIENT_ID,
            stdin=SIM_CLIENT_SECRET + "\n",
        )  # fmt: skip
        assert set_code == 0, cashier.outputs[-1]
        assert keyring.get_password(SERVICE, "sandbox/client_secret") == SIM_CLIENT_SECRET
        assert keyring.get_password(SERVICE, "sandbox/app_id") == SIM_CLIENT_ID

        assert cashier.run("credentials", "test", "--env", "sandbox") == 0, cashier.outputs[-1]
        assert "These credentials work" in cashier.outputs[-1]

        # Cashfree needs a customer phone on every order: the store's default one.
        assert cashier.run("config", "set", "default_customer_phone", "9876543210") == 0
        customer = PayingCustomer(sim)
        customer.start()
        paid = cashier.run("--env", "sandbox", "charge", "25", "--timeout", "30")
        customer.stop.set()
        assert paid == exit_codes.PAID, cashier.outputs[-1]
        assert customer.paid and "PAID" in cashier.outputs[-1]

        ended = cashier.run("--env", "sandbox", "charge", "10", "--timeout", "2")
        assert ended == exit_codes.CANCELLED, cashier.outputs[-1]
        assert cashier.run("--env", "sandbox", "reconcile") == 0, cashier.outputs[-1]
        assert cashier.run("config", "show") == 0
    finally:
        cashier.run("credentials", "delete", "--env", "sandbox")
    assert keyring.get_password(SERVICE, "sandbox/client_secret") is None

    log = (_isolated_data_dir / "logs" / "pos_app.log").read_text(encoding="utf-8")
    assert " DEBUG " in log and "get_order" in log  # full logging really was on
    files = [p for p in _isolated_data_dir.rglob("*") if p.is_file()]
    assert any(p.name.startswith("journal-sandbox") for p in files)
    assert _files_holding(_isolated_data_dir, SIM_CLIENT_SECRET.encode()) == []
    assert _files_holding(_isolated_data_dir, SIM_CLIENT_SECRET.encode("utf-16-le")) == []
    leaks = [i for i, text in enumerate(cashier.outputs) if SIM_CLIENT_SECRET in text]
    assert leaks == [], [cashier.outputs[i] for i in leaks]
