"""Test kit for the simulated Cashfree: a hand-moved clock, request bodies, QR decoding,
and a transport wrapper that checks EVERY /pg answer against the official spec.

Imported by the tests in this folder as `from simulator.simkit import ...` (pytest puts
tests/ on sys.path).
"""

from __future__ import annotations

import base64
import copy
import functools
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import cashfree_spec
import httpx
import jsonschema
import zxingcpp
from PIL import Image

from pos_app.gateway.cashfree import CashfreeGateway
from pos_app.gateway.retry import RetryPolicy
from pos_app.secrets import Secret
from pos_app.simulator import SIM_CLIENT_ID, SIM_CLIENT_SECRET, Simulator, SimulatorTransport

START = datetime(2026, 1, 15, 4, 30, tzinfo=UTC)  # 10:00 IST
AUTH = {
    "x-client-id": SIM_CLIENT_ID,
    "x-client-secret": SIM_CLIENT_SECRET,
    "x-api-version": "2025-01-01",
}
PG = "http://simulator.invalid/pg"


class ManualClock:
    """Time that moves only when a test says so."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def order_body(order_id: str = "ORD-1", amount: Any = 250.5, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "order_id": order_id,
        "order_amount": amount,
        "order_currency": "INR",
        "customer_details": {"customer_id": "cust001", "customer_phone": "9876543210"},
    }
    body.update(extra)
    return body


def link_body(link_id: str = "LINK-1", amount: Any = 499, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "link_id": link_id,
        "link_amount": amount,
        "link_currency": "INR",
        "link_purpose": "Bill 42 at Test Store",
        "customer_details": {"customer_phone": "9876543210"},
    }
    body.update(extra)
    return body


def pay_body(session_id: str, channel: str = "qrcode", **upi: Any) -> dict[str, Any]:
    return {
        "payment_session_id": session_id,
        "payment_method": {"upi": {"channel": channel, **upi}},
    }


def simulate_body(cf_payment_id: str, status: str, code: str | None = None) -> dict[str, Any]:
    outcome: dict[str, Any] = {"payment_status": status}
    if code is not None:
        outcome["payment_error_code"] = code
    return {"entity": "PAYMENTS", "entity_id": cf_payment_id, "entity_simulation": outcome}


def png_from_data_uri(uri: str) -> bytes:
    prefix = "data:image/png;base64,"
    assert uri.startswith(prefix), uri[:40]
    data = base64.b64decode(uri[len(prefix) :], validate=True)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    return data


def decode_qr(png: bytes) -> str:
    """What a phone camera reads from the PNG (zxing-cpp)."""
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(found) == 1, f"expected one QR code, found {len(found)}"
    return str(found[0].text)


# ---- spec checking --------------------------------------------------------------------------
#
# Two places where the official 2025-01-01 spec cannot be met by ANY real answer, so the
# checker corrects exactly those (tests/simulator/test_spec_defects.py proves both):
#  1. PaymentEntity.payment_method is a `oneOf` of eight variants that have no required
#     keys, so every object matches several of them and the oneOf always fails (the spec's
#     own example fails). It is checked as the UPI variant or the card variant instead
#     (exactly one of them), with the UPI variant's misplaced `required: ["channel"]` moved
#     inside `upi` and no other keys allowed in either.
#  2. RefundEntity.refund_status's enum lacks FAILED, which Cashfree's docs describe and
#     the sandbox returns for refund_note "FAILED" (REFERENCE §7). FAILED is added.

PATHS = (  # most specific first
    "/orders/pay/authenticate/{cf_payment_id}",
    "/orders/sessions",
    "/orders/{order_id}/payments/{cf_payment_id}",
    "/orders/{order_id}/payments",
    "/orders/{order_id}/refunds/{refund_id}",
    "/orders/{order_id}/refunds",
    "/orders/{order_id}/settlements",
    "/orders/{order_id}",
    "/orders",
    "/simulate/{simulation_id}",
    "/simulate",
    "/links/{link_id}/cancel",
    "/links/{link_id}/orders",
    "/links/{link_id}",
    "/links",
    "/settlement/recon",
    "/settlements",
    "/recon",
)
_TEMPLATES = [(re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", p) + "$"), p) for p in PATHS]


def template_for(path: str) -> str | None:
    bare = path.removeprefix("/pg")
    for pattern, template in _TEMPLATES:
        if pattern.match(bare):
            return template
    return None


@functools.cache
def corrected_components() -> dict[str, Any]:
    components = copy.deepcopy(cashfree_spec.spec()["components"])
    schemas = components["schemas"]
    upi = copy.deepcopy(schemas["PaymentMethodUPIInPaymentsEntity"]["properties"]["upi"])
    upi["required"] = ["channel"]
    upi["additionalProperties"] = False
    card = copy.deepcopy(schemas["PaymentMethodCardInPaymentsEntity"]["properties"]["card"])
    card["required"] = ["channel", "card_number"]
    card["additionalProperties"] = False
    schemas["PaymentEntity"]["properties"]["payment_method"] = {
        "oneOf": [
            {
                "type": "object",
                "properties": {"upi": upi},
                "required": ["upi"],
                "additionalProperties": False,
            },
            {
                "type": "object",
                "properties": {"card": card},
                "required": ["card"],
                "additionalProperties": False,
            },
        ]
    }
    schemas["RefundEntity"]["properties"]["refund_status"]["enum"].append("FAILED")
    return components  # type: ignore[no-any-return]


def spec_schema(template: str, method: str, status: int) -> dict[str, Any] | None:
    """The spec's response schema, or None where the spec declares none for that status."""
    try:
        return cashfree_spec.response_schema(template, method, status)
    except KeyError:
        return None


