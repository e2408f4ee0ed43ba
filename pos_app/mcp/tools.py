"""The tool bodies: each one checks its limits, calls the till's services, journals the
call (arguments without personal data, and how it ended) and builds the reply.

A refusal is raised as `Refused` (field + sentence, the same words the desk and `pos-app
charge` use); server.py turns it into the MCP error result. Sales started here are
followed by this process's CheckoutService, in the background, until they settle.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from pos_app.domain import validate
from pos_app.domain.money import Money
from pos_app.domain.sale import OPEN_STATUSES, Method, Sale, SaleStatus
from pos_app.domain.validate import ValidationError
from pos_app.mcp.context import McpServices
from pos_app.mcp.limits import RateLimited, ToolLimits, limits_for
from pos_app.mcp.redact import mask_phone, safe_arguments
from pos_app.mcp.replies import (
    CancelReply,
    ConfirmReply,
    DayReply,
    PaymentReply,
    RefundInfo,
    RefundRequestInfo,
    RefundRequestReply,
    SaleLine,
    SaleReply,
    SalesReply,
    TallyInfo,
    iso,
    payment_status,
    rupees,
)
from pos_app.services.checkout import DuplicateChargeError, SaleInProgressError
from pos_app.services.refund_requests import describe_request
from pos_app.services.refunds import RefundRefused
from pos_app.services.reports import day_bounds, summary
from pos_app.services.runtime import default_message
from pos_app.services.state import ChargeRequest, SaleState
from pos_app.store import mcp_records
from pos_app.store.errors import JournalError

__all__ = ["INITIATE", "Refused", "Shown", "TillTools", "parse_amount"]

log = logging.getLogger(__name__)

INITIATE = "initiate_cashfree_payment"
CONFIRM = "confirm_cashfree_payment"
POLL_STEP = 0.25  # seconds between journal reads while a confirm waits
NUDGE_GRACE = 1.0
SHOWN_KEPT = 500  # links and QR codes remembered for get_sale (memory only)  # after "check now", how long a confirm gives the owner's fresh read

NO_OTP = (
    "This sale is paid by {method}: the customer approves it in their own UPI app or on "
    "Cashfree's payment page, so no OTP passes through this till. Call again without otp."
)


class Refused(Exception):
    """A tool call refused before (or instead of) doing anything; `field` names the input."""

    def __init__(self, field: str, message: str, *, outcome: str = "refused") -> None:
        super().__init__(f"Refused ({field}): {message}")
        self.field = field
        self.message = message
        self.outcome = outcome


@dataclass(frozen=True, slots=True)
class Shown:
    """What a customer was shown for a sale started here (kept in memory only)."""

    link_url: str | None
    upi_payload: str | None
    qr_png: bytes | None


def parse_amount(value: object, field: str = "amount") -> Money:
    """Rupees as text ("250", "1,250.50", "₹99") or as a JSON number (250, 1250.5)."""
    if isinstance(value, bool):
        raise ValidationError(field, 'Give the amount in rupees, like 250 or "1,250.50".')
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        try:
            text = format(Decimal(repr(value)), "f")
        except InvalidOperation:
            raise ValidationError(field, "That is not an amount.") from None
    elif isinstance(value, str):
        text = value
    else:
        raise ValidationError(field, 'Give the amount in rupees, like 250 or "1,250.50".')
    return Money.parse(text, field=field)


def _ready(state: SaleState, events: list[str]) -> bool:
    """Has the customer been shown what to pay with (or has the sale ended)?"""
    if state.is_final or state.error is not None or state.link_fallback:
        return True
    if state.status is not SaleStatus.AWAITING_PAYMENT:
        return False
    if state.method is Method.LINK:
        return state.link_url is not None
    if state.method is Method.UPI_QR:
        return state.qr_png is not None or state.qr_text is not None
    return "attempt_started" in events or "attempt_refused" in events


class TillTools:
    def __init__(self, services: McpServices) -> None:
        self.services = services
        self.limits = ToolLimits(limits_for(services.calls_per_minute), services.monotonic)
        self.shown: dict[str, Shown] = {}
        self.started: set[str] = set()  # order ids this process started (and follows)
        self._opening = asyncio.Lock()

    # ---- plumbing --------------------------------------------------------------------------
    @property
    def env(self) -> str:
        return self.services.environment_label

    def _journal_call(
        self,
        tool: str,
        arguments: Mapping[str, object],
        outcome: str,
        *,
        order_id: str | None = None,
        detail: Mapping[str, object] | None = None,
    ) -> None:
        try:
            mcp_records.record_tool_call(
                self.services.journal,
                tool,
                arguments=safe_arguments(arguments),
                outcome=outcome,
                order_id=order_id,
                detail=detail,
            )
        except JournalError as exc:  # the reply still goes out; the log says why
            log.warning("MCP call %s could not be journaled: %s", tool, exc.message)

    def begin(self, tool: str, arguments: Mapping[str, object]) -> None:
        """Count the call against its tool's rate limit (journaled when refused)."""
        try:
            self.limits.take(tool)
        except RateLimited as exc:
            self._journal_call(
                tool, arguments, "rate_limited", order_id=_order_of(arguments), detail={}
            )
            raise Refused("rate_limit", str(exc), outcome="rate_limited") from None

    def refuse(
        self, tool: str, arguments: Mapping[str, object], field: str, message: str
    ) -> Refused:
        self._journal_call(
            tool, arguments, "refused", order_id=_order_of(arguments), detail={"field": field}
        )
        return Refused(field, message)

    def _sale(self, tool: str, arguments: Mapping[str, object], order_id: str) -> Sale:
        sale = self.services.journal.get_sale(order_id)
        if sale is None:
            raise self.refuse(
                tool,
                arguments,
                "order_id",
                f"This till has no sale {order_id!r} in the {self.env} environment.",
            )
        return sale

    def _started_through_mcp(self, order_id: str) -> bool:
        if order_id in self.started:
            return True
        started = mcp_records.event_kind(INITIATE)
        return any(
            e.kind == started and e.detail.get("outcome") == "ok"
            for e in self.services.journal.events(order_id)
        )

    # ---- initiate_cashfree_payment -------------------------------------------------------
    async def initiate(self, arguments: Mapping[str, object]) -> tuple[PaymentReply, Shown]:
        tool = INITIATE
        self.begin(tool, arguments)
        try:
            request = self._charge_request(arguments)
        except ValidationError as exc:
            raise self.refuse(tool, arguments, exc.field, exc.message) from None
        last: SaleState | None = None
        async with self._opening:
            stream = self.services.checkout.start(request)
            try:
                async with asyncio.timeout(self.services.opening_timeout):
                    async for state in stream:
                        last = state
                        events = [e.kind for e in self.services.journal.events(state.order_id)]
                        if _ready(state, events):
                            break
            except TimeoutError:
                log.info("MCP: Cashfree did not answer within %ss", self.services.opening_timeout)
            except ValidationError as exc:
                raise self.refuse(tool, arguments, exc.field, exc.message) from None
            except SaleInProgressError as exc:
                raise self.refuse(tool, arguments, "till", str(exc)) from None
            except DuplicateChargeError as exc:
                raise self.refuse(tool, arguments, "amount", str(exc)) from None
            finally:
                # Leaving the stream hands the sale to the checkout's background follower.
                closing = getattr(stream, "aclose", None)
                if closing is not None:
                    await closing()
        if last is None:  # pragma: no cover - start() always yields the journaled sale first
            raise Refused("till", "The sale could not be started.", outcome="error")
        self.started.add(last.order_id)
        if last.link_fallback:
            # Cashfree refused the UPI attempt (no S2S for this account, or UPI requests
            # not allowed): nobody can pay this order, so it is closed at once.
            await self.services.checkout.cancel(last.order_id)
        shown = Shown(None, None, None)
        if last.method is Method.LINK:
            shown = Shown(last.link_url, None, None)
        elif last.method is Method.UPI_QR:
            shown = Shown(None, last.qr_text, last.qr_png)
        self.shown[last.order_id] = shown
        while len(self.shown) > SHOWN_KEPT:  # the oldest first (dicts keep insertion order)
            self.shown.pop(next(iter(self.shown)))
        sale = self.services.journal.get_sale(last.order_id)
        status = sale.status if sale is not None else last.status
        message = last.error or (_sale_message(sale) if sale is not None else last.message)
        if last.link_fallback:
            message = (
                f"{last.error} This sale was closed (no money was taken): call "
                "initiate_cashfree_payment again with payment_method 'link'."
            )
        elif status is SaleStatus.CREATED:
            why = f" ({last.offline.reason})" if last.offline is not None else ""
            message = (
                f"Cashfree could not be reached{why}, so nothing was shown to a customer. "
                "The till closes this sale at Cashfree in the background (no money can be "
                "taken); try again in a while. confirm_cashfree_payment tells how it ended."
            )
        elif (
            status is SaleStatus.AWAITING_PAYMENT
            and last.method is not Method.COLLECT
            and not (shown.link_url or shown.upi_payload)
        ):
            message = (
                "The order exists at Cashfree but the payment details could not be "
                "fetched in time. Cancel it with cancel_payment and try again."
            )
        reply = PaymentReply(
            environment=self.env,  # type: ignore[arg-type]
            order_id=last.order_id,
            amount=rupees(last.amount),
            amount_paise=last.amount.paise,
            payment_method=last.method.value,
            till_status=status.value,
            payment_status=payment_status(status),
            payment_link=shown.link_url,
            upi_payload=shown.upi_payload,
            expires_at=iso(sale.expires_at if sale is not None else last.expires_at),
            message=_scrub(message, sale),
        )
        self._journal_call(
            tool, arguments, "ok", order_id=last.order_id, detail={"status": status.value}
        )
        return reply, shown

    def _charge_request(self, arguments: Mapping[str, object]) -> ChargeRequest:
        """The same checks as `pos-app charge`, plus the MCP maximum per call."""
        amount = parse_amount(arguments.get("amount"))
        limit = self.services.max_amount
        if amount > limit:
            raise ValidationError(
                "amount", f"The largest amount one MCP call may charge is {limit.format()}."
            )
        method = Method(str(arguments.get("payment_method") or "link"))
        upi_id = _text(arguments, "upi_id")
        if upi_id and method is not Method.COLLECT:
            raise ValidationError(
                "upi_id", "A UPI id is only used with payment_method 'collect' (a UPI request)."
            )
        phone = _text(arguments, "phone_number")
        email = _text(arguments, "email")
        note = _text(arguments, "order_note")
        bill = _text(arguments, "bill_number")
        return ChargeRequest(
            amount=amount,
            method=method,
            bill_number=validate.bill_number(bill) if bill else None,
            note=validate.note(note) if note else None,
            phone=validate.phone(phone) if phone else None,
            email=validate.email(email) if email else None,
            vpa=validate.vpa(upi_id) if upi_id else None,
            send_sms=bool(arguments.get("send_sms")),
            send_email=bool(arguments.get("send_email")),
        )

    # ---- confirm_cashfree_payment -----------------------------------------------------------
    async def confirm(self, arguments: Mapping[str, object]) -> ConfirmReply:
        tool = CONFIRM
        self.begin(tool, arguments)
        order_id = str(arguments["order_id"])
        sale = self._sale(tool, arguments, order_id)
        if _text(arguments, "otp"):
            raise self.refuse(tool, arguments, "otp", NO_OTP.format(method=sale.method.label))
        wait = float(str(arguments.get("wait_seconds") or 0.0))
        ours = order_id in self.started
        deps = self.services.checkout.deps
        if ours and sale.status in OPEN_STATUSES:
            self.services.checkout.check_now(order_id)  # the owner reads Cashfree now
            wait = max(wait, NUDGE_GRACE)
        deadline = deps.clock() + timedelta(seconds=wait)
        before = sale
        while sale.status in OPEN_STATUSES and deps.clock() < deadline:
            await deps.sleep(POLL_STEP)
            sale = self.services.journal.get_sale(order_id) or sale
            if wait <= NUDGE_GRACE and sale.updated_at != before.updated_at:
                break  # the fresh read landed
        reply = ConfirmReply(
            environment=self.env,  # type: ignore[arg-type]
            order_id=order_id,
            payment_status=payment_status(sale.status),
            till_status=sale.status.value,
            amount=rupees(sale.amount),
            amount_paise=sale.amount.paise,
            payment_method=sale.method.value,
            utr=sale.bank_reference,
            paid_at=iso(sale.paid_at),
            late_payment=sale.late,
            expires_at=iso(sale.expires_at),
            followed_here=ours and sale.status in OPEN_STATUSES,
            message=_scrub(_sale_message(sale), sale) + _owner_note(sale, ours),
        )
        self._journal_call(
            tool, arguments, "ok", order_id=order_id, detail={"status": sale.status.value}
        )
        return reply

    # ---- read-only ----------------------------------------------------------------------------
    def get_sale(self, arguments: Mapping[str, object]) -> SaleReply:
        tool = "get_sale"
        self.begin(tool, arguments)
        order_id = str(arguments["order_id"])
        sale = self._sale(tool, arguments, order_id)
        journal = self.services.journal
        requests = self.services.refund_requests.requests_for(order_id)
        shown = self.shown.get(order_id)
        reply = SaleReply(
            environment=self.env,  # type: ignore[arg-type]
            order_id=order_id,
            till_status=sale.status.value,
            payment_status=payment_status(sale.status),
            amount=rupees(sale.amount),
            amount_paise=sale.amount.paise,
            payment_method=sale.method.value,
            created_at=sale.created_at.isoformat(),
            expires_at=iso(sale.expires_at),
            paid_at=iso(sale.paid_at),
            utr=sale.bank_reference,
            late_payment=sale.late,
            bill_number=sale.bill_number,
            customer_phone=mask_phone(sale.customer_phone),
            reason=_scrub(sale.reason, sale) if sale.reason else None,
            started_through_mcp=self._started_through_mcp(order_id),
            payment_link=shown.link_url if shown else None,
            refunds=[
                RefundInfo(refund_id=r.refund_id, amount=rupees(r.amount), status=r.status)
                for r in journal.refunds_for(order_id)
            ],
            refund_requests=[
                RefundRequestInfo(
                    request_id=r.request_id,
                    amount=rupees(r.amount),
                    status=r.status,
                    refund_id=r.refund_id,
                    message=describe_request(r),
                )
                for r in requests
            ],
            events=[f"{e.at.isoformat()} {e.kind}" for e in journal.events(order_id)],
        )
        self._journal_call(tool, arguments, "ok", order_id=order_id)
        return reply

    def list_sales(self, arguments: Mapping[str, object]) -> SalesReply:
        tool = "list_sales"
        self.begin(tool, arguments)
        day = self._day(tool, arguments)
        start, end = day_bounds(day, zone=self.services.zone)
        status = arguments.get("status")
        statuses = [SaleStatus(str(status))] if status else None
        limit = int(str(arguments.get("limit") or 50))
        sales = self.services.journal.sales_between(
            start, end, statuses=statuses, limit=limit, newest_first=True
        )
        reply = SalesReply(
            environment=self.env,  # type: ignore[arg-type]
            date=day.isoformat(),
            count=len(sales),
            sales=[SaleLine.of(s) for s in sales],
        )
        self._journal_call(tool, arguments, "ok", detail={"count": len(sales)})
        return reply

    def day_summary(self, arguments: Mapping[str, object]) -> DayReply:
        """The same figures as `pos-app report --format json` (services.reports.summary)."""
        tool = "day_summary"
        self.begin(tool, arguments)
        day = self._day(tool, arguments)
        start, end = day_bounds(day, zone=self.services.zone)
        totals = self.services.journal.day_totals(start, end)
        data = summary(totals)
        still_open = sum(t.count for s, t in totals.by_status.items() if s in OPEN_STATUSES)
        reply = DayReply(
            environment=self.env,  # type: ignore[arg-type]
            date=day.isoformat(),
            collected=TallyInfo(**data["collected"]),
            refunded=TallyInfo(**data["refunded"]),
            net_paise=data["net"]["paise"],
            net=data["net"]["amount"],
            pending_refunds=TallyInfo(**data["pending_refunds"]),
            still_open=still_open,
            late_payments=data["late_payments"],
            by_status={k: TallyInfo(**v) for k, v in data["by_status"].items()},
            paid_by_method={k: TallyInfo(**v) for k, v in data["paid_by_method"].items()},
            paid_by_group={k: TallyInfo(**v) for k, v in data["paid_by_group"].items()},
        )
        self._journal_call(tool, arguments, "ok")
        return reply

    def _day(self, tool: str, arguments: Mapping[str, object]) -> date:
        text = _text(arguments, "date")
        if not text:
            return self.services.checkout.deps.clock().astimezone(self.services.zone).date()
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise self.refuse(
                tool, arguments, "date", f"Give a date like 2026-11-26, not {text!r}."
            ) from None

    # ---- cancel_payment -------------------------------------------------------------------------
    async def cancel(self, arguments: Mapping[str, object]) -> CancelReply:
        tool = "cancel_payment"
        self.begin(tool, arguments)
        order_id = str(arguments["order_id"])
        sale = self._sale(tool, arguments, order_id)
        if not self._started_through_mcp(order_id):
            raise self.refuse(
                tool,
                arguments,
                "order_id",
                "Only payments started through this MCP server can be cancelled here; the "
                "cashier or the manager cancels the till's own sales.",
            )
        if sale.status in OPEN_STATUSES:
            await self.services.checkout.cancel(order_id)
            sale = self.services.journal.get_sale(order_id) or sale
        if sale.status is SaleStatus.PAID:
            message = "The customer has paid: a paid sale is not cancelled (refund it instead)."
        elif sale.status in OPEN_STATUSES:
            message = (
                "Cashfree has not confirmed the cancel yet; the till keeps trying. Do not "
                "charge the customer again before confirm_cashfree_payment says FAILED."
            )
        else:
            message = _sale_message(sale)
        reply = CancelReply(
            environment=self.env,  # type: ignore[arg-type]
            order_id=order_id,
            till_status=sale.status.value,
            payment_status=payment_status(sale.status),
            message=_scrub(message, sale),
        )
        self._journal_call(
            tool, arguments, "ok", order_id=order_id, detail={"status": sale.status.value}
        )
        return reply

    # ---- request_refund ---------------------------------------------------------------------------
    def request_refund(self, arguments: Mapping[str, object]) -> RefundRequestReply:
        tool = "request_refund"
        self.begin(tool, arguments)
        order_id = str(arguments["order_id"])
        self._sale(tool, arguments, order_id)
        try:
            amount = parse_amount(arguments.get("amount"))
        except ValidationError as exc:
            raise self.refuse(tool, arguments, exc.field, exc.message) from None
        if amount > self.services.max_amount:
            raise self.refuse(
                tool,
                arguments,
                "amount",
                f"The largest amount one MCP call may refund is "
                f"{self.services.max_amount.format()}.",
            )
        try:
            request = self.services.refund_requests.ask(
                order_id, amount, str(arguments.get("reason") or ""), source="mcp"
            )
        except RefundRefused as exc:
            raise self.refuse(tool, arguments, "refund", exc.message) from None
        reply = RefundRequestReply(
            environment=self.env,  # type: ignore[arg-type]
            request_id=request.request_id,
            order_id=order_id,
            amount=rupees(request.amount),
            status=request.status,
            message=describe_request(request),
        )
        self._journal_call(
            tool, arguments, "ok", order_id=order_id, detail={"request_id": request.request_id}
        )
        return reply


