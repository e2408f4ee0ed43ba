"""Sales in the journal: create/get/update round trips, events, and refusals that write nothing."""

from __future__ import annotations

import sqlite3
from dataclasses import fields
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from store.kit import Clock, MakeSale

from pos_app.domain.money import Money
from pos_app.domain.sale import InvalidTransition, Method, ReasonCode, Sale, SaleStatus
from pos_app.store.errors import DuplicateSaleError, JournalError, UnknownSaleError
from pos_app.store.journal import Journal

IST = timezone(timedelta(hours=5, minutes=30))


def _full_sale() -> Sale:
    """A sale where every field differs from its default; times in IST to test conversion."""
    at = datetime(2026, 3, 14, 10, 0, 0, 123000, tzinfo=IST)
    return Sale(
        order_id="T7-000042",
        terminal_id="T7",
        environment="sandbox",
        amount=Money(1_23_456_78),
        method=Method.COLLECT,
        status=SaleStatus.AWAITING_PAYMENT,
        idempotency_key="idem-42",
        created_at=at,
        updated_at=at + timedelta(seconds=1),
        bill_number="B/2026-17",
        note="two masala dosa",
        customer_phone="9876543210",
        customer_email="a@example.in",
        vpa="ravi@okaxis",
        link_id="link_42",
        cf_order_id="cf_1001",
        gateway_order_id="CF_LINK_ORDER_9",
        payment_session_id="session_abc",
        expires_at=at + timedelta(minutes=15),
        cf_payment_id="pay_77",
        bank_reference="UTR1234567890",
        payment_group="upi",
        paid_at=at + timedelta(minutes=2, milliseconds=5),
        payer="ravi@okaxis",
        late=True,
        duplicate_override=True,
        reason="customer asked",
        reason_code=ReasonCode.REFUSED_BY_CASHFREE,
        attempt_key="attempt-key-1",
    )


def _assert_utc(sale: Sale) -> None:
    for f in fields(Sale):
        value = getattr(sale, f.name)
        if isinstance(value, datetime):
            assert value.tzinfo is not None and value.utcoffset() == timedelta(0), f.name


def test_every_field_round_trips(journal: Journal, journal_file: Path) -> None:
    sale = _full_sale()
    for f in fields(Sale):  # a new Sale field must be added here (and get a column)
        assert getattr(sale, f.name) != f.default, f"test sale leaves {f.name} at its default"

    stored = journal.create_sale(sale)
    fetched = journal.get_sale(sale.order_id)

    assert stored == sale  # aware datetimes compare by instant
    assert fetched == sale
    assert fetched is not None
    _assert_utc(fetched)
    assert type(fetched.amount.paise) is int
    assert fetched.amount == Money(1_23_456_78)
    assert fetched.created_at == datetime(2026, 3, 14, 4, 30, 0, 123000, tzinfo=UTC)

    raw = sqlite3.connect(journal_file)
    kinds = raw.execute(
        "SELECT typeof(amount_paise), typeof(created_at), typeof(paid_at), late FROM sales"
    ).fetchone()
    raw.close()
    assert kinds == ("integer", "integer", "integer", 1)


def test_times_are_kept_to_the_millisecond(journal: Journal, make_sale: MakeSale) -> None:
    at = datetime(2026, 3, 14, 4, 30, 0, 123456, tzinfo=UTC)
    stored = journal.create_sale(make_sale(created_at=at, updated_at=at))
    assert stored.created_at == at.replace(microsecond=123000)
    assert journal.get_sale(stored.order_id) == stored


def test_naive_datetime_is_refused_and_nothing_written(
    journal: Journal, make_sale: MakeSale
) -> None:
    sale = make_sale(created_at=datetime(2026, 3, 14, 10, 0))
    with pytest.raises(ValueError, match="timezone-aware"):
        journal.create_sale(sale)
    assert journal.get_sale(sale.order_id) is None
    assert journal.events(sale.order_id) == []


def test_create_writes_a_created_event(journal: Journal, make_sale: MakeSale, clock: Clock) -> None:
    sale = journal.create_sale(make_sale(amount=Money(4999), method=Method.LINK))
    [event] = journal.events(sale.order_id)
    assert event.kind == "created"
    assert event.at == clock.now
    assert event.detail == {"amount_paise": 4999, "method": "link"}


def test_duplicate_order_id_is_refused(journal: Journal, make_sale: MakeSale) -> None:
    first = journal.create_sale(make_sale(order_id="T1-DUP", amount=Money(100)))
    with pytest.raises(DuplicateSaleError) as caught:
        journal.create_sale(make_sale(order_id="T1-DUP", amount=Money(999)))
    assert caught.value.order_id == "T1-DUP"
    assert journal.get_sale("T1-DUP") == first
    assert [e.kind for e in journal.events("T1-DUP")] == ["created"]


def test_update_changes_fields_status_and_appends_the_event(
    journal: Journal, make_sale: MakeSale, clock: Clock
) -> None:
    sale = journal.create_sale(make_sale())
    clock.advance(seconds=3)
    expires = clock.now + timedelta(minutes=15)
    updated = journal.update_sale(
        sale.order_id,
        event="order_created",
        detail={"cf_order_id": "cf_9", "amount": Money(25000), "at": clock.now},
        status=SaleStatus.AWAITING_PAYMENT,
        cf_order_id="cf_9",
        payment_session_id="sess",
        expires_at=expires,
    )
    assert updated.status is SaleStatus.AWAITING_PAYMENT
    assert updated.cf_order_id == "cf_9"
    assert updated.expires_at == expires
    assert updated.updated_at == clock.now
    assert updated.created_at == sale.created_at
    assert journal.get_sale(sale.order_id) == updated

    last = journal.events(sale.order_id)[-1]
    assert last.kind == "order_created"
    assert last.at == clock.now
    # Money is written as integer paise, datetimes as ISO text.
    assert last.detail == {"cf_order_id": "cf_9", "amount": 25000, "at": clock.now.isoformat()}

    clock.advance(seconds=40)
    paid = journal.update_sale(
        sale.order_id,
        event="paid",
        status=SaleStatus.PAID,
        paid_at=clock.now,
        cf_payment_id="p1",
        bank_reference="UTR9",
        payment_group="upi",
        payer="x@ybl",
    )
    assert (paid.status, paid.bank_reference, paid.paid_at) == (
        SaleStatus.PAID,
        "UTR9",
        clock.now,
    )


