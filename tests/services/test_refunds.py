"""Refunds against the in-process simulated Cashfree, with a fake clock.

The simulator decides a refund's outcome from its note, as Cashfree's sandbox does:
"SUCCESS", "FAILED", "PENDING" (stays pending); any other note (or none) is PENDING and
turns SUCCESS five seconds later on the simulator's clock.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from till_fakes import Till, make_till, qr_request

from pos_app.domain.money import Money
from pos_app.domain.sale import Method, SaleStatus
from pos_app.gateway.base import NewRefund
from pos_app.services.checkout.state import ChargeRequest
from pos_app.services.refunds.service import (
    REQUESTED,
    RefundRefused,
    RefundService,
    describe_refund,
    new_refund_id,
)


class Spy:
    """Every refund request the till sends: (method, path, headers, body)."""

    def __init__(self, till: Till) -> None:
        self.calls: list[tuple[str, str, dict[str, str], dict[str, Any]]] = []
        self.journal_had: list[str | None] = []
        original = till.transport.handle_async_request

        async def spy(request: httpx.Request) -> httpx.Response:
            if "/refunds" in request.url.path:
                body = json.loads(request.content) if request.content else {}
                self.calls.append((request.method, request.url.path, dict(request.headers), body))
                if request.method == "POST":
                    order_id = request.url.path.split("/")[-2]
                    sale = till.journal.get_sale(order_id)
                    owner = sale.order_id if sale else _by_gateway(till, order_id)
                    known = till.journal.refunds_for(owner) if owner else []
                    match = [r.status for r in known if r.refund_id == body["refund_id"]]
                    self.journal_had.append(match[0] if match else None)
            return await original(request)

        till.transport.handle_async_request = spy  # type: ignore[method-assign]

    def posts(self) -> list[tuple[str, dict[str, str], dict[str, Any]]]:
        return [(p, h, b) for m, p, h, b in self.calls if m == "POST"]


def _by_gateway(till: Till, gateway_order_id: str) -> str | None:
    """The sale whose payment sits on this Cashfree order (payment links)."""
    day = timedelta(days=1)
    for sale in till.journal.sales_between(till.clock.now - day, till.clock.now + day):
        if sale.gateway_order_id == gateway_order_id:
            return sale.order_id
    return None


@pytest_asyncio.fixture
async def till(tmp_path: Path) -> AsyncIterator[Till]:
    t = make_till(tmp_path)
    yield t
    await t.checkout.shutdown()
    await t.client.aclose()
    t.journal.close()


def service(till: Till, **kw: Any) -> RefundService:
    return RefundService(till.gateway, till.journal, clock=till.clock, sleep=till.clock.sleep, **kw)


async def paid_sale(till: Till, rupees: int = 250, method: Method = Method.UPI_QR) -> str:
    request = (
        qr_request(rupees)
        if method is Method.UPI_QR
        else ChargeRequest(amount=Money.rupees(rupees), method=method)
    )
    shown = await till.run(request, until_awaiting=True)
    till.sim.customer_pays(shown.order_id)
    final = await till.finish()
    assert final.status is SaleStatus.PAID
    return final.order_id


@pytest.mark.asyncio
async def test_full_refund_succeeds_and_is_journaled_before_the_call(till: Till) -> None:
    order_id = await paid_sale(till, 250)
    spy = Spy(till)
    outcome = await service(till).refund(order_id, reason="SUCCESS")
    assert outcome.succeeded and outcome.final and not outcome.resumed
    record = outcome.refund
    assert record.amount == Money.rupees(250) and record.arn
    assert spy.journal_had == [REQUESTED]  # journaled, with its id, before Cashfree saw it
    ((path, headers, body),) = spy.posts()
    assert path == f"/pg/orders/{order_id}/refunds"
    assert body == {"refund_id": record.refund_id, "refund_amount": 250.0, "refund_note": "SUCCESS"}
    assert headers["x-idempotency-key"] == record.idempotency_key
    assert till.journal.refunds_for(order_id) == [record]
    assert till.journal.refunded_total(order_id) == Money.rupees(250)
    assert "Refunded ₹250.00" in outcome.message and record.arn in outcome.message
    kinds = [e.kind for e in till.journal.events(order_id)]
    assert kinds[-2:] == ["refund_requested", "refund_success"]


@pytest.mark.asyncio
async def test_pending_refund_is_followed_to_success(till: Till) -> None:
    order_id = await paid_sale(till, 300)
    outcome = await service(till).refund(order_id, Money.rupees(100))
    assert outcome.succeeded
    kinds = [e.kind for e in till.journal.events(order_id)]
    assert "refund_pending" in kinds and kinds[-1] == "refund_success"
    assert till.transport.count("GET", f"/refunds/{outcome.refund.refund_id}") >= 1


@pytest.mark.asyncio
async def test_refund_failure_says_why_and_frees_the_amount(till: Till) -> None:
    order_id = await paid_sale(till, 120)
    refunds = service(till)
    outcome = await refunds.refund(order_id, reason="FAILED")
    assert outcome.final and not outcome.succeeded
    assert outcome.refund.status == "FAILED"
    assert outcome.refund.status_description
    assert outcome.refund.status_description.rstrip(".") in outcome.message
    assert "failed" in outcome.message and "refund again" in outcome.message
    assert refunds.refundable(order_id) == Money.rupees(120)


@pytest.mark.asyncio
async def test_refund_that_stays_pending_is_reported_as_such(till: Till) -> None:
    order_id = await paid_sale(till, 90)
    refunds = service(till, follow_for=30.0)
    outcome = await refunds.refund(order_id, Money.rupees(40), reason="PENDING")
    assert outcome.confirmed and not outcome.final
    assert outcome.refund.status == "PENDING"
    assert "pending" in outcome.message and "Check it again later" in outcome.message
    # The pending refund still counts against what is left.
    assert refunds.refundable(order_id) == Money.rupees(50)
    with pytest.raises(RefundRefused, match="more than is left"):
        await refunds.refund(order_id, Money.rupees(60), another=True)


@pytest.mark.asyncio
async def test_a_new_refund_first_brings_pending_ones_up_to_date(till: Till) -> None:
    order_id = await paid_sale(till, 250)
    refunds = service(till, follow_for=0.0)
    first = await refunds.refund(order_id, Money.rupees(200))
    assert first.refund.status == "PENDING"  # the simulator settles it 5 s later
    await till.clock.sleep(6)
    second = await refunds.refund(order_id, Money.rupees(50), reason="SUCCESS")
    assert second.succeeded
    statuses = {r.refund_id: r.status for r in till.journal.refunds_for(order_id)}
    assert statuses == {first.refund.refund_id: "SUCCESS", second.refund.refund_id: "SUCCESS"}


@pytest.mark.asyncio
async def test_partial_refunds_up_to_the_paid_amount_then_refused(till: Till) -> None:
    order_id = await paid_sale(till, 250)
    refunds = service(till)
    first = await refunds.refund(order_id, Money.rupees(100), reason="SUCCESS")
    second = await refunds.refund(order_id, Money(15000), reason="SUCCESS")
    assert first.succeeded and second.succeeded
    assert refunds.refundable(order_id) == Money(0)
    posts_before = till.transport.count("POST", "/refunds")
    with pytest.raises(RefundRefused, match="Nothing is left to refund"):
        await refunds.refund(order_id, Money(100))
    assert till.transport.count("POST", "/refunds") == posts_before
    assert len(till.journal.refunds_for(order_id)) == 2


@pytest.mark.asyncio
async def test_over_limit_refund_is_refused_before_anything_is_sent(till: Till) -> None:
    order_id = await paid_sale(till, 250)
    with pytest.raises(RefundRefused, match="more than is left to refund") as refused:
        await service(till).refund(order_id, Money(25001))
    assert "₹250.00" in refused.value.message
    assert till.transport.count("POST", "/refunds") == 0
    assert till.journal.refunds_for(order_id) == []


@pytest.mark.asyncio
async def test_bad_requests_are_refused(till: Till) -> None:
    order_id = await paid_sale(till, 50)
    refunds = service(till)
    with pytest.raises(RefundRefused, match="more than"):
        refunds.check_request(order_id, Money(0), None)
    with pytest.raises(RefundRefused, match="at least 3"):
        refunds.check_request(order_id, None, "ok")
    with pytest.raises(RefundRefused, match="100 characters"):
        refunds.check_request(order_id, None, "x" * 101)
    with pytest.raises(RefundRefused, match="no sale"):
        refunds.check_request("T1-NOPE", None, None)
    assert refunds.check_request(order_id, None, "  damaged   goods ") == (
        Money.rupees(50),
        "damaged goods",
    )


@pytest.mark.asyncio
async def test_only_a_paid_sale_can_be_refunded(till: Till) -> None:
    shown = await till.run(qr_request(70), until_awaiting=True)
    with pytest.raises(RefundRefused, match="Only a paid sale"):
        await service(till).refund(shown.order_id)
    await till.cancel_and_finish(shown.order_id)


@pytest.mark.asyncio
async def test_lost_answer_then_retry_reuses_the_refund_id_and_key(till: Till) -> None:
    order_id = await paid_sale(till, 200)
    spy = Spy(till)
    refunds = service(till)
    till.sim.set_faults(drop_rate=1.0)  # Cashfree processes it; the answer never arrives
    first = await refunds.refund(order_id, reason="SUCCESS")
    assert first.refund.status == REQUESTED and not first.confirmed
    assert first.refund.status_description  # why it is not confirmed
    assert "never paid twice" in first.message
    till.sim.set_faults(drop_rate=0.0)
    again = await refunds.refund(order_id, reason="SUCCESS")  # the manager tries again
    assert again.resumed and again.succeeded
    assert again.refund.refund_id == first.refund.refund_id
    keys = {h["x-idempotency-key"] for _, h, _ in spy.posts()}
    ids = {b["refund_id"] for _, _, b in spy.posts()}
    assert keys == {first.refund.idempotency_key} and ids == {first.refund.refund_id}
    assert len(till.journal.refunds_for(order_id)) == 1
    at_cashfree = await till.gateway.list_refunds(order_id)
    assert [r.refund_id for r in at_cashfree] == [first.refund.refund_id]


@pytest.mark.asyncio
async def test_unreachable_cashfree_leaves_it_unconfirmed_and_retry_sends_it(till: Till) -> None:
    order_id = await paid_sale(till, 80)
    refunds = service(till)
    till.sim.set_faults(down=True)
    first = await refunds.refund(order_id, Money.rupees(30), reason="SUCCESS")
    assert first.refund.status == REQUESTED
    assert "cannot reach Cashfree" in (first.refund.status_description or "")
    # Unconfirmed money still counts against what is left: no double refund by accident.
    assert refunds.refundable(order_id) == Money.rupees(50)
    till.sim.set_faults(down=False)
    outcome = await refunds.retry(first.refund)
    assert outcome.resumed and outcome.succeeded
    assert outcome.refund.refund_id == first.refund.refund_id
    assert outcome.refund.status_description != first.refund.status_description
    assert refunds.refundable(order_id) == Money.rupees(50)


@pytest.mark.asyncio
async def test_retry_looks_the_refund_up_when_cashfree_already_has_that_id(till: Till) -> None:
    order_id = await paid_sale(till, 90)
    refunds = service(till)
    record = refunds.prepare(order_id, Money.rupees(40), "SUCCESS")  # then the till stopped
    # It had reached Cashfree under a key Cashfree no longer remembers: the id is taken.
    await till.gateway.create_refund(
        order_id, NewRefund(record.refund_id, record.amount, "SUCCESS"), idempotency_key="old"
    )
    outcome = await refunds.retry(record)
    assert outcome.succeeded and outcome.refund.refund_id == record.refund_id
    assert outcome.refund.arn
    assert [r.refund_id for r in await till.gateway.list_refunds(order_id)] == [record.refund_id]
    assert refunds.refundable(order_id) == Money.rupees(50)


@pytest.mark.asyncio
async def test_payment_link_refund_goes_to_the_order_that_holds_the_money(till: Till) -> None:
    order_id = await paid_sale(till, 500, Method.LINK)
    sale = till.journal.get_sale(order_id)
    assert sale is not None and sale.gateway_order_id and sale.gateway_order_id != order_id
    spy = Spy(till)
    outcome = await service(till).refund(order_id, Money.rupees(200), reason="SUCCESS")
    assert outcome.succeeded
    ((path, _, _),) = spy.posts()
    assert path == f"/pg/orders/{sale.gateway_order_id}/refunds"


@pytest.mark.asyncio
async def test_cashfree_refusal_marks_the_refund_failed_with_its_reason(till: Till) -> None:
    shown = await till.run(qr_request(60), until_awaiting=True)
    await till.cancel_and_finish(shown.order_id)
    # The journal says paid (say, a wrong manual fix) but Cashfree never took the money.
    till.journal.update_sale(shown.order_id, event="paid", status=SaleStatus.PAID)
    outcome = await service(till).refund(shown.order_id)
    assert outcome.refund.status == "FAILED"
    assert "paid order" in (outcome.refund.status_description or "")
    assert "request id" in outcome.message


def test_refund_ids_fit_cashfree() -> None:
    import re
    from datetime import UTC, datetime

    made = {new_refund_id(datetime(2026, 11, 26, 5, 30, tzinfo=UTC)) for _ in range(50)}
    assert len(made) == 50
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{3,40}", r) for r in made)


def test_describe_refund_words() -> None:
    from datetime import UTC, datetime

    from pos_app.store.codec import RefundRecord

    now = datetime(2026, 11, 26, tzinfo=UTC)
    base = RefundRecord(
        refund_id="RF-1",
        order_id="T1-1",
        amount=Money(12345),
        status="ONHOLD",
        idempotency_key="k",
        created_at=now,
        updated_at=now,
    )
    assert "onhold" in describe_refund(base) and "₹123.45" in describe_refund(base)
    cancelled = describe_refund(base.__class__(**{**_fields(base), "status": "CANCELLED"}))
    assert "cancelled" in cancelled
    failed = describe_refund(base.__class__(**{**_fields(base), "status": "FAILED"}))
    assert "Cashfree gave no reason" in failed


def _fields(record: object) -> dict[str, Any]:
    from dataclasses import fields

    return {f.name: getattr(record, f.name) for f in fields(record)}  # type: ignore[arg-type]


# ---- the command ---------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_refund_command_prints_the_outcome_and_exit_codes(till: Till) -> None:
    import io

    from pos_app.commands import exit_codes
    from pos_app.commands.refund import run_refund

    order_id = await paid_sale(till, 150)
    refunds = service(till)
    out = io.StringIO()
    code = await run_refund(refunds, order_id, Money.rupees(50), "SUCCESS", out=out)
    text = out.getvalue()
    assert code == exit_codes.PAID
    assert "₹50.00" in text and "SUCCESS" in text and order_id in text
    out = io.StringIO()
    assert await run_refund(refunds, order_id, Money.rupees(20), "FAILED", out=out) == (
        exit_codes.FAILED
    )
    assert "failed" in out.getvalue()
    out = io.StringIO()
    assert await run_refund(refunds, order_id, Money.rupees(500), None, out=out) == (
        exit_codes.BAD_INPUT
    )
    assert out.getvalue().startswith("Refused: ")
    assert "₹50.00" in out.getvalue() and "SUCCESS" in out.getvalue()  # the refunds so far
    till.sim.set_faults(down=True)
    out = io.StringIO()
    code = await run_refund(refunds, order_id, Money.rupees(10), "SUCCESS", out=out)
    assert code == exit_codes.GATEWAY_TROUBLE and "NOT CONFIRMED" in out.getvalue()
    till.sim.set_faults(down=False)
    out = io.StringIO()
    assert await run_refund(refunds, order_id, Money.rupees(10), None, out=out) == exit_codes.PAID
    assert "did not make a second one" in out.getvalue()
    assert len(till.journal.refunds_for(order_id)) == 3


def test_cli_refund_asks_the_pin_after_checking_the_input(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    from pos_app import cli
    from pos_app.commands import exit_codes
    from pos_app.config import Settings, paths, save_settings
    from pos_app.services.manager.pin import hash_pin

    save_settings(paths(), Settings(manager_pin_hash=hash_pin("2580")))
    stdin = io.StringIO("1111\n2580\n")
    monkeypatch.setattr("sys.stdin", stdin)
    # Bad input is refused before any PIN is asked (nothing is read from stdin).
    assert cli.main(["--demo", "refund", "T1-X", "--amount", "12.345"]) == exit_codes.BAD_INPUT
    assert "two decimals" in capsys.readouterr().err and stdin.tell() == 0
    assert cli.main(["--demo", "refund", "T1-X", "--reason", "no"]) == exit_codes.BAD_INPUT
    # A wrong PIN stops it; the right one lets it reach the journal (which has no such sale).
    assert cli.main(["--demo", "refund", "T1-X"]) == exit_codes.REFUSED
    assert "Wrong manager PIN" in capsys.readouterr().err
    assert cli.main(["--demo", "refund", "T1-X", "--amount", "10"]) == exit_codes.BAD_INPUT
    assert "There is no sale T1-X" in capsys.readouterr().out
