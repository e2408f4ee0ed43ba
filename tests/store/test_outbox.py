"""Every event gets a globally unique id; the outbox hands out waiting events in order."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from store.kit import Clock, MakeSale

from pos_app.domain.sale import SaleStatus
from pos_app.store import outbox
from pos_app.store.codec import RefundRecord
from pos_app.store.errors import JournalError
from pos_app.store.journal import Journal
from pos_app.store.migrations import MIGRATIONS, migrate

UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def _uids(path: Path) -> list[str | None]:
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute("SELECT event_uid FROM sale_events ORDER BY id")]
    finally:
        conn.close()


def test_new_events_get_distinct_uuid4_ids(journal: Journal, make_sale: MakeSale) -> None:
    for _ in range(20):
        sale = journal.create_sale(make_sale())
        journal.update_sale(sale.order_id, event="opened", status=SaleStatus.AWAITING_PAYMENT)
    uids = _uids(journal.path)
    assert len(uids) == 40
    assert all(u is not None and UUID4.match(u) for u in uids)
    assert len(set(uids)) == 40


def test_old_events_get_ids_in_the_migration(tmp_path: Path, make_sale: MakeSale) -> None:
    path2 = tmp_path / "v1.sqlite3"
    conn = sqlite3.connect(path2, isolation_level=None)
    migrate(conn, path2, MIGRATIONS[:1])
    sale = make_sale()
    conn.execute(
        "INSERT INTO sales (order_id, terminal_id, environment, amount_paise, method, status,"
        " idempotency_key, created_at, updated_at) VALUES (?, 'T1', 'demo', 100, 'upi_qr',"
        " 'CREATED', 'k', 1, 1)",
        (sale.order_id,),
    )
    for n in range(5):
        conn.execute(
            "INSERT INTO sale_events (order_id, at, kind, status) VALUES (?, ?, 'note', 'CREATED')",
            (sale.order_id, n),
        )
    conn.close()
    with Journal.open(path2, clock=Clock()):
        pass
    uids = _uids(path2)
    assert len(uids) == 5 and len(set(uids)) == 5
    assert all(u is not None and UUID4.match(u) for u in uids)
    assert list(path2.parent.glob("v1.sqlite3.bak-v1")), "upgraded with a backup first"


def test_events_stay_append_only(journal: Journal, make_sale: MakeSale) -> None:
    journal.create_sale(make_sale())
    conn = sqlite3.connect(journal.path, isolation_level=None)
    try:
        for sql in (
            "UPDATE sale_events SET kind = 'forged'",
            "UPDATE sale_events SET event_uid = 'x'",
            "DELETE FROM sale_events",
        ):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                conn.execute(sql)
    finally:
        conn.close()


def test_batches_come_in_order_and_the_cursor_moves(
    journal: Journal, make_sale: MakeSale, clock: Clock
) -> None:
    sales = [journal.create_sale(make_sale()) for _ in range(3)]
    journal.update_sale(sales[0].order_id, event="opened", status=SaleStatus.AWAITING_PAYMENT)
    journal.update_sale(sales[0].order_id, event="paid", status=SaleStatus.PAID)
    journal.create_refund(
        RefundRecord(
            refund_id="R-1",
            order_id=sales[0].order_id,
            amount=sales[0].amount,
            status="PENDING",
            idempotency_key="rk",
            created_at=clock.now,
            updated_at=clock.now,
        )
    )
    assert outbox.waiting_count(journal) == 6

    first = outbox.next_batch(journal, limit=4)
    positions = [e.position for e in first.events]
    assert positions == sorted(positions) and len(positions) == 4
    assert {s["order_id"] for s in first.sales} == {e.order_id for e in first.events}
    assert first.refunds[0]["refund_id"] == "R-1"
    assert first.sales[0]["status"] == "PAID"  # the row as it is now

    outbox.mark_pushed(journal, first.last_position, clock.now)
    assert outbox.waiting_count(journal) == 2
    second = outbox.next_batch(journal, limit=100)
    assert second.events[0].position > first.last_position
    outbox.mark_pushed(journal, second.last_position, clock.now)
    outbox.mark_pushed(journal, first.last_position, clock.now)  # never moves back
    status = outbox.outbox_status(journal)
    assert status.waiting == 0 and status.pushed_through == second.last_position
    assert outbox.next_batch(journal).events == ()


def test_failures_are_counted_and_cleared(journal: Journal, clock: Clock) -> None:
    assert outbox.note_failure(journal, "store database unreachable") == 1
    assert outbox.note_failure(journal, "store database unreachable") == 2
    assert outbox.outbox_status(journal).last_error == "store database unreachable"
    outbox.mark_pushed(journal, 0, clock.now)
    status = outbox.outbox_status(journal)
    assert status.failures == 0 and status.last_error is None


def test_a_read_only_journal_cannot_move_the_cursor(journal: Journal, clock: Clock) -> None:
    reader = journal.reader()
    try:
        with pytest.raises(JournalError):
            outbox.mark_pushed(reader, 1, clock.now)
    finally:
        reader.close()