def test_invalid_transition_writes_nothing(
    journal: Journal, make_sale: MakeSale, clock: Clock
) -> None:
    sale = journal.create_sale(make_sale(status=SaleStatus.PAID))
    clock.advance(minutes=1)
    with pytest.raises(InvalidTransition):
        journal.update_sale(
            sale.order_id,
            event="resurrect",
            status=SaleStatus.AWAITING_PAYMENT,
            note="should not be saved",
        )
    assert journal.get_sale(sale.order_id) == sale
    assert [e.kind for e in journal.events(sale.order_id)] == ["created"]


def test_same_status_is_not_a_transition(journal: Journal, make_sale: MakeSale) -> None:
    sale = journal.create_sale(make_sale(status=SaleStatus.AWAITING_PAYMENT))
    again = journal.update_sale(
        sale.order_id, event="poll", status=SaleStatus.AWAITING_PAYMENT, note="still waiting"
    )
    assert again.status is SaleStatus.AWAITING_PAYMENT
    assert again.note == "still waiting"


def test_money_arriving_after_cancel_is_recorded(journal: Journal, make_sale: MakeSale) -> None:
    sale = journal.create_sale(make_sale(status=SaleStatus.CANCELLED))
    late = journal.update_sale(sale.order_id, event="late_paid", status=SaleStatus.PAID, late=True)
    assert late.status is SaleStatus.PAID and late.late is True


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"tip": Money(100)}, TypeError),  # not a Sale field
        ({"amount": Money(1)}, TypeError),  # identifies the sale
        ({"order_id": "other"}, TypeError),
        ({"created_at": datetime(2026, 1, 1, tzinfo=UTC)}, TypeError),
        ({"paid_at": "yesterday"}, TypeError),
        ({"late": 1}, TypeError),
        ({"method": "link"}, TypeError),
        ({"paid_at": datetime(2026, 1, 1)}, ValueError),  # naive
    ],
)
def test_bad_fields_are_refused_and_nothing_written(
    journal: Journal, make_sale: MakeSale, changes: dict[str, object], error: type[Exception]
) -> None:
    sale = journal.create_sale(make_sale())
    with pytest.raises(error):
        journal.update_sale(sale.order_id, event="edit", **changes)
    assert journal.get_sale(sale.order_id) == sale
    assert len(journal.events(sale.order_id)) == 1


def test_detail_that_is_not_json_writes_nothing(journal: Journal, make_sale: MakeSale) -> None:
    sale = journal.create_sale(make_sale())
    with pytest.raises(TypeError):
        journal.update_sale(
            sale.order_id, event="x", detail={"what": object()}, status=SaleStatus.UNCERTAIN
        )
    assert journal.get_sale(sale.order_id) == sale
    assert len(journal.events(sale.order_id)) == 1


@pytest.mark.parametrize("kind", ["", "Paid", "two words", "x" * 65, "9lives"])
def test_event_kind_must_be_snake_case(journal: Journal, make_sale: MakeSale, kind: str) -> None:
    sale = journal.create_sale(make_sale())
    with pytest.raises(ValueError, match="snake_case"):
        journal.add_event(sale.order_id, kind)


def test_events_append_in_order(journal: Journal, make_sale: MakeSale, clock: Clock) -> None:
    sale = journal.create_sale(make_sale(status=SaleStatus.AWAITING_PAYMENT))
    kinds = ["attempt_failed", "offline", "online", "attempt_failed", "qr_shown"]
    for n, kind in enumerate(kinds):
        clock.advance(seconds=1)
        journal.add_event(sale.order_id, kind, {"n": n})
    events = journal.events(sale.order_id)
    assert [e.kind for e in events] == ["created", *kinds]
    assert [e.detail.get("n") for e in events[1:]] == list(range(len(kinds)))
    assert [e.at for e in events] == sorted(e.at for e in events)
    # add_event is a fact, not a change: the sale itself is untouched.
    assert journal.get_sale(sale.order_id) == sale


def test_events_cannot_be_rewritten(
    journal: Journal, make_sale: MakeSale, journal_file: Path
) -> None:
    sale = journal.create_sale(make_sale())
    raw = sqlite3.connect(journal_file)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            raw.execute("UPDATE sale_events SET kind = 'forged'")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            raw.execute("DELETE FROM sale_events")
    finally:
        raw.close()
    assert [e.kind for e in journal.events(sale.order_id)] == ["created"]


def test_unknown_sale(journal: Journal) -> None:
    with pytest.raises(UnknownSaleError):
        journal.update_sale("nope", event="x", status=SaleStatus.PAID)
    with pytest.raises(UnknownSaleError):
        journal.add_event("nope", "x")
    assert journal.get_sale("nope") is None
    assert journal.events("nope") == []


def test_closed_journal_says_so(journal_file: Path, make_sale: MakeSale) -> None:
    journal = Journal.open(journal_file)
    journal.close()
    journal.close()  # closing twice is harmless
    assert journal.closed
    with pytest.raises(JournalError) as caught:
        journal.create_sale(make_sale())
    assert caught.value.kind == "closed"
