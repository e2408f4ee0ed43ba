"""Issue 11 item 11: reading the till's own journal needs no secret. `report`, and `status`
of a final sale (or with --no-refresh), open only the journal: no password store, no HTTP
client, no gateway. And every HTTP client a command does open is closed again."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import ClassVar

import httpx
import keyring
import keyring.errors
import pytest
from keyring.backend import KeyringBackend

from pos_app import app as app_module
from pos_app.cli import main
from pos_app.commands import exit_codes
from pos_app.config import journal_path, load_settings, paths, save_settings
from pos_app.domain.money import Money
from pos_app.domain.sale import Method, Sale, SaleStatus
from pos_app.store.journal import Journal


class LockedKeyring(KeyringBackend):
    """A password store that is there but locked: every read fails, and counts itself."""

    priority = -10  # type: ignore[assignment]
    asked = 0

    def get_password(self, service: str, username: str) -> str | None:
        type(self).asked += 1
        raise keyring.errors.KeyringLocked("the collection is locked")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.KeyringLocked("the collection is locked")

    def delete_password(self, service: str, username: str) -> None:
        raise keyring.errors.KeyringLocked("the collection is locked")


@pytest.fixture
def locked_keyring() -> Iterator[type[LockedKeyring]]:
    previous = keyring.get_keyring()
    LockedKeyring.asked = 0
    keyring.set_keyring(LockedKeyring())
    try:
        yield LockedKeyring
    finally:
        keyring.set_keyring(previous)


class CountingClient(httpx.AsyncClient):
    made: ClassVar[list[CountingClient]] = []

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        CountingClient.made.append(self)


@pytest.fixture
def clients(monkeypatch: pytest.MonkeyPatch) -> list[CountingClient]:
    CountingClient.made = []
    monkeypatch.setattr(app_module.httpx, "AsyncClient", CountingClient)
    return CountingClient.made


def _production_till_with(*sales: Sale) -> None:
    where = paths()
    settings = dataclasses.replace(load_settings(where).settings, environment="production")
    save_settings(where, settings)
    with Journal.open(journal_path(where, "production")) as journal:
        for sale in sales:
            journal.create_sale(sale)


def _sale(order_id: str, status: SaleStatus, **more: object) -> Sale:
    now = datetime.now(UTC)
    values: dict[str, object] = {
        "order_id": order_id,
        "terminal_id": "T1",
        "environment": "production",
        "amount": Money(43210),
        "method": Method.UPI_QR,
        "status": status,
        "idempotency_key": f"idem-{order_id}",
        "created_at": now - timedelta(minutes=5),
        "updated_at": now - timedelta(minutes=4),
    }
    values.update(more)
    return Sale(**values)  # type: ignore[arg-type]


def test_report_with_a_locked_keyring_prints_the_day(
    locked_keyring: type[LockedKeyring],
    clients: list[CountingClient],
    capsys: pytest.CaptureFixture[str],
) -> None:
    now = datetime.now(UTC)
    _production_till_with(
        _sale("T1-PAID-1", SaleStatus.PAID, paid_at=now, bank_reference="UTR123456")
    )
    code = main(["report"])
    captured = capsys.readouterr()
    assert code == exit_codes.PAID, captured.err
    assert "432.10" in captured.out
    assert "(1 paid)" in captured.out
    assert locked_keyring.asked == 0
    assert clients == []


def test_status_of_a_final_sale_reads_the_journal_only(
    locked_keyring: type[LockedKeyring],
    clients: list[CountingClient],
    capsys: pytest.CaptureFixture[str],
) -> None:
    _production_till_with(_sale("T1-PAID-2", SaleStatus.PAID, paid_at=datetime.now(UTC)))
    code = main(["status", "T1-PAID-2"])
    captured = capsys.readouterr()
    assert code == exit_codes.PAID, captured.err
    assert "PAID" in captured.out and "T1-PAID-2" in captured.out
    assert locked_keyring.asked == 0
    assert clients == []


def test_status_no_refresh_of_an_open_sale_reads_the_journal_only(
    locked_keyring: type[LockedKeyring],
    clients: list[CountingClient],
    capsys: pytest.CaptureFixture[str],
) -> None:
    _production_till_with(_sale("T1-OPEN-1", SaleStatus.AWAITING_PAYMENT))
    code = main(["status", "T1-OPEN-1", "--no-refresh"])
    captured = capsys.readouterr()
    assert code == exit_codes.PAID, captured.err
    assert "AWAITING_PAYMENT" in captured.out
    assert "Not refreshed from Cashfree" in captured.out
    assert locked_keyring.asked == 0
    assert clients == []


def test_status_of_an_open_sale_still_asks_cashfree(
    locked_keyring: type[LockedKeyring],
    clients: list[CountingClient],
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Refreshing needs the credentials: with the store locked that is a setup problem,
    # said as such, and no client is left behind.
    _production_till_with(_sale("T1-OPEN-2", SaleStatus.AWAITING_PAYMENT))
    code = main(["status", "T1-OPEN-2"])
    captured = capsys.readouterr()
    assert code == exit_codes.SETUP
    assert "locked" in captured.err
    assert locked_keyring.asked >= 1
    assert all(client.is_closed for client in clients)


def test_every_client_a_refreshing_status_opens_is_closed(
    clients: list[CountingClient], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--demo", "charge", "12", "--timeout", "0.5"]) == exit_codes.CANCELLED
    order_id = next(
        line.split()[1].rstrip(":")
        for line in capsys.readouterr().out.splitlines()
        if line.startswith("Order ")
    )
    assert clients and all(client.is_closed for client in clients)
    clients.clear()
    assert main(["--demo", "status", order_id]) == exit_codes.PAID
    assert len(clients) == 1 and clients[0].is_closed


def test_a_journal_that_cannot_open_leaves_no_client_open(
    clients: list[CountingClient], capsys: pytest.CaptureFixture[str], _isolated_data_dir: Path
) -> None:
    journal_path(paths(), "demo").mkdir(parents=True)  # a folder where the file should be
    assert main(["--demo", "charge", "10"]) == exit_codes.SETUP
    assert "journal" in capsys.readouterr().err.lower()
    assert all(client.is_closed for client in clients)
