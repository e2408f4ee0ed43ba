"""Card Order Pay and native OTP (authenticate) over a respx-mocked Cashfree: the exact
wire format of the official spec, its examples parsed, and card data kept out of errors."""

from __future__ import annotations

import json
from typing import Any

import cashfree_spec
import httpx
import pytest
import respx
from gateway.conftest import WireCheck

from pos_app.domain.card import CardDetails
from pos_app.domain.money import Money
from pos_app.gateway import errors
from pos_app.gateway.base import AuthenticateStatus, CardAction
from pos_app.gateway.cashfree import CashfreeGateway

pytestmark = pytest.mark.asyncio

NUMBER = "4111111111111111"
POST_ANSWER = {
    "payment_amount": 499,
    "cf_payment_id": "5114910000001",
    "payment_method": "card",
    "channel": "post",
    "action": "post",
    "data": {
        "url": "https://sandbox.cashfree.com/pg/orders/pay/authenticate/5114910000001",
        "payload": {},
        "content_type": "application/json",
        "method": "post",
        "redirect_to_bank": "https://sandbox.cashfree.com/pg/view/redirecttobank/abc",
    },
}
AUTH_PATH = "/orders/pay/authenticate/{cf_payment_id}"


def _card(**kw: Any) -> CardDetails:
    values: dict[str, Any] = {
        "number": NUMBER,
        "month": 3,
        "year": 2025,
        "cvv": "326",
        "holder_name": None,
    }
    values.update(kw)
    return CardDetails(**values)


async def test_card_order_pay_body_is_the_specs_headless_otp_example(
    cf: respx.MockRouter, gateway: CashfreeGateway, wire: WireCheck
) -> None:
    official = cashfree_spec.spec()["components"]["examples"]["pay_card_headless"]["value"]
    route = cf.post("/orders/sessions").respond(200, json=POST_ANSWER)
    result = await gateway.pay_card(official["payment_session_id"], _card(), idempotency_key="k9")
    request = route.calls.last.request
    body = wire.body(request)
    assert body == official
    cashfree_spec.validate(body, cashfree_spec.request_schema("/orders/sessions", "post"))
    wire.headers(request, request_id="req-1", idempotency_key="k9", body=True)
    assert request.headers["x-client-device"] == "desktop"
    assert result.action is CardAction.POST
    assert result.cf_payment_id == "5114910000001"
    assert result.amount == Money(49900)
    assert result.bank_page == POST_ANSWER["data"]["redirect_to_bank"]


async def test_the_holder_name_is_sent_when_given(
    cf: respx.MockRouter, gateway: CashfreeGateway, wire: WireCheck
) -> None:
    route = cf.post("/orders/sessions").respond(200, json=POST_ANSWER)
    await gateway.pay_card("session_1", _card(holder_name="Asha Rao"))
    card = wire.body(route.calls.last.request)["payment_method"]["card"]
    assert card["card_holder_name"] == "Asha Rao"
    wire.generated_key(route.calls.last.request)


async def test_the_specs_pay_order_example_parses_as_a_bank_page(
    cf: respx.MockRouter, gateway: CashfreeGateway
) -> None:
    example = cashfree_spec.resolve(cashfree_spec.response_schema("/orders/sessions", "post"))[
        "example"
    ]
    cf.post("/orders/sessions").respond(200, json=example)
    result = await gateway.pay_card("session_1", _card())
    assert result.action is CardAction.LINK
    assert result.url == example["data"]["url"]


@pytest.mark.parametrize(
    ("answer", "action"),
    [
        ({"cf_payment_id": "1", "action": "custom"}, CardAction.CUSTOM),
        ({"cf_payment_id": 1, "action": "something-new"}, CardAction.UNKNOWN),
        ({"cf_payment_id": "1", "action": "post", "data": None}, CardAction.POST),
    ],
)
async def test_card_answers_are_read_leniently(
    cf: respx.MockRouter, gateway: CashfreeGateway, answer: dict[str, Any], action: CardAction
) -> None:
    cf.post("/orders/sessions").respond(200, json=answer)
    result = await gateway.pay_card("session_1", _card())
    assert result.action is action
    assert result.cf_payment_id == "1"


