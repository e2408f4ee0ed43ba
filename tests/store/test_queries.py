"""Queries over a generated journal, checked against sums computed in Python."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from store.kit import START, Clock, MakeSale, sale_factory

from pos_app.domain.money import Money
from pos_app.domain.sale import Method, Sale, SaleStatus
from pos_app.store.codec import RefundRecord
from pos_app.store.errors import JournalError
from pos_app.store.journal import Journal
from pos_app.store.queries import NO_GROUP, Tally

DAY0 = START.replace(hour=0, minute=0)
GROUPS = ("upi", "credit_card", "wallet", None)
REFUND_STATUSES = ("SUCCESS", "PENDING", "ONHOLD", "FAILED", "CANCELLED")


@dataclass
class World:
    journal: Journal
    sales: list[Sale]
    refunds: list[RefundRecord]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    rng = random.Random(20260314)
    clock = Clock(DAY0)
    make = sale_factory(clock)
    path = tmp_path_factory.mktemp("world") / "journal-demo.sqlite3"
    journal = Journal.open(path, clock=clock)
    sales: list[Sale] = []
    refunds: list[RefundRecord] = []
    for n in range(360):
        created = DAY0 + timedelta(milliseconds=rng.randrange(3 * 86_400_000))
        status = rng.choice(list(SaleStatus))
        paid = status is SaleStatus.PAID
        sale = make(
            order_id=f"ORD-{n:05d}",
            terminal_id=rng.choice(("T1", "T2")),
            amount=Money(rng.randrange(100, 5_00_000)),
            method=rng.choice(list(Method)),
            status=status,
            created_at=created,
            updated_at=created + timedelta(minutes=rng.randrange(0, 30)),
            bill_number=f"B-{n:04d}" if n % 3 else None,
            customer_phone=f"98{n:08d}" if n % 4 == 0 else None,
            bank_reference=f"UTR{n:09d}" if paid else None,
            payment_group=rng.choice(GROUPS) if paid else None,
            paid_at=created + timedelta(minutes=1) if paid else None,
            late=paid and n % 7 == 0,
        )
        sales.append(journal.create_sale(sale))
        if paid and n % 2 == 0:
            for k in range(rng.randrange(1, 3)):
                at = created + timedelta(hours=rng.randrange(0, 30))
                record = RefundRecord(
                    refund_id=f"R-{n}-{k}",
                    order_id=sale.order_id,
                    amount=Money(max(1, sale.amount.paise // 3)),
                    status=rng.choice(REFUND_STATUSES),
                    idempotency_key=f"rk-{n}-{k}",
                    created_at=at,
                    updated_at=at,
                )
                refunds.append(journal.create_refund(record, another=True))
    yield World(journal, sales, refunds)
    journal.close()


def _tally(sales: list[Sale]) -> Tally:
    return Tally(len(sales), Money(sum(s.amount.paise for s in sales)))


@pytest.mark.parametrize("terminal", [None, "T1", "T2"])
@pytest.mark.parametrize("day", [0, 1, 2])
def test_day_totals_match_python(world: World, day: int, terminal: str | None) -> None:
    start, end = DAY0 + timedelta(days=day), DAY0 + timedelta(days=day + 1)
    mine = [
        s for s in world.sales if start <= s.created_at < end and terminal in (None, s.terminal_id)
    ]
    assert mine, "the generated day should have sales"
    totals = world.journal.day_totals(start, end, terminal)

    for status in SaleStatus:
        assert totals.by_status[status] == _tally([s for s in mine if s.status is status])
    paid = [s for s in mine if s.status is SaleStatus.PAID]
    assert totals.paid == _tally(paid)
    for method in Method:
        assert totals.paid_by_method[method] == _tally([s for s in paid if s.method is method])
    groups = {s.payment_group or NO_GROUP for s in paid}
    assert set(totals.paid_by_group) == groups
    for group in groups:
        expected = _tally([s for s in paid if (s.payment_group or NO_GROUP) == group])
        assert totals.paid_by_group[group] == expected
    assert totals.late == sum(1 for s in mine if s.late)

    terminal_of = {s.order_id: s.terminal_id for s in world.sales}
    day_refunds = [
        r
        for r in world.refunds
        if start <= r.created_at < end and terminal in (None, terminal_of[r.order_id])
    ]
    done = [r for r in day_refunds if r.status == "SUCCESS"]
    pending = [r for r in day_refunds if r.status in ("PENDING", "ONHOLD")]
    assert totals.refunded == Tally(len(done), Money(sum(r.amount.paise for r in done)))
    assert totals.pending_refunds == Tally(
        len(pending), Money(sum(r.amount.paise for r in pending))
    )
    assert totals.net == totals.paid.amount - totals.refunded.amount
    assert all(type(t.amount.paise) is int for t in totals.by_status.values())


def test_day_totals_of_an_empty_day(world: World) -> None:
    totals = world.journal.day_totals(DAY0 - timedelta(days=9), DAY0 - timedelta(days=8))
    assert all(t == Tally() for t in totals.by_status.values())
    assert totals.paid_by_group == {}
    assert totals.refunded == Tally() and totals.late == 0


def test_sales_between_is_half_open_and_ordered(world: World) -> None:
    start, end = DAY0 + timedelta(days=1), DAY0 + timedelta(days=2)
    found = world.journal.sales_between(start, end)
    expected = sorted(
        (s for s in world.sales if start <= s.created_at < end),
        key=lambda s: (s.created_at, s.order_id),
    )
    assert found == expected
    newest = world.journal.sales_between(start, end, newest_first=True, limit=5)
    assert newest == list(reversed(expected))[:5]
    edge = expected[0].created_at
    assert expected[0] in world.journal.sales_between(edge, end)
    assert expected[0] not in world.journal.sales_between(start, edge)


def test_sales_between_filters(world: World) -> None:
    start, end = DAY0, DAY0 + timedelta(days=3)
    wanted = {SaleStatus.PAID, SaleStatus.EXPIRED}
    found = world.journal.sales_between(
        start, end, statuses=wanted, methods=[Method.LINK], terminal_id="T2"
    )
    expected = [
        s
        for s in world.sales
        if s.status in wanted and s.method is Method.LINK and s.terminal_id == "T2"
    ]
    assert {s.order_id for s in found} == {s.order_id for s in expected}
    assert found
    assert world.journal.sales_between(start, end, statuses=[]) == []
    assert len(world.journal.sales_between(start, end, limit=7)) == 7


@pytest.mark.parametrize(
    ("text", "matches"),
    [
        ("b-0005", lambda s: s.bill_number is not None and "B-0005" in s.bill_number),
        ("ORD-0012", lambda s: "ORD-0012" in s.order_id),
        ("UTR000000042", lambda s: s.bank_reference == "UTR000000042"),
        ("9800000", lambda s: (s.customer_phone or "").startswith("9800000")),
        ("  B-0010 ", lambda s: s.bill_number == "B-0010"),
    ],
)
def test_sales_between_search(world: World, text: str, matches: object) -> None:
    start, end = DAY0, DAY0 + timedelta(days=3)
    found = world.journal.sales_between(start, end, search=text)
    expected = [s for s in world.sales if matches(s)]  # type: ignore[operator]
    assert expected
    assert {s.order_id for s in found} == {s.order_id for s in expected}


def test_search_wildcards_are_literal(journal: Journal, make_sale: MakeSale, clock: Clock) -> None:
    journal.create_sale(make_sale(bill_number="50%_OFF"))
    journal.create_sale(make_sale(bill_number="50XYOFF"))
    found = journal.sales_between(clock.now, clock.now + timedelta(seconds=1), search="50%_")
    assert [s.bill_number for s in found] == ["50%_OFF"]


def test_open_sales_oldest_first(journal: Journal, make_sale: MakeSale, clock: Clock) -> None:
    created: list[Sale] = []
    for status, terminal in [
        (SaleStatus.AWAITING_PAYMENT, "T1"),
        (SaleStatus.PAID, "T1"),
        (SaleStatus.CREATED, "T2"),
        (SaleStatus.UNCERTAIN, "T1"),
        (SaleStatus.EXPIRED, "T1"),
        (SaleStatus.CANCELLED, "T2"),
        (SaleStatus.FAILED, "T1"),
    ]:
        clock.advance(seconds=10)
        created.append(journal.create_sale(make_sale(status=status, terminal_id=terminal)))
    # insertion order is not what orders them: an older sale written later comes first
    older = journal.create_sale(
        make_sale(status=SaleStatus.CREATED, created_at=START - timedelta(hours=1))
    )
    assert journal.open_sales() == [older, created[0], created[2], created[3]]
    assert journal.open_sales("T1") == [older, created[0], created[3]]
    assert journal.open_sales("T9") == []


def test_sweep_candidates(journal: Journal, make_sale: MakeSale, clock: Clock) -> None:
    since = clock.now
    old = journal.create_sale(make_sale(status=SaleStatus.AWAITING_PAYMENT))
    journal.update_sale(old.order_id, event="expired", status=SaleStatus.EXPIRED)  # before `since`
    clock.advance(seconds=1)
    since = clock.now
    cancelled = journal.create_sale(make_sale(status=SaleStatus.AWAITING_PAYMENT))
    clock.advance(minutes=5)
    cancelled = journal.update_sale(
        cancelled.order_id, event="cancelled", status=SaleStatus.CANCELLED
    )
    expired = journal.create_sale(make_sale(status=SaleStatus.EXPIRED))
    journal.create_sale(make_sale(status=SaleStatus.PAID))
    journal.create_sale(make_sale(status=SaleStatus.FAILED))
    journal.create_sale(make_sale(status=SaleStatus.AWAITING_PAYMENT))
    found = journal.sweep_candidates(since)
    assert {s.order_id for s in found} == {cancelled.order_id, expired.order_id}
    assert journal.sweep_candidates(clock.now + timedelta(seconds=1)) == []


def test_last_paid_is_the_duplicate_guard(
    journal: Journal, make_sale: MakeSale, clock: Clock
) -> None:
    amount = Money(45000)

    def paid(minutes_ago: float, **changes: object) -> Sale:
        values: dict[str, object] = {
            "status": SaleStatus.PAID,
            "amount": amount,
            "paid_at": clock.now - timedelta(minutes=minutes_ago),
        }
        values.update(changes)
        return journal.create_sale(make_sale(**values))

    since = clock.now - timedelta(minutes=5)
    assert journal.last_paid("T1", amount, since) is None
    paid(10)  # too long ago
    paid(1, amount=Money(45001))  # other amount
    paid(1, terminal_id="T2")  # other till
    journal.create_sale(make_sale(status=SaleStatus.AWAITING_PAYMENT, amount=amount))
    assert journal.last_paid("T1", amount, since) is None
    earlier = paid(4)
    latest = paid(2)
    paid(3)
    assert journal.last_paid("T1", amount, since) == latest
    assert journal.last_paid("T1", amount, earlier.paid_at) == latest  # type: ignore[arg-type]
    assert journal.last_paid("T2", amount, since) is not None


def test_reader_is_read_only(journal: Journal, make_sale: MakeSale) -> None:
    sale = journal.create_sale(make_sale())
    with journal.reader() as reader:
        assert reader.read_only
        assert reader.get_sale(sale.order_id) == sale
        with pytest.raises(JournalError) as caught:
            reader.update_sale(sale.order_id, event="x", status=SaleStatus.UNCERTAIN)
        assert caught.value.kind == "read_only"
    assert journal.get_sale(sale.order_id) == sale


def test_report_in_progress_does_not_block_a_sale(
    journal_file: Path, make_sale: MakeSale, clock: Clock
) -> None:
    day = (START - timedelta(hours=1), START + timedelta(hours=1))
    # A short busy timeout: if the writer had to wait for the reader it would fail fast.
    with Journal.open(journal_file, clock=clock, busy_timeout=0.5) as writer:
        sale = writer.create_sale(make_sale(status=SaleStatus.AWAITING_PAYMENT))
        with writer.reader() as reader, reader.snapshot():
            before = reader.day_totals(*day)
            listed = reader.sales_between(*day)
            began = time.perf_counter()
            writer.update_sale(sale.order_id, event="paid", status=SaleStatus.PAID)
            writer.create_sale(make_sale())
            assert time.perf_counter() - began < 0.4
            # the report keeps seeing one consistent moment
            assert reader.day_totals(*day) == before
            assert reader.sales_between(*day) == listed
            assert before.paid.count == 0
        with writer.reader() as reader:
            assert reader.day_totals(*day).paid.count == 1
            assert len(reader.sales_between(*day)) == 2


def test_reports_in_a_thread_while_sales_are_written(
    journal_file: Path, make_sale: MakeSale, clock: Clock
) -> None:
    day = (START - timedelta(hours=1), START + timedelta(hours=1))
    stop = threading.Event()
    failures: list[BaseException] = []
    reports = 0

    def report() -> None:
        nonlocal reports
        try:
            with Journal.open(journal_file, read_only=True) as reader:
                while not stop.is_set():
                    with reader.snapshot():
                        totals = reader.day_totals(*day)
                        rows = reader.sales_between(*day)
                    assert sum(t.count for t in totals.by_status.values()) == len(rows)
                    reports += 1
        except BaseException as exc:
            failures.append(exc)

    with Journal.open(journal_file, clock=clock, busy_timeout=0.5) as writer:
        thread = threading.Thread(target=report)
        thread.start()
        slowest = 0.0
        try:
            for _ in range(60):
                began = time.perf_counter()
                sale = writer.create_sale(make_sale(status=SaleStatus.AWAITING_PAYMENT))
                writer.update_sale(sale.order_id, event="paid", status=SaleStatus.PAID)
                slowest = max(slowest, time.perf_counter() - began)
        finally:
            stop.set()
            thread.join(timeout=10)
    assert failures == []
    assert reports > 0
    assert slowest < 0.45


def test_snapshot_is_reentrant_and_ends(journal: Journal, make_sale: MakeSale) -> None:
    with journal.snapshot(), journal.snapshot():
        assert journal.open_sales() == []
    # after the snapshot the writer can write again
    journal.create_sale(make_sale())
    with journal.snapshot(), pytest.raises(RuntimeError, match="snapshot"):
        journal.create_sale(make_sale())
