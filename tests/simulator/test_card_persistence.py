"""The demo's pretend Cashfree saves card attempts too (masked number and OTP bookkeeping,
never the card number) and goes on with them after a restart."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
from simulator.simkit import AUTH, PG, order_body

from pos_app.simulator import SimulatorTransport
from pos_app.simulator.cards import OTP_CARD
from pos_app.simulator.persist import STATE_FILE, open_demo_simulator


def _card(session: str) -> dict[str, Any]:
    card = {
        "channel": "post",
        "card_number": OTP_CARD,
        "card_expiry_mm": "08",
        "card_expiry_yy": "29",
        "card_cvv": "123",
    }
    return {"payment_session_id": session, "payment_method": {"card": card}}


async def _talk(sim: Any, calls: list[tuple[str, str, Any]]) -> list[httpx.Response]:
    answers = []
    async with httpx.AsyncClient(
        transport=SimulatorTransport(sim), base_url=PG, headers=AUTH
    ) as client:
        for method, path, body in calls:
            answers.append(await client.request(method, path, json=body))
    return answers


def test_a_card_attempt_survives_a_restart_without_its_number(tmp_path: Path) -> None:
    sim = open_demo_simulator(tmp_path, rate_limits=None)
    (order,) = asyncio.run(_talk(sim, [("POST", "/orders", order_body("CARD-P", 99))]))
    (pay,) = asyncio.run(
        _talk(sim, [("POST", "/orders/sessions", _card(order.json()["payment_session_id"]))])
    )
    cf = pay.json()["cf_payment_id"]
    (wrong,) = asyncio.run(
        _talk(
            sim,
            [("POST", f"/orders/pay/authenticate/{cf}", {"action": "SUBMIT_OTP", "otp": "999999"})],
        )
    )
    assert wrong.json()["payment_message"] == "otp is invalid, 2 attempts left"
    sim.close()
    saved = (tmp_path / STATE_FILE).read_text(encoding="utf-8")
    assert OTP_CARD not in saved and "411111xxxxxx1111" in saved

    again = open_demo_simulator(tmp_path, rate_limits=None)
    (payment,) = again.payments("CARD-P")
    assert payment["payment_method"]["card"]["card_number"] == "411111xxxxxx1111"
    (wrong2,) = asyncio.run(
        _talk(
            again,
            [("POST", f"/orders/pay/authenticate/{cf}", {"action": "SUBMIT_OTP", "otp": "999999"})],
        )
    )
    assert wrong2.json()["payment_message"] == "otp is invalid, 1 attempt left"  # tries kept
    (right,) = asyncio.run(
        _talk(
            again,
            [("POST", f"/orders/pay/authenticate/{cf}", {"action": "SUBMIT_OTP", "otp": "123456"})],
        )
    )
    assert right.json()["authenticate_status"] == "SUCCESS"
    assert again.order("CARD-P")["order_status"] == "PAID"
    again.close()
