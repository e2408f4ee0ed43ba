"""Answers a dishonest or confused gateway would give, for the money-safety tests and for
training: a refused termination that leaves the order payable, and "paid" answers that do
not fit the sale (another order's id, another currency). Switched on through the faults
(`refuse_terminate`, `lie`); off by default."""

from __future__ import annotations

import json
from typing import Any

from pos_app.simulator.faults import Faults
from pos_app.simulator.wire import SimRequest, SimResponse

__all__ = ["LIES", "refusal", "tell_lie"]

LIES = ("", "order_id", "currency")
PREFIX = "/pg"


def _parts(request: SimRequest) -> list[str]:
    return request.path[len(PREFIX) :].strip("/").split("/")


def refusal(faults: Faults, request: SimRequest) -> SimResponse | None:
    """With `refuse_terminate`, Terminate Order and Cancel Link are answered 400 and the
    order stays payable."""
    if not faults.refuse_terminate:
        return None
    parts = _parts(request)
    terminate = request.method == "PATCH" and len(parts) == 2 and parts[0] == "orders"
    cancel_link = request.method == "POST" and len(parts) == 3 and parts[::2] == ["links", "cancel"]
    if not (terminate or cancel_link):
        return None
    body = {
        "message": "the order cannot be closed right now",
        "code": "order_termination_failed",
        "type": "invalid_request_error",
    }
    return SimResponse.json(400, body)


def tell_lie(faults: Faults, request: SimRequest, response: SimResponse) -> SimResponse:
    """With `lie`, a successful Get Order or payments answer names another order or
    another currency."""
    if not faults.lie or request.method != "GET" or response.status != 200:
        return response
    parts = _parts(request)
    if parts[0] != "orders" or len(parts) not in (2, 3):
        return response
    payload: Any = json.loads(response.body)
    items = payload if isinstance(payload, list) else [payload]
    for item in items:
        if not isinstance(item, dict):
            continue
        if faults.lie == "order_id":
            item["order_id"] = f"{item.get('order_id', '')}-OTHER"
        elif "payment_currency" in item:
            item["payment_currency"] = "USD"
        elif "order_currency" in item:
            item["order_currency"] = "USD"
    body = json.dumps(payload).encode("utf-8")
    return SimResponse(
        response.status, dict(response.headers), body, response.delay, response.disconnect
    )
