"""Every failure becomes the right typed error, with Cashfree's code, type, message and
request id; transport failures and unreadable answers too."""

from __future__ import annotations

import builtins
from typing import Any

import httpx
import pytest
import respx

from pos_app.gateway import errors
from pos_app.gateway.cashfree import CashfreeGateway
from pos_app.gateway.retry import RetryPolicy

HELP = "Check latest errors and resolution from Merchant Dashboard API logs: https://merchant.cashfree.com/merchants/pg/developers/api-logs?requestId=cf-req-9"

# Bodies as Cashfree sends them (the spec's own error examples, REFERENCE §8.1).
CASES: list[tuple[int, dict[str, Any], type[errors.GatewayError]]] = [
    (
        400,
        {
            "message": "order_amount : Invalid amount entered.",
            "code": "order_amount_invalid",
            "type": "invalid_request_error",
            "help": HELP,
        },
        errors.InvalidRequestError,
    ),
    (
        401,
        {
            "message": "authentication Failed",
            "code": "request_failed",
            "type": "authentication_error",
        },
        errors.AuthenticationError,
    ),
    (
        403,
        {
            "message": "forbidden for this account",
            "code": "request_failed",
            "type": "invalid_request_error",
        },
        errors.InvalidRequestError,
    ),
    (
        404,
        {
            "message": "order not found for this request",
            "code": "order_not_found",
            "type": "invalid_request_error",
            "help": HELP,
        },
        errors.NotFoundError,
    ),
    (
        409,
        {
            "message": "order with same id is already present",
            "code": "order_already_exists",
            "type": "invalid_request_error",
            "help": HELP,
        },
        errors.DuplicateOrderError,
    ),
    (
        409,
        {
            "message": "duplicate request",
            "code": "request_conflict",
            "type": "invalid_request_error",
        },
        errors.DuplicateOrderError,
    ),
    (
        422,
        {
            "message": "idempotency key reused with a different body",
            "code": "request_invalid",
            "type": "idempotency_error",
            "help": HELP,
        },
        errors.IdempotencyConflictError,
    ),
    (
        429,
        {
            "message": "Too many requests from IP. Check headers",
            "code": "request_failed",
            "type": "rate_limit_error",
        },
        errors.RateLimitedError,
    ),
    (
        500,
        {"message": "internal Server Error", "code": "internal_error", "type": "api_error"},
        errors.ServerError,
    ),
    (
        502,
        {
            "message": "failure at partner bank",
            "code": "bank_processing_failure",
            "type": "api_error",
            "help": HELP,
        },
        errors.BankError,
    ),
    (
        503,
        {"message": "service unavailable", "code": "internal_error", "type": "api_error"},
        errors.ServerError,
    ),
]


@pytest.fixture
def no_retry(make_gateway: Any) -> CashfreeGateway:
    gateway: CashfreeGateway = make_gateway(retry=RetryPolicy(max_attempts=1))
    return gateway


@pytest.mark.asyncio
@pytest.mark.parametrize(("status", "body", "kind"), CASES)
async def test_error_mapping(
    cf: respx.MockRouter,
    no_retry: CashfreeGateway,
    status: int,
    body: dict[str, Any],
    kind: type[errors.GatewayError],
) -> None:
    headers = {"x-request-id": "cf-req-9", "x-ratelimit-retry": "7"}
    cf.get("/orders/POS1-0001").respond(status, json=body, headers=headers)

    with pytest.raises(errors.GatewayError) as caught:
        await no_retry.get_order("POS1-0001")

    error = caught.value
    assert type(error) is kind
    assert error.message == body["message"]
    assert error.code == body["code"]
    assert error.error_type == body["type"]
    assert error.http_status == status
    assert error.request_id == "cf-req-9"
    assert "cf-req-9" in str(error) and body["code"] in str(error)
    if isinstance(error, errors.RateLimitedError):
        assert error.retry_after == 7.0


@pytest.mark.asyncio
async def test_request_id_is_ours_when_cashfree_sends_none(
    cf: respx.MockRouter, no_retry: CashfreeGateway
) -> None:
    cf.get("/orders/POS1-0001").respond(404, json=CASES[3][1])
    with pytest.raises(errors.NotFoundError) as caught:
        await no_retry.get_order("POS1-0001")
    assert caught.value.request_id == "req-1"


@pytest.mark.asyncio
async def test_rate_limited_without_retry_header(
    cf: respx.MockRouter, no_retry: CashfreeGateway
) -> None:
    cf.get("/orders/POS1-0001").respond(429, json=CASES[7][1], headers={"x-ratelimit-retry": "x"})
    with pytest.raises(errors.RateLimitedError) as caught:
        await no_retry.get_order("POS1-0001")
    assert caught.value.retry_after is None


@pytest.mark.asyncio
async def test_error_without_json_body(cf: respx.MockRouter, no_retry: CashfreeGateway) -> None:
    cf.get("/orders/POS1-0001").respond(
        503, text="<html><body>Service Unavailable</body></html>", headers={"x-request-id": "lb-1"}
    )
    with pytest.raises(errors.ServerError) as caught:
        await no_retry.get_order("POS1-0001")
    error = caught.value
    assert error.message == "Cashfree answered HTTP 503"
    assert (error.code, error.error_type, error.http_status) == (None, None, 503)
    assert error.request_id == "lb-1"


