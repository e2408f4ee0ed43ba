"""Orders, payment attempts and simulations: the simulated Cashfree's core ledger.

Pure Python and clock-driven: every method takes `now` from the caller, and time-based
changes (an order's expiry, a test VPA's outcome, the pretend customer acting "in N
seconds") are applied lazily, in time order, whenever an order is read. Not thread-safe
by itself: the Simulator holds one lock around every call.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from pos_app.domain.money import Money
from pos_app.simulator.bodies import OrderInput, PayInput, SimulateInput
from pos_app.simulator.customer import (
    DEFAULT_FAILURE,
    FAILING_VPA,
    INVALID_VPA,
    PAYER_VPA,
    SUCCEEDING_VPA,
    CustomerAction,
    outcome_for,
)
from pos_app.simulator.errors import bad_request, conflict, not_found
from pos_app.simulator.models import (
    IdMint,
    OrderState,
    PayState,
    Scheduled,
    SimOrder,
    SimPayment,
    SimSimulation,
)

__all__ = ["COLLECT_SETTLE", "DEFAULT_ORDER_LIFETIME", "SimState"]

COLLECT_SETTLE = timedelta(seconds=3)  # a test VPA "approves" or "declines" this much later
DEFAULT_ORDER_LIFETIME = timedelta(days=30)  # like Cashfree's default order expiry


class SimState:
    """Every order, session, payment attempt and simulation the simulator knows."""

    def __init__(self, ids: IdMint) -> None:
        self.ids = ids
        self.orders: dict[str, SimOrder] = {}
        self._sessions: dict[str, str] = {}
        self._payments: dict[str, SimPayment] = {}
        self._simulations: dict[str, SimSimulation] = {}
        # Called (under the simulator's lock) when an attempt reaches a final status: the
        # webhook sender (webhooks.py) listens here.
        self.on_settled: Callable[[SimOrder, SimPayment], None] | None = None

    # ---- orders ----------------------------------------------------------------------------
    def create_order(self, spec: OrderInput, now: datetime) -> SimOrder:
        order_id = spec.order_id or self.ids.token("order_", 30)
        if order_id in self.orders:
            raise conflict("order_already_exists", "order with same id is already present")
        expires_at = spec.expires_at or now + DEFAULT_ORDER_LIFETIME
        if expires_at <= now:
            raise bad_request(
                "order_expiry_time_invalid", "order_expiry_time : should be a time in the future"
            )
        order = SimOrder(
            order_id=order_id,
            cf_order_id=self.ids.serial(2_149_000_000),
            amount=spec.amount,
            currency=spec.currency,
            customer=dict(spec.customer),
            created_at=now,
            expires_at=expires_at,
            session_id=self.ids.token("session_", 64),
            note=spec.note,
            tags=dict(spec.tags),
            meta=dict(spec.meta),
        )
        self._register(order)
        return order

    def add_link_order(
        self,
        order_id: str,
        amount: Money,
        customer: dict[str, Any],
        link_id: str,
        now: datetime,
        expires_at: datetime,
    ) -> SimOrder:
        """An order Cashfree makes itself when a payment link is paid (no checks)."""
        order = SimOrder(
            order_id=order_id,
            cf_order_id=self.ids.serial(2_149_000_000),
            amount=amount,
            currency="INR",
            customer=dict(customer),
            created_at=now,
            expires_at=max(expires_at, now + timedelta(minutes=15)),
            session_id=self.ids.token("session_", 64),
            link_id=link_id,
        )
        self._register(order)
        return order

    def _register(self, order: SimOrder) -> None:
        self.orders[order.order_id] = order
        self._sessions[order.session_id] = order.order_id

    def order(self, order_id: str, now: datetime) -> SimOrder:
        order = self.orders.get(order_id)
        if order is None:
            raise not_found("order_not_found", "order does not exist")
        self.advance(order, now)
        return order

    def terminate(self, order_id: str, now: datetime) -> SimOrder:
        """ACTIVE -> TERMINATED, pending attempts cancelled; any other state is kept."""
        order = self.order(order_id, now)
        if order.status is OrderState.ACTIVE:
            order.status = OrderState.TERMINATED
            self._close_pending(order, PayState.CANCELLED, now)
        return order

    # ---- payment attempts -------------------------------------------------------------------
    def payable_order(self, session_id: str, now: datetime) -> SimOrder:
        """The ACTIVE order a payment session belongs to (Order Pay's first check)."""
        order_id = self._sessions.get(session_id)
        if order_id is None:
            raise bad_request(
                "payment_session_id_invalid", "payment_session_id : is not valid or has expired"
            )
        order = self.order(order_id, now)
        if order.status is not OrderState.ACTIVE:
            raise bad_request(
                "order_inactive",
                f"order is {order.status.value.lower()}, no new payment can be made for it",
            )
        return order

    def find_payment(self, cf_payment_id: str, now: datetime) -> tuple[SimOrder, SimPayment]:
        """A payment by its id alone (the authenticate endpoint names no order)."""
        payment = self._payments.get(cf_payment_id)
        if payment is None:
            raise not_found("payment_not_found", "payment does not exist")
        return self.order(payment.order_id, now), payment

    def pay(self, spec: PayInput, now: datetime) -> tuple[SimOrder, SimPayment]:
        """Order Pay: a new PENDING attempt on an ACTIVE order."""
        order = self.payable_order(spec.session_id, now)
        if spec.channel == "collect" and spec.upi_id == INVALID_VPA:
            raise bad_request("upi_id_invalid", "upi_id : invalid VPA, please check and retry")
        payment = self.new_attempt(order, spec.channel, now, upi_id=spec.upi_id)
        if spec.channel == "collect" and spec.upi_id == SUCCEEDING_VPA:
            payment.scheduled = Scheduled(now + COLLECT_SETTLE, PayState.SUCCESS)
        elif spec.channel == "collect" and spec.upi_id == FAILING_VPA:
            payment.scheduled = Scheduled(now + COLLECT_SETTLE, PayState.FAILED, DEFAULT_FAILURE)
        return order, payment

    def new_attempt(
        self, order: SimOrder, channel: str, now: datetime, *, upi_id: str | None = None
    ) -> SimPayment:
        payment = SimPayment(
            cf_payment_id=self.ids.serial(5_114_910_000_000),
            order_id=order.order_id,
            amount=order.amount,
            channel=channel,
            created_at=now,
            upi_id=upi_id,
        )
        order.payments.append(payment)
        self._payments[payment.cf_payment_id] = payment
        return payment

    def payment(self, order_id: str, cf_payment_id: str, now: datetime) -> SimPayment:
        for payment in self.order(order_id, now).payments:
            if payment.cf_payment_id == cf_payment_id:
                return payment
        raise not_found("payment_not_found", "payment does not exist for this order")

    # ---- outcomes ---------------------------------------------------------------------------
    def simulate(self, spec: SimulateInput, now: datetime) -> SimSimulation:
        """Cashfree's Simulation API: force an attempt's outcome, even on a closed order."""
        payment = self._payments.get(spec.entity_id)
        if payment is None:
            raise not_found("entity_id_not_found", "no payment exists with this entity_id")
        order = self.order(payment.order_id, now)
        self.settle(order, payment, PayState(spec.payment_status), spec.payment_error_code, now)
        simulation = SimSimulation(
            simulation_id=self.ids.token("sim_", 32),
            entity=spec.entity,
            entity_id=spec.entity_id,
            payment_status=spec.payment_status,
            payment_error_code=spec.payment_error_code,
        )
        self._simulations[simulation.simulation_id] = simulation
        return simulation

    def simulation(self, simulation_id: str) -> SimSimulation:
        found = self._simulations.get(simulation_id)
        if found is None:
            raise not_found("simulation_not_found", "simulation does not exist")
        return found

    def customer_acts(
        self,
        order_id: str,
        action: CustomerAction,
        now: datetime,
        *,
        error_code: str | None = None,
        after: timedelta = timedelta(0),
    ) -> SimPayment:
        """The pretend customer pays, fails or walks away on the latest attempt.

        A pending attempt is acted on; otherwise a new one is made (a QR the customer
        scans). Paying a TERMINATED or EXPIRED order is allowed: that is a late payment.
        """
        order = self.order(order_id, now)
        if order.status is OrderState.PAID:
            raise bad_request("order_already_paid", "order is already paid")
        latest = order.latest_payment()
        if latest is None or latest.status is not PayState.PENDING:
            latest = self.new_attempt(order, "qrcode", now)
        outcome = outcome_for(action, error_code)
        if after > timedelta(0):
            latest.scheduled = Scheduled(now + after, outcome.status, outcome.error_code, True)
        else:
            self.settle(order, latest, outcome.status, outcome.error_code, now)
        return latest

    def settle(
        self,
        order: SimOrder,
        payment: SimPayment,
        status: PayState,
        error_code: str | None,
        at: datetime,
    ) -> None:
        """Move an attempt to `status`; a SUCCESS makes the order PAID whatever its state."""
        if payment.status is PayState.SUCCESS:
            if status is PayState.SUCCESS:
                return
            raise bad_request("payment_already_successful", "payment is already successful")
        payment.scheduled = None
        payment.status = status
        if status is PayState.PENDING:
            payment.completed_at = None
            payment.error_code = None
            return
        payment.completed_at = at
        if status is PayState.SUCCESS:
            payment.error_code = None
            payment.bank_reference = self.ids.digits(12)
            if payment.card is None:
                payment.upi_id = payment.upi_id or PAYER_VPA
            order.status = OrderState.PAID
        elif status is PayState.FAILED:
            payment.error_code = error_code or DEFAULT_FAILURE
        elif status is PayState.USER_DROPPED:
            payment.error_code = error_code or "USER_DROPPED"
        if self.on_settled is not None:
            self.on_settled(order, payment)

    def advance(self, order: SimOrder, now: datetime) -> None:
        """Apply every scheduled outcome and the expiry that fall due by `now`, in order."""
        while True:
            due = [p for p in order.payments if p.scheduled is not None and p.scheduled.at <= now]
            first = min(due, key=_due_at) if due else None
            expiry_due = order.status is OrderState.ACTIVE and order.expires_at <= now
            if first is not None and (not expiry_due or _due_at(first) < order.expires_at):
                plan = first.scheduled
                assert plan is not None
                self.settle(order, first, plan.status, plan.error_code, plan.at)
                continue
            if expiry_due:
                order.status = OrderState.EXPIRED
                self._close_pending(order, PayState.NOT_ATTEMPTED, order.expires_at)
                continue
            return

    @staticmethod
    def _close_pending(order: SimOrder, status: PayState, at: datetime) -> None:
        for payment in order.payments:
            if payment.status is not PayState.PENDING:
                continue
            plan = payment.scheduled
            late_pay = plan is not None and plan.by_customer and plan.status is PayState.SUCCESS
            payment.status = status
            payment.completed_at = at
            payment.scheduled = plan if late_pay else None


def _due_at(payment: SimPayment) -> datetime:
    assert payment.scheduled is not None
    return payment.scheduled.at
