"""The Simulator: one lock, one clock, the ledger, the /pg API, faults and the control API.

Everything reaches it through `handle(SimRequest) -> SimResponse` (the in-process
transport and the loopback server both call it) or through the Python methods below,
which tests and the demo GUI call directly. Thread-safe: one re-entrant lock guards all
state, so the threaded server's handlers can share one Simulator.
"""

from __future__ import annotations

import dataclasses
import math
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from pos_app.domain.clock import Clock, utc_now
from pos_app.domain.money import Money
from pos_app.simulator import entities, lies
from pos_app.simulator.api import PREFIX, PgApi
from pos_app.simulator.calls import CallLog
from pos_app.simulator.control import handle_control
from pos_app.simulator.customer import CustomerAction
from pos_app.simulator.errors import SimulatorError, bad_request
from pos_app.simulator.faults import FaultDice, FaultKind, Faults
from pos_app.simulator.guards import SANDBOX_RATE_LIMITS
from pos_app.simulator.links import LinkDesk
from pos_app.simulator.models import IdMint
from pos_app.simulator.refunds import RefundDesk
from pos_app.simulator.settlements import DisputeKind, SettlementDesk
from pos_app.simulator.state import SimState
from pos_app.simulator.wire import SimRequest, SimResponse

__all__ = ["SIM_CLIENT_ID", "SIM_CLIENT_SECRET", "Simulator"]

# Test credentials of the simulated account. Not secrets: printed by `gateway-sim`.
SIM_CLIENT_ID = "SIM-APP-ID"
SIM_CLIENT_SECRET = "sim-secret-not-real"  # noqa: S105 (a published test credential)

_MALFORMED_BODY = b"<html><body><h1>502 Bad Gateway</h1>upstream sent garbage</body></html>"


