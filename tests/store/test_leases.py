"""One owner per sale, kept in the journal: claims, heartbeats, take-over, nudges, the
counter rule, and the reason codes that replaced stored sentences."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from store.kit import Clock, MakeSale

from pos_app.domain.sale import ReasonCode, SaleStatus
from pos_app.store.errors import CounterBusyError
from pos_app.store.journal import Journal
from pos_app.store.leases import Owner
from pos_app.store.migrations import MIGRATIONS, migrate

TTL = timedelta(seconds=30)


def owner(name: str, pid: int = 1) -> Owner:
    return Owner(token=f"test:{name}", host="another-host", pid=pid)


def test_one_claim_at_a_time_and_stale_claims_are_taken_over(
    journal: Journal, make_sale: MakeSale, clock: Clock
) -> None:
    sale = journal.create_sale(make_sale())
    a, b = owner("a"), owner("b")
    assert journal.claim(sale.order_id, a, "follow", TTL)
    assert not journal.claim(sale.order_id, b, "follow", TTL)  # a is alive
    assert not journal.claim(sale.order_id, a, "follow", TTL)  # never twice in one process
    clock.advance(seconds=20)
    assert journal.renew(a, TTL) == 1  # heartbeat
    clock.advance(seconds=20)
    assert not journal.claim(sale.order_id, b, "follow", TTL)
    clock.advance(seconds=31)  # a went quiet
    assert journal.claim(sale.order_id, b, "follow", TTL)
    lease = journal.lease_of(sale.order_id)
    assert lease is not None and lease.owner == b.token


def test_a_dead_process_is_taken_over_at_once(journal: Journal, make_sale: MakeSale) -> None:
    import socket

    sale = journal.create_sale(make_sale())
    gone = Owner(token="gone", host=socket.gethostname(), pid=2**22 + 3)
    assert journal.claim(sale.order_id, gone, "follow", TTL)
    assert journal.claim(sale.order_id, owner("b"), "follow", TTL)


def test_nudges_reach_the_owner_once_and_survive_a_takeover(
    journal: Journal, make_sale: MakeSale, clock: Clock
) -> None:
    sale = journal.create_sale(make_sale())
    a, b = owner("a"), owner("b")
    assert not journal.nudge(sale.order_id)  # nobody follows it
    journal.claim(sale.order_id, a, "follow", TTL)
    assert journal.nudge(sale.order_id, cancel=True)
    clock.advance(seconds=31)
    assert journal.claim(sale.order_id, b, "follow", TTL)
    (nudge,) = journal.take_nudges(b)
    assert nudge.order_id == sale.order_id and nudge.cancel and nudge.check_now
    assert journal.take_nudges(b) == []


def test_one_sale_at_the_counter_per_till(
    journal: Journal, make_sale: MakeSale, clock: Clock
) -> None:
    a, b = owner("a"), owner("b")
    first = journal.create_sale(make_sale(), counter=a, lease=TTL)
    with pytest.raises(CounterBusyError) as busy:
        journal.create_sale(make_sale(), counter=b, lease=TTL)
    assert busy.value.order_id == first.order_id
    assert len(journal.open_sales()) == 1  # the refused sale was not written
    clock.advance(seconds=31)  # the first process died without letting go
    journal.create_sale(make_sale(), counter=b, lease=TTL)
    assert journal.lease_of(first.order_id) is None  # unowned now: to be taken over


def test_old_sentences_become_reason_codes(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, path, MIGRATIONS[:1])
    rows = [
        ("A", "CANCELLED", "Cancelled by the cashier. No money was taken."),
        (
            "B",
            "UNCERTAIN",
            "Cancel could not be confirmed with Cashfree yet; the till keeps trying.",
        ),
        ("C", "FAILED", "Cashfree refused the request: bad phone."),
        ("D", "CANCELLED", "The order never reached Cashfree. No money was taken."),
    ]
    for order_id, status, reason in rows:
        conn.execute(
            "INSERT INTO sales (order_id, terminal_id, environment, amount_paise, method, "
            "status, idempotency_key, created_at, updated_at, reason) "
            "VALUES (?, 'T1', 'demo', 100, 'upi-qr', ?, 'k', 0, 0, ?)",
            (order_id, status, reason),
        )
    conn.close()
    journal = Journal.open(path)
    try:
        got = {o: journal.get_sale(o) for o in "ABCD"}
        assert got["A"].reason_code is ReasonCode.CANCELLED_BY_CASHIER  # type: ignore[union-attr]
        assert got["A"].reason is None  # type: ignore[union-attr]
        assert got["B"].reason_code is ReasonCode.CANCEL_UNCONFIRMED  # type: ignore[union-attr]
        assert got["C"].reason_code is ReasonCode.REFUSED_BY_CASHFREE  # type: ignore[union-attr]
        assert got["C"].reason == "Cashfree refused the request: bad phone."  # type: ignore[union-attr]
        assert got["D"].reason_code is ReasonCode.NEVER_REACHED  # type: ignore[union-attr]
        assert got["D"].status is SaleStatus.CANCELLED  # type: ignore[union-attr]
    finally:
        journal.close()


def test_a_settled_sale_gets_its_outcome_once(journal: Journal, make_sale: MakeSale) -> None:
    from pos_app.domain.sale import InvalidTransition

    sale = journal.create_sale(make_sale())
    journal.update_sale(sale.order_id, event="order_created", status=SaleStatus.AWAITING_PAYMENT)
    journal.update_sale(sale.order_id, event="paid", status=SaleStatus.PAID, cf_payment_id="p1")
    with pytest.raises(InvalidTransition):
        journal.update_sale(
            sale.order_id, event="paid_on_evidence", status=SaleStatus.PAID, cf_payment_id="p2"
        )
    paid = journal.get_sale(sale.order_id)
    assert paid is not None and paid.cf_payment_id == "p1"
    assert [e.kind for e in journal.events(sale.order_id)].count("paid") == 1
