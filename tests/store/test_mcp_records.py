"""The journal's MCP records: tool calls (and their sale events), refund requests and their
one-way decision; and the migration that adds them to an existing journal."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from store.kit import Clock, MakeSale

from pos_app.domain.money import Money
from pos_app.domain.sale import SaleStatus
from pos_app.store import mcp_records
from pos_app.store.errors import JournalError, UnknownSaleError
from pos_app.store.journal import Journal
from pos_app.store.mcp_records import RefundRequest, RefundRequestDecidedError
from pos_app.store.migrations import LATEST, MIGRATIONS, backup_path, migrate


def _request(order_id: str, clock: Clock, rupees: int = 100, rid: str = "RQ-1") -> RefundRequest:
    return RefundRequest(
        request_id=rid,
        order_id=order_id,
        amount=Money.rupees(rupees),
        reason="wrong order",
        source="mcp",
        created_at=clock(),
    )


def test_a_call_about_a_sale_is_also_in_its_events(
    journal: Journal, make_sale: MakeSale, clock: Clock
) -> None:
    sale = journal.create_sale(make_sale())
    mcp_records.record_tool_call(
        journal,
        "confirm_cashfree_payment",
        arguments={"order_id": sale.order_id, "wait_seconds": 5},
        outcome="ok",
        order_id=sale.order_id,
        detail={"status": "CREATED"},
    )
    clock.advance(seconds=1)
    mcp_records.record_tool_call(journal, "day_summary", arguments={}, outcome="ok")
    calls = mcp_records.tool_calls(journal)
    assert [c.tool for c in calls] == ["day_summary", "confirm_cashfree_payment"]
    assert calls[1].order_id == sale.order_id
    assert calls[1].arguments == {"order_id": sale.order_id, "wait_seconds": 5}
    assert calls[0].order_id is None
    [event] = [e for e in journal.events(sale.order_id) if e.kind.startswith("mcp_")]
    assert event.kind == "mcp_confirm_cashfree_payment"
    assert event.detail == {"outcome": "ok", "status": "CREATED", "wait_seconds": 5}
    assert mcp_records.tool_calls(journal, order_id=sale.order_id) == [calls[1]]


def test_a_call_naming_an_unknown_order_is_kept_without_a_sale(journal: Journal) -> None:
    mcp_records.record_tool_call(
        journal, "get_sale", arguments={"order_id": "NOPE"}, outcome="refused", order_id="NOPE"
    )
    [call] = mcp_records.tool_calls(journal)
    assert call.order_id is None and call.arguments == {"order_id": "NOPE"}


def test_refund_request_lifecycle_approve_once(
    journal: Journal, make_sale: MakeSale, clock: Clock
) -> None:
    sale = journal.create_sale(make_sale(status=SaleStatus.CREATED))
    stored = mcp_records.create_refund_request(journal, _request(sale.order_id, clock))
    assert stored.status == mcp_records.PENDING_APPROVAL
    assert mcp_records.pending_refund_requests(journal) == [stored]
    clock.advance(minutes=3)
    approved = mcp_records.decide_refund_request(
        journal, "RQ-1", status=mcp_records.APPROVED, refund_id="RF-9"
    )
    assert (approved.status, approved.refund_id, approved.decided_at) == (
        "APPROVED",
        "RF-9",
        clock(),
    )
    with pytest.raises(RefundRequestDecidedError, match="already approved"):
        mcp_records.decide_refund_request(journal, "RQ-1", status=mcp_records.REJECTED)
    assert mcp_records.pending_refund_requests(journal) == []
    kinds = [e.kind for e in journal.events(sale.order_id)]
    assert kinds[-2:] == ["refund_request", "refund_request_approved"]
    assert journal.refunds_for(sale.order_id) == []  # a request is not a refund


def test_refund_request_rules(journal: Journal, make_sale: MakeSale, clock: Clock) -> None:
    with pytest.raises(UnknownSaleError):
        mcp_records.create_refund_request(journal, _request("NOPE", clock))
    sale = journal.create_sale(make_sale())
    with pytest.raises(ValueError, match="more than zero"):
        mcp_records.create_refund_request(journal, _request(sale.order_id, clock, rupees=0))
    with pytest.raises(KeyError):
        mcp_records.decide_refund_request(journal, "RQ-404", status=mcp_records.REJECTED)
    mcp_records.create_refund_request(journal, _request(sale.order_id, clock))
    with pytest.raises(ValueError, match="APPROVED or REJECTED"):
        mcp_records.decide_refund_request(journal, "RQ-1", status="MAYBE")
    # The table itself refuses a status outside the three.
    with pytest.raises(JournalError, match="CHECK constraint"), journal._writing() as conn:
        conn.execute("UPDATE refund_requests SET status = 'DONE'")


def test_migration_adds_the_tables_to_a_version_1_journal_and_backs_it_up(
    tmp_path: Path, make_sale: MakeSale
) -> None:
    path = tmp_path / "journal-demo.sqlite3"
    raw = sqlite3.connect(path, isolation_level=None)
    migrate(raw, path, MIGRATIONS[:1])
    raw.close()
    with Journal.open(path) as journal:
        journal.create_sale(make_sale())
    # Re-open an old file: the step to the MCP tables ran once, after a backup.
    old = tmp_path / "old.sqlite3"
    raw = sqlite3.connect(old, isolation_level=None)
    migrate(raw, old, MIGRATIONS[:1])
    raw.execute(
        "INSERT INTO sales (order_id, terminal_id, environment, amount_paise, method,"
        " status, idempotency_key, created_at, updated_at) VALUES"
        " ('T1-1', 'T1', 'demo', 100, 'upi-qr', 'PAID', 'k', 1, 1)"
    )
    before = migrate(raw, old)
    assert before == 1
    tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"mcp_calls", "refund_requests"} <= tables
    assert raw.execute("PRAGMA user_version").fetchone()[0] == LATEST
    raw.close()
    assert backup_path(old, 1).exists()
