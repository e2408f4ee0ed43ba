"""confirm_cashfree_payment(order_id, otp=...) for a card sale that waits for its OTP: the
OTP goes through the checkout holding the card step; Cashfree's word comes back; the OTP is
never journaled; a card step that is not waiting here is refused with the reason."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp_kit import data, error_text, mcp_till

from pos_app.domain.card import parse_card
from pos_app.domain.money import Money
from pos_app.domain.sale import Method, SaleStatus
from pos_app.mcp.server import build_server
from pos_app.services.checkout.state import ChargeRequest
from pos_app.store import mcp_records

pytestmark = pytest.mark.asyncio


async def test_otp_through_mcp_pays_a_card_sale(tmp_path: Path) -> None:
    till, services = mcp_till(tmp_path)
    try:
        card = parse_card("4111111111111111", "08/29", "123", today=date(2026, 11, 26))
        stream = till.checkout.start(
            ChargeRequest(amount=Money.rupees(99), method=Method.CARD, card=card)
        )
        async for state in stream:
            if state.card is not None and state.card.needs_otp:
                break
        order_id = state.order_id
        async with Client(build_server(services)) as client:

            async def confirm(**extra: Any) -> Any:
                return await client.call_tool(
                    "confirm_cashfree_payment", {"order_id": order_id, **extra}
                )

            wrong = data(await confirm(otp="000000"))
            assert wrong["payment_status"] == "PENDING"
            assert "otp is invalid, 2 attempts left" in wrong["message"]
            refused = error_text(await confirm(otp="12"))
            assert "(otp)" in refused and "4 to 8 digits" in refused
            right = data(await confirm(otp="123456"))
            assert "OTP accepted" in right["message"]
            seen = [state async for state in stream]  # the till's stream follows it to the end
            assert seen[-1].status is SaleStatus.PAID
            paid = data(await confirm())
            assert paid["payment_status"] == "SUCCESS" and paid["payment_method"] == "card"
            again = error_text(await confirm(otp="123456"))
            assert "(otp)" in again and "not waiting here" in again
        kept = str([c.arguments for c in mcp_records.tool_calls(till.journal)])
        assert "000000" not in kept and "123456" not in kept and "given" in kept
    finally:
        await till.checkout.shutdown()
        await till.client.aclose()
        till.journal.close()
