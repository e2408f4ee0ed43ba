"""Everything outside /pg: the control API (/_sim/...) and the test checkout page.

Control API (JSON, no auth; the server only listens on loopback unless told otherwise):
  GET  /_sim/orders                      {"orders": [every order_id, oldest first]}
  GET  /_sim/calls?since=T               {"calls": [{"at", "operation", "outcome"}, ...]}:
                                         every /pg request that arrived at or after T
                                         (wall-clock seconds), for counting at the server
  GET  /_sim/faults                      current faults
  POST /_sim/faults                      {"latency", "error_rate", "drop_rate",
                                          "malformed_rate", "down", "refuse_terminate",
                                          "lie": ""|"order_id"|"currency"} (any subset)
  POST /_sim/orders/{order_id}/customer  {"action": "pay"|"fail"|"walk_away",
                                          "after_seconds": N, "error_code": C}
  POST /_sim/links/{link_id}/customer    same body, for a payment link
  GET  /_sim/links/{link_id}/notify      what link_notify would have sent
  POST /_sim/orders/{order_id}/dispute   {"kind": "DISPUTE"|"CHARGEBACK", "amount": "450"}
                                         the customer's bank disputes a paid order
Checkout page (HTML): GET/POST /checkout/order/{order_id}, GET/POST /checkout/link/{link_id};
the bank's 3-D Secure page for a card attempt: GET/POST /checkout/card/{cf_payment_id}.
Faults never apply here, so a test can always switch them off again.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, unquote

from pos_app.simulator import checkout_page
from pos_app.simulator.control_port import ControlledSimulator
from pos_app.simulator.customer import CustomerAction
from pos_app.simulator.errors import SimulatorError, bad_request
from pos_app.simulator.faults import Faults
from pos_app.simulator.wire import SimRequest, SimResponse, parse_json

__all__ = ["handle_control"]

_HTML = "text/html; charset=utf-8"
_ORDER_CUSTOMER = re.compile(r"^/_sim/orders/([^/]+)/customer$")
_LINK_CUSTOMER = re.compile(r"^/_sim/links/([^/]+)/customer$")
_LINK_NOTIFY = re.compile(r"^/_sim/links/([^/]+)/notify$")
_DISPUTE = re.compile(r"^/_sim/orders/([^/]+)/dispute$")
_CHECKOUT = re.compile(r"^/checkout/(order|link)/([^/]+)$")
_CARD_PAGE = re.compile(r"^/checkout/card/([^/]+)$")

_DONE = {
    CustomerAction.PAY: "Payment successful.",
    CustomerAction.FAIL: "The payment failed.",
    CustomerAction.WALK_AWAY: "You left without paying.",
}


def handle_control(sim: ControlledSimulator, request: SimRequest) -> SimResponse:
    path = request.path.rstrip("/") or "/"
    try:
        if path == "/" and request.method == "GET":
            return SimResponse.text(200, _index(sim))
        if path == "/_sim/faults":
            return _faults(sim, request)
        if path == "/_sim/orders" and request.method == "GET":
            return SimResponse.json(200, {"orders": sim.order_ids()})
        if path == "/_sim/calls" and request.method == "GET":
            return _calls(sim, request)
        found = _CARD_PAGE.match(path)
        if found is not None and request.method in ("GET", "POST"):
            return _card_page(sim, request, unquote(found.group(1)))
        found = _CHECKOUT.match(path)
        if found is not None and request.method in ("GET", "POST"):
            return _checkout(sim, request, found.group(1), unquote(found.group(2)))
        found = _DISPUTE.match(path)
        if found is not None and request.method == "POST":
            return _dispute(sim, request, unquote(found.group(1)))
        if request.method == "POST":
            for pattern, for_link in ((_ORDER_CUSTOMER, False), (_LINK_CUSTOMER, True)):
                found = pattern.match(path)
                if found is not None:
                    return _customer(sim, request, unquote(found.group(1)), for_link)
        found = _LINK_NOTIFY.match(path)
        if found is not None and request.method == "GET":
            return SimResponse.json(200, sim.link_notifications(unquote(found.group(1))))
    except SimulatorError as err:
        return SimResponse.json(err.status, err.body())
    missing = SimulatorError(404, "request_failed", "no such simulator page")
    return SimResponse.json(404, missing.body())


def _json_body(request: SimRequest) -> dict[str, Any]:
    try:
        body = parse_json(request.body or b"{}")
    except ValueError as exc:
        raise bad_request("request_body_invalid", "request body is not valid JSON") from exc
    if not isinstance(body, dict):
        raise bad_request("request_body_invalid", "request body should be a JSON object")
    return body


def _faults(sim: ControlledSimulator, request: SimRequest) -> SimResponse:
    if request.method == "POST":
        try:
            faults = Faults.from_mapping(_json_body(request), base=sim.faults)
        except ValueError as exc:
            raise bad_request("faults_invalid", str(exc)) from exc
        sim.set_faults(faults)
    elif request.method != "GET":
        raise SimulatorError(405, "request_failed", "use GET or POST")
    return SimResponse.json(200, sim.faults.to_dict())


def _calls(sim: ControlledSimulator, request: SimRequest) -> SimResponse:
    try:
        since = float(request.query.get("since", "0"))
    except ValueError as exc:
        raise bad_request("since_invalid", "since : should be a number of seconds") from exc
    calls = [
        {"at": call.at, "operation": call.operation, "outcome": call.outcome}
        for call in sim.calls.since(since)
    ]
    return SimResponse.json(200, {"calls": calls})


def _customer(
    sim: ControlledSimulator, request: SimRequest, target: str, for_link: bool
) -> SimResponse:
    body = _json_body(request)
    action = body.get("action")
    if not isinstance(action, str):
        raise bad_request("action_invalid", "action : should be pay, fail or walk_away")
    code = body.get("error_code")
    if code is not None and not isinstance(code, str):
        raise bad_request("error_code_invalid", "error_code : should be a string")
    after = body.get("after_seconds", 0)
    if isinstance(after, bool) or not isinstance(after, int | float | Decimal):
        raise bad_request("after_seconds_invalid", "after_seconds : should be a number")
    if for_link:
        order_id = sim.link_customer_acts(
            target, action, error_code=code, after_seconds=float(after)
        )
        return SimResponse.json(200, {"link_id": target, "order_id": order_id, "action": action})
    cf_payment_id = sim.customer_acts(target, action, error_code=code, after_seconds=float(after))
    return SimResponse.json(
        200, {"order_id": target, "cf_payment_id": cf_payment_id, "action": action}
    )


def _dispute(sim: ControlledSimulator, request: SimRequest, order_id: str) -> SimResponse:
    body = _json_body(request)
    kind = body.get("kind", "DISPUTE")
    if kind not in ("DISPUTE", "CHARGEBACK"):
        raise bad_request("kind_invalid", "kind : should be DISPUTE or CHARGEBACK")
    amount = body.get("amount")
    if amount is not None and not isinstance(amount, str):
        raise bad_request("amount_invalid", 'amount : rupees as a string, like "450"')
    try:
        event_id = sim.open_dispute(order_id, kind, rupees=amount)
    except ValueError as exc:  # an amount Money.parse refuses
        raise bad_request("amount_invalid", f"amount : {exc}") from exc
    return SimResponse.json(200, {"order_id": order_id, "kind": kind, "event_id": event_id})


def _checkout(sim: ControlledSimulator, request: SimRequest, kind: str, target: str) -> SimResponse:
    message = None
    try:
        if request.method == "POST":
            form = dict(parse_qsl(request.body.decode("utf-8", "replace")))
            action = CustomerAction(form.get("action", ""))
            if kind == "order":
                sim.customer_acts(target, action)
            else:
                sim.link_customer_acts(target, action)
            message = _DONE[action]
        if kind == "order":
            page = checkout_page.page_for_order(sim.order(target), message)
        else:
            page = checkout_page.page_for_link(sim.link(target), message)
    except ValueError:
        return SimResponse.text(400, checkout_page.page_not_found("Unknown action."), _HTML)
    except SimulatorError as err:
        page = checkout_page.page_not_found(err.message)
        return SimResponse.text(err.status, page, _HTML)
    return SimResponse.text(200, page, _HTML)


def _card_page(sim: ControlledSimulator, request: SimRequest, cf_payment_id: str) -> SimResponse:
    message = None
    try:
        if request.method == "POST":
            form = dict(parse_qsl(request.body.decode("utf-8", "replace")))
            choice = form.get("action", "")
            if choice not in ("approve", "decline"):
                return SimResponse.text(400, checkout_page.page_not_found("Unknown action."), _HTML)
            sim.card_page_acts(cf_payment_id, approve=choice == "approve")
            message = "Payment successful." if choice == "approve" else "Authentication failed."
        masked, amount, status = sim.card_page_facts(cf_payment_id)
    except SimulatorError as err:
        return SimResponse.text(err.status, checkout_page.page_not_found(err.message), _HTML)
    page = checkout_page.page_for_card(cf_payment_id, masked, amount, status, message)
    return SimResponse.text(200, page, _HTML)


def _index(sim: ControlledSimulator) -> str:
    return (
        "Simulated Cashfree (PG API 2025-01-01 wire format)\n"
        f"API base URL: {sim.public_url}/pg\n"
        "Control API: /_sim/faults, /_sim/orders/{order_id}/customer, "
        "/_sim/links/{link_id}/customer, /_sim/links/{link_id}/notify, "
        "/_sim/orders/{order_id}/dispute\n"
    )
