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
from datetime import timedelta

from pos_app.domain import validate
from pos_app.domain.sale import OPEN_STATUSES, Method, SaleStatus
from pos_app.domain.validate import ValidationError
from pos_app.mcp.base import (
    INITIATE,
    SHOWN_KEPT,
    Refused,
    Shown,
    owner_note,
    parse_amount,
    sale_message,
    scrub,
    text_argument,
)
from pos_app.mcp.reads import ReadTools
from pos_app.mcp.replies import (
    CancelReply,
    ConfirmReply,
    PaymentReply,
    RefundRequestReply,
    iso,
    payment_status,
    rupees,
)
from pos_app.services.checkout.card import CardStepError
from pos_app.services.checkout.service import DuplicateChargeError, SaleInProgressError
from pos_app.services.checkout.state import ChargeRequest, SaleState
from pos_app.services.qr import png_of
from pos_app.services.refunds.requests import describe_request
from pos_app.services.refunds.service import RefundRefused

__all__ = ["INITIATE", "Refused", "Shown", "TillTools", "parse_amount"]

log = logging.getLogger(__name__)

CONFIRM = "confirm_cashfree_payment"
POLL_STEP = 0.25  # seconds between journal reads while a confirm waits
NUDGE_GRACE = 1.0  # after "check now", how long a confirm gives the owner's fresh read

CARD_OTP_ELSEWHERE = (
    "This card sale's OTP step is not waiting here: the OTP is typed where the card was "
    "taken (the desk or `pos-app charge`), or the card step has ended."
)
NO_OTP = (
    "This sale is paid by {method}: the customer approves it in their own UPI app or on "
    "Cashfree's payment page, so no OTP passes through this till. Call again without otp."
)


def _ready(state: SaleState, events: list[str]) -> bool:
    """Has the customer been shown what to pay with (or has the sale ended)?"""
    if state.is_final or state.error is not None or state.link_fallback:
        return True
    if state.status is not SaleStatus.AWAITING_PAYMENT:
        return False
    if state.method is Method.LINK:
        return state.link_url is not None
    if state.method is Method.UPI_QR:
        return state.has_qr or state.qr_text is not None
    return "attempt_started" in events or "attempt_refused" in events


class TillTools(ReadTools):
    """The tools that start, follow, stop or ask about money."""

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
            shown = Shown(None, last.qr_text, png_of(last.qr) if last.qr else last.qr_image)
        self.shown[last.order_id] = shown
        while len(self.shown) > SHOWN_KEPT:  # the oldest first (dicts keep insertion order)
            self.shown.pop(next(iter(self.shown)))
        sale = self.services.journal.get_sale(last.order_id)
        status = sale.status if sale is not None else last.status
        message = last.error or (sale_message(sale) if sale is not None else last.message)
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
            message=scrub(message, sale),
        )
        self.journal_call(
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
        upi_id = text_argument(arguments, "upi_id")
        if upi_id and method is not Method.COLLECT:
            raise ValidationError(
                "upi_id", "A UPI id is only used with payment_method 'collect' (a UPI request)."
            )
        phone = text_argument(arguments, "phone_number")
        email = text_argument(arguments, "email")
        note = text_argument(arguments, "order_note")
        bill = text_argument(arguments, "bill_number")
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
        otp = text_argument(arguments, "otp")
        card_note = ""
        if otp:
            if sale.method is not Method.CARD:
                raise self.refuse(tool, arguments, "otp", NO_OTP.format(method=sale.method.label))
            card_note = await self._card_otp(tool, arguments, order_id, otp)
            sale = self.services.journal.get_sale(order_id) or sale
        wait = float(str(arguments.get("wait_seconds") or 0.0))
        deps = self.services.checkout.deps
        # Whoever follows the sale (this server, the desk, another command) is asked to read
        # Cashfree now; nobody else writes its outcome (one owner per sale, in the journal).
        lease = self.services.journal.live_lease(order_id)
        ours = lease is not None and lease.owner == deps.owner.token
        if lease is not None and sale.status in OPEN_STATUSES:
            self.services.checkout.check_now(order_id)
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
            message=scrub(sale_message(sale), sale) + owner_note(sale, ours) + card_note,
        )
        self.journal_call(
            tool, arguments, "ok", order_id=order_id, detail={"status": sale.status.value}
        )
        return reply

    async def _card_otp(
        self, tool: str, arguments: Mapping[str, object], order_id: str, otp: str
    ) -> str:
        """Submit a card sale's OTP through this process's checkout (the one that took the
        card and holds its OTP step); Cashfree's word on it, for the reply."""
        try:
            state = await self.services.checkout.submit_otp(order_id, otp)
        except ValidationError as exc:
            raise self.refuse(tool, arguments, "otp", exc.message) from None
        except CardStepError:
            raise self.refuse(tool, arguments, "otp", CARD_OTP_ELSEWHERE) from None
        card = state.card
        if card is None:
            return ""
        said = card.failed or card.otp_message
        if card.checking:
            said = "OTP accepted; the till is confirming the payment with Cashfree."
        return f" {said}" if said else ""

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
            message = sale_message(sale)
        reply = CancelReply(
            environment=self.env,  # type: ignore[arg-type]
            order_id=order_id,
            till_status=sale.status.value,
            payment_status=payment_status(sale.status),
            message=scrub(message, sale),
        )
        self.journal_call(
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
        self.journal_call(
            tool, arguments, "ok", order_id=order_id, detail={"request_id": request.request_id}
        )
        return reply
