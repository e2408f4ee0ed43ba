"""Reconciliation and settlements in the simulator: /recon, /settlements, /settlement/recon
and /orders/{id}/settlements, from its own payments, refunds and disputes, with a daily
T+1 settlement carrying charges and tax. Every answer is checked against the official spec
(the `api` fixture's transport); these tests also check that the check ran."""

from __future__ import annotations

from typing import Any

import cashfree_spec
import httpx
import jsonschema
import pytest
from simulator.simkit import ManualClock, SpecLog, order_body

from pos_app.simulator import Simulator

pytestmark = pytest.mark.asyncio

DAY = {"start_date": "2026-01-15T00:00:00+05:30", "end_date": "2026-01-15T23:59:59+05:30"}
WEEK = {"start_date": "2026-01-14T00:00:00+05:30", "end_date": "2026-01-21T23:59:59+05:30"}


def _body(filters: dict[str, Any], limit: int = 100, cursor: str | None = None) -> dict[str, Any]:
    return {"pagination": {"limit": limit, "cursor": cursor}, "filters": filters}


async def _paid(api: httpx.AsyncClient, sim: Simulator, order_id: str, amount: float) -> str:
    assert (await api.post("/orders", json=order_body(order_id, amount))).status_code == 200
    return sim.customer_pays(order_id)


async def _a_day(api: httpx.AsyncClient, sim: Simulator, clock: ManualClock) -> None:
    """Three payments, one refund, one chargeback on 2026-01-15 (IST)."""
    await _paid(api, sim, "R-1", 1000)
    clock.advance(60)
    await _paid(api, sim, "R-2", 250.5)
    clock.advance(60)
    await _paid(api, sim, "R-3", 99)
    clock.advance(60)
    refund = {"refund_id": "RF-1", "refund_amount": 100, "refund_note": "SUCCESS"}
    assert (await api.post("/orders/R-1/refunds", json=refund)).status_code == 200
    clock.advance(60)
    sim.open_dispute("R-3", "CHARGEBACK")


async def _all(api: httpx.AsyncClient, path: str, filters: dict[str, Any], limit: int) -> list[Any]:
    rows: list[Any] = []
    cursor = None
    while True:
        answer = await api.post(path, json=_body(filters, limit, cursor))
        assert answer.status_code == 200, answer.text
        page = answer.json()
        assert page["limit"] == limit
        assert len(page["data"]) <= limit
        rows.extend(page["data"])
        cursor = page.get("cursor")
        if not cursor:
            return rows


async def test_recon_lists_the_days_events_before_settlement(
    api: httpx.AsyncClient, sim: Simulator, clock: ManualClock, spec_log: SpecLog
) -> None:
    await _a_day(api, sim, clock)
    rows = await _all(api, "/recon", DAY, 100)
    kinds = [(r["event_type"], r.get("order_id"), r["sale_type"]) for r in rows]
    assert kinds == [
        ("PAYMENT", "R-1", "CREDIT"),
        ("PAYMENT", "R-2", "CREDIT"),
        ("PAYMENT", "R-3", "CREDIT"),
        ("REFUND", "R-1", "DEBIT"),
        ("CHARGEBACK", "R-3", "DEBIT"),
    ]
    first = rows[0]
    payments = {p["cf_payment_id"]: p for p in sim.payments("R-1")}
    assert first["event_amount"] == 1000
    assert first["payment_utr"] == payments[first["cf_payment_id"]]["bank_reference"]
    assert first["payment_service_charge"] == 17.5  # 1.75%
    assert first["payment_service_tax"] == 3.15  # 18% GST on the charge
    assert first["event_settlement_amount"] == 979.35
    assert "cf_settlement_id" not in first  # not settled yet (T+1)
    assert rows[3]["refund_id"] == "RF-1"
    assert ("POST", "/recon", 200) in spec_log.checked