def check_against_spec(template: str, method: str, status: int, body: Any) -> None:
    """Raise jsonschema.ValidationError unless `body` fits the spec (as corrected above)."""
    schema = spec_schema(template, method, status)
    assert schema is not None, f"the spec has no {status} answer for {method} {template}"
    wrapper = {**schema, "components": corrected_components()}
    jsonschema.validate(body, wrapper, cls=jsonschema.Draft7Validator)


@dataclass
class SpecLog:
    checked: list[tuple[str, str, int]] = field(default_factory=list)
    unchecked: list[tuple[str, str, int]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


class SpecCheckingTransport(httpx.AsyncBaseTransport):
    """Wraps a transport; validates each JSON answer from /pg against the spec."""

    def __init__(self, inner: httpx.AsyncBaseTransport, log: SpecLog) -> None:
        self.inner = inner
        self.log = log

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        content = await response.aread()
        template = template_for(request.url.path)
        is_json = response.headers.get("content-type", "").startswith("application/json")
        if template is not None and is_json:
            entry = (request.method, template, response.status_code)
            if spec_schema(template, request.method, response.status_code) is None:
                self.log.unchecked.append(entry)
            else:
                try:
                    check_against_spec(template, *entry[::2], json.loads(content))
                    self.log.checked.append(entry)
                except jsonschema.ValidationError as exc:
                    self.log.problems.append(f"{entry}: {exc.message} at {list(exc.path)}")
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            content=content,
            request=request,
        )

    async def aclose(self) -> None:
        await self.inner.aclose()


@dataclass
class Rig:
    """The real CashfreeGateway wired to the simulator, in-process or over loopback."""

    mode: str
    sim: Simulator
    clock: ManualClock
    gateway: CashfreeGateway
    raw: httpx.AsyncClient  # authenticated, base URL .../pg, same route as the gateway
    sleeps: list[float] = field(default_factory=list)
    on_sleep: list[Callable[[], None]] = field(default_factory=list)

    def make_gateway(
        self, *, secret: str = SIM_CLIENT_SECRET, attempts: int = 4
    ) -> CashfreeGateway:
        async def sleep(seconds: float) -> None:
            self.sleeps.append(seconds)
            for hook in self.on_sleep:
                hook()

        return CashfreeGateway(
            self.raw,
            base_url=str(self.raw.base_url),
            client_id=SIM_CLIENT_ID,
            client_secret=Secret(secret),
            retry=RetryPolicy(max_attempts=attempts, jitter=lambda d: d),
            sleep=sleep,
        )


async def create_link_on(sim: Simulator, link_id: str, rupees: int) -> None:
    """Create a payment link on `sim` through its HTTP API, as a till would."""
    async with httpx.AsyncClient(
        transport=SimulatorTransport(sim),
        base_url="http://simulator.invalid/pg",
        headers={
            "x-client-id": "SIM-APP-ID",
            "x-client-secret": SIM_CLIENT_SECRET,
            "x-api-version": "2025-01-01",
        },
    ) as client:
        answer = await client.post("/links", json=link_body(link_id, rupees))
        assert answer.status_code == 200, answer.text
