"""Card payments in the simulated Cashfree: Order Pay with a card (native OTP and the bank's
3-D Secure page), SUBMIT_OTP / RESEND_OTP, declines, and every refusal. Every /pg answer
is checked against the official spec by the fixtures (SpecCheckingTransport)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from simulator.simkit import Rig, order_body

from pos_app.domain.card import CardDetails
from pos_app.gateway.base import AuthenticateStatus, CardAction, PaymentStatus
from pos_app.gateway.errors import InvalidRequestError
from pos_app.simulator import Simulator
from pos_app.simulator.cards import DECLINED_CARD, OTP_CARD, THREE_DS_CARD
from pos_app.simulator.server import ServerHandle

pytestmark = pytest.mark.asyncio


def card_body(
    session: str,
    number: str = OTP_CARD,
    *,
    mm: str = "08",
    yy: str = "29",
    cvv: str = "123",
    channel: str = "post",
    **extra: Any,
) -> dict[str, Any]:
    card = {
        "channel": channel,
        "card_number": number,
        "card_expiry_mm": mm,
        "card_expiry_yy": yy,
        "card_cvv": cvv,
        **extra,
    }
    return {"payment_session_id": session, "payment_method": {"card": card}}


async def _session(api: httpx.AsyncClient, order_id: str = "CARD-1") -> str:
    answer = await api.post("/orders", json=order_body(order_id, 499))
    assert answer.status_code == 200
    return str(answer.json()["payment_session_id"])


async def _pay(anon: httpx.AsyncClient, body: dict[str, Any]) -> httpx.Response:
    return await anon.post("/orders/sessions", json=body)


async def _otp(anon: httpx.AsyncClient, cf_payment_id: str, **body: Any) -> httpx.Response:
    return await anon.post(f"/orders/pay/authenticate/{cf_payment_id}", json=body)


async def test_otp_card_answers_post_and_the_right_otp_pays(
    api: httpx.AsyncClient, anon: httpx.AsyncClient, sim: Simulator
) -> None:
    session = await _session(api)
    answer = await _pay(anon, card_body(session, card_holder_name="Asha Rao"))
    assert answer.status_code == 200
    pay = answer.json()
    assert (pay["payment_method"], pay["channel"], pay["action"]) == ("card", "post", "post")
    assert pay["payment_amount"] == 499
    cf = pay["cf_payment_id"]
    assert pay["data"]["url"].endswith(f"/pg/orders/pay/authenticate/{cf}")
    assert pay["data"]["redirect_to_bank"].endswith(f"/checkout/card/{cf}")
    (pending,) = sim.payments("CARD-1")
    assert pending["payment_status"] == "PENDING"
    assert pending["payment_method"] == {
        "card": {
            "channel": "post",
            "card_number": "411111xxxxxx1111",
            "card_network": "visa",
            "card_type": "credit_card",
            "card_country": "IN",
            "card_bank_name": "Simulated Bank",
        }
    }
    wrong = await _otp(anon, cf, action="SUBMIT_OTP", otp="000000")
    assert wrong.status_code == 200
    assert wrong.json() == {
        "cf_payment_id": cf,
        "action": "SUBMIT_OTP",
        "authenticate_status": "FAILED",
        "payment_message": "otp is invalid, 2 attempts left",
    }
    assert sim.order("CARD-1")["order_status"] == "ACTIVE"
    right = await _otp(anon, cf, action="SUBMIT_OTP", otp="123456")
    assert right.json()["authenticate_status"] == "SUCCESS"
    assert sim.order("CARD-1")["order_status"] == "PAID"
    (paid,) = sim.payments("CARD-1")
    assert paid["payment_status"] == "SUCCESS"
    assert paid["payment_group"] == "credit_card"
    assert paid["bank_reference"]
    again = await _otp(anon, cf, action="SUBMIT_OTP", otp="123456")
    assert again.status_code == 400
    assert again.json()["code"] == "payment_not_pending"


async def test_three_wrong_otps_fail_the_payment(
    api: httpx.AsyncClient, anon: httpx.AsyncClient, sim: Simulator
) -> None:
    session = await _session(api)
    cf = (await _pay(anon, card_body(session))).json()["cf_payment_id"]
    messages = []
    for _ in range(3):
        answer = await _otp(anon, cf, action="SUBMIT_OTP", otp="111111")
        messages.append(answer.json()["payment_message"])
    assert messages == [
        "otp is invalid, 2 attempts left",
        "otp is invalid, 1 attempt left",
        "otp is invalid, no attempts left: payment failed",
    ]
    (failed,) = sim.payments("CARD-1")
    assert failed["payment_status"] == "FAILED"
    assert failed["error_details"]["error_code"] == "AUTHENTICATION_FAILED"
    assert sim.order("CARD-1")["order_status"] == "ACTIVE"  # another card may be tried
    late = await _otp(anon, cf, action="SUBMIT_OTP", otp="123456")
    assert late.status_code == 400


async def test_resend_works_three_times(api: httpx.AsyncClient, anon: httpx.AsyncClient) -> None:
    session = await _session(api)
    cf = (await _pay(anon, card_body(session))).json()["cf_payment_id"]
    statuses = []
    for _ in range(4):
        answer = await _otp(anon, cf, action="RESEND_OTP", otp="")
        assert answer.status_code == 200
        statuses.append(answer.json()["authenticate_status"])
    assert statuses == ["SUCCESS", "SUCCESS", "SUCCESS", "FAILED"]
    without_otp = await _otp(anon, cf, action="RESEND_OTP")  # the 2026 shape: otp left out
    assert without_otp.status_code == 200


async def test_3ds_card_answers_link_to_the_bank_page_which_can_pay(
    api: httpx.AsyncClient, anon: httpx.AsyncClient, sim: Simulator, server: ServerHandle
) -> None:
    sim.public_url = server.url
    session = await _session(api)
    pay = (await _pay(anon, card_body(session, THREE_DS_CARD))).json()
    assert pay["action"] == "link"
    url = pay["data"]["url"]
    assert url == f"{server.url}/checkout/card/{pay['cf_payment_id']}"
    async with httpx.AsyncClient() as browser:
        page = await browser.get(url)
        assert page.status_code == 200
        assert "3-D Secure" in page.text and "400000xxxxxx0002" in page.text
        assert "4000000000000002" not in page.text
        otp = await _otp(anon, pay["cf_payment_id"], action="SUBMIT_OTP", otp="123456")
        assert otp.status_code == 400  # a bank-page payment takes no OTP through the API
        done = await browser.post(url, data={"action": "approve"})
        assert "Payment successful." in done.text
    assert sim.order("CARD-1")["order_status"] == "PAID"


async def test_3ds_page_can_fail(
    api: httpx.AsyncClient, anon: httpx.AsyncClient, sim: Simulator, server: ServerHandle
) -> None:
    sim.public_url = server.url
    session = await _session(api)
    pay = (await _pay(anon, card_body(session, THREE_DS_CARD))).json()
    async with httpx.AsyncClient() as browser:
        done = await browser.post(pay["data"]["url"], data={"action": "decline"})
    assert "Authentication failed." in done.text
    assert sim.payments("CARD-1")[0]["payment_status"] == "FAILED"


@pytest.mark.parametrize(
    ("number", "cvv"), [(DECLINED_CARD, "123"), (OTP_CARD, "999")], ids=["card", "cvv"]
)
async def test_declined_card_is_refused_and_leaves_a_failed_attempt(
    api: httpx.AsyncClient, anon: httpx.AsyncClient, sim: Simulator, number: str, cvv: str
) -> None:
    session = await _session(api)
    answer = await _pay(anon, card_body(session, number, cvv=cvv))
    assert answer.status_code == 400
    assert answer.json()["code"] == "card_declined"
    (failed,) = sim.payments("CARD-1")
    assert failed["payment_status"] == "FAILED"
    assert failed["error_details"]["error_code"] == "CARD_DECLINED"
    assert sim.order("CARD-1")["order_status"] == "ACTIVE"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"number": "4111111111111112"}, "payment_method.card.card_number_invalid"),
        ({"number": "41111"}, "payment_method.card.card_number_invalid"),
        ({"mm": "13"}, "payment_method.card.card_expiry_mm_invalid"),
        ({"yy": "2029"}, "payment_method.card.card_expiry_yy_invalid"),
        ({"mm": "12", "yy": "25"}, "card_expired"),
        ({"cvv": "12"}, "payment_method.card.card_cvv_invalid"),
        ({"channel": "qrcode"}, "payment_method.card.channel_invalid"),
    ],
)
async def test_bad_card_fields_are_refused_before_any_attempt(
    api: httpx.AsyncClient,
    anon: httpx.AsyncClient,
    sim: Simulator,
    change: dict[str, str],
    code: str,
) -> None:
    session = await _session(api)
    answer = await _pay(anon, card_body(session, **change))
    assert answer.status_code == 400
    assert answer.json()["code"] == code
    assert "4111" not in answer.text
    assert sim.payments("CARD-1") == []


async def test_missing_card_fields_and_bad_sessions_are_refused(
    api: httpx.AsyncClient, anon: httpx.AsyncClient
) -> None:
    session = await _session(api)
    body = card_body(session)
    del body["payment_method"]["card"]["card_cvv"]
    answer = await _pay(anon, body)
    assert answer.json()["code"] == "payment_method.card.card_cvv_missing"
    answer = await _pay(anon, card_body("session_nope"))
    assert answer.json()["code"] == "payment_session_id_invalid"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"action": "SUBMIT_OTP"}, 400, "otp_missing"),
        ({"action": "SUBMIT_OTP", "otp": "12ab56"}, 400, "otp_invalid"),
        ({"action": "CHECK"}, 400, "action_invalid"),
        ({"otp": "123456"}, 400, "action_missing"),
    ],
)
async def test_bad_authenticate_bodies_are_refused(
    api: httpx.AsyncClient,
    anon: httpx.AsyncClient,
    body: dict[str, Any],
    status: int,
    code: str,
) -> None:
    session = await _session(api)
    cf = (await _pay(anon, card_body(session))).json()["cf_payment_id"]
    answer = await _otp(anon, cf, **body)
    assert (answer.status_code, answer.json()["code"]) == (status, code)


async def test_authenticate_unknown_or_upi_payment(
    api: httpx.AsyncClient, anon: httpx.AsyncClient
) -> None:
    missing = await _otp(anon, "999", action="SUBMIT_OTP", otp="123456")
    assert (missing.status_code, missing.json()["code"]) == (404, "payment_not_found")
    session = await _session(api)
    upi = await anon.post(
        "/orders/sessions",
        json={"payment_session_id": session, "payment_method": {"upi": {"channel": "qrcode"}}},
    )
    answer = await _otp(anon, upi.json()["cf_payment_id"], action="SUBMIT_OTP", otp="123456")
    assert (answer.status_code, answer.json()["code"]) == (400, "payment_otp_not_applicable")


async def test_terminating_the_order_closes_a_card_waiting_for_its_otp(
    api: httpx.AsyncClient, anon: httpx.AsyncClient
) -> None:
    session = await _session(api)
    cf = (await _pay(anon, card_body(session))).json()["cf_payment_id"]
    await api.patch("/orders/CARD-1", json={"order_status": "TERMINATED"})
    answer = await _otp(anon, cf, action="SUBMIT_OTP", otp="123456")
    assert (answer.status_code, answer.json()["code"]) == (400, "payment_not_pending")


async def test_the_simulator_keeps_no_card_number(
    api: httpx.AsyncClient, anon: httpx.AsyncClient, sim: Simulator
) -> None:
    session = await _session(api)
    await _pay(anon, card_body(session))
    await _pay(anon, card_body(session, DECLINED_CARD))
    dumped = json.dumps(sim.payments("CARD-1")) + repr(sim._state.orders)
    for number in (OTP_CARD, DECLINED_CARD):
        assert number not in dumped


async def test_the_gateway_drives_the_card_flow(rig: Rig) -> None:
    """The real CashfreeGateway, in-process and over loopback, every answer spec-checked."""
    answer = await rig.raw.post("/orders", json=order_body("CARD-GW", 120))
    session = answer.json()["payment_session_id"]
    card = CardDetails(OTP_CARD, 8, 2029, "123", "Asha Rao")
    result = await rig.gateway.pay_card(session, card, idempotency_key="k-card-1")
    assert result.action is CardAction.POST
    assert result.cf_payment_id is not None
    assert result.bank_page is not None and result.bank_page.endswith(result.cf_payment_id)
    resend = await rig.gateway.authenticate_card(result.cf_payment_id, None)
    assert (resend.resend, resend.status) == (True, AuthenticateStatus.SUCCESS)
    wrong = await rig.gateway.authenticate_card(result.cf_payment_id, "654321")
    assert wrong.status is AuthenticateStatus.FAILED
    assert wrong.message == "otp is invalid, 2 attempts left"
    right = await rig.gateway.authenticate_card(result.cf_payment_id, "123456")
    assert right.status is AuthenticateStatus.SUCCESS
    (payment,) = await rig.gateway.list_payments("CARD-GW")
    assert payment.status is PaymentStatus.SUCCESS
    assert payment.group == "credit_card"
    assert payment.payer == "xxxx1111"


async def test_the_gateway_turns_a_decline_into_a_typed_refusal(rig: Rig) -> None:
    answer = await rig.raw.post("/orders", json=order_body("CARD-NO", 120))
    session = answer.json()["payment_session_id"]
    card = CardDetails(DECLINED_CARD, 8, 2029, "123")
    with pytest.raises(InvalidRequestError) as caught:
        await rig.gateway.pay_card(session, card)
    assert caught.value.code == "card_declined"
    assert DECLINED_CARD not in str(caught.value) + repr(caught.value)
    three_ds = await rig.gateway.pay_card(session, CardDetails(THREE_DS_CARD, 1, 2030, "123"))
    assert three_ds.action is CardAction.LINK
    assert three_ds.url is not None and "/checkout/card/" in three_ds.url