def _text(arguments: Mapping[str, object], name: str) -> str | None:
    value = arguments.get(name)
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _order_of(arguments: Mapping[str, object]) -> str | None:
    value = arguments.get("order_id")
    return str(value) if isinstance(value, str) else None


def _scrub(text: str, sale: Sale | None) -> str:
    """Cashfree's or the till's words, without the customer's UPI id, phone or e-mail."""
    if sale is None:
        return text
    for private, instead in (
        (sale.vpa, "the customer's UPI id"),
        (sale.customer_phone, "the customer's phone"),
        (sale.customer_email, "the customer's e-mail"),
    ):
        if private:
            text = text.replace(private, instead)
    return text


def _owner_note(sale: Sale, ours: bool) -> str:
    if ours or sale.status not in OPEN_STATUSES:
        return ""
    return (
        " (This server does not follow this sale: the till's journal is read as it is; the "
        "desk or `pos-app reconcile` settles it with Cashfree.)"
    )


def _sale_message(sale: Sale) -> str:
    """The cashier's sentence for the sale, without the customer's UPI id."""
    if sale.method is Method.COLLECT and sale.status is SaleStatus.AWAITING_PAYMENT:
        return (
            f"A payment request for {sale.amount.format()} was sent to the customer's UPI "
            "id. They approve it in their UPI app."
        )
    return default_message(sale)
