"""The card path of a sale (Cashfree "native OTP"): Order Pay with the card, then the OTP
typed at the till (SUBMIT_OTP / RESEND_OTP), or the bank's 3-D Secure page shown as a QR.

The card data lives in the SaleRun only until its Order Pay call has an answer (or the sale
ends): it is cleared then, whatever happened. The journal gets the network, the last four
digits and the payment id; never the number, expiry, CVV or OTP. After the OTP the order is
followed to PAID like every other sale (the same verification in settle.py).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable
from datetime import timedelta

from pos_app.domain import card as card_rules
from pos_app.domain.card import CardDetails
from pos_app.domain.qr import QrCode
from pos_app.domain.sale import SaleStatus
from pos_app.domain.validate import ValidationError
from pos_app.gateway.base import AuthenticateStatus, CardAction, CardPayResult, OtpResult
from pos_app.gateway.errors import GatewayError
from pos_app.services.checkout.card_prompt import RESEND_COOLDOWN, CardFlow
from pos_app.services.checkout.deps import Deps
from pos_app.services.checkout.run import SaleRun
from pos_app.services.checkout.state import SaleState
from pos_app.services.wording import describe_error

__all__ = [
    "CARD_NOT_ENABLED",
    "CardStepError",
    "forget_card",
    "give_card",
    "resend_otp",
    "start_card_attempt",
    "submit_otp",
    "use_bank_page",
]

log = logging.getLogger(__name__)

CARD_NOT_ENABLED = (
    "Cashfree did not take the card: this account may not have native OTP / "
    "server-to-server card payments (and the PCI DSS flag) switched on. Ask Cashfree, or use "
    "a payment link. ({error})"
)
_OTP_ASK = "The customer's bank sent an OTP to their phone. Enter it to finish the payment."
_BANK_PAGE = (
    "The customer's bank wants its own 3-D Secure page: the customer scans this QR with "
    "their phone and finishes there. The till keeps checking."
)


class CardStepError(RuntimeError):
    """An OTP action that cannot be done now (no card step waiting, wrong state)."""


def give_card(run: SaleRun, card: CardDetails) -> None:
    """Hand a new card to a run (the first one, or another after a failed card)."""
    forget_card(run)
    run.card = card


def forget_card(run: SaleRun) -> None:
    if run.card is not None:
        run.card.clear()
        run.card = None


def _attempt_key(run: SaleRun, attempt: int) -> str:
    """One idempotency key per card attempt, the same for every retry of that attempt."""
    try:
        base = uuid.UUID(run.sale.idempotency_key)
    except ValueError:
        base = uuid.uuid5(uuid.NAMESPACE_OID, run.sale.idempotency_key)
    return str(uuid.uuid5(base, f"card-attempt-{attempt}"))


async def start_card_attempt(deps: Deps, run: SaleRun) -> AsyncIterator[SaleState]:
    """Order Pay with the run's card; the card is cleared as soon as this ends."""
    from pos_app.services.checkout.opening import _Answer, _keep_trying

    card = run.card
    session = run.sale.payment_session_id
    if card is None or card.cleared or session is None:
        forget_card(run)
        run.error = "The card details are no longer held. Enter the card again."
        yield run.state()
        return
    attempt = run.card_flow.attempt + 1 if run.card_flow is not None else 1
    flow = CardFlow(label=card.summary.label, attempt=attempt)
    run.card_flow = flow
    run.error = None
    run.attempt_failed = None
    key = _attempt_key(run, attempt)
    answer: _Answer[CardPayResult] = _Answer()

    def pay() -> Awaitable[CardPayResult]:
        return deps.gateway.pay_card(session, card, idempotency_key=key)

    summary = card.summary
    try:
        async for state in _keep_trying(deps, run, pay, answer):
            yield state
    finally:
        forget_card(run)
    detail: dict[str, object] = {
        "network": summary.network,
        "last4": summary.last4,
        "attempt": attempt,
    }
    if answer.refusal is not None:
        exc = answer.refusal
        flow.failed = _refusal_text(exc)
        deps.journal.add_event(
            run.order_id,
            "card_refused",
            {**detail, "error": type(exc).__name__, "code": exc.code, "request_id": exc.request_id},
        )
        yield run.state()
        return
    result = answer.value
    if result is None or run.sale.status is not SaleStatus.AWAITING_PAYMENT:
        return
    flow.cf_payment_id = result.cf_payment_id
    deps.journal.add_event(
        run.order_id,
        "card_attempt_started",
        {**detail, "cf_payment_id": result.cf_payment_id, "action": result.raw_action},
    )
    if result.action is CardAction.POST and result.cf_payment_id:
        flow.needs_otp = True
        flow.bank_page_url = result.bank_page
        flow.resend_at = deps.clock() + timedelta(seconds=RESEND_COOLDOWN)
        flow.message = _OTP_ASK
    elif result.url is not None:
        flow.bank_page = True
        flow.message = _BANK_PAGE
        run.qr_text = result.url
        await asyncio.sleep(0)  # drawing (~10 ms) is its own loop step
        run.qr = QrCode.encode(result.url)
    else:
        flow.failed = (
            f"Cashfree asked for a card step this till cannot do ({result.raw_action or 'none'})."
            " Use another method."
        )
    yield run.state()