@pytest.mark.asyncio
async def test_unexpected_success_status(cf: respx.MockRouter, no_retry: CashfreeGateway) -> None:
    cf.get("/orders/POS1-0001").respond(302, headers={"location": "https://example.com/login"})
    with pytest.raises(errors.BadResponseError) as caught:
        await no_retry.get_order("POS1-0001")
    assert caught.value.http_status == 302


@pytest.mark.asyncio
async def test_200_that_is_not_json(cf: respx.MockRouter, no_retry: CashfreeGateway) -> None:
    cf.get("/orders/POS1-0001").respond(
        200, text="<html>captive portal</html>", headers={"x-request-id": "cf-req-5"}
    )
    with pytest.raises(errors.BadResponseError) as caught:
        await no_retry.get_order("POS1-0001")
    assert caught.value.http_status == 200
    assert caught.value.request_id == "cf-req-5"


@pytest.mark.asyncio
async def test_empty_200(cf: respx.MockRouter, no_retry: CashfreeGateway) -> None:
    cf.get("/orders/POS1-0001/payments").respond(200, content=b"")
    with pytest.raises(errors.BadResponseError):
        await no_retry.list_payments("POS1-0001")


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("path", "answer", "call"),
    [
        ("/orders/POS1-0001", [{"order_id": "POS1-0001"}], "get_order"),  # array, not object
        ("/orders/POS1-0001", "PAID", "get_order"),  # a bare JSON string
        ("/orders/POS1-0001", {"order_id": "POS1-0001"}, "get_order"),  # no amount
        ("/orders/POS1-0001", {"order_id": "POS1-0001", "order_amount": "ten"}, "get_order"),
        ("/orders/POS1-0001", {"order_id": "X", "order_amount": 10.555}, "get_order"),
        ("/orders/POS1-0001", {"order_id": ["X"], "order_amount": 10}, "get_order"),
        ("/orders/POS1-0001/payments", {"cf_payment_id": "1"}, "list_payments"),  # not array
        ("/orders/POS1-0001/payments", [1, 2], "list_payments"),  # array of non-objects
        ("/orders/POS1-0001/refunds", None, "list_refunds"),  # JSON null
    ],
)
async def test_200_json_of_the_wrong_shape(
    cf: respx.MockRouter, no_retry: CashfreeGateway, path: str, answer: Any, call: str
) -> None:
    cf.get(path).respond(200, json=answer)
    with pytest.raises(errors.BadResponseError) as caught:
        await getattr(no_retry, call)("POS1-0001")
    assert caught.value.http_status == 200
    assert caught.value.request_id == "req-1"


@pytest.mark.asyncio
async def test_qrcode_answer_without_a_qr(cf: respx.MockRouter, no_retry: CashfreeGateway) -> None:
    from pos_app.gateway.base import UpiChannel

    cf.post("/orders/sessions").respond(
        200, json={"cf_payment_id": "1", "channel": "qrcode", "data": {"payload": {}}}
    )
    with pytest.raises(errors.BadResponseError):
        await no_retry.pay_upi("session_1", UpiChannel.QRCODE)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "exc", [httpx.ReadTimeout("read timed out"), httpx.ConnectTimeout("connect timed out")]
)
async def test_timeouts(cf: respx.MockRouter, no_retry: CashfreeGateway, exc: Exception) -> None:
    cf.get("/orders/POS1-0001").mock(side_effect=exc)
    with pytest.raises(errors.GatewayTimeout) as caught:
        await no_retry.get_order("POS1-0001")
    error = caught.value
    assert error.retryable
    assert not isinstance(error, builtins.TimeoutError)
    assert (error.http_status, error.request_id) == (None, "req-1")
    assert no_retry.last_call is not None and no_retry.last_call.http_status is None


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "exc",
    [
        httpx.ConnectError("[Errno 111] Connection refused"),
        httpx.ReadError("connection reset by peer"),
        httpx.RemoteProtocolError("server disconnected without sending a response"),
    ],
)
async def test_transport_errors(
    cf: respx.MockRouter, no_retry: CashfreeGateway, exc: Exception
) -> None:
    cf.get("/orders/POS1-0001").mock(side_effect=exc)
    with pytest.raises(errors.GatewayUnreachable) as caught:
        await no_retry.get_order("POS1-0001")
    assert caught.value.retryable
    assert caught.value.request_id == "req-1"
    assert caught.value.__cause__ is None


@pytest.mark.asyncio
async def test_last_call_records_the_attempt(cf: respx.MockRouter, make_gateway: Any) -> None:
    ticks = iter([100.0, 200.0])
    gateway: CashfreeGateway = make_gateway(clock=lambda: next(ticks))
    cf.get("/orders/POS1-0001").respond(404, json=CASES[3][1], headers={"x-request-id": "cf-1"})
    assert gateway.last_call is None
    with pytest.raises(errors.NotFoundError):
        await gateway.get_order("POS1-0001")
    call = gateway.last_call
    assert call is not None
    assert (call.endpoint, call.http_status, call.request_id, call.at, call.attempt) == (
        "get_order",
        404,
        "cf-1",
        100.0,
        1,
    )


@pytest.mark.asyncio
async def test_long_messages_are_cut(cf: respx.MockRouter, no_retry: CashfreeGateway) -> None:
    body = {"message": "x" * 5000, "code": "request_failed", "type": "invalid_request_error"}
    cf.get("/orders/POS1-0001").respond(400, json=body)
    with pytest.raises(errors.InvalidRequestError) as caught:
        await no_retry.get_order("POS1-0001")
    assert len(caught.value.message) <= 300