async def test_next_day_settlement_groups_gross_charges_tax_and_debits(
    api: httpx.AsyncClient, sim: Simulator, clock: ManualClock, spec_log: SpecLog
) -> None:
    await _a_day(api, sim, clock)
    clock.advance(26 * 3600)  # 2026-01-16 12:02 IST: after the 11:00 settlement
    rows = await _all(api, "/recon", WEEK, 100)
    (settlement,) = [r for r in rows if r["event_type"] == "SETTLEMENT"]
    gross = 1000 + 250.5 + 99
    charges = 17.5 + 4.38 + 1.73
    tax = 3.15 + 0.79 + 0.31
    assert settlement["event_amount"] == gross
    assert settlement["service_charge"] == pytest.approx(charges)
    assert settlement["service_tax"] == pytest.approx(tax)
    assert settlement["adjustment"] == -(100 + 99)
    assert settlement["amount_settled"] == pytest.approx(gross - charges - tax - 199)
    assert settlement["settlement_date"] == "2026-01-16T11:00:00+05:30"
    assert all(r["settlement_utr"] == settlement["settlement_utr"] for r in rows)

    (listed,) = (await api.post("/settlements", json=_body(WEEK, 10))).json()["data"]
    assert listed["settlement_utr"] == settlement["settlement_utr"]
    assert listed["amount_settled"] == settlement["amount_settled"]
    by_utr = _body({"settlement_utrs": [settlement["settlement_utr"]]}, 10)
    inside = await _all(api, "/settlement/recon", by_utr["filters"], 10)
    assert sorted(r["event_details"]["event_type"] for r in inside) == [
        "CHARGEBACK",
        "PAYMENT",
        "PAYMENT",
        "PAYMENT",
        "REFUND",
    ]
    assert {r["settlement_details"]["utr"] for r in inside} == {settlement["settlement_utr"]}
    missing = await api.post("/settlements", json=_body({"cf_settlement_ids": ["999"]}, 10))
    assert missing.json()["data"] == []
    for path in ("/settlements", "/settlement/recon"):
        assert ("POST", path, 200) in spec_log.checked


async def test_order_settlement_before_and_after_transfer(
    api: httpx.AsyncClient, sim: Simulator, clock: ManualClock, spec_log: SpecLog
) -> None:
    await _paid(api, sim, "R-9", 500)
    early = (await api.get("/orders/R-9/settlements")).json()
    assert early["order_id"] == "R-9"
    assert early["settlement_amount"] == 500 - 8.75 - 1.58
    assert "transfer_utr" not in early
    clock.advance(30 * 3600)
    late = (await api.get("/orders/R-9/settlements")).json()
    assert late["transfer_utr"] == "CFSIM26011501"
    assert late["cf_settlement_id"] == "2026011501"
    assert late["transfer_time"] == "2026-01-16T11:00:00+05:30"
    assert (await api.post("/orders", json=order_body("R-10", 5))).status_code == 200
    unpaid = await api.get("/orders/R-10/settlements")
    assert unpaid.status_code == 404
    assert unpaid.json()["code"] == "settlement_not_found"
    assert ("GET", "/orders/{order_id}/settlements", 200) in spec_log.checked
    assert ("GET", "/orders/{order_id}/settlements", 404) in spec_log.checked


async def test_cursor_paging_returns_every_event_once(
    api: httpx.AsyncClient, sim: Simulator, clock: ManualClock
) -> None:
    for n in range(25):
        await _paid(api, sim, f"P-{n}", 10 + n)
        clock.advance(10)
    rows = await _all(api, "/recon", DAY, 10)
    assert [r["order_id"] for r in rows] == [f"P-{n}" for n in range(25)]


@pytest.mark.parametrize(
    ("path", "body", "code"),
    [
        ("/recon", {"pagination": {"limit": 10}}, "filters_invalid"),
        ("/recon", _body({"start_date": DAY["start_date"]}), "filters.end_date_missing"),
        ("/recon", _body({**DAY, "start_date": "yesterday"}), "filters.start_date_invalid"),
        ("/recon", _body({**DAY, "end_date": "2026-01-14T00:00:00Z"}), "filters.end_date_invalid"),
        ("/recon", _body(DAY, limit=1001), "pagination.limit_invalid"),
        ("/recon", _body(DAY, limit=5), "pagination.limit_invalid"),
        ("/recon", {"filters": DAY}, "pagination_invalid"),
        ("/recon", _body(DAY, cursor="bm90IGEgY3Vyc29y"), "pagination.cursor_invalid"),
        ("/settlements", _body({}), "filters_invalid"),
        ("/settlements", _body({"settlement_utrs": "U1"}), "filters.settlement_utrs_invalid"),
        (
            "/settlement/recon",
            _body({"start_date": DAY["start_date"]}),
            "filters.date_range_invalid",
        ),
    ],
)
async def test_bad_requests_are_refused_like_cashfree(
    api: httpx.AsyncClient, path: str, body: dict[str, Any], code: str, spec_log: SpecLog
) -> None:
    answer = await api.post(path, json=body)
    assert answer.status_code == 400
    assert answer.json()["code"] == code
    assert answer.json()["type"] == "invalid_request_error"