def _refusal_text(exc: GatewayError) -> str:
    code = (exc.code or "").lower()
    if "declined" in code:
        return f"The card was declined. Ask for another card or another way to pay. ({describe_error(exc)})"
    if code.startswith("payment_method") or "card" in code:
        return describe_error(exc)
    return CARD_NOT_ENABLED.format(error=describe_error(exc))


def _waiting_flow(run: SaleRun) -> CardFlow:
    flow = run.card_flow
    if run.sale.status is not SaleStatus.AWAITING_PAYMENT or flow is None:
        raise CardStepError("This sale is not waiting for a card OTP.")
    if not flow.needs_otp or flow.cf_payment_id is None:
        raise CardStepError("This card payment is not waiting for an OTP.")
    return flow


async def submit_otp(deps: Deps, run: SaleRun, text: str) -> SaleState:
    """SUBMIT_OTP. A wrong OTP gives Cashfree's message and the customer tries again, up to
    Cashfree's limit; an accepted one hands over to the poller (woken at once).
    Raises ValidationError (not an OTP) or CardStepError; gateway trouble is shown."""
    otp = card_rules.otp(text)
    flow = _waiting_flow(run)
    assert flow.cf_payment_id is not None
    result = await _authenticate(deps, run, flow, otp)
    if result is None:
        return run.state()
    deps.journal.add_event(
        run.order_id,
        "otp_submitted",
        {"cf_payment_id": flow.cf_payment_id, "status": result.status.value},
    )
    if result.status is AuthenticateStatus.SUCCESS:
        flow.needs_otp = False
        flow.checking = True
        flow.otp_message = None
        flow.message = "OTP accepted. Confirming the payment with Cashfree…"
    else:
        flow.tries_left -= 1
        said = result.message or "the OTP was not accepted"
        exhausted = flow.tries_left <= 0 or "no attempts left" in said.lower()
        if exhausted:
            flow.tries_left = 0
            flow.needs_otp = False
            flow.failed = (
                f"Cashfree: {said}. This card payment failed; ask for another card or another "
                "way to pay."
            )
            flow.message = None
        else:
            flow.otp_message = f"Cashfree: {said}. The customer can try again."
    run.wake.set()  # let the poller look now
    return run.state()


async def use_bank_page(deps: Deps, run: SaleRun) -> SaleState:
    """No OTP arrives (or the customer prefers it): show Cashfree's page that takes the
    customer to the bank's own page, as a QR for their phone, and keep following."""
    flow = _waiting_flow(run)
    if flow.bank_page_url is None:
        raise CardStepError("Cashfree offered no bank page for this card payment.")
    flow.needs_otp = False
    flow.bank_page = True
    flow.message = _BANK_PAGE
    run.qr_text = flow.bank_page_url
    await asyncio.sleep(0)  # drawing (~10 ms) is its own loop step
    run.qr = QrCode.encode(flow.bank_page_url)
    deps.journal.add_event(run.order_id, "card_bank_page", {"cf_payment_id": flow.cf_payment_id})
    return run.state()


async def resend_otp(deps: Deps, run: SaleRun) -> SaleState:
    """RESEND_OTP, at most once per cool-down. Raises ValidationError while cooling down."""
    flow = _waiting_flow(run)
    now = deps.clock()
    if flow.resend_at is not None and now < flow.resend_at:
        wait = int((flow.resend_at - now).total_seconds() + 0.999)
        raise ValidationError("otp", f"Wait {wait} s before asking the bank to send the OTP again.")
    result = await _authenticate(deps, run, flow, None)
    if result is None:
        return run.state()
    flow.resend_at = deps.clock() + timedelta(seconds=RESEND_COOLDOWN)
    deps.journal.add_event(
        run.order_id,
        "otp_resent",
        {"cf_payment_id": flow.cf_payment_id, "status": result.status.value},
    )
    if result.status is AuthenticateStatus.SUCCESS:
        flow.otp_message = "The bank is sending the OTP again."
    else:
        flow.otp_message = f"Cashfree: {result.message or 'the OTP could not be sent again'}."
    return run.state()


async def _authenticate(
    deps: Deps, run: SaleRun, flow: CardFlow, otp: str | None
) -> OtpResult | None:
    assert flow.cf_payment_id is not None
    try:
        return await deps.gateway.authenticate_card(flow.cf_payment_id, otp)
    except GatewayError as exc:
        flow.otp_message = describe_error(exc)
        if exc.retryable:
            flow.otp_message += " Try the OTP again in a moment."
        log.info("sale %s: OTP step failed: %s", run.order_id, type(exc).__name__)
        return None
