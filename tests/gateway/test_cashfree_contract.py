"""Contract with Cashfree's official 2025-01-01 spec: the bodies we build validate against
its request schemas, and its own 200 examples parse into our results."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import cashfree_spec
import pytest
import respx

from pos_app.domain.money import Money
from pos_app.gateway.base import Customer, NewLink, NewOrder, NewRefund, UpiChannel
from pos_app.gateway.cashfree import CashfreeGateway

Call = Callable[[CashfreeGateway], Awaitable[Any]]

FULL_CUSTOMER = Customer("till1", "9876543210", email="buyer@example.com", name="Asha Rao")
EXPIRY = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)

# (name, spec path, method, what the mock answers to, how to call the gateway)
OPERATIONS: list[tuple[str, str, str, str, Call]] = [
    (
        "create_order",
        "/orders",
        "post",
        "/orders",
        lambda g: g.create_order(
            NewOrder(
                "POS1-0001",
                Money(123456),
                FULL_CUSTOMER,
                note="Bill 42",
                expires_at=EXPIRY,
                tags={"till": "1", "cashier": "asha"},
            ),
            idempotency_key="k1",
        ),
    ),
    (
        "get_order",
        "/orders/{order_id}",
        "get",
        "/orders/POS1-0001",
        lambda g: g.get_order("POS1-0001"),
    ),
    (
        "terminate_order",
        "/orders/{order_id}",
        "patch",
        "/orders/POS1-0001",
        lambda g: g.terminate_order("POS1-0001"),
    ),
    (
        "pay_upi",
        "/orders/sessions",
        "post",
        "/orders/sessions",
        lambda g: g.pay_upi("session_abc", UpiChannel.LINK),
    ),
    (
        "list_payments",
        "/orders/{order_id}/payments",
        "get",
        "/orders/POS1-0001/payments",
        lambda g: g.list_payments("POS1-0001"),
    ),
    (
        "create_link",
        "/links",
        "post",
        "/links",
        lambda g: g.create_link(
            NewLink(
                "LNK-0001",
                Money(99),
                "Bill 42",
                FULL_CUSTOMER,
                expires_at=EXPIRY,
                send_sms=True,
                send_email=True,
                notes={"till": "1"},
            ),
            idempotency_key="k2",
        ),
    ),
    ("get_link", "/links/{link_id}", "get", "/links/LNK-0001", lambda g: g.get_link("LNK-0001")),
    (
        "cancel_link",
        "/links/{link_id}/cancel",
        "post",
        "/links/LNK-0001/cancel",
        lambda g: g.cancel_link("LNK-0001"),
    ),
    (
        "list_link_orders",
        "/links/{link_id}/orders",
        "get",
        "/links/LNK-0001/orders",
        lambda g: g.list_link_orders("LNK-0001"),
    ),
    (
        "create_refund",
        "/orders/{order_id}/refunds",
        "post",
        "/orders/POS1-0001/refunds",
        lambda g: g.create_refund(
            "POS1-0001",
            NewRefund("RF-0001", Money(1050), note="Damaged item"),
            idempotency_key="k3",
        ),
    ),
    (
        "get_refund",
        "/orders/{order_id}/refunds/{refund_id}",
        "get",
        "/orders/POS1-0001/refunds/RF-0001",
        lambda g: g.get_refund("POS1-0001", "RF-0001"),
    ),
    (
        "list_refunds",
        "/orders/{order_id}/refunds",
        "get",
        "/orders/POS1-0001/refunds",
        lambda g: g.list_refunds("POS1-0001"),
    ),
]
IDS = [op[0] for op in OPERATIONS]

# Operations whose 200 response carries no example of its own in the spec (the schema's
# example is used for them instead, below).
WITHOUT_OPERATION_EXAMPLES = {
    "create_order",
    "get_order",
    "terminate_order",
    "pay_upi",
    "create_link",
    "get_link",
    "cancel_link",
    "get_refund",
}


def _follow(pointer: str) -> Any:
    """A JSON pointer into the spec, including list indices (…/value/0)."""
    node: Any = cashfree_spec.spec()
    for part in pointer.removeprefix("#/").split("/"):
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def _schema_example(schema: dict[str, Any]) -> Any:
    schema = cashfree_spec.resolve(schema)
    if schema.get("type") == "array":
        item = _schema_example(schema["items"])
        return None if item is None else [item]
    example = schema.get("example")
    if isinstance(example, dict) and "$ref" in example:
        return _follow(example["$ref"])
    return example


async def _sent_body(
    gateway: CashfreeGateway, cf: respx.MockRouter, method: str, url: str, call: Call, answer: Any
) -> Any:
    route = cf.route(method=method.upper(), path=url).respond(200, json=answer)
    await call(gateway)
    content = route.calls.last.request.content
    return json.loads(content) if content else None


# ---- requests -------------------------------------------------------------------------------


def _answer_for(path: str, method: str) -> Any:
    return _schema_example(cashfree_spec.response_schema(path, method))


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "operation",
    [op for op in OPERATIONS if op[2] != "get"],
    ids=[op[0] for op in OPERATIONS if op[2] != "get"],
)
async def test_request_bodies_fit_the_spec(
    cf: respx.MockRouter, gateway: CashfreeGateway, operation: tuple[str, str, str, str, Call]
) -> None:
    name, path, method, url, call = operation
    body = await _sent_body(gateway, cf, method, url, call, _answer_for(path, method))
    if name == "cancel_link":
        assert "requestBody" not in cashfree_spec.operation(path, method)
        assert body is None
        return
    cashfree_spec.validate(body, cashfree_spec.request_schema(path, method))


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("channel", "upi_id", "spec_example"),
    [
        (UpiChannel.QRCODE, None, "pay_upi_qr"),
        (UpiChannel.COLLECT, "testsuccess@gocash", "pay_upi_collect"),
        (UpiChannel.LINK, None, "pay_upi_intent"),
    ],
)
async def test_order_pay_bodies_match_the_spec_examples(
    cf: respx.MockRouter,
    gateway: CashfreeGateway,
    channel: UpiChannel,
    upi_id: str | None,
    spec_example: str,
) -> None:
    official = cashfree_spec.spec()["components"]["examples"][spec_example]["value"]
    answer = {
        "cf_payment_id": "1",
        "channel": channel.value,
        "data": {"payload": {"qrcode": "upi://pay?pa=x@y", "default": "upi://pay?pa=x@y"}},
    }
    body = await _sent_body(
        gateway,
        cf,
        "post",
        "/orders/sessions",
        lambda g: g.pay_upi(official["payment_session_id"], channel, upi_id=upi_id),
        answer,
    )
    assert body == official
    cashfree_spec.validate(body, cashfree_spec.request_schema("/orders/sessions", "post"))


# ---- responses ------------------------------------------------------------------------------


def test_which_operations_have_examples() -> None:
    missing = {
        name
        for name, path, method, _, _ in OPERATIONS
        if not cashfree_spec.response_examples(path, method, 200)
    }
    assert missing == WITHOUT_OPERATION_EXAMPLES


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "operation",
    [op for op in OPERATIONS if op[0] not in WITHOUT_OPERATION_EXAMPLES],
    ids=[op[0] for op in OPERATIONS if op[0] not in WITHOUT_OPERATION_EXAMPLES],
)
async def test_operation_examples_parse(
    cf: respx.MockRouter, gateway: CashfreeGateway, operation: tuple[str, str, str, str, Call]
) -> None:
    _, path, method, url, call = operation
    examples = cashfree_spec.response_examples(path, method, 200)
    assert examples
    for example in examples:
        cf.routes.clear()
        cf.route(method=method.upper(), path=url).respond(200, json=example)
        result = await call(gateway)
        if isinstance(result, list):
            assert len(result) == len(example)
        else:  # Create Refund: the spec's example is a one-item array for one RefundEntity
            assert result.refund_id == example[0]["refund_id"]


@pytest.mark.asyncio
@pytest.mark.parametrize("operation", OPERATIONS, ids=IDS)
async def test_schema_examples_parse(
    cf: respx.MockRouter, gateway: CashfreeGateway, operation: tuple[str, str, str, str, Call]
) -> None:
    _, path, method, url, call = operation
    example = _answer_for(path, method)
    assert example is not None
    cf.route(method=method.upper(), path=url).respond(200, json=example)
    result = await call(gateway)
    assert result is not None


@pytest.mark.asyncio
async def test_spec_payment_examples_in_detail(
    cf: respx.MockRouter, gateway: CashfreeGateway
) -> None:
    example = cashfree_spec.response_examples("/orders/{order_id}/payments", "get", 200)[0]
    cf.get("/orders/order_8123/payments").respond(200, json=example)
    payments = await gateway.list_payments("order_8123")
    first = payments[0]
    assert first.cf_payment_id == "12376123"
    assert first.amount == Money(1001)
    assert first.payer == "ro***@xcxcx"
    assert first.bank_reference == "P78112898712"
    assert first.initiated_at is not None and first.initiated_at.utcoffset() is not None
    assert payments[1].error is not None and payments[1].error.code == "TRANSACTION_DECLINED"
    assert payments[1].payer == "xxxx1111"  # the last four digits only
