"""CashfreeGateway: the PaymentGateway over Cashfree PG 2025-01-01 and an injected httpx client.

One method, `_request`, builds every header, owns the retry loop and turns every failure
into a typed GatewayError; endpoint methods only build bodies and pick the parser
(cashfree_parse). Cashfree JSON never leaves these two modules.

Views of one gateway (same client, budget and call log) say who is calling:
`single_attempt()` for a loop that owns its own cadence (the sale at the counter: a
failure comes back after one attempt, so "offline" shows within the first timeout), and
`background()` for sweeps, refreshes and reports (they leave a reserve of every rate
bucket to the counter and let a waiting counter call go first).
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any, TypeVar
from urllib.parse import quote

import httpx

from pos_app.domain.card import CardDetails
from pos_app.domain.secret import Secret
from pos_app.domain.secret_text import scrub, spellings
from pos_app.gateway import cashfree_parse as wire
from pos_app.gateway import errors
from pos_app.gateway.base import (
    CardPayResult,
    Customer,
    Link,
    NewLink,
    NewOrder,
    NewRefund,
    Order,
    OtpResult,
    Payment,
    PayResult,
    Refund,
    UpiChannel,
)
from pos_app.gateway.cashfree_recon import ReconCalls
from pos_app.gateway.retry import CallBudget, RetryPolicy

__all__ = [
    "API_VERSION",
    "DEFAULT_TIMEOUT",
    "PRODUCTION_URL",
    "SANDBOX_URL",
    "CallInfo",
    "CashfreeGateway",
    "base_url_for",
]

API_VERSION = "2025-01-01"
SANDBOX_URL = "https://sandbox.cashfree.com/pg"
PRODUCTION_URL = "https://api.cashfree.com/pg"
DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
CURRENCY = "INR"

log = logging.getLogger(__name__)
T = TypeVar("T")


def base_url_for(environment: str, override: str | None) -> str:
    """The PG base URL. Production is always Cashfree's production host; sandbox and demo
    may be pointed elsewhere (the simulator, a test server)."""
    if environment == "production":
        return PRODUCTION_URL
    if environment not in ("sandbox", "demo"):
        raise ValueError(f"unknown environment: {environment!r}")
    chosen = (override or "").strip().rstrip("/")
    if chosen:
        return chosen
    if environment == "sandbox":
        return SANDBOX_URL
    raise ValueError("demo mode needs a base URL (the simulator's); none was given")


def _uuid_hex() -> str:
    return uuid.uuid4().hex


# Transport failures that prove the request never left this machine: nothing reached
# Cashfree. Every other transport failure may come after the request was written.
_NOT_SENT: tuple[type[httpx.TransportError], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.ProxyError,
    httpx.UnsupportedProtocol,
    httpx.LocalProtocolError,
)
_WRITES = frozenset({"POST", "PATCH", "PUT", "DELETE"})


def _transport_error(exc: httpx.RequestError, method: str, request_id: str) -> errors.GatewayError:
    """A failure with no HTTP answer, as a typed error that says whether a write may have
    reached Cashfree (`maybe_sent`)."""
    maybe_sent = method in _WRITES and not isinstance(exc, _NOT_SENT)
    if isinstance(exc, httpx.TimeoutException):
        return errors.GatewayTimeout(
            f"Cashfree did not answer in time ({type(exc).__name__})",
            request_id=request_id,
            maybe_sent=maybe_sent,
        )
    if not maybe_sent:
        return errors.GatewayUnreachable(
            f"Could not reach Cashfree ({type(exc).__name__}: {exc})", request_id=request_id
        )
    return errors.GatewayUnreachable(
        f"The connection to Cashfree broke before its answer ({type(exc).__name__}: {exc})",
        request_id=request_id,
        maybe_sent=maybe_sent,
    )


class _Shared:
    """What every view of one gateway shares: the rate budget and the last HTTP attempt."""

    __slots__ = ("budget", "last")

    def __init__(self, budget: CallBudget | None) -> None:
        self.budget = budget
        self.last: CallInfo | None = None


@dataclass(frozen=True, slots=True)
class CallInfo:
    """The last HTTP attempt, for diagnostics: what, how it ended, which request id, when."""

    endpoint: str
    http_status: int | None  # None when no answer arrived (timeout, offline)
    request_id: str
    at: float  # the gateway's clock (monotonic seconds)
    attempt: int


def _segment(value: str) -> str:
    """One URL path segment: every reserved character percent-encoded."""
    if not value:
        raise ValueError("an id in a URL path cannot be empty")
    return quote(value, safe="")


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("times sent to Cashfree must be timezone-aware")
    return moment.isoformat(timespec="seconds")


def _customer(customer: Customer, *, with_id: bool) -> dict[str, str]:
    details = {"customer_phone": customer.phone}
    if with_id:
        details["customer_id"] = customer.customer_id
    if customer.email:
        details["customer_email"] = customer.email
    if customer.name:
        details["customer_name"] = customer.name
    return details


class CashfreeGateway(ReconCalls):
    """PaymentGateway over Cashfree PG. Every method raises GatewayError subclasses only
    (and ValueError for arguments that could never be sent)."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        base_url: str,
        client_id: str,
        client_secret: Secret,
        retry: RetryPolicy | None = None,
        budget: CallBudget | None = None,
        new_request_id: Callable[[], str] = _uuid_hex,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._base_url = base_url.strip().rstrip("/")
        self._client_id = client_id
        self._secret = client_secret
        self._retry = RetryPolicy() if retry is None else retry
        self._shared = _Shared(budget)
        self._new_request_id = new_request_id
        self._sleep = sleep
        self._clock = clock
        self._background = False

    @property
    def budget(self) -> CallBudget | None:
        """The rate budget this gateway spends (read-only use: diagnostics, tests)."""
        return self._shared.budget

    @property
    def _budget(self) -> CallBudget | None:
        return self._shared.budget

    @_budget.setter
    def _budget(self, budget: CallBudget | None) -> None:
        """Benchmarks swap the budget: for this gateway and all its views at once."""
        self._shared.budget = budget

    @property
    def last_call(self) -> CallInfo | None:
        """The last HTTP attempt made through this gateway or any of its views."""
        return self._shared.last

    @property
    def is_background(self) -> bool:
        return self._background

    @property
    def retry_policy(self) -> RetryPolicy:
        return self._retry

    # ---- views ----------------------------------------------------------------------------
    def background(self) -> CashfreeGateway:
        """This gateway for background work (sweeps, refreshes, reports, refunds): its calls
        leave a reserve of every rate bucket to the counter and let a waiting counter call
        go first. Same client, budget, retry policy and call log."""
        return self._view(background=True, retry=self._retry)

    def single_attempt(self) -> CashfreeGateway:
        """This gateway making one HTTP attempt per call, for a loop that owns its own
        cadence (the sale at the counter): a failure comes back at once, at most one
        timeout after the call began, and the loop decides when to try again. Same
        priority, client, budget and call log."""
        return self._view(background=self._background, retry=RetryPolicy(max_attempts=1))

    def _view(self, *, background: bool, retry: RetryPolicy) -> CashfreeGateway:
        view = copy.copy(self)
        view._background = background
        view._retry = retry
        return view

    def __repr__(self) -> str:
        kind = ", background" if self._background else ""
        return f"CashfreeGateway(base_url={self._base_url!r}, client_id={self._client_id!r}{kind})"

    # ---- orders ---------------------------------------------------------------------------
    async def create_order(self, order: NewOrder, *, idempotency_key: str) -> Order:
        body: dict[str, Any] = {
            "order_id": order.order_id,
            "order_amount": order.amount.to_api(),
            "order_currency": CURRENCY,
            "customer_details": _customer(order.customer, with_id=True),
        }
        if order.note:
            body["order_note"] = order.note
        if order.expires_at is not None:
            body["order_expiry_time"] = _iso(order.expires_at)
        if order.tags:
            body["order_tags"] = dict(order.tags)
        if order.notify_url:
            body["order_meta"] = {"notify_url": order.notify_url}
        return await self._request(
            "create_order",
            "POST",
            "/orders",
            wire.parse_order,
            body=body,
            idempotency_key=idempotency_key,
        )

    async def get_order(self, order_id: str) -> Order:
        return await self._request(
            "get_order", "GET", f"/orders/{_segment(order_id)}", wire.parse_order
        )

    async def terminate_order(self, order_id: str) -> Order:
        return await self._request(
            "terminate_order",
            "PATCH",
            f"/orders/{_segment(order_id)}",
            wire.parse_order,
            body={"order_status": "TERMINATED"},
        )

    async def pay_upi(
        self,
        payment_session_id: str,
        channel: UpiChannel,
        *,
        upi_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> PayResult:
        upi: dict[str, str] = {"channel": channel.value}
        if channel is UpiChannel.COLLECT:
            if not upi_id:
                raise ValueError("a UPI collect request needs the customer's UPI id")
            upi["upi_id"] = upi_id
        body = {"payment_session_id": payment_session_id, "payment_method": {"upi": upi}}
        return await self._request(
            "pay_order",
            "POST",
            "/orders/sessions",
            partial(wire.parse_pay_result, channel=channel),
            body=body,
            idempotency_key=idempotency_key,
            extra_headers={"x-client-device": "desktop"},
        )

    async def pay_card(
        self,
        payment_session_id: str,
        card: CardDetails,
        *,
        idempotency_key: str | None = None,
    ) -> CardPayResult:
        """Order Pay with a plain card, channel "post" (native OTP). The card data lives in
        this call's body only; it is never logged, and any echo of the number in an error
        is masked before the error leaves."""
        fields: dict[str, str] = {
            "channel": "post",
            "card_number": card.number(),
            "card_expiry_mm": card.expiry_mm(),
            "card_expiry_yy": card.expiry_yy(),
            "card_cvv": card.cvv(),
        }
        if card.holder_name:
            fields["card_holder_name"] = card.holder_name
        body = {"payment_session_id": payment_session_id, "payment_method": {"card": fields}}
        try:
            return await self._request(
                "pay_order",
                "POST",
                "/orders/sessions",
                wire.parse_card_pay_result,
                body=body,
                idempotency_key=idempotency_key,
                extra_headers={"x-client-device": "desktop"},
            )
        except errors.GatewayError as error:
            for value in (fields["card_number"], fields["card_cvv"]):
                errors.scrub_error(error, value)
            raise
        finally:
            fields.clear()
            body.clear()

    async def authenticate_card(
        self, cf_payment_id: str, otp: str | None, *, idempotency_key: str | None = None
    ) -> OtpResult:
        """POST /orders/pay/authenticate/{cf_payment_id}: SUBMIT_OTP, or RESEND_OTP when
        `otp` is None. The 2025-01-01 spec marks `otp` required for both, so a resend sends
        an empty one."""
        body = (
            {"action": "RESEND_OTP", "otp": ""}
            if otp is None
            else {"action": "SUBMIT_OTP", "otp": otp}
        )
        try:
            return await self._request(
                "authenticate_payment",
                "POST",
                f"/orders/pay/authenticate/{_segment(cf_payment_id)}",
                partial(wire.parse_otp_result, resend=otp is None),
                body=body,
                idempotency_key=idempotency_key,
            )
        except errors.GatewayError as error:
            if otp:
                errors.scrub_error(error, otp)
            raise

    async def list_payments(self, order_id: str) -> list[Payment]:
        return await self._request(
            "list_payments",
            "GET",
            f"/orders/{_segment(order_id)}/payments",
            wire.each(partial(wire.parse_payment, order_id=order_id)),
        )

    # ---- payment links --------------------------------------------------------------------
    async def create_link(self, link: NewLink, *, idempotency_key: str) -> Link:
        body: dict[str, Any] = {
            "link_id": link.link_id,
            "link_amount": link.amount.to_api(),
            "link_currency": CURRENCY,
            "link_purpose": link.purpose,
            "customer_details": _customer(link.customer, with_id=False),
            "link_notify": {"send_sms": link.send_sms, "send_email": link.send_email},
        }
        if link.expires_at is not None:
            body["link_expiry_time"] = _iso(link.expires_at)
        if link.notes:
            body["link_notes"] = dict(link.notes)
        return await self._request(
            "create_link",
            "POST",
            "/links",
            wire.parse_link,
            body=body,
            idempotency_key=idempotency_key,
        )

    async def get_link(self, link_id: str) -> Link:
        return await self._request(
            "get_link", "GET", f"/links/{_segment(link_id)}", wire.parse_link
        )

    async def cancel_link(self, link_id: str) -> Link:
        return await self._request(
            "cancel_link", "POST", f"/links/{_segment(link_id)}/cancel", wire.parse_link
        )

    async def list_link_orders(self, link_id: str, *, paid_only: bool = False) -> list[Order]:
        return await self._request(
            "link_orders",
            "GET",
            f"/links/{_segment(link_id)}/orders",
            wire.each(wire.parse_order),
            params={"status": "PAID" if paid_only else "ALL"},
        )

    # ---- refunds --------------------------------------------------------------------------
    async def create_refund(
        self, order_id: str, refund: NewRefund, *, idempotency_key: str
    ) -> Refund:
        body: dict[str, Any] = {
            "refund_id": refund.refund_id,
            "refund_amount": refund.amount.to_api(),
        }
        if refund.note:
            body["refund_note"] = refund.note
        return await self._request(
            "create_refund",
            "POST",
            f"/orders/{_segment(order_id)}/refunds",
            partial(wire.parse_refund, order_id=order_id),
            body=body,
            idempotency_key=idempotency_key,
        )

    async def get_refund(self, order_id: str, refund_id: str) -> Refund:
        return await self._request(
            "get_refund",
            "GET",
            f"/orders/{_segment(order_id)}/refunds/{_segment(refund_id)}",
            partial(wire.parse_refund, order_id=order_id),
        )

    async def list_refunds(self, order_id: str) -> list[Refund]:
        return await self._request(
            "list_refunds",
            "GET",
            f"/orders/{_segment(order_id)}/refunds",
            wire.each(partial(wire.parse_refund, order_id=order_id)),
        )

    # ---- the one request method -----------------------------------------------------------
    async def _request(
        self,
        endpoint: str,
        method: str,
        path: str,
        parse: Callable[[Any], T],
        *,
        body: Mapping[str, Any] | None = None,
        params: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> T:
        """Send one logical call, retrying per policy, and parse the answer.

        The request id and (for POST/PATCH) the idempotency key are made once, here,
        before the loop: every retry of the call carries the same ones.
        """
        if idempotency_key is not None and not idempotency_key.strip():
            raise ValueError("an idempotency key, when given, cannot be blank")
        request_id = self._new_request_id()
        headers = {
            "x-client-id": self._client_id,
            "x-client-secret": self._secret.reveal(),
            "x-api-version": API_VERSION,
            "x-request-id": request_id,
        }
        if method in ("POST", "PATCH"):
            headers["x-idempotency-key"] = idempotency_key or str(uuid.uuid4())
        content: bytes | None = None
        if body is not None:
            headers["content-type"] = "application/json"
            content = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
        headers.update(extra_headers or {})
        call = _Exchange(endpoint, method, self._base_url + path, headers, content, params)
        attempt = 0
        while True:
            attempt += 1
            if self._budget is not None:
                await self._budget.acquire(endpoint, background=self._background)
            try:
                return wire.parse_answer(await self._send(call, request_id, attempt), parse)
            except errors.GatewayError as error:
                errors.scrub_error(error, headers["x-client-secret"])
                if isinstance(error, errors.RateLimitedError) and self._budget is not None:
                    wait = 1.0 if error.retry_after is None else error.retry_after
                    self._budget.penalise(endpoint, wait)
                delay = self._retry.delay_for(attempt, error)
                if delay is None:
                    raise
                log.info(
                    "cashfree %s attempt %d: %r; retry in %.2fs", endpoint, attempt, error, delay
                )
            await self._sleep(delay)

    async def _send(self, call: _Exchange, request_id: str, attempt: int) -> wire.Answer:
        """One HTTP exchange; transport failures become typed errors here."""
        try:
            response = await self._client.request(
                call.method,
                call.url,
                headers=call.headers,
                content=call.content,
                params=call.params,
            )
        except httpx.RequestError as exc:
            self._note(call.endpoint, None, request_id, attempt)
            raise _transport_error(exc, call.method, request_id) from None
        answer = wire.Answer(
            status=response.status_code,
            content=response.content,
            # An answer may echo anything in its request id, even our secret.
            request_id=scrub(
                response.headers.get("x-request-id") or request_id,
                spellings(call.headers["x-client-secret"]),
            ),
            retry_after=response.headers.get("x-ratelimit-retry"),
        )
        self._note(call.endpoint, answer.status, answer.request_id, attempt)
        log.debug("cashfree %s %s attempt %d -> %r", call.endpoint, call.method, attempt, answer)
        return answer

    def _note(self, endpoint: str, status: int | None, request_id: str, attempt: int) -> None:
        self._shared.last = CallInfo(endpoint, status, request_id, self._clock(), attempt)


@dataclass(frozen=True, slots=True)
class _Exchange:
    """Everything one logical call sends, identical on every attempt."""

    endpoint: str
    method: str
    url: str
    headers: dict[str, str] = field(repr=False)  # holds the secret: never printed
    content: bytes | None = field(repr=False)
    params: Mapping[str, str] | None
