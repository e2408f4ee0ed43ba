"""The day report's SQL (store/report_sql.py) over a generated journal, checked against
facts computed in Python: the hourly groups, the sales flagged for a look, the refunds not
yet final, and that every way of asking the one grouped read adds up to the same totals."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from store.kit import START, Clock, sale_factory

from pos_app.domain.money import Money
from pos_app.domain.sale import OPEN_STATUSES, Method, Sale, SaleStatus
from pos_app.store import report_sql
from pos_app.store.codec import RefundRecord
from pos_app.store.journal import Journal

DAY0 = START.replace(hour=0, minute=0)
REFUND_STATUSES = ("SUCCESS", "PENDING", "ONHOLD", "REQUESTED", "FAILED", "CANCELLED")


@dataclass
class World:
    path: Path
    journal: Journal
    sales: list[Sale]
    refunds: list[RefundRecord]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    rng = random.Random(77)
    clock = Clock(DAY0)
    make = sale_factory(clock)
    path = tmp_path_factory.mktemp("report-sql") / "journal-demo.sqlite3"
    journal = Journal.open(path, clock=clock)
    sales: list[Sale] = []
    refunds: list[RefundRecord] = []
    for n in range(300):
        created = DAY0 + timedelta(milliseconds=rng.randrange(2 * 86_400_000))
        status = rng.choice(list(SaleStatus))
        paid = status is SaleStatus.PAID
        sale = make(
            order_id=f"ORD-{n:05d}",
            terminal_id=rng.choice(("T1", "T2")),
            amount=Money(rng.randrange(100, 5_00_000)),
            method=rng.choice(list(Method)),
            status=status,
            created_at=created,
            updated_at=created,
            payment_group=rng.choice(("upi", "wallet", None)) if paid else None,
            paid_at=created + timedelta(minutes=1) if paid else None,
            late=paid and n % 7 == 0,
            duplicate_override=n % 11 == 0,
        )
        sales.append(journal.create_sale(sale))
        if paid and n % 2 == 0:
            at = created + timedelta(hours=rng.randrange(0, 20))
            record = RefundRecord(
                refund_id=f"R-{n}",
                order_id=sale.order_id,
                amount=Money(max(1, sale.amount.paise // 4)),
                status=rng.choice(REFUND_STATUSES),
                idempotency_key=f"rk-{n}",
                created_at=at,
                updated_at=at,
            )
            refunds.append(journal.create_refund(record, another=True))
    yield World(path, journal, sales, refunds)
    journal.close()


@pytest.fixture
def conn(world: World) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(f"file:{world.path}?mode=ro", uri=True)
    yield connection
    connection.close()


@pytest.mark.parametrize("terminal", [None, "T1"])
def test_hourly_groups_and_flagged_sales_match_python(
    world: World, conn: sqlite3.Connection, terminal: str | None
) -> None:
    start, end = DAY0, DAY0 + timedelta(days=1)
    mine = [
        s for s in world.sales if start <= s.created_at < end and terminal in (None, s.terminal_id)
    ]
    rows = report_sql.day_groups(conn, start, end, terminal)
    for hour in range(24):
        in_hour = [s for s in mine if (s.created_at - start) // timedelta(hours=1) == hour]
        assert sum(r.count for r in rows if r.slot == hour) == len(in_hour)
        assert sum(r.amount.paise for r in rows if r.slot == hour) == sum(
            s.amount.paise for s in in_hour
        )
    flagged = {order_id for r in rows for order_id in r.flagged}
    assert flagged == {
        s.order_id for s in mine if s.late or s.duplicate_override or s.status in OPEN_STATUSES
    }
    assert flagged, "the generated day should have sales that need a look"


@pytest.mark.parametrize("terminal", [None, "T2"])
def test_every_way_of_asking_adds_up_to_the_same_totals(
    world: World, conn: sqlite3.Connection, terminal: str | None
) -> None:
    start, end = DAY0 + timedelta(hours=5), DAY0 + timedelta(days=1, hours=7)
    hourly = report_sql.fold_totals(
        start,
        end,
        report_sql.day_groups(conn, start, end, terminal),
        report_sql.refund_groups(conn, start, end, terminal),
    )
    compact = report_sql.fold_totals(
        start,
        end,
        report_sql.day_groups(conn, start, end, terminal, hourly=False, flagged=False),
        report_sql.refund_groups(conn, start, end, terminal, hourly=False),
    )
    assert hourly == compact == world.journal.day_totals(start, end, terminal)
    assert compact.paid.count == sum(
        1
        for s in world.sales
        if s.status is SaleStatus.PAID
        and start <= s.created_at < end
        and terminal in (None, s.terminal_id)
    )


@pytest.mark.parametrize("terminal", [None, "T1", "T2"])
def test_unfinished_refunds_are_every_refund_not_final(
    world: World, conn: sqlite3.Connection, terminal: str | None
) -> None:
    terminal_of = {s.order_id: s.terminal_id for s in world.sales}
    expected = sorted(
        (
            r
            for r in world.refunds
            if r.status not in report_sql.FINAL_REFUND_STATUSES
            and terminal in (None, terminal_of[r.order_id])
        ),
        key=lambda r: (r.created_at, r.refund_id),
    )
    found = report_sql.unfinished_refunds(conn, terminal)
    assert [r.refund_id for r in found] == [r.refund_id for r in expected]
    assert found and {r.status for r in found} <= {"PENDING", "ONHOLD", "REQUESTED"}
    if terminal is None:
        assert {r.status for r in found} == {"PENDING", "ONHOLD", "REQUESTED"}
