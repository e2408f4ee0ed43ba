"""The desk joined to a store database: its header shows the outbox, its pusher runs with
the window, and its polling takes the push backstop (app.store_link, ui.store_join)."""

from __future__ import annotations

import sys
from pathlib import Path

import psycopg
from pytestqt.qtbot import QtBot

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ui"))

from desk_kit import FakeCheckout
from test_main_window import make_window

from pos_app.cli import main
from pos_app.domain.money import Money
from pos_app.domain.sale import Method, Sale, SaleStatus
from pos_app.secrets import KeyringSecretStore


def test_desk_pushes_and_shows_the_backlog(store_url: str, qtbot: QtBot, qloop: object) -> None:
    from pos_app import app
    from pos_app.ui.store_join import join_store

    assert main(["config", "set", "store_database_url", store_url]) == 0
    runtime = app.open_runtime("demo")
    try:
        now = runtime.deps.clock()
        runtime.journal.create_sale(
            Sale(
                order_id="T1-desk-1",
                terminal_id="T1",
                environment="demo",
                amount=Money(5_000),
                method=Method.UPI_QR,
                status=SaleStatus.CREATED,
                idempotency_key="k",
                created_at=now,
                updated_at=now,
            )
        )
        services = app.runtime_desk_services(runtime, KeyringSecretStore(timeout=3))
        link = services.store
        assert link is not None and link.reader is not None  # the console's Store tab too
        assert runtime.deps.schedule.backstop is not None
        assert runtime.deps.schedule.backstop() is None  # no receiver heard yet: fast polling
        window = make_window(qtbot, FakeCheckout())
        join_store(window, link)
        label = window.header.findChild(type(window.header.connection), "storeSync")
        assert label is not None
        qtbot.waitUntil(lambda: label.text() == "store sync: up to date", timeout=10_000)
        with psycopg.connect(store_url) as conn:
            assert conn.execute("SELECT order_id FROM sales").fetchall() == [("T1-desk-1",)]
        window.close()  # the pusher stops with the window
        assert label.task is None
        qtbot.wait(100)
    finally:
        runtime.journal.close()
