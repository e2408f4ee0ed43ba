"""The two corrections the spec checker makes are needed, and are the only ones.

If a later spec fixes either defect, these tests fail and the correction can go.
"""

from __future__ import annotations

import copy

import cashfree_spec
import jsonschema
import pytest
from simulator.simkit import check_against_spec

from pos_app.simulator import SimRequest, Simulator
from pos_app.simulator.wire import dump_json


def test_the_spec_own_payment_example_fails_its_own_oneof() -> None:
    schema = cashfree_spec.response_schema("/orders/{order_id}/payments", "get", 200)
    (example,) = cashfree_spec.response_examples("/orders/{order_id}/payments", "get", 200)
    with pytest.raises(jsonschema.ValidationError, match="is valid under each of"):
        cashfree_spec.validate(example, schema)


def test_no_payment_method_object_can_satisfy_the_oneof() -> None:
    schema = cashfree_spec.resolve({"$ref": "#/components/schemas/PaymentEntity"})
    for method in ({"upi": {"channel": "qrcode"}}, {"card": {"channel": "link"}}, {}):
        with pytest.raises(jsonschema.ValidationError):
            cashfree_spec.validate({"payment_method": method}, schema)


def test_refund_status_enum_lacks_failed() -> None:
    schema = cashfree_spec.resolve({"$ref": "#/components/schemas/RefundEntity"})
    cashfree_spec.validate({"refund_status": "PENDING"}, schema)
    with pytest.raises(jsonschema.ValidationError):
        cashfree_spec.validate({"refund_status": "FAILED"}, schema)


def test_simulated_payment_is_strictly_valid_apart_from_payment_method() -> None:
    sim = Simulator(seed=1)
    body = {
        "order_id": "ORD-STRICT",
        "order_amount": 10,
        "order_currency": "INR",
        "customer_details": {"customer_id": "cust001", "customer_phone": "9876543210"},
    }
    headers = [
        ("x-client-id", "SIM-APP-ID"),
        ("x-client-secret", "sim-secret-not-real"),
        ("x-api-version", "2025-01-01"),
    ]
    assert (
        sim.handle(
            SimRequest.build("POST", "/pg/orders", headers=headers, body=dump_json(body))
        ).status
        == 200
    )
    sim.customer_fails("ORD-STRICT")
    (payment,) = sim.payments("ORD-STRICT")
    schema = cashfree_spec.response_schema(
        "/orders/{order_id}/payments/{cf_payment_id}", "get", 200
    )
    stripped = copy.deepcopy(payment)
    del stripped["payment_method"]
    cashfree_spec.validate(stripped, schema)  # strict, no correction
    check_against_spec("/orders/{order_id}/payments/{cf_payment_id}", "GET", 200, payment)


def test_corrected_checker_still_refuses_wrong_shapes() -> None:
    template = "/orders/{order_id}/payments/{cf_payment_id}"
    for bad in (
        {"payment_method": {"card": {"channel": "link"}}},
        {"payment_method": {"upi": {"upi_id": "a@b"}}},  # channel missing
        {"payment_method": {"upi": {"channel": 5}}},
        {"payment_status": "PAID"},
        {"payment_amount": "10.00"},
    ):
        with pytest.raises(jsonschema.ValidationError):
            check_against_spec(template, "GET", 200, bad)
    with pytest.raises(jsonschema.ValidationError):
        check_against_spec(
            "/orders/{order_id}/refunds/{refund_id}", "GET", 200, {"refund_status": "LOST"}
        )
