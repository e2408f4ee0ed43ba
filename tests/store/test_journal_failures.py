"""When the disk is full, the file is read-only, damaged or missing, or the process dies:
a clear JournalError, and never a half-written change."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from store.kit import Clock, MakeSale

from pos_app.domain.money import Money
from pos_app.domain.sale import SaleStatus
from pos_app.store.codec import RefundRecord
from pos_app.store.errors import JournalError
from pos_app.store.journal import Journal

DISK_FULL = "The disk is full: free some space; nothing was lost, the last change was not saved."


def _fill_disk(journal: Journal) -> None:
    """Simulate a full disk: the file may not grow by a single page from now on."""
    conn = journal._conn  # the journal's own connection; max_page_count is per connection
    assert conn is not None
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")


def _free_disk(journal: Journal) -> None:
    conn = journal._conn
    assert conn is not None
    conn.execute("PRAGMA max_page_count = 1073741823")


def test_disk_full_on_create_writes_nothing(journal: Journal, make_sale: MakeSale) -> None:
    _fill_disk(journal)
    sale = make_sale(note="n" * 200_000)
    with pytest.raises(JournalError) as caught:
        journal.create_sale(sale)
    assert caught.value.kind == "disk_full"
    assert str(caught.value) == DISK_FULL
    assert journal.get_sale(sale.order_id) is None
    assert journal.events(sale.order_id) == []

    _free_disk(journal)  # space freed: the same journal works again
    assert journal.create_sale(sale) == sale


def test_disk_full_between_update_and_event_rolls_back_both(
    journal: Journal, make_sale: MakeSale, clock: Clock
) -> None:
    sale = journal.create_sale(make_sale())
    _fill_disk(journal)
    clock.advance(seconds=5)
    # The row update fits in its page; the event's large detail does not.
    with pytest.raises(JournalError) as caught:
        journal.update_sale(
            sale.order_id,
            event="order_created",
            detail={"blob": "x" * 200_000},
            status=SaleStatus.AWAITING_PAYMENT,
            cf_order_id="cf_1",
        )
    assert caught.value.kind == "disk_full"
    assert journal.get_sale(sale.order_id) == sale
    assert [e.kind for e in journal.events(sale.order_id)] == ["created"]


def test_read_only_journal_refuses_every_write(
    journal_file: Path, make_sale: MakeSale, clock: Clock
) -> None:
    # chmod cannot stop root (CI runs as root), so the file is opened read-only by SQLite.
    with Journal.open(journal_file, clock=clock) as journal:
        sale = journal.create_sale(make_sale(status=SaleStatus.PAID))
    writes = [
        lambda j: j.create_sale(make_sale()),
        lambda j: j.update_sale(sale.order_id, event="x", note="changed"),
        lambda j: j.add_event(sale.order_id, "x"),
        lambda j: j.create_refund(
            RefundRecord(
                refund_id="r1",
                order_id=sale.order_id,
                amount=Money(100),
                status="PENDING",
                idempotency_key="k",
                created_at=clock.now,
                updated_at=clock.now,
            )
        ),
    ]
    with Journal.open(journal_file, read_only=True) as read_only:
        assert read_only.get_sale(sale.order_id) == sale  # reading still works
        for write in writes:
            with pytest.raises(JournalError) as caught:
                write(read_only)
            assert caught.value.kind == "read_only"
            assert str(journal_file) in caught.value.message
            assert "is read-only" in caught.value.message
            assert "the last change was not saved" in caught.value.message
    with Journal.open(journal_file) as journal:
        assert journal.get_sale(sale.order_id) == sale
        assert [e.kind for e in journal.events(sale.order_id)] == ["created"]
        assert journal.refunds_for(sale.order_id) == []
        assert len(journal.sales_between(clock.now, clock.now.replace(year=2027))) == 1


def test_query_only_connection_reports_read_only(journal: Journal, make_sale: MakeSale) -> None:
    sale = journal.create_sale(make_sale())
    conn = journal._conn
    assert conn is not None
    conn.execute("PRAGMA query_only = ON")
    with pytest.raises(JournalError) as caught:
        journal.update_sale(sale.order_id, event="x", status=SaleStatus.UNCERTAIN)
    assert caught.value.kind == "read_only"
    conn.execute("PRAGMA query_only = OFF")
    assert journal.get_sale(sale.order_id) == sale


def test_folder_that_cannot_exist(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    target = blocker / "journal-demo.sqlite3"
    with pytest.raises(JournalError) as caught:
        Journal.open(target)
    assert caught.value.kind == "cannot_open"
    assert str(target) in caught.value.message
    assert "cannot be opened" in caught.value.message


def test_missing_file_cannot_be_opened_read_only(tmp_path: Path) -> None:
    target = tmp_path / "journal-demo.sqlite3"
    with pytest.raises(JournalError) as caught:
        Journal.open(target, read_only=True)
    assert caught.value.kind == "cannot_open"
    assert not target.exists()


def test_damaged_file_is_reported_and_left_alone(tmp_path: Path) -> None:
    target = tmp_path / "journal-demo.sqlite3"
    garbage = b"this is not a database " * 500
    target.write_bytes(garbage)
    with pytest.raises(JournalError) as caught:
        Journal.open(target)
    assert caught.value.kind == "corrupt"
    assert str(target) in caught.value.message
    assert "damaged" in caught.value.message
    assert target.read_bytes() == garbage


WORKER = r"""
import sys
from datetime import UTC, datetime
from pathlib import Path

