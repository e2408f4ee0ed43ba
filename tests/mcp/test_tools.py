"""The MCP tools in-process, through the SDK's own client, against the simulated Cashfree
(the real checkout, gateway and journal, a fake clock)."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from mcp import Client
from mcp.types import CallToolResult
from mcp_kit import data, error_text, everything_said, mcp_till
from PIL import Image
from till_fakes import Till, make_till, qr_request

from pos_app.domain.money import Money
from pos_app.domain.sale import Method, SaleStatus
from pos_app.mcp.context import McpServices
from pos_app.mcp.server import build_server
from pos_app.services.reporting.reports import day_bounds, summary
from pos_app.store import mcp_records

pytestmark = pytest.mark.asyncio

TOOLS = {
    "initiate_cashfree_payment",
    "confirm_cashfree_payment",
    "get_sale",
    "list_sales",
    "day_summary",
    "cancel_payment",
    "request_refund",
}
READ_ONLY = {"confirm_cashfree_payment", "get_sale", "list_sales", "day_summary"}


class Session:
    def __init__(self, till: Till, services: McpServices, client: Client) -> None:
        self.till = till
        self.services = services
        self.client = client
        self.replies: list[CallToolResult] = []

    async def call(self, tool: str, **arguments: Any) -> CallToolResult:
        result = await self.client.call_tool(tool, arguments)
        self.replies.append(result)
        return result

    async def ok(self, tool: str, **arguments: Any) -> dict[str, Any]:
        return data(await self.call(tool, **arguments))

    async def refused(self, tool: str, **arguments: Any) -> str:
        return error_text(await self.call(tool, **arguments))

    def calls(self, **kw: Any) -> list[mcp_records.ToolCall]:
        return mcp_records.tool_calls(self.till.journal, **kw)


@asynccontextmanager
async def _open(tmp_path: Path, **kw: Any) -> AsyncIterator[Session]:
    """The client lives in the test's own task (anyio's cancel scopes must be left where
    they were entered, which an async fixture cannot promise)."""
    till, services = mcp_till(tmp_path, **kw)
    try:
        async with Client(build_server(services)) as client:
            yield Session(till, services, client)
    finally:
        await till.checkout.shutdown()
        await till.client.aclose()
        till.journal.close()


async def _paid_sale(mcp: Session, rupees: str = "500") -> str:
    started = await mcp.ok("initiate_cashfree_payment", amount=rupees, payment_method="upi-qr")
    mcp.till.sim.customer_pays(started["order_id"])
    confirmed = await mcp.ok(
        "confirm_cashfree_payment", order_id=started["order_id"], wait_seconds=30
    )
    assert confirmed["payment_status"] == "SUCCESS"
    return str(started["order_id"])


# ---- the tools as a client sees them ----------------------------------------------------------
async def test_every_tool_is_listed_typed_with_output_schema_and_read_only_marks(
    tmp_path: Path,
) -> None:
    async with _open(tmp_path) as mcp:
        listed = {t.name: t for t in (await mcp.client.list_tools()).tools}
        assert set(listed) == TOOLS
        for name, tool in listed.items():
            assert tool.output_schema is not None, name
            assert "environment" in tool.output_schema["properties"], name
            assert tool.annotations is not None
            assert tool.annotations.read_only_hint is (name in READ_ONLY), name
        initiate = listed["initiate_cashfree_payment"].input_schema
        assert initiate["required"] == ["amount"]
        assert "card" not in str(initiate["properties"]["payment_method"])
        assert listed["cancel_payment"].annotations.destructive_hint is True  # type: ignore[union-attr]
        wait = listed["confirm_cashfree_payment"].input_schema["properties"]["wait_seconds"]
        assert (wait["minimum"], wait["maximum"]) == (0, 60)


# ---- full flows ----------------------------------------------------------------------------------
async def test_upi_qr_initiate_pay_confirm_success(tmp_path: Path) -> None:
    async with _open(tmp_path) as mcp:
        result = await mcp.call(
            "initiate_cashfree_payment", amount="1,250.50", payment_method="upi-qr"
        )
        started = data(result)
        order_id = started["order_id"]
        assert started["environment"] == "DEMO"
        assert (started["amount"], started["amount_paise"]) == ("1250.50", 125050)
        assert (started["till_status"], started["payment_status"]) == (
            "AWAITING_PAYMENT",
            "PENDING",
        )
        assert started["upi_payload"].startswith("upi://pay?")
        assert started["expires_at"]
        # The QR image the client gets decodes to the payload the reply names.
        images = [b for b in result.content if b.type == "image"]
        assert len(images) == 1 and images[0].mime_type == "image/png"
        png = base64.b64decode(images[0].data)
        assert png.startswith(b"\x89PNG")
        from io import BytesIO

        decoded = zxingcpp.read_barcodes(Image.open(BytesIO(png)).convert("L").resize((400, 400)))
        assert [d.text for d in decoded] == [started["upi_payload"]]
        # The sale is the till's: journaled, followed in the background (counted as open).
        sale = mcp.till.journal.get_sale(order_id)
        assert sale is not None and sale.status is SaleStatus.AWAITING_PAYMENT
        assert mcp.till.checkout.open_count == 1
        assert mcp.till.checkout.active_order_id is None  # the counter stays free for the cashier

        mcp.till.sim.customer_pays(order_id)
        confirmed = await mcp.ok("confirm_cashfree_payment", order_id=order_id, wait_seconds=30)
        assert confirmed["payment_status"] == "SUCCESS"
        assert confirmed["till_status"] == "PAID"
        assert confirmed["utr"] and confirmed["paid_at"]
        assert confirmed["late_payment"] is False
        paid = mcp.till.journal.get_sale(order_id)
        assert paid is not None and paid.status is SaleStatus.PAID
        assert paid.bank_reference == confirmed["utr"]
        # Every call is in the sale's "What happened".
        kinds = [e.kind for e in mcp.till.journal.events(order_id)]
        assert kinds.count("mcp_initiate_cashfree_payment") == 1
        assert kinds.count("mcp_confirm_cashfree_payment") == 1
        assert kinds.index("created") < kinds.index("mcp_initiate_cashfree_payment")


async def test_payment_link_initiate_pay_confirm_success(tmp_path: Path) -> None:
    async with _open(tmp_path) as mcp:
        started = await mcp.ok("initiate_cashfree_payment", amount=99)
        assert started["payment_method"] == "link"
        assert started["payment_link"].startswith("http")
        assert started["upi_payload"] is None
        mcp.till.sim.link_customer_pays(started["order_id"])
        confirmed = await mcp.ok(
            "confirm_cashfree_payment", order_id=started["order_id"], wait_seconds=60
        )
        assert (confirmed["payment_status"], confirmed["till_status"]) == ("SUCCESS", "PAID")
        shown = await mcp.ok("get_sale", order_id=started["order_id"])
        assert shown["payment_link"] == started["payment_link"]
        assert shown["started_through_mcp"] is True


async def test_collect_request_is_paid_and_no_reply_names_the_upi_id(tmp_path: Path) -> None:
    async with _open(tmp_path) as mcp:
        started = await mcp.ok(
            "initiate_cashfree_payment",
            amount=120,
            payment_method="collect",
            upi_id="testsuccess@gocash",
            phone_number="+91 98765 43210",
            email="asha@example.com",
        )
        confirmed = await mcp.ok(
            "confirm_cashfree_payment", order_id=started["order_id"], wait_seconds=60
        )
        assert confirmed["payment_status"] == "SUCCESS"
        shown = await mcp.ok("get_sale", order_id=started["order_id"])
        assert shown["customer_phone"] == "********10"
        for reply in mcp.replies:
            said = everything_said(reply)
            for private in ("testsuccess", "9876543210", "98765", "asha@"):
                assert private not in said
        for call in mcp.calls():
            stored = str(call.arguments) + str(call.detail)
            for private in ("testsuccess", "9876543210", "asha@"):
                assert private not in stored
        first = mcp.calls()[-1]
        assert first.tool == "initiate_cashfree_payment"
        assert first.arguments["upi_id"] == "given" and first.arguments["phone_number"] == "given"
        assert first.arguments["amount"] == 120


async def test_a_refused_upi_request_is_closed_and_the_reply_says_use_a_link(
    tmp_path: Path,
) -> None:
    async with _open(tmp_path) as mcp:
        reply = await mcp.ok(
            "initiate_cashfree_payment",
            amount="45",
            payment_method="collect",
            upi_id="testinvalid@gocash",
        )
        assert (reply["till_status"], reply["payment_status"]) == ("CANCELLED", "FAILED")
        assert "NPCI" in reply["message"] and "payment_method 'link'" in reply["message"]
        assert "testinvalid" not in reply["message"]
        assert mcp.till.journal.open_sales() == []


async def test_unpaid_sale_expires_and_confirm_says_failed(tmp_path: Path) -> None:
    async with _open(tmp_path) as mcp:
        started = await mcp.ok("initiate_cashfree_payment", amount="75", payment_method="upi-qr")
        order_id = started["order_id"]
        confirmed = await mcp.ok("confirm_cashfree_payment", order_id=order_id, wait_seconds=5)
        assert confirmed["payment_status"] == "PENDING"
        assert confirmed["followed_here"] is True
        for _ in range(40):  # the fake clock runs on while anyone sleeps: 15 minutes pass
            confirmed = await mcp.ok("confirm_cashfree_payment", order_id=order_id, wait_seconds=60)
            if confirmed["payment_status"] != "PENDING":
                break
        assert (confirmed["payment_status"], confirmed["till_status"]) == ("FAILED", "EXPIRED")
        assert confirmed["followed_here"] is False


async def test_cancel_a_payment_started_here(tmp_path: Path) -> None:
    async with _open(tmp_path) as mcp:
        started = await mcp.ok("initiate_cashfree_payment", amount="300")
        cancelled = await mcp.ok("cancel_payment", order_id=started["order_id"])
        assert (cancelled["till_status"], cancelled["payment_status"]) == ("CANCELLED", "FAILED")
        assert cancelled["environment"] == "DEMO"
        sale = mcp.till.journal.get_sale(started["order_id"])
        assert sale is not None and sale.status is SaleStatus.CANCELLED


async def test_cancel_after_the_customer_paid_keeps_the_sale_paid(tmp_path: Path) -> None:
    async with _open(tmp_path) as mcp:
        order_id = await _paid_sale(mcp)
        answer = await mcp.ok("cancel_payment", order_id=order_id)
        assert (answer["till_status"], answer["payment_status"]) == ("PAID", "SUCCESS")
        assert "paid" in answer["message"].lower()


async def test_cancel_refuses_a_sale_the_mcp_server_did_not_start(tmp_path: Path) -> None:
    async with _open(tmp_path) as mcp:
        desk_sale = await mcp.till.run(qr_request(40), until_awaiting=True)
        text = await mcp.refused("cancel_payment", order_id=desk_sale.order_id)
        assert "DEMO" in text and "order_id" in text
        sale = mcp.till.journal.get_sale(desk_sale.order_id)
        assert sale is not None and sale.status is SaleStatus.AWAITING_PAYMENT


async def test_confirm_reads_a_sale_another_door_follows_without_writing_it(tmp_path: Path) -> None:
    async with _open(tmp_path) as mcp:
        # The desk: another process of this till (its own owner) on the same journal.
        desk = make_till(tmp_path, sim=mcp.till.sim, clock=mcp.till.clock, journal=mcp.till.journal)
        desk_sale = await desk.run(qr_request(41), until_awaiting=True)
        mcp.till.sim.customer_pays(desk_sale.order_id)
        before = [e.kind for e in mcp.till.journal.events(desk_sale.order_id)]
        confirmed = await mcp.ok("confirm_cashfree_payment", order_id=desk_sale.order_id)
        # The desk owns the sale: the MCP server only reads and asks it to check now.
        assert confirmed["followed_here"] is False
        assert confirmed["till_status"] == "AWAITING_PAYMENT"
        after = [e.kind for e in mcp.till.journal.events(desk_sale.order_id)]
        assert after == [*before, "mcp_confirm_cashfree_payment"]
        lease = mcp.till.journal.lease_of(desk_sale.order_id)
        assert lease is not None and lease.check_now  # the nudge waits for the desk
        final = await desk.finish()
        assert final.status is SaleStatus.PAID
        await desk.checkout.shutdown()
        await desk.client.aclose()


async def test_cashfree_down_replies_in_time_and_the_sale_is_closed(tmp_path: Path) -> None:
    async with _open(tmp_path) as mcp:
        mcp.services.opening_timeout = 1.0
        mcp.till.sim.set_faults(down=True)
        started = await mcp.ok("initiate_cashfree_payment", amount="55", payment_method="upi-qr")
        assert (started["till_status"], started["payment_status"]) == ("CREATED", "PENDING")
        assert "could not be reached" in started["message"]
        assert started["upi_payload"] is None
        mcp.till.sim.set_faults(down=False)
        confirmed = await mcp.ok(
            "confirm_cashfree_payment", order_id=started["order_id"], wait_seconds=60
        )
        assert confirmed["payment_status"] == "FAILED"
        assert confirmed["till_status"] == "CANCELLED"


# ---- refunds: requested here, approved by the manager ----------------------------------------
async def test_refund_request_moves_no_money_until_the_manager_approves(tmp_path: Path) -> None:
    async with _open(tmp_path) as mcp:
        order_id = await _paid_sale(mcp, "500")
        requested = await mcp.ok(
            "request_refund", order_id=order_id, amount="200", reason="SUCCESS"
        )
        assert requested["status"] == "PENDING_APPROVAL"
        assert requested["environment"] == "DEMO"
        assert mcp.till.transport.count("POST", "/refunds") == 0
        assert mcp.till.journal.refunds_for(order_id) == []
        shown = await mcp.ok("get_sale", order_id=order_id)
        assert [r["status"] for r in shown["refund_requests"]] == ["PENDING_APPROVAL"]
        assert shown["refunds"] == []

        decision = await mcp.services.refund_requests.approve(requested["request_id"])
        assert decision.request.status == "APPROVED"
        assert mcp.till.transport.count("POST", "/refunds") == 1
        assert decision.outcome is not None and decision.outcome.refund.amount == Money.rupees(200)
        shown = await mcp.ok("get_sale", order_id=order_id)
        assert shown["refund_requests"][0]["status"] == "APPROVED"
        assert shown["refund_requests"][0]["refund_id"] == decision.outcome.refund.refund_id
        assert [r["amount"] for r in shown["refunds"]] == ["200.00"]
        kinds = [e.kind for e in mcp.till.journal.events(order_id)]
        assert "refund_request" in kinds and "refund_request_approved" in kinds


async def test_rejected_refund_request_moves_no_money(tmp_path: Path) -> None:
    async with _open(tmp_path) as mcp:
        order_id = await _paid_sale(mcp, "80")
        requested = await mcp.ok(
            "request_refund", order_id=order_id, amount=80, reason="wrong table"
        )
        decision = mcp.services.refund_requests.reject(requested["request_id"], "customer stayed")
        assert decision.request.status == "REJECTED"
        assert mcp.till.transport.count("POST", "/refunds") == 0
        shown = await mcp.ok("get_sale", order_id=order_id)
        assert shown["refund_requests"][0]["status"] == "REJECTED"
        assert "customer stayed" in shown["refund_requests"][0]["message"]


async def test_refund_requests_are_refused_when_they_cannot_be_made(tmp_path: Path) -> None:
    async with _open(tmp_path) as mcp:
        open_sale = await mcp.ok("initiate_cashfree_payment", amount="60")
        text = await mcp.refused(
            "request_refund", order_id=open_sale["order_id"], amount="10", reason="test"
        )
        assert "refund" in text and "paid" in text.lower()
        order_id = await _paid_sale(mcp, "100")
        text = await mcp.refused(
            "request_refund", order_id=order_id, amount="150", reason="too much"
        )
        assert "more than is left" in text
        await mcp.ok("request_refund", order_id=order_id, amount="70", reason="first part")
        text = await mcp.refused("request_refund", order_id=order_id, amount="40", reason="second")
        assert "waiting for approval" in text
        assert mcp.till.transport.count("POST", "/refunds") == 0


# ---- reads --------------------------------------------------------------------------------------
async def test_list_sales_and_day_summary_match_the_report(tmp_path: Path) -> None:
    async with _open(tmp_path) as mcp:
        paid = await _paid_sale(mcp, "250")
        waiting = await mcp.ok("initiate_cashfree_payment", amount="40")
        listed = await mcp.ok("list_sales")
        assert listed["count"] == 2
        assert [s["order_id"] for s in listed["sales"]] == [waiting["order_id"], paid]
        only_paid = await mcp.ok("list_sales", status="PAID", limit=5)
        assert [s["order_id"] for s in only_paid["sales"]] == [paid]
        day = await mcp.ok("day_summary")
        start, end = day_bounds(mcp.till.clock().date())
        start, end = day_bounds(mcp.till.clock().date(), zone=mcp.services.zone)
        report = summary(mcp.till.journal.day_totals(start, end))
        assert day["collected"] == report["collected"]
        assert day["net_paise"] == report["net"]["paise"] == 25000
        assert day["by_status"] == report["by_status"]
        assert day["still_open"] == 1
        other_day = await mcp.ok(
            "day_summary", date=(mcp.till.clock() - timedelta(days=1)).date().isoformat()
        )
        assert other_day["collected"]["count"] == 0


# ---- refusals --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("amount", "why"),
    [
        ("abc", "not an amount"),
        ("-5", "negative"),
        ("12.345", "two decimals"),
        ("0", "more than zero"),
    ],
)
async def test_bad_amounts_are_refused_naming_the_field(
    tmp_path: Path, amount: object, why: str
) -> None:
    async with _open(tmp_path) as mcp:
        text = await mcp.refused("initiate_cashfree_payment", amount=amount)
        assert "DEMO" in text and "(amount)" in text
        assert why in text
        assert mcp.till.journal.open_sales() == []
        assert mcp.calls()[0].outcome == "refused"


async def test_refusals_name_the_field_and_create_nothing(tmp_path: Path) -> None:
    async with _open(tmp_path) as mcp:
        cases = [
            ({"amount": "10", "phone_number": "12345"}, "(phone)"),
            ({"amount": "10", "email": "not-an-email"}, "(email)"),
            ({"amount": "10", "upi_id": "a@okaxis"}, "(upi_id)"),
            ({"amount": "10", "payment_method": "collect"}, "(vpa)"),
            ({"amount": "10", "order_note": "x"}, "(note)"),
        ]
        for arguments, field in cases:
            text = await mcp.refused("initiate_cashfree_payment", **arguments)
            assert field in text, (arguments, text)
        assert mcp.till.journal.open_sales() == []
        text = await mcp.refused("initiate_cashfree_payment", amount="10", payment_method="card")
        assert "payment_method" in text
        text = await mcp.refused("confirm_cashfree_payment", order_id="T1-NO-SUCH", wait_seconds=61)
        assert "wait_seconds" in text


async def test_the_sdk_refuses_wrongly_typed_arguments_before_the_body(tmp_path: Path) -> None:
    async with _open(tmp_path) as mcp:
        for arguments in ({"amount": True}, {"amount": [1]}, {}):
            text = await mcp.refused("initiate_cashfree_payment", **arguments)
            assert "amount" in text and text.startswith("DEMO: ")
        # The body never ran: nothing journaled, no call recorded.
        assert mcp.till.journal.open_sales() == []
        assert mcp.calls() == []


async def test_disabled_method_is_refused(tmp_path: Path) -> None:
    async with _open(tmp_path, methods=frozenset({Method.LINK})) as mcp:
        text = await mcp.refused("initiate_cashfree_payment", amount="10", payment_method="upi-qr")
        assert "(method)" in text and "switched off" in text
        assert mcp.till.journal.open_sales() == []


async def test_unknown_order_is_refused_by_every_tool_that_takes_one(tmp_path: Path) -> None:
    async with _open(tmp_path) as mcp:
        for tool, extra in (
            ("confirm_cashfree_payment", {}),
            ("get_sale", {}),
            ("cancel_payment", {}),
            ("request_refund", {"amount": "1", "reason": "why not"}),
        ):
            text = await mcp.refused(tool, order_id="T1-000000000000-NOPE", **extra)
            assert "(order_id)" in text and "no sale" in text and "DEMO" in text, tool


async def test_otp_on_a_upi_sale_is_refused_with_the_reason(tmp_path: Path) -> None:
    async with _open(tmp_path) as mcp:
        started = await mcp.ok("initiate_cashfree_payment", amount="50", payment_method="upi-qr")
        text = await mcp.refused(
            "confirm_cashfree_payment", order_id=started["order_id"], otp="123456"
        )
        assert "(otp)" in text and "no OTP passes through this till" in text
        assert "123456" not in str([c.arguments for c in mcp.calls()])


async def test_over_the_mcp_maximum_is_refused(tmp_path: Path) -> None:
    async with _open(tmp_path, max_amount=Money.rupees(500)) as mcp:
        text = await mcp.refused("initiate_cashfree_payment", amount="500.01")
        assert "(amount)" in text and "₹500.00" in text
        assert mcp.till.journal.open_sales() == []
        assert (await mcp.ok("initiate_cashfree_payment", amount="500"))["amount"] == "500.00"


async def test_rate_limit_per_tool(tmp_path: Path) -> None:
    async with _open(tmp_path, calls_per_minute=2) as mcp:
        for _ in range(2):
            await mcp.ok("initiate_cashfree_payment", amount="20")
        text = await mcp.refused("initiate_cashfree_payment", amount="20")
        assert "(rate_limit)" in text and "2 calls per minute" in text
        assert len(mcp.till.journal.open_sales()) == 2
        assert mcp.calls()[0].outcome == "rate_limited"
        # Another tool has its own budget.
        assert (await mcp.ok("list_sales"))["count"] == 2
        mcp.till.clock.now += timedelta(seconds=61)
        await mcp.ok("initiate_cashfree_payment", amount="20")


async def test_an_unexpected_failure_is_an_error_result_not_a_crash(tmp_path: Path) -> None:
    async with _open(tmp_path) as mcp:

        def broken(order_id: str) -> object:
            raise RuntimeError("disk on fire")

        mcp.till.journal.refunds_for = broken  # type: ignore[method-assign]
        sale = await mcp.ok("initiate_cashfree_payment", amount="10")
        text = await mcp.refused("get_sale", order_id=sale["order_id"])
        assert "DEMO: " in text and "unexpected" in text
        assert "disk on fire" not in text
        assert mcp.calls()[0].tool == "get_sale" and mcp.calls()[0].outcome == "error"
        # The server goes on serving.
        assert (await mcp.ok("list_sales"))["count"] == 1


async def test_bad_date_is_refused(tmp_path: Path) -> None:
    async with _open(tmp_path) as mcp:
        text = await mcp.refused("list_sales", date="26/11/2026")
        assert "(date)" in text
        text = await mcp.refused("list_sales", status="PAYED")
        assert "status" in text


async def test_every_reply_names_the_environment(tmp_path: Path) -> None:
    async with _open(tmp_path) as mcp:
        order_id = await _paid_sale(mcp, "30")
        await mcp.call("get_sale", order_id=order_id)
        await mcp.call("list_sales")
        await mcp.call("day_summary")
        await mcp.call("request_refund", order_id=order_id, amount="5", reason="part")
        await mcp.call("initiate_cashfree_payment", amount="nope")
        for reply in mcp.replies:
            assert "DEMO" in everything_said(reply)
