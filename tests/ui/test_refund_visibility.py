"""Refunds visible in the manager's console: the dialog's colours (success green, in
progress neutral, failure red), its totals line, a refund already on its way and "Refund
another amount" (PIN again), the PIN once per opening and again after 5 minutes idle, the
sales CSV's refunded and net columns, and the shop policy in About."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
from collections.abc import Callable, Coroutine, Iterator
from datetime import timedelta, timezone
from pathlib import Path
from typing import Any, TypeVar

import pytest
from manager_kit import DAY, sale_at_gateway
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from setup_kit import services
from till_fakes import FakeClock, Till, make_till

from pos_app.domain.money import Money
from pos_app.domain.sale import SaleStatus
from pos_app.services.checkout.reconcile import refresh_sale
from pos_app.services.manager.pin import hash_pin
from pos_app.services.manager.policy import POLICY_ENV
from pos_app.services.refunds.service import RefundService
from pos_app.services.reporting.queries import ReportReader
from pos_app.ui.manager.console import IDLE_SECONDS, ManagerConsole
from pos_app.ui.manager.controller import ManagerContext
from pos_app.ui.resources import stylesheet
from pos_app.ui.setup.about import AboutDialog

IST = timezone(timedelta(hours=5, minutes=30))
T = TypeVar("T")
SHOTS = Path(__file__).resolve().parents[2] / "build" / "screens"


def run(qtbot: QtBot, work: Coroutine[Any, Any, T]) -> T:
    task = asyncio.ensure_future(work)
    qtbot.waitUntil(task.done, timeout=10_000)
    return task.result()


@pytest.fixture
def till(tmp_path: Path, qloop: asyncio.AbstractEventLoop, qtbot: QtBot) -> Iterator[Till]:
    t = make_till(tmp_path, clock=FakeClock(DAY + timedelta(hours=10)))
    yield t
    run(qtbot, t.checkout.shutdown())
    run(qtbot, t.client.aclose())
    t.journal.close()


class Gate:
    """The console's PIN gate, recorded: each call is a PIN asked; it grants at once."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def __call__(self, _parent: object, what: str, then: Callable[[], object], **_: Any) -> None:
        self.asked.append(what)
        then()


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def gate() -> Gate:
    return Gate()


@pytest.fixture
def mono() -> Clock:
    return Clock()


@pytest.fixture
def console(qtbot: QtBot, till: Till, gate: Gate, mono: Clock) -> Iterator[ManagerConsole]:
    reader = ReportReader.beside(till.journal)
    refunds = RefundService(
        till.gateway, till.journal, clock=till.clock, sleep=till.clock.sleep, follow_for=0
    )
    context = ManagerContext(till.deps, reader, refunds, till.checkout, IST, pin_set=True)
    window = ManagerConsole(context, pin_gate=gate, monotonic=mono)
    qtbot.addWidget(window)
    window.show()
    yield window
    window.close()
    reader.close()


def paid(qtbot: QtBot, till: Till, rupees: int) -> str:
    sale = run(qtbot, sale_at_gateway(till, rupees, SaleStatus.AWAITING_PAYMENT))
    till.sim.customer_pays(sale.order_id)
    settled = run(qtbot, refresh_sale(till.deps, sale))
    assert settled.sale.status is SaleStatus.PAID
    return sale.order_id