async def test_a_cursor_only_works_with_its_own_filters(
    api: httpx.AsyncClient, sim: Simulator, clock: ManualClock
) -> None:
    for n in range(12):
        await _paid(api, sim, f"C-{n}", 10)
    cursor = (await api.post("/recon", json=_body(DAY, 10))).json()["cursor"]
    other = await api.post("/recon", json=_body(WEEK, 10, cursor))
    assert other.status_code == 400
    assert other.json()["code"] == "pagination.cursor_invalid"


async def test_each_listed_settlement_fits_the_specs_settlement_entity(
    api: httpx.AsyncClient, sim: Simulator, clock: ManualClock
) -> None:
    """The spec types /settlements as one SettlementEntity; the page's envelope is checked by
    the transport, and here each settlement in it is checked against that same schema."""
    await _a_day(api, sim, clock)
    clock.advance(3 * 86_400)
    (item,) = (await api.post("/settlements", json=_body(WEEK, 10))).json()["data"]
    schema = cashfree_spec.resolve({"$ref": "#/components/schemas/SettlementEntity"})
    cashfree_spec.validate(item, schema)
    for key in ("service_charge", "service_tax"):  # numbers where the spec says number
        with pytest.raises(jsonschema.ValidationError):
            cashfree_spec.validate({**item, key: "1.00"}, schema)


async def test_the_specs_nested_example_uses_null_where_nothing_is_nullable() -> None:
    """Why the simulator leaves a missing value out instead of sending null: the spec's own
    SettlementReconEntity example fails its schema on its nulls. (The gateway's parser
    reads that example all the same: tests/gateway/test_cashfree_recon.py.)"""
    example = cashfree_spec.spec()["components"]["schemas"]["SettlementReconEntity"]["example"]
    schema = cashfree_spec.response_schema("/settlement/recon", "post")
    with pytest.raises(jsonschema.ValidationError, match="None is not of type"):
        cashfree_spec.validate(example, schema)


async def test_control_api_raises_a_dispute(
    api: httpx.AsyncClient, sim: Simulator, clock: ManualClock
) -> None:
    from pos_app.simulator import SimRequest
    from pos_app.simulator.wire import dump_json

    await _paid(api, sim, "D-1", 500)
    clock.advance(60)

    def control(body: dict[str, Any]) -> Any:
        request = SimRequest.build("POST", "/_sim/orders/D-1/dispute", body=dump_json(body))
        return sim.handle(request)

    answer = control({"kind": "CHARGEBACK", "amount": "120.50"})
    assert answer.status == 200
    rows = await _all(api, "/recon", DAY, 10)
    assert [(r["event_type"], r["event_amount"]) for r in rows] == [
        ("PAYMENT", 500),
        ("CHARGEBACK", 120.5),
    ]
    assert control({"kind": "REFUND"}).status == 400
    assert control({"amount": "-3"}).status == 400
    unpaid = SimRequest.build("POST", "/_sim/orders/NOPE/dispute", body=b"{}")
    assert sim.handle(unpaid).status == 404


async def test_a_dispute_the_merchant_wins_gives_the_money_back(
    api: httpx.AsyncClient, sim: Simulator, clock: ManualClock
) -> None:
    await _paid(api, sim, "W-1", 400)
    clock.advance(60)
    dispute = sim.open_dispute("W-1", "DISPUTE")
    clock.advance(3600)
    sim.close_dispute(dispute, merchant_won=True)
    rows = await _all(api, "/recon", DAY, 10)
    assert [(r["event_type"], r["sale_type"]) for r in rows] == [
        ("PAYMENT", "CREDIT"),
        ("DISPUTE", "DEBIT"),
        ("DISPUTE_REVERSAL", "CREDIT"),
    ]
    assert rows[2]["closed_in_favor_of"] == "MERCHANT"
    clock.advance(2 * 86_400)
    (settlement,) = (await api.post("/settlements", json=_body(WEEK, 10))).json()["data"]
    assert settlement["adjustment"] == 0  # taken, then given back
    assert settlement["amount_settled"] == 400 - 7 - 1.26
