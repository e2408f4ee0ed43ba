"""The /pg routes: match, run the guards, call the ledger, answer with Cashfree JSON.

`PgApi.dispatch` takes a request under /pg and the current time and returns the full
response (status, headers, JSON body). It must be called with the Simulator's lock held.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import unquote

from pos_app.simulator import bodies, entities, recon_wire
from pos_app.simulator.cards import CardDesk
from pos_app.simulator.errors import SimulatorError, bad_request
from pos_app.simulator.guards import (
    IdempotencyStore,
    RateLimiter,
    check_api_version,
    check_credentials,
)
from pos_app.simulator.links import LinkDesk
from pos_app.simulator.qr import intent_urls, png_data_uri, upi_pay_url
from pos_app.simulator.refunds import RefundDesk
from pos_app.simulator.settlements import EventKind, SettlementDesk
from pos_app.simulator.state import SimState
from pos_app.simulator.wire import SimRequest, SimResponse, parse_json

__all__ = ["PREFIX", "PgApi"]

PREFIX = "/pg"
_SEG = "([^/]+)"

Handler = Callable[["PgApi", "_Call"], Any]


@dataclass(frozen=True, slots=True)
class _Call:
    request: SimRequest
    params: tuple[str, ...]
    body: Any
    now: datetime


@dataclass(frozen=True, slots=True)
class _Route:
    method: str
    pattern: re.Pattern[str]
    endpoint: str
    handler: Handler
    auth: bool = True
    has_body: bool = False


class PgApi:
    def __init__(
        self,
        state: SimState,
        links: LinkDesk,
        refunds: RefundDesk,
        *,
        client_id: str,
        client_secret: str,
        rate_limits: Mapping[str, int] | None,
        public_url: Callable[[], str],
        settlements: SettlementDesk | None = None,
    ) -> None:
        self.state = state
        self.settlements = settlements or SettlementDesk(state, refunds)
        self.links = links
        self.refunds = refunds
        self.client_id = client_id
        self.client_secret = client_secret
        self.limiter = RateLimiter(rate_limits)
        self.idempotency = IdempotencyStore()
        self.public_url = public_url
        self.cards = CardDesk(state)

    # ---- the pipeline -----------------------------------------------------------------------
    def dispatch(self, request: SimRequest, now: datetime) -> SimResponse:
        headers = {**self.base_headers(request), **self.rate_headers(request, now)}
        route, params = _match(request)
        if route is None:
            bad_url = SimulatorError(
                404, "request_failed", "bad URL, please check API documentation"
            )
            return _error(bad_url, headers)
        try:
            check_api_version(request)
            if route.auth:
                check_credentials(request, self.client_id, self.client_secret)
        except SimulatorError as err:
            return _error(err, headers)
        caller, kind = self._caller(route, request)
        verdict = self.limiter.check(route.endpoint, caller, kind, now)
        headers.update(verdict.headers())
        if not verdict.allowed:
            return _error(verdict.error(), headers)
        key = request.header("x-idempotency-key") if request.method in ("POST", "PATCH") else None
        if key:
            headers["x-idempotency-key"] = key
            try:
                earlier = self.idempotency.replay(caller, key, request)
            except SimulatorError as err:
                return _error(err, headers)
            if earlier is not None:
                replayed = {**earlier.headers, **headers, "x-idempotency-replayed": "true"}
                return SimResponse(earlier.status, replayed, earlier.body)
            headers["x-idempotency-replayed"] = "false"
        response = self._run(route, params, request, now, headers)
        if key:
            self.idempotency.remember(caller, key, request, response)
        return response

    def rate_headers(self, request: SimRequest, now: datetime) -> dict[str, str]:
        """The x-ratelimit-* headers for an answer that is not counted (errors, faults)."""
        route, _ = _match(request)
        if route is None:
            return self.limiter.check("", "", "app_id", now, count=False).headers()
        caller, kind = self._caller(route, request)
        return self.limiter.check(route.endpoint, caller, kind, now, count=False).headers()

    def _caller(self, route: _Route, request: SimRequest) -> tuple[str, str]:
        """Who a limit applies to: the App ID, or the IP for unauthenticated Order Pay."""
        return (self.client_id, "app_id") if route.auth else (request.client, "ip")

    def base_headers(self, request: SimRequest) -> dict[str, str]:
        headers = {"x-request-id": request.header("x-request-id") or str(uuid.uuid4())}
        version = request.header("x-api-version")
        if version:
            headers["x-api-version"] = version
        return headers

    def _run(
        self,
        route: _Route,
        params: tuple[str, ...],
        request: SimRequest,
        now: datetime,
        headers: dict[str, str],
    ) -> SimResponse:
        try:
            body: Any = None
            if route.has_body:
                try:
                    body = parse_json(request.body)
                except ValueError as exc:
                    raise bad_request(
                        "request_body_invalid", "request body is not valid JSON"
                    ) from exc
            payload = route.handler(self, _Call(request, params, body, now))
        except SimulatorError as err:
            return _error(err, headers)
        return SimResponse.json(200, payload, headers)

    # ---- orders and payments ----------------------------------------------------------------
    def _create_order(self, call: _Call) -> Any:
        order = self.state.create_order(bodies.order_input(call.body), call.now)
        return entities.order_entity(order)

    def _get_order(self, call: _Call) -> Any:
        return entities.order_entity(self.state.order(call.params[0], call.now))

    def _terminate_order(self, call: _Call) -> Any:
        bodies.terminate_input(call.body)
        return entities.order_entity(self.state.terminate(call.params[0], call.now))

    def _pay_order(self, call: _Call) -> Any:
        card_session = bodies.card_session(call.body)
        if card_session is not None:
            return self.cards.pay(call.body, card_session, call.now, self.public_url())
        spec = bodies.pay_input(call.body)
        order, payment = self.state.pay(spec, call.now)
        data: dict[str, Any] = {}
        if spec.channel in ("qrcode", "link"):
            url = upi_pay_url(payment.amount, payment.cf_payment_id, order.order_id)
            if spec.channel == "qrcode":
                data["payload"] = {"qrcode": png_data_uri(url)}
            else:
                data["payload"] = intent_urls(url)
        elif spec.redirect:
            data["url"] = f"{self.public_url()}/checkout/order/{order.order_id}"
        return {
            "payment_amount": payment.amount.to_api(),
            "cf_payment_id": payment.cf_payment_id,
            "payment_method": "upi",
            "channel": spec.channel,
            "action": "custom",
            "data": data,
        }

    def _authenticate(self, call: _Call) -> Any:
        return self.cards.authenticate(call.params[0], call.body, call.now)

    def _get_payments(self, call: _Call) -> Any:
        order = self.state.order(call.params[0], call.now)
        return [entities.payment_entity(order, p) for p in order.payments]

    def _get_payment(self, call: _Call) -> Any:
        payment = self.state.payment(call.params[0], call.params[1], call.now)
        return entities.payment_entity(self.state.orders[payment.order_id], payment)

    def _simulate(self, call: _Call) -> Any:
        simulation = self.state.simulate(bodies.simulate_input(call.body), call.now)
        return entities.simulation_entity(simulation)

    def _get_simulation(self, call: _Call) -> Any:
        return entities.simulation_entity(self.state.simulation(call.params[0]))

    # ---- links --------------------------------------------------------------------------------
    def _create_link(self, call: _Call) -> Any:
        spec = bodies.link_input(call.body)
        url = f"{self.public_url()}/checkout/link/{spec.link_id}"
        link = self.links.create(spec, call.now, url=url, qrcode=png_data_uri(url))
        return entities.link_entity(link, self.links.amount_paid(link))

    def _get_link(self, call: _Call) -> Any:
        link = self.links.link(call.params[0], call.now)
        return entities.link_entity(link, self.links.amount_paid(link))

    def _cancel_link(self, call: _Call) -> Any:
        link = self.links.cancel(call.params[0], call.now)
        return entities.link_entity(link, self.links.amount_paid(link))

    def _get_link_orders(self, call: _Call) -> Any:
        status = call.request.query.get("status", "PAID")
        if status not in ("ALL", "PAID"):
            raise bad_request("status_invalid", "status : should be ALL or PAID")
        found = self.links.orders(call.params[0], call.now, paid_only=status == "PAID")
        return [entities.link_order_entity(order) for order in found]

    # ---- refunds ------------------------------------------------------------------------------
    def _create_refund(self, call: _Call) -> Any:
        spec = bodies.refund_input(call.body)
        return entities.refund_entity(self.refunds.create(call.params[0], spec, call.now))

    def _get_refunds(self, call: _Call) -> Any:
        return [entities.refund_entity(r) for r in self.refunds.list(call.params[0], call.now)]

    def _get_refund(self, call: _Call) -> Any:
        return entities.refund_entity(self.refunds.get(call.params[0], call.params[1], call.now))

    # ---- reconciliation and settlements (recon_wire.py) ------------------------------------
    def _recon(self, call: _Call) -> Any:
        filters, page = recon_wire.recon_filters(call.body)
        assert filters.start is not None and filters.end is not None
        events = [
            e for e in self.settlements.events(call.now) if filters.start <= e.at <= filters.end
        ]
        chosen, envelope = recon_wire.page_of(events, page, filters.fingerprint)
        return {**envelope, "data": [recon_wire.flat_row(e) for e in chosen]}

    def _settlements(self, call: _Call) -> Any:
        filters, page = recon_wire.settlement_filters(call.body)
        found = [
            s
            for s in self.settlements.settlements(call.now)
            if recon_wire.settlement_matches(s, filters)
        ]
        chosen, envelope = recon_wire.page_of(found, page, filters.fingerprint)
        return {**envelope, "data": [recon_wire.settlement_item(s) for s in chosen]}

    def _settlement_recon(self, call: _Call) -> Any:
        filters, page = recon_wire.settlement_filters(call.body)
        events = [
            e
            for e in self.settlements.events(call.now)
            if e.kind is not EventKind.SETTLEMENT
            and e.settlement is not None
            and recon_wire.settlement_matches(e.settlement, filters)
        ]
        chosen, envelope = recon_wire.page_of(events, page, filters.fingerprint)
        return {**envelope, "data": [recon_wire.nested_row(e) for e in chosen]}

    def _order_settlement(self, call: _Call) -> Any:
        event = self.settlements.order_settlement(call.params[0], call.now)
        return recon_wire.order_settlement_entity(event)


def _route(method: str, path: str, endpoint: str, handler: Handler, **kw: bool) -> _Route:
    pattern = re.compile("^" + path.replace("{}", _SEG) + "$")
    return _Route(method, pattern, endpoint, handler, **kw)


# Order matters: /orders/sessions before /orders/{order_id}.
_ROUTES = (
    _route("POST", "/orders", "create_order", PgApi._create_order, has_body=True),
    _route("POST", "/orders/sessions", "pay_order", PgApi._pay_order, auth=False, has_body=True),
    _route(
        "POST",
        "/orders/pay/authenticate/{}",
        "authenticate_payment",
        PgApi._authenticate,
        auth=False,
        has_body=True,
    ),
    _route("GET", "/orders/{}", "get_order", PgApi._get_order),
    _route("PATCH", "/orders/{}", "terminate_order", PgApi._terminate_order, has_body=True),
    _route("GET", "/orders/{}/payments", "get_payments", PgApi._get_payments),
    _route("GET", "/orders/{}/payments/{}", "get_payment", PgApi._get_payment),
    _route("POST", "/orders/{}/refunds", "initiate_refund", PgApi._create_refund, has_body=True),
    _route("GET", "/orders/{}/refunds", "get_refunds", PgApi._get_refunds),
    _route("GET", "/orders/{}/refunds/{}", "get_refund", PgApi._get_refund),
    _route("POST", "/simulate", "simulate", PgApi._simulate, has_body=True),
    _route("GET", "/simulate/{}", "get_simulation", PgApi._get_simulation),
    _route("POST", "/links", "create_link", PgApi._create_link, has_body=True),
    _route("GET", "/links/{}", "get_link", PgApi._get_link),
    _route("POST", "/links/{}/cancel", "cancel_link", PgApi._cancel_link),
    _route("GET", "/links/{}/orders", "get_link_orders", PgApi._get_link_orders),
    _route("POST", "/recon", "recon", PgApi._recon, has_body=True),
    _route("POST", "/settlements", "settlements", PgApi._settlements, has_body=True),
    _route("POST", "/settlement/recon", "settlement_recon", PgApi._settlement_recon, has_body=True),
    _route("GET", "/orders/{}/settlements", "order_settlements", PgApi._order_settlement),
)


def _error(err: SimulatorError, headers: dict[str, str]) -> SimResponse:
    return SimResponse.json(err.status, err.body(), headers)


def _match(request: SimRequest) -> tuple[_Route | None, tuple[str, ...]]:
    path = request.path[len(PREFIX) :].rstrip("/") or "/"
    for route in _ROUTES:
        if route.method != request.method:
            continue
        found = route.pattern.match(path)
        if found is not None:
            return route, tuple(unquote(part) for part in found.groups())
    return None, ()
