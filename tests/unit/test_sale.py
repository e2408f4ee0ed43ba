"""Sale states: every (current, new) pair against a table written out by hand."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import product

import pytest

from pos_app.domain.money import Money
from pos_app.domain.sale import (
    CLOSED_UNPAID,
    OPEN_STATUSES,
    InvalidTransition,
    Method,
    Sale,
    SaleStatus,
    can_transition,
    is_final,
    transition,
)

# Rows: from. Columns: to, in this order. "x" = allowed, "." = refused.
# Written from ARCHITECTURE.md ("States"), deliberately NOT derived from sale.ALLOWED:
# a change to the rules has to change this table too.
_COLUMNS = ["CREATED", "AWAITING_PAYMENT", "PAID", "EXPIRED", "CANCELLED", "FAILED", "UNCERTAIN"]
_TABLE = """
                   CRE AWA PAI EXP CAN FAI UNC
CREATED             .   x   x   x   x   x   x
AWAITING_PAYMENT    .   .   x   x   x   x   x
PAID                .   .   .   .   .   .   .
EXPIRED             .   .   x   .   .   .   .
CANCELLED           .   .   x   .   .   .   .
FAILED              .   .   .   .   .   .   .
UNCERTAIN           .   x   x   x   x   x   .
"""


def _expected() -> dict[tuple[SaleStatus, SaleStatus], bool]:
    rows = [line.split() for line in _TABLE.strip().splitlines()[1:]]
    table: dict[tuple[SaleStatus, SaleStatus], bool] = {}
    for row in rows:
        current, marks = SaleStatus[row[0]], row[1:]
        assert len(marks) == len(_COLUMNS)
        for column, mark in zip(_COLUMNS, marks, strict=True):
            assert mark in "x."
            table[(current, SaleStatus[column])] = mark == "x"
    return table


EXPECTED = _expected()
ALL_PAIRS = list(product(SaleStatus, SaleStatus))


def test_the_table_covers_every_pair() -> None:
    assert set(EXPECTED) == set(ALL_PAIRS)
    assert len(ALL_PAIRS) == len(SaleStatus) ** 2 == 49


@pytest.mark.parametrize(("current", "new"), ALL_PAIRS, ids=lambda s: s.value)
def test_transition_agrees_with_the_table(current: SaleStatus, new: SaleStatus) -> None:
    allowed = EXPECTED[(current, new)]
    assert can_transition(current, new) is allowed
    if allowed:
        assert transition(current, new) is new
    else:
        with pytest.raises(InvalidTransition) as info:
            transition(current, new)
        assert info.value.current is current
        assert info.value.new is new
        assert str(info.value) == f"a sale cannot go from {current.value} to {new.value}"


@pytest.mark.parametrize(
    ("status", "final"),
    [
        (SaleStatus.CREATED, False),
        (SaleStatus.AWAITING_PAYMENT, False),
        (SaleStatus.UNCERTAIN, False),
        (SaleStatus.PAID, True),
        (SaleStatus.EXPIRED, True),
        (SaleStatus.CANCELLED, True),
        (SaleStatus.FAILED, True),
    ],
)
def test_is_final(status: SaleStatus, final: bool) -> None:
    assert is_final(status) is final
    assert (status in OPEN_STATUSES) is not final


def test_late_money_is_possible_only_after_cancel_or_expiry() -> None:
    assert frozenset({SaleStatus.EXPIRED, SaleStatus.CANCELLED}) == CLOSED_UNPAID
    for status in SaleStatus:
        late_paid = is_final(status) and EXPECTED[(status, SaleStatus.PAID)]
        assert late_paid is (status in CLOSED_UNPAID)


def test_nothing_leaves_paid_or_failed() -> None:
    for new in SaleStatus:
        assert not can_transition(SaleStatus.PAID, new)
        assert not can_transition(SaleStatus.FAILED, new)


def test_method_labels() -> None:
    assert [m.label for m in Method] == [
        "UPI QR",
        "Payment link",
        "UPI request",
        "Card",
        "Kiosk",
    ]
    assert Method("upi-qr") is Method.UPI_QR


def test_sale_with_changes_returns_a_new_sale() -> None:
    now = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    sale = Sale(
        order_id="pos_1",
        terminal_id="T1",
        environment="sandbox",
        amount=Money(25000),
        method=Method.UPI_QR,
        status=SaleStatus.CREATED,
        idempotency_key="k-1",
        created_at=now,
        updated_at=now,
    )
    paid = sale.with_changes(status=SaleStatus.PAID, cf_payment_id="42")
    assert paid.status is SaleStatus.PAID
    assert paid.cf_payment_id == "42"
    assert sale.status is SaleStatus.CREATED
    assert sale.cf_payment_id is None