async def test_a_bank_page_answer_without_a_url_is_a_bad_response(
    cf: respx.MockRouter, gateway: CashfreeGateway
) -> None:
    cf.post("/orders/sessions").respond(200, json={"cf_payment_id": "1", "action": "link"})
    with pytest.raises(errors.BadResponseError):
        await gateway.pay_card("session_1", _card())


async def test_an_error_echoing_the_card_number_or_cvv_is_masked(
    cf: respx.MockRouter, gateway: CashfreeGateway
) -> None:
    echo = {
        "message": f"card_number {NUMBER} with cvv 326 is not supported",
        "code": "card_number_invalid",
        "type": "invalid_request_error",
    }
    cf.post("/orders/sessions").respond(400, json=echo)
    with pytest.raises(errors.InvalidRequestError) as caught:
        await gateway.pay_card("session_1", _card())
    shown = str(caught.value) + repr(caught.value) + caught.value.message
    assert NUMBER not in shown and "326" not in shown
    assert caught.value.code == "card_number_invalid"


async def test_a_retry_sends_the_same_card_body_and_key(
    cf: respx.MockRouter, gateway: CashfreeGateway
) -> None:
    route = cf.post("/orders/sessions")
    route.side_effect = [
        httpx.Response(500, json={"message": "oops", "code": "x", "type": "api_error"}),
        httpx.Response(200, json=POST_ANSWER),
    ]
    await gateway.pay_card("session_1", _card(), idempotency_key="k-same")
    first, second = (call.request for call in route.calls)
    assert first.content == second.content
    assert first.headers["x-idempotency-key"] == second.headers["x-idempotency-key"] == "k-same"


async def test_submit_otp_fits_the_spec_and_its_example_parses(
    cf: respx.MockRouter, gateway: CashfreeGateway, wire: WireCheck
) -> None:
    example = cashfree_spec.resolve(cashfree_spec.response_schema(AUTH_PATH, "post"))["example"]
    route = cf.post("/orders/pay/authenticate/975654863").respond(200, json=example)
    result = await gateway.authenticate_card("975654863", "111000", idempotency_key="k-otp")
    body = wire.body(route.calls.last.request)
    assert body == {"action": "SUBMIT_OTP", "otp": "111000"}
    cashfree_spec.validate(body, cashfree_spec.request_schema(AUTH_PATH, "post"))
    wire.headers(route.calls.last.request, request_id="req-1", idempotency_key="k-otp", body=True)
    assert result.status is AuthenticateStatus.FAILED
    assert result.message == "otp is invalid"
    assert result.resend is False


async def test_resend_otp_fits_the_spec(
    cf: respx.MockRouter, gateway: CashfreeGateway, wire: WireCheck
) -> None:
    answer = {
        "cf_payment_id": "9",
        "action": "RESEND_OTP",
        "authenticate_status": "SUCCESS",
        "payment_message": "otp sent",
    }
    route = cf.post("/orders/pay/authenticate/9").respond(200, json=answer)
    result = await gateway.authenticate_card("9", None)
    body = wire.body(route.calls.last.request)
    assert body["action"] == "RESEND_OTP"
    cashfree_spec.validate(body, cashfree_spec.request_schema(AUTH_PATH, "post"))
    assert (result.resend, result.status) == (True, AuthenticateStatus.SUCCESS)


async def test_authenticate_errors_are_typed_and_never_show_the_otp(
    cf: respx.MockRouter, gateway: CashfreeGateway
) -> None:
    answer = {
        "message": "otp 482913 expired",
        "code": "otp_expired",
        "type": "invalid_request_error",
    }
    cf.post("/orders/pay/authenticate/9").respond(400, json=answer)
    with pytest.raises(errors.InvalidRequestError) as caught:
        await gateway.authenticate_card("9", "482913")
    assert "482913" not in str(caught.value)
    cf.post("/orders/pay/authenticate/10").respond(404, json={"message": "no", "code": "x"})
    with pytest.raises(errors.NotFoundError):
        await gateway.authenticate_card("10", "123456")


async def test_unknown_authenticate_status_is_unknown(
    cf: respx.MockRouter, gateway: CashfreeGateway
) -> None:
    cf.post("/orders/pay/authenticate/9").respond(200, json={"authenticate_status": "MAYBE"})
    result = await gateway.authenticate_card("9", "123456")
    assert result.status is AuthenticateStatus.UNKNOWN
    assert json.dumps(result.message) == "null"