from pos_app.domain.money import Money
from pos_app.domain.sale import Method, Sale, SaleStatus
from pos_app.store.journal import Journal

run = sys.argv[2]
journal = Journal.open(Path(sys.argv[1]))
flip = {SaleStatus.AWAITING_PAYMENT: SaleStatus.UNCERTAIN, SaleStatus.UNCERTAIN: SaleStatus.AWAITING_PAYMENT,
        SaleStatus.CREATED: SaleStatus.AWAITING_PAYMENT}
step = 0
while True:
    now = datetime.now(UTC)
    order_id = f"{run}-{step // 25:05d}"
    if step % 25 == 0:
        journal.create_sale(Sale(order_id, "T1", "demo", Money(100 + step), Method.UPI_QR,
                                 SaleStatus.CREATED, f"k-{order_id}", now, now))
    else:
        current = journal.get_sale(order_id).status
        new = flip[current]
        journal.update_sale(order_id, event="tick", detail={"step": step, "status": new.value},
                            status=new, note=str(step))
    step += 1
    if step == 100:
        print("ready", flush=True)
"""


def test_killed_mid_write_leaves_every_sale_consistent(tmp_path: Path) -> None:
    target = tmp_path / "journal-demo.sqlite3"
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    for run, delay in enumerate((0.0, 0.05, 0.13, 0.31)):
        proc = subprocess.Popen(
            [sys.executable, str(script), str(target), f"run{run}"],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert proc.stdout is not None
            assert proc.stdout.readline().strip() == "ready"
            time.sleep(delay)
            os.kill(proc.pid, signal.SIGKILL)
        finally:
            proc.wait(timeout=30)
            if proc.stdout is not None:
                proc.stdout.close()
        assert proc.returncode == -signal.SIGKILL

    raw = sqlite3.connect(target)
    assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    raw.close()
    with Journal.open(target) as journal:
        sales = journal.sales_between(
            datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
        )
        assert len(sales) >= 4 * 4  # at least 100 steps per run, a sale every 25 steps
        for sale in sales:
            events = journal.events(sale.order_id)
            assert events[0].kind == "created"
            ticks = events[1:]
            last_status = ticks[-1].detail["status"] if ticks else SaleStatus.CREATED.value
            assert sale.status.value == last_status, sale.order_id
            assert sale.note == (str(ticks[-1].detail["step"]) if ticks else None)
            assert all(e.kind == "tick" for e in ticks)
    raw = sqlite3.connect(target)
    mismatched = raw.execute(
        """
        SELECT count(*) FROM sales AS s
        WHERE s.status != (SELECT e.status FROM sale_events AS e
                           WHERE e.order_id = s.order_id ORDER BY e.id DESC LIMIT 1)
        """
    ).fetchone()[0]
    raw.close()
    assert mismatched == 0


def test_failure_after_the_row_update_rolls_back_the_whole_change(
    journal: Journal, journal_file: Path, make_sale: MakeSale, clock: Clock
) -> None:
    """The event insert fails AFTER the sales row was updated (a statement-level abort,
    which SQLite does not roll back by itself): the row change must not survive."""
    sale = journal.create_sale(make_sale())
    raw = sqlite3.connect(journal_file)
    raw.execute(
        "CREATE TRIGGER refuse_boom BEFORE INSERT ON sale_events WHEN NEW.kind = 'boom'"
        " BEGIN SELECT RAISE(ABORT, 'event refused'); END"
    )
    raw.commit()
    raw.close()
    clock.advance(seconds=5)
    with pytest.raises(JournalError, match="the last change was not saved"):
        journal.update_sale(
            sale.order_id, event="boom", status=SaleStatus.AWAITING_PAYMENT, cf_order_id="cf"
        )
    assert journal.get_sale(sale.order_id) == sale
    assert [e.kind for e in journal.events(sale.order_id)] == ["created"]
    # and the journal is usable afterwards
    moved = journal.update_sale(sale.order_id, event="ok", status=SaleStatus.AWAITING_PAYMENT)
    assert moved.status is SaleStatus.AWAITING_PAYMENT
