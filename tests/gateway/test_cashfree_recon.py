"""Reconciliation and settlement calls: the request (path, headers, body valid against the
official request schema), the parse of the spec's own examples, cursors, and errors."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import cashfree_spec
import httpx
import pytest
import respx

from pos_app.domain.money import Money
from pos_app.gateway.cashfree import CashfreeGateway
from pos_app.gateway.cashfree_recon_parse import (
    parse_recon_page,
    parse_settlement_page,
)
from pos_app.gateway.errors import BadResponseError, NotFoundError
from pos_app.gateway.recon_types import ReconEventKind, SettlementQuery

IST = timezone(timedelta(hours=5, minutes=30))
START = datetime(2026, 1, 15, 0, 0, tzinfo=IST)
END = datetime(2026, 1, 16, 0, 0, tzinfo=IST)


def _example(schema_name: str) -> Any:
    return copy.deepcopy(cashfree_spec.spec()["components"]["schemas"][schema_name]["example"])


@pytest.mark.asyncio
async def test_fetch_recon_request_and_answer(
    cf: respx.MockRouter, gateway: CashfreeGateway, wire: Any
) -> None:
    route = cf.post("/recon").respond(200, json=_example("ReconEntity"))
    page = await gateway.fetch_recon(START, END, limit=500)
    request = route.calls.last.request
    wire.headers(
        request, request_id="req-1", idempotency_key=wire.generated_key(request), body=True
    )
    body = wire.body(request)
    assert body == {
        "pagination": {"limit": 500},
        "filters": {"start_date": "2026-01-14T18:30:00Z", "end_date": "2026-01-15T18:30:00Z"},
    }
    cashfree_spec.validate(body, cashfree_spec.request_schema("/recon", "post"))
    assert page.cursor == "cursor-uid"
    kinds = [e.kind for e in page.events]
    assert kinds[:3] == [ReconEventKind.SETTLEMENT] * 3
    assert ReconEventKind.DISPUTE in kinds and ReconEventKind.OTHER_ADJUSTMENT in kinds
    first = page.events[0]
    assert first.amount == Money(300000)
    assert first.amount_settled == Money(279646)
    assert first.adjustment == Money(-20000)
    assert first.settlement_utr == "PGI45345"
    assert first.settled_at == datetime(2022, 8, 16, 14, 45, 24, tzinfo=IST)
    dispute = next(e for e in page.events if e.kind is ReconEventKind.DISPUTE)
    assert dispute.credit is False
    assert dispute.order_id == "order_1527072DQpGNwTMBlnAc1GfxmWalriHBG"
    assert dispute.dispute_category == "1402-Duplicate Processing"


@pytest.mark.asyncio
async def test_second_page_sends_the_cursor(
    cf: respx.MockRouter, gateway: CashfreeGateway, wire: Any
) -> None:
    route = cf.post("/recon").respond(200, json={"limit": 10, "data": []})
    page = await gateway.fetch_recon(START, END, cursor="abc==", limit=10)
    body = wire.body(route.calls.last.request)
    assert body["pagination"] == {"limit": 10, "cursor": "abc=="}
    cashfree_spec.validate(body, cashfree_spec.request_schema("/recon", "post"))
    assert page.events == () and page.cursor is None


@pytest.mark.asyncio
async def test_an_empty_page_never_promises_more(
    cf: respx.MockRouter, gateway: CashfreeGateway
) -> None:
    cf.post("/recon").respond(200, json={"limit": 10, "cursor": "again", "data": []})
    assert (await gateway.fetch_recon(START, END)).cursor is None


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("query", "filters"),
    [
        (SettlementQuery(utrs=("UTR1", "UTR2")), {"settlement_utrs": ["UTR1", "UTR2"]}),
        (SettlementQuery(settlement_ids=("42",)), {"cf_settlement_ids": ["42"]}),
        (
            SettlementQuery(start=START, end=END),
            {"start_date": "2026-01-14T18:30:00Z", "end_date": "2026-01-15T18:30:00Z"},
        ),
    ],
)
async def test_settlement_requests(
    cf: respx.MockRouter,
    gateway: CashfreeGateway,
    wire: Any,
    query: SettlementQuery,
    filters: dict[str, Any],
) -> None:
    listed = cf.post("/settlements").respond(200, json={"limit": 10, "data": []})
    inside = cf.post("/settlement/recon").respond(200, json=_example("SettlementReconEntity"))
    await gateway.fetch_settlements(query, limit=10)
    page = await gateway.fetch_settlement_recon(query, limit=10)
    for route, path in ((listed, "/settlements"), (inside, "/settlement/recon")):
        body = wire.body(route.calls.last.request)
        assert body == {"pagination": {"limit": 10}, "filters": filters}
        cashfree_spec.validate(body, cashfree_spec.request_schema(path, "post"))
    # The spec's nested example: event, payment and settlement details are lifted.
    first = page.events[0]
    assert first.kind is ReconEventKind.PAYMENT
    assert first.cf_payment_id == "1234881617186388204"
    assert first.payment_utr == "210396"
    assert first.settlement_utr == "PGI45406"
    assert first.service_charge == Money(200)
    assert page.events[2].kind is ReconEventKind.UNKNOWN  # FUND_SWEEP_REVERSAL
    assert page.events[2].raw_kind == "FUND_SWEEP_REVERSAL"


@pytest.mark.asyncio
async def test_bad_arguments_are_refused_before_sending(gateway: CashfreeGateway) -> None:
    with pytest.raises(ValueError, match="10 to 1000"):
        await gateway.fetch_recon(START, END, limit=5000)
    with pytest.raises(ValueError, match="before its start"):
        await gateway.fetch_recon(END, START)
    with pytest.raises(ValueError, match="timezone-aware"):
        await gateway.fetch_recon(datetime(2026, 1, 1), datetime(2026, 1, 2))
    with pytest.raises(ValueError, match="say which"):
        SettlementQuery()


def test_settlements_answer_as_page_or_as_the_spec_entity() -> None:
    spec_entity = _example("SettlementEntity")
    (one,) = parse_settlement_page(spec_entity).settlements
    assert one.cf_settlement_id == "6121238"
    assert one.utr == "N87912312"
    assert one.service_charge == Money(1000) and one.service_tax == Money(180)
    assert one.amount_settled == Money(8820)
    page = parse_settlement_page({"limit": 10, "cursor": "n", "data": [spec_entity]})
    assert page.cursor == "n" and len(page.settlements) == 1


def test_a_line_without_its_identity_is_a_bad_response() -> None:
    with pytest.raises(ValueError, match="event_id"):
        parse_recon_page({"data": [{"event_type": "PAYMENT", "event_amount": 1}]})


@pytest.mark.asyncio
async def test_recon_answer_that_is_not_a_page_is_a_bad_response(
    cf: respx.MockRouter, gateway: CashfreeGateway
) -> None:
    cf.post("/recon").respond(200, json=[1, 2])
    with pytest.raises(BadResponseError):
        await gateway.fetch_recon(START, END)


@pytest.mark.asyncio
async def test_order_settlement(cf: respx.MockRouter, gateway: CashfreeGateway, wire: Any) -> None:
    route = cf.get("/orders/order-12-127/settlements").respond(
        200, json=_example("SettlementEntity")
    )
    found = await gateway.get_order_settlement("order-12-127")
    request = route.calls.last.request
    wire.headers(request, request_id="req-1", idempotency_key=None, body=False)
    assert found is not None and found.settled
    assert found.transfer_utr == "N87912312"
    assert found.settlement_amount == Money(8820)
    assert found.transfer_time == datetime(2021, 7, 25, 12, 57, 52, tzinfo=IST)


@pytest.mark.asyncio
async def test_order_without_settlement_is_none_unknown_order_raises(
    cf: respx.MockRouter, gateway: CashfreeGateway
) -> None:
    def answer(code: str) -> httpx.Response:
        return httpx.Response(
            404, json={"message": "not found", "code": code, "type": "invalid_request_error"}
        )

    cf.get("/orders/A/settlements").mock(return_value=answer("settlement_not_found"))
    cf.get("/orders/B/settlements").mock(return_value=answer("order_not_found"))
    assert await gateway.get_order_settlement("A") is None
    with pytest.raises(NotFoundError):
        await gateway.get_order_settlement("B")


def test_times_go_out_in_utc() -> None:
    from pos_app.gateway.cashfree_recon import recon_body

    body = recon_body(START, START.astimezone(UTC) + timedelta(hours=1), None, 10)
    assert body["filters"]["start_date"] == "2026-01-14T18:30:00Z"


@pytest.mark.asyncio
async def test_an_answer_echoing_the_secret_never_carries_it_further(
    cf: respx.MockRouter, gateway: CashfreeGateway, caplog: pytest.LogCaptureFixture
) -> None:
    from gateway.conftest import SECRET_TEXT

    echo = {"message": f"bad key {SECRET_TEXT}", "code": "x", "type": "invalid_request_error"}
    cf.post("/recon").respond(400, json=echo)
    cf.post("/settlements").respond(400, json=echo)
    cf.get("/orders/A/settlements").respond(400, json=echo)
    calls = (
        gateway.fetch_recon(START, END),
        gateway.fetch_settlements(SettlementQuery(utrs=("U",))),
        gateway.get_order_settlement("A"),
    )
    for call in calls:
        with pytest.raises(Exception) as caught:
            await call
        for shown in (str(caught.value), repr(caught.value), repr(vars(caught.value))):
            assert SECRET_TEXT not in shown
    assert SECRET_TEXT not in caplog.text
