"""Issue 11: a gateway (or something posing as one) that echoes the client secret back —
in x-request-id, in the error message, code or type, JSON-escaped or percent-encoded —
never gets it into an exception, the last-call diagnostics or a log line."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
import respx

from pos_app.gateway import errors
from pos_app.gateway.cashfree import CashfreeGateway
from pos_app.gateway.retry import RetryPolicy
from pos_app.logs import close_logging, register_secret, setup_logging
from pos_app.secrets import Secret

BASE = "https://sandbox.cashfree.com/pg"
# Characters that JSON and URLs encode differently, so every spelling is tried.
SECRET_TEXT = 'cfsk_ma_test_"echo/ME"+42'
SPELLINGS = [
    SECRET_TEXT,
    json.dumps(SECRET_TEXT)[1:-1],  # as inside a JSON string: cfsk_ma_test_\"echo\/ME\"+42
    quote(SECRET_TEXT, safe=""),  # percent-encoded
]


def _gateway(http: httpx.AsyncClient) -> CashfreeGateway:
    async def no_wait(_: float) -> None:
        return None

    return CashfreeGateway(
        http,
        base_url=BASE,
        client_id="TEST-APP-1",
        client_secret=Secret(SECRET_TEXT),
        retry=RetryPolicy(max_attempts=1),
        sleep=no_wait,
    )


def _clean(text: str) -> None:
    for spelling in SPELLINGS:
        assert spelling not in text, text
    assert "echo/ME" not in text, text


def _error_clean(error: errors.GatewayError) -> None:
    for text in (
        str(error),
        repr(error),
        repr(error.args),
        repr(vars(error)),
        error.message,
        error.code or "",
        error.request_id or "",
        error.error_type or "",
    ):
        _clean(text)


def _echo(status: int, spelling: str) -> httpx.Response:
    body = {
        "message": f"bad key {spelling}",
        "code": f"key_{spelling}",
        "type": f"invalid_request_error {spelling}",
    }
    return httpx.Response(status, json=body, headers={"x-request-id": f"rid-{spelling}"})


@pytest.mark.asyncio
@pytest.mark.parametrize("spelling", SPELLINGS)
@pytest.mark.parametrize("status", [400, 401, 404, 500])
async def test_an_echoed_secret_is_scrubbed_from_errors_and_diagnostics(
    status: int, spelling: str
) -> None:
    with respx.mock(base_url=BASE) as cf:
        cf.get("/orders/T1-1").mock(return_value=_echo(status, spelling))
        async with httpx.AsyncClient() as http:
            gateway = _gateway(http)
            with pytest.raises(errors.GatewayError) as caught:
                await gateway.get_order("T1-1")
    _error_clean(caught.value)
    assert caught.value.request_id  # still there for support, with the secret masked
    assert gateway.last_call is not None
    _clean(gateway.last_call.request_id)


@pytest.mark.asyncio
async def test_an_echoed_request_id_on_success_is_scrubbed_from_diagnostics() -> None:
    order = {
        "cf_order_id": "1",
        "order_id": "T1-1",
        "entity": "order",
        "order_currency": "INR",
        "order_amount": 10.0,
        "order_status": "ACTIVE",
        "payment_session_id": "session_x",
        "order_expiry_time": "2026-12-03T10:00:00+05:30",
        "created_at": "2026-12-03T09:00:00+05:30",
        "customer_details": {"customer_id": "c1", "customer_phone": "9999999999"},
    }
    with respx.mock(base_url=BASE) as cf:
        cf.get("/orders/T1-1").mock(
            return_value=httpx.Response(200, json=order, headers={"x-request-id": SECRET_TEXT})
        )
        async with httpx.AsyncClient() as http:
            gateway = _gateway(http)
            await gateway.get_order("T1-1")
    assert gateway.last_call is not None
    _clean(gateway.last_call.request_id)


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_the_log_file_masks_every_spelling_of_a_registered_secret(
    tmp_path: Path, spelling: str
) -> None:
    setup_logging(tmp_path, level=logging.DEBUG)
    try:
        register_secret(Secret(SECRET_TEXT))
        logging.getLogger("pos_app.test").warning("gateway said: %s", f"body {spelling} end")
    finally:
        close_logging()
    text = (tmp_path / "pos_app.log").read_text(encoding="utf-8")
    assert "gateway said: body *** end" in text
    _clean(text)
