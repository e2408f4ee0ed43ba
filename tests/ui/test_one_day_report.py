"""One day-report pipeline: `pos-app report` and the manager console's day end show the same
figures, and both take them from the one grouped read of the day (store/report_sql.py).

The journal holds two days of sales of every status, late payments, partial, pending,
failed and cancelled refunds, every method and payment type, plus an earlier day outside
the range. The expected figures are tallied by the test's own generator (manager_kit), not
by the code under test. A second test adds a sale that exists only in the result of the one
grouped read: both surfaces must show it, which fails if either adds up the day itself.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import datetime, timedelta, tzinfo
from pathlib import Path

import pytest
from manager_kit import DAY, Clock, Expected, fill_day
from pytestqt.qtbot import QtBot
from till_fakes import FakeClock, Till, make_till

from pos_app.cli import main
from pos_app.config import journal_path, paths
from pos_app.domain.money import Money
from pos_app.domain.sale import Method, SaleStatus
from pos_app.services.refunds.service import RefundService
from pos_app.services.reporting.queries import ReportReader
from pos_app.services.reporting.reports import local_zone
from pos_app.store import report_sql
from pos_app.store.journal import Journal
from pos_app.store.report_sql import GroupRow
from pos_app.ui.manager import text
from pos_app.ui.manager.console import ManagerConsole
from pos_app.ui.manager.controller import ManagerContext

EXTRA = Money(12_345_67)  # a sale only the patched grouped read knows about


class Day:
    """The journal the CLI reads (the demo journal in this test's POS_DATA_DIR)."""

    def __init__(self, journal: Journal, expected: Expected, zone: tzinfo) -> None:
        self.journal = journal
        self.expected = expected
        self.zone = zone
        self.first = DAY.astimezone(zone).date()
        self.last = (DAY + timedelta(days=2)).astimezone(zone).date()


def _merge(a: Expected, b: Expected) -> Expected:
    both = Expected()
    for name in ("by_status", "paise_by_status", "paid_by_method"):
        getattr(both, name).update(getattr(a, name))
        getattr(both, name).update(getattr(b, name))
    both.refunded = a.refunded + b.refunded
    both.refunded_count = a.refunded_count + b.refunded_count
    both.pending_refunds = a.pending_refunds + b.pending_refunds
    both.pending_refund_count = a.pending_refund_count + b.pending_refund_count
    both.late = a.late + b.late
    return both


@pytest.fixture
def day() -> Iterator[Day]:
    clock = Clock()
    journal = Journal.open(journal_path(paths(), "demo"), clock=clock)
    zone = local_zone()
    fill_day(journal, clock, sales=30, seed=5, day=DAY - timedelta(days=4), prefix="OLD")
    first = fill_day(journal, clock, sales=160, seed=11, day=DAY, prefix="D1")
    second = fill_day(journal, clock, sales=140, seed=12, day=DAY + timedelta(days=1), prefix="D2")
    yield Day(journal, _merge(first, second), zone)
    journal.close()


@pytest.fixture
def till(
    day: Day, tmp_path: Path, qloop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> Iterator[Till]:
    t = make_till(tmp_path, journal=day.journal, clock=FakeClock(DAY + timedelta(days=3)))
    yield t
    _run(qtbot, t.checkout.shutdown())
    _run(qtbot, t.client.aclose())


def _run(qtbot: QtBot, work: object) -> None:
    task = asyncio.ensure_future(work)  # type: ignore[arg-type]
    qtbot.waitUntil(task.done, timeout=10_000)


def cli_figures(day: Day) -> dict[str, object]:
    """What `pos-app report --format json` (and its table) says about the two days."""
    argv = ["--demo", "report", "--from", f"{day.first}", "--to", f"{day.last}"]
    out = Path(paths().data_dir) / "report.json"
    assert main([*argv, "--format", "json", "--output", str(out)]) == 0
    body = json.loads(out.read_text(encoding="utf-8"))
    table = Path(paths().data_dir) / "report.txt"
    assert main([*argv, "--output", str(table)]) == 0
    collected_line = next(
        line
        for line in table.read_text(encoding="utf-8").splitlines()
        if line.startswith("Collected")
    )
    return {
        "collected": (body["collected"]["count"], body["collected"]["paise"]),
        "collected_line": collected_line,
        "refunded": (body["refunded"]["count"], body["refunded"]["paise"]),
        "net": body["net"]["paise"],
        "pending_refunds": (body["pending_refunds"]["count"], body["pending_refunds"]["paise"]),
        "late": body["late_payments"],
        "counts": {s: body["by_status"][s.value]["count"] for s in SaleStatus},
        "by_method": {m: body["paid_by_method"][m.value]["paise"] for m in Method},
    }


def console_figures(qtbot: QtBot, till: Till, day: Day) -> dict[str, str]:
    """What the console's day end shows for the same two days (loaded as the desk loads it)."""
    reader = ReportReader.beside(till.journal)
    refunds = RefundService(till.gateway, till.journal, clock=till.clock, sleep=till.clock.sleep)
    context = ManagerContext(till.deps, reader, refunds, till.checkout, day.zone, pin_set=False)
    window = ManagerConsole(context)
    qtbot.addWidget(window)
    try:
        window.show()
        window.tabs.setCurrentWidget(window.day_end)
        view = window.day_end
        view.days.set_days(day.first, day.last)
        start, end = view.days.bounds()
        view.request_load()
        qtbot.waitUntil(
            lambda: (
                view.report is not None and (view.report.start, view.report.end) == (start, end)
            ),
            timeout=10_000,
        )
        shown = {name: label.text() for name, label in view.values.items()}
        shown["by_method"] = view.by_method.text()
        return shown
    finally:
        window.close()
        reader.close()


def _tally(paise: int, count: int) -> str:
    return f"{Money(paise).format()}  ({count:,})"


def assert_both_show(cli: dict[str, object], console: dict[str, str], want: Expected) -> None:
    paid = want.paise_by_status[SaleStatus.PAID]
    paid_count = want.by_status[SaleStatus.PAID]
    assert cli["collected"] == (paid_count, paid)
    assert str(cli["collected_line"]).split()[1] == Money(paid).format()
    assert console[text.COLLECTED] == _tally(paid, paid_count)
    assert cli["refunded"] == (want.refunded_count, want.refunded)
    assert console[text.REFUNDED] == _tally(want.refunded, want.refunded_count)
    assert cli["net"] == paid - want.refunded
    assert console[text.NET] == Money(paid - want.refunded).format()
    assert cli["pending_refunds"] == (want.pending_refund_count, want.pending_refunds)
    assert console[text.PENDING_REFUNDS] == _tally(want.pending_refunds, want.pending_refund_count)
    assert cli["late"] == want.late
    counts = cli["counts"]
    assert isinstance(counts, dict)
    for status in SaleStatus:
        assert counts[status] == want.by_status[status], status
    for status in (SaleStatus.PAID, SaleStatus.EXPIRED, SaleStatus.CANCELLED, SaleStatus.FAILED):
        assert console[text.STATUS_NAMES[status]] == f"{want.by_status[status]:,}"
    by_method = cli["by_method"]
    assert isinstance(by_method, dict)
    for method in Method:
        assert by_method[method] == want.paid_by_method[method], method
        assert (
            f"{method.label}: {Money(want.paid_by_method[method]).format()}" in console["by_method"]
        )


def test_the_cli_and_the_console_show_the_same_two_days(qtbot: QtBot, day: Day, till: Till) -> None:
    want = day.expected
    assert want.refunded and want.pending_refunds and want.late  # the journal has them all
    assert all(want.by_status[s] for s in SaleStatus)
    assert sum(1 for m in Method if want.paid_by_method[m]) >= 3
    assert_both_show(cli_figures(day), console_figures(qtbot, till, day), want)


def test_both_surfaces_take_the_figures_from_the_one_grouped_read(
    qtbot: QtBot, day: Day, till: Till, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = report_sql.day_groups

    def with_one_more(
        conn: object,
        start: datetime,
        end: datetime,
        terminal_id: str | None = None,
        *,
        origin: datetime | None = None,
    ) -> list[GroupRow]:
        rows = real(conn, start, end, terminal_id, origin=origin)  # type: ignore[arg-type]
        if origin is None or origin == start:  # once per report, also when read in slices
            rows.append(GroupRow(0, SaleStatus.PAID, Method.LINK, "upi", 1, EXTRA, 0, ()))
        return rows

    monkeypatch.setattr(report_sql, "day_groups", with_one_more)
    want = day.expected
    want.by_status[SaleStatus.PAID] += 1
    want.paise_by_status[SaleStatus.PAID] += EXTRA.paise
    want.paid_by_method[Method.LINK] += EXTRA.paise
    assert_both_show(cli_figures(day), console_figures(qtbot, till, day), want)


def test_the_totals_line_above_the_list_adds_up_the_same_way(day: Day) -> None:
    from pos_app.services.reporting.queries import SalesFilter
    from pos_app.services.reporting.reports import day_bounds
    from pos_app.ui.manager.totals import totals_line

    want = day.expected
    start, end = day_bounds(day.first, day.last, day.zone)
    reader = ReportReader.beside(day.journal)
    try:
        everything = SalesFilter(start, end)
        count = len(reader.sale_ids(everything))
        paid = Money(want.paise_by_status[SaleStatus.PAID])
        opened = want.by_status[SaleStatus.AWAITING_PAYMENT] + want.by_status[SaleStatus.CREATED]
        opened += want.by_status[SaleStatus.UNCERTAIN]
        unpaid = sum(want.by_status[s] for s in SaleStatus) - want.by_status[SaleStatus.PAID]
        assert totals_line(reader, everything, count) == (
            f"{count:,} sales · collected {paid.format()} from"
            f" {want.by_status[SaleStatus.PAID]:,} paid · {opened:,} still open"
            f" · {unpaid - opened:,} not paid"
        )
        expired = SalesFilter(start, end, statuses=frozenset({SaleStatus.EXPIRED}))
        assert totals_line(reader, expired, 1) == (
            f"1 sale · collected {Money(0).format()} from 0 paid"
            f" · {want.by_status[SaleStatus.EXPIRED]:,} not paid"
        )
    finally:
        reader.close()