def shot(widget: Any, name: str) -> None:
    """Render with the desk's stylesheet to build/screens/ (to look at, not compared)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    widget.setStyleSheet(stylesheet())
    widget.adjustSize()
    widget.grab().save(str(SHOTS / f"{name}.png"))


def refund(qtbot: QtBot, console: ManagerConsole, order_id: str, amount: str, note: str) -> Any:
    dialog = console.open_refund(order_id)
    assert dialog is not None
    dialog.amount.setText(amount)
    dialog.reason.setText(note)
    dialog.submit()
    qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=10_000)
    return dialog


def test_success_is_green_and_the_totals_line_updates(
    qtbot: QtBot, till: Till, console: ManagerConsole
) -> None:
    order_id = paid(qtbot, till, 250)
    dialog = refund(qtbot, console, order_id, "100", "SUCCESS")
    assert dialog.status.property("tone") == "success"
    assert dialog.status.objectName() == "refundStatus"
    assert "refunded or on its way ₹100.00; left ₹150.00" in dialog.heading.text()
    shot(dialog, "refund-success")


def test_failure_is_red_and_in_progress_is_neutral(
    qtbot: QtBot, till: Till, console: ManagerConsole
) -> None:
    order_id = paid(qtbot, till, 300)
    failed = refund(qtbot, console, order_id, "100", "FAILED")
    assert failed.status.property("tone") == "failure"
    assert "left ₹300.00" in failed.heading.text()  # a failed refund took nothing
    failed.close()
    pending = refund(qtbot, console, order_id, "100", "PENDING")
    assert pending.status.property("tone") == "progress"
    assert "refunded or on its way ₹100.00" in pending.heading.text()
    shot(pending, "refund-pending")


def test_a_refund_on_its_way_is_shown_and_a_further_one_asks_the_pin_again(
    qtbot: QtBot, till: Till, console: ManagerConsole, gate: Gate
) -> None:
    order_id = paid(qtbot, till, 500)
    first = refund(qtbot, console, order_id, "100", "PENDING")
    first.close()
    console.ask_refund(order_id)  # fresh: no PIN asked again
    assert gate.asked == []
    dialog = console.refund_dialog
    assert dialog is not None and dialog.waiting is not None
    assert dialog.another.isVisible()
    assert "₹100.00 is already on its way (refund RF-" in dialog.status.text()
    assert "pending since" in dialog.status.text()
    assert dialog.status.property("tone") == "progress"
    shot(dialog, "refund-on-its-way")
    # "Refund" with another amount: refused, nothing sent, the one on its way is named.
    dialog.amount.setText("50")
    dialog.reason.setText("SUCCESS")
    dialog.submit()
    qtbot.waitUntil(lambda: dialog.go.isEnabled(), timeout=10_000)
    assert "already on its way" in dialog.status.text()
    assert len(till.journal.refunds_for(order_id)) == 1
    # "Refund another amount…": the PIN again, then a second refund.
    dialog.another.click()
    assert gate.asked == ["make a FURTHER refund while one is on its way"]
    qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=10_000)
    assert dialog.outcome is not None and dialog.outcome.succeeded
    assert dialog.status.property("tone") == "success"
    assert len(till.journal.refunds_for(order_id)) == 2


def test_the_pin_is_asked_again_only_after_five_minutes_idle(
    qtbot: QtBot, till: Till, console: ManagerConsole, gate: Gate, mono: Clock
) -> None:
    order_id = paid(qtbot, till, 200)
    console.ask_refund(order_id)
    assert gate.asked == []  # the console was opened with the PIN
    assert console.refund_dialog is not None
    console.refund_dialog.close()
    mono.now += IDLE_SECONDS - 10
    qtbot.mouseClick(console.tabs.tabBar(), Qt.MouseButton.LeftButton)  # some activity
    mono.now += IDLE_SECONDS - 10  # active 290 s ago: still fresh
    console.ask_refund(order_id)
    assert gate.asked == []
    assert console.refund_dialog is not None
    console.refund_dialog.close()
    mono.now += IDLE_SECONDS + 1
    console.ask_refund(order_id)
    assert gate.asked == ["refund"]
    console.refund_dialog.close()  # type: ignore[union-attr]
    console.ask_refund(order_id)  # just given: fresh again
    assert gate.asked == ["refund"]


def test_the_sales_csv_from_the_console_has_refunded_and_net(
    qtbot: QtBot, till: Till, console: ManagerConsole, tmp_path: Path
) -> None:
    order_id = paid(qtbot, till, 400)
    refund(qtbot, console, order_id, "150", "SUCCESS").close()
    console.tabs.setCurrentWidget(console.day_end)
    console.day_end.days.set_days(DAY.astimezone(IST).date())
    console.export_day_sales(tmp_path / "sales.csv")
    qtbot.waitUntil(lambda: (tmp_path / "sales.csv").exists(), timeout=10_000)
    rows = list(csv.DictReader(io.StringIO((tmp_path / "sales.csv").read_text("utf-8"))))
    row = next(r for r in rows if r["order_id"] == order_id)
    assert (row["amount"], row["refunded"], row["net"]) == ("400.00", "150.00", "250.00")
    assert till.journal.refunded_total(order_id, include_pending=False) == Money.rupees(150)


def test_about_shows_the_shop_policy(
    qtbot: QtBot, qloop: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "policy.json"
    path.write_text(
        json.dumps(
            {
                "manager_pin_hash": hash_pin("4826"),
                "max_refund_per_day": "5000",
                "environment": "production",
                "cli_refunds": False,
            }
        ),
        encoding="utf-8",
    )
    path.chmod(0o644)
    monkeypatch.setenv(POLICY_ENV, str(path))
    dialog = AboutDialog(services(environment="sandbox"))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(dialog.copy_button.isEnabled, timeout=5000)
    text = dialog.details.toPlainText()
    if os.geteuid() == 0:
        for expected in (
            f"Shop policy: {path}",
            "Manager PIN: pinned by the policy",
            "Refunds per day: at most ₹5,000.00",
            "Environment: locked to production",
            "Refunds from the command line: refused",
        ):
            assert expected in text, expected
    else:  # the file is the tester's own, so the till refuses to obey it, and says so
        assert "is not owned by root" in text
    assert "4826" not in text and "scrypt" not in text
    shot(dialog, "about-policy")


def test_refund_again_with_the_amount_on_its_way_reports_it_and_sends_nothing_new(
    qtbot: QtBot, till: Till, console: ManagerConsole
) -> None:
    order_id = paid(qtbot, till, 500)
    refund(qtbot, console, order_id, "100", "PENDING").close()
    dialog = console.open_refund(order_id)
    assert dialog is not None and dialog.amount.text() == "100.00"  # the one on its way
    dialog.submit()
    qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=10_000)
    assert dialog.outcome is not None and dialog.outcome.resumed
    assert dialog.status.property("tone") == "progress"
    assert len(till.journal.refunds_for(order_id)) == 1
    posts = till.transport.count("POST", f"/pg/orders/{order_id}/refunds")
    assert posts == 1  # the first refund only


def test_without_any_pin_in_sandbox_the_desk_offers_to_set_the_first_one(
    qtbot: QtBot, qloop: object, _memory_keyring: object
) -> None:
    from PySide6.QtWidgets import QWidget

    from pos_app.config import paths
    from pos_app.secrets import KeyringSecretStore
    from pos_app.services.manager.pin_vault import read_vault
    from pos_app.ui.setup.first_pin import FirstPinDialog
    from pos_app.ui.setup.pin_dialog import gate_manager_action

    parent = QWidget()
    qtbot.addWidget(parent)
    granted: list[bool] = []
    task = gate_manager_action(
        parent,
        "refund",
        lambda: granted.append(True),
        paths=paths(),
        environment="sandbox",
        vault=KeyringSecretStore(),
    )
    qtbot.waitUntil(task.done, timeout=5000)
    dialog = task.result()
    assert isinstance(dialog, FirstPinDialog) and not granted
    dialog.page.pin.setText("1234")  # a run of digits: refused, nothing saved
    dialog.page.repeat.setText("1234")
    dialog.save()
    assert dialog.problem.isVisible() and read_vault(KeyringSecretStore()) is None
    shot(dialog, "first-pin")
    dialog.page.pin.setText("2580")
    dialog.page.repeat.setText("2580")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save()
    assert granted == [True]
    record = read_vault(KeyringSecretStore())
    assert record is not None and record.pin_hash is not None