class Simulator:
    """A simulated Cashfree PG account (API version 2025-01-01 wire format)."""

    def __init__(
        self,
        clock: Clock = utc_now,
        public_url: str = "http://127.0.0.1:8790",
        rate_limits: Mapping[str, int] | None = SANDBOX_RATE_LIMITS,
        seed: int | None = None,
        *,
        faults: Faults | None = None,
    ) -> None:
        self._lock = threading.RLock()
        self._clock = clock
        self._public_url = public_url.rstrip("/")
        self._state = SimState(IdMint(seed))
        self._links = LinkDesk(self._state)
        self._refunds = RefundDesk(self._state)
        self._settlements = SettlementDesk(self._state, self._refunds)
        self._api = PgApi(
            self._state,
            self._links,
            self._refunds,
            client_id=SIM_CLIENT_ID,
            client_secret=SIM_CLIENT_SECRET,
            rate_limits=rate_limits,
            public_url=lambda: self._public_url,
            settlements=self._settlements,
        )
        self._faults = faults or Faults()
        self._dice = FaultDice(seed)
        self.calls = CallLog()  # every /pg request, for counting (GET /_sim/calls)
        # Called after every change to the ledger (the demo saves it: simulator/persist.py).
        self.on_change: Callable[[], None] | None = None
        self.on_close: Callable[[], None] | None = None  # the demo writes what is pending

    def close(self) -> None:
        """The till is done with this simulator (the demo saves its ledger now)."""
        if self.on_close is not None:
            self.on_close()

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change()

    # ---- settings ------------------------------------------------------------------------
    @property
    def public_url(self) -> str:
        """Where link URLs and the checkout page point (the loopback server's address)."""
        return self._public_url

    @public_url.setter
    def public_url(self, value: str) -> None:
        with self._lock:
            self._public_url = value.rstrip("/")

    @property
    def faults(self) -> Faults:
        return self._faults

    def set_faults(self, faults: Faults | None = None, **changes: Any) -> Faults:
        """Replace the faults (`set_faults(Faults(...))`) or change some (`set_faults(down=True)`)."""
        with self._lock:
            base = faults or self._faults
            self._faults = dataclasses.replace(base, **changes) if changes else base
            return self._faults

    def now(self) -> datetime:
        moment = self._clock()
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)

    # ---- the one entry point -------------------------------------------------------------
    def handle(self, request: SimRequest) -> SimResponse:
        if request.path == PREFIX or request.path.startswith(PREFIX + "/"):
            response = self._handle_pg(request)
        else:
            response = handle_control(self, request)
        if request.method != "GET":
            # A read changes nothing that is not already saved: the outcomes it may apply
            # are scheduled in the ledger and fall due the same way after a restart.
            self._changed()
        return response

    def _handle_pg(self, request: SimRequest) -> SimResponse:
        with self._lock:
            faults = self._faults
            fault = self._dice.roll(faults)
            self.calls.record(request.method, request.path, fault.value if fault else "answered")
            if fault is FaultKind.DOWN:
                return SimResponse(0, disconnect=True)
            now = self.now()
            if fault is None or fault is FaultKind.DROP:
                response = lies.refusal(faults, request) or self._api.dispatch(request, now)
                response = lies.tell_lie(faults, request, response)
            else:
                headers = {
                    **self._api.base_headers(request),
                    **self._api.rate_headers(request, now),
                }
                if fault is FaultKind.ERROR:
                    err = SimulatorError(
                        500, "internal_error", "internal server error", "api_error"
                    )
                    response = SimResponse.json(500, err.body(), headers)
                else:
                    headers["content-type"] = "text/html"
                    response = SimResponse(200, headers, _MALFORMED_BODY)
        return dataclasses.replace(
            response, delay=faults.latency, disconnect=fault is FaultKind.DROP
        )

    # ---- reading (JSON entities, as Cashfree would answer) --------------------------------
    def order(self, order_id: str) -> dict[str, Any]:
        with self._lock:
            return entities.order_entity(self._state.order(order_id, self.now()))

    def order_ids(self) -> list[str]:
        """Every order the simulator holds (link orders too), oldest first."""
        with self._lock:
            return list(self._state.orders)

    def payments(self, order_id: str) -> list[dict[str, Any]]:
        with self._lock:
            order = self._state.order(order_id, self.now())
            return [entities.payment_entity(order, p) for p in order.payments]

    def link(self, link_id: str) -> dict[str, Any]:
        with self._lock:
            link = self._links.link(link_id, self.now())
            return entities.link_entity(link, self._links.amount_paid(link))

    def link_notifications(self, link_id: str) -> dict[str, Any]:
        """What `link_notify` would have sent: {"link_id", "link_notify", "notifications"}."""
        with self._lock:
            link = self._links.link(link_id, self.now())
            return {
                "link_id": link.link_id,
                "link_notify": dict(link.notify),
                "notifications": [dict(item) for item in link.notifications],
            }

    # ---- card attempts: the bank's 3-D Secure page ---------------------------------------
    def card_page_facts(self, cf_payment_id: str) -> tuple[str, Any, str]:
        """(masked card number, amount as JSON number, payment status) of a card attempt."""
        with self._lock:
            _, payment = self._api.cards.page_facts(cf_payment_id, self.now())
            if payment.card is None:
                raise bad_request("payment_not_card", "this payment is not a card payment")
            return payment.card.masked, payment.amount.to_api(), payment.status.value

    def card_page_acts(self, cf_payment_id: str, *, approve: bool) -> None:
        with self._lock:
            self._api.cards.bank_page_acts(cf_payment_id, approve, self.now())
        self._changed()

    def open_dispute(
        self, order_id: str, kind: DisputeKind | str = "DISPUTE", *, rupees: str | None = None
    ) -> str:
        """The customer's bank disputes (or charges back) a paid order; returns its event id.

        It appears in /recon at once and is debited from the next settlement."""
        chosen = DisputeKind(kind)
        with self._lock:
            amount = None if rupees is None else Money.parse(rupees)
            dispute = self._settlements.open_dispute(order_id, chosen, self.now(), amount=amount)
            return dispute.dispute_id

    def close_dispute(self, event_id: str, *, merchant_won: bool) -> None:
        """Close a dispute; a win for the merchant gives the money back (a *_REVERSAL line)."""
        with self._lock:
            self._settlements.close_dispute(event_id, self.now(), merchant_won=merchant_won)

    # ---- webhooks (webhooks.py) -------------------------------------------------------------
    def on_payment_settled(self, callback: Callable[..., None] | None) -> None:
        """`callback(order, payment)` whenever an attempt reaches a final status (called
        under the simulator's lock: it must not block)."""
        with self._lock:
            self._state.on_settled = callback

    def settle_due(self) -> None:
        """Apply every scheduled outcome that is due now (so their webhooks go out)."""
        with self._lock:
            now = self.now()
            for order in list(self._state.orders.values()):
                if any(p.scheduled is not None for p in order.payments):
                    self._state.advance(order, now)

    # ---- the pretend customer -------------------------------------------------------------
    def customer_acts(
        self,
        order_id: str,
        action: CustomerAction | str,
        *,
        error_code: str | None = None,
        after_seconds: float = 0.0,
    ) -> str:
        """Act on the order's latest attempt (made if none is pending); returns cf_payment_id.

        An id that names no order but a payment link acts on the link instead (a new
        CFPay_... order), so the demo's buttons work for link sales too. Raises
        SimulatorError (404 unknown id, 400 already paid or a bad action).
        """
        chosen, delay = _action(action), _delay(after_seconds)
        with self._lock:
            now = self.now()
            if order_id not in self._state.orders and order_id in self._links.links:
                order = self._links.customer_acts(
                    order_id, chosen, now, error_code=error_code, after=delay
                )
                latest = order.latest_payment()
                assert latest is not None
                cf_payment_id = latest.cf_payment_id
            else:
                payment = self._state.customer_acts(
                    order_id, chosen, now, error_code=error_code, after=delay
                )
                cf_payment_id = payment.cf_payment_id
        self._changed()
        return cf_payment_id

    def customer_pays(self, order_id: str, *, after_seconds: float = 0.0) -> str:
        return self.customer_acts(order_id, CustomerAction.PAY, after_seconds=after_seconds)

    def customer_fails(
        self, order_id: str, code: str | None = None, *, after_seconds: float = 0.0
    ) -> str:
        return self.customer_acts(
            order_id, CustomerAction.FAIL, error_code=code, after_seconds=after_seconds
        )

    def customer_walks_away(self, order_id: str, *, after_seconds: float = 0.0) -> str:
        return self.customer_acts(order_id, CustomerAction.WALK_AWAY, after_seconds=after_seconds)

    def customer_leaves(self, order_id: str) -> str:
        """The customer walks away for good: their attempt is dropped and the order (or
        payment link) times out now, as it would at its expiry with nobody paying. The
        demo's "Customer walks away" does this, so the sale ends as the name says."""
        cf_payment_id = self.customer_walks_away(order_id)
        with self._lock:
            now = self.now()
            if order_id not in self._state.orders and order_id in self._links.links:
                link = self._links.links[order_id]
                link.expires_at = min(link.expires_at, now)
                for inner in link.order_ids:
                    order = self._state.orders[inner]
                    order.expires_at = min(order.expires_at, now)
                self._links.advance(link, now)
            else:
                order = self._state.orders[order_id]
                order.expires_at = min(order.expires_at, now)
                self._state.advance(order, now)
        self._changed()
        return cf_payment_id

    def link_customer_acts(
        self,
        link_id: str,
        action: CustomerAction | str,
        *,
        error_code: str | None = None,
        after_seconds: float = 0.0,
    ) -> str:
        """The customer opens a payment link and acts; returns the CFPay_... order id."""
        chosen, delay = _action(action), _delay(after_seconds)
        with self._lock:
            order = self._links.customer_acts(
                link_id, chosen, self.now(), error_code=error_code, after=delay
            )
        self._changed()
        return order.order_id

    def link_customer_pays(self, link_id: str) -> str:
        return self.link_customer_acts(link_id, CustomerAction.PAY)


def _action(action: CustomerAction | str) -> CustomerAction:
    try:
        return CustomerAction(action)
    except ValueError as exc:
        raise bad_request("action_invalid", "action : should be pay, fail or walk_away") from exc


def _delay(after_seconds: float) -> timedelta:
    if isinstance(after_seconds, bool) or not isinstance(after_seconds, int | float):
        raise bad_request("after_seconds_invalid", "after_seconds : should be a number")
    if not (math.isfinite(after_seconds) and 0 <= after_seconds <= 86_400):
        raise bad_request("after_seconds_invalid", "after_seconds : should be 0 to 86400")
    return timedelta(seconds=after_seconds)
