"""Card payments in the simulated Cashfree: Order Pay with `payment_method.card`, native OTP
(`POST /orders/pay/authenticate/{cf_payment_id}`) and the bank's 3-D Secure test page.

Test cards (any future expiry MM/YY, CVV 123):
  4111 1111 1111 1111  action "post": the OTP is taken by the till (OTP 123456)
  4000 0000 0000 0002  action "link": the bank's 3-D Secure page (served here)
  4000 0000 0000 0069  declined by the issuer
Any other number that passes the Luhn check behaves like 4111 1111 1111 1111.
A CVV other than 123 is declined by the issuer. An OTP other than 123456 fails that try;
the third failed try fails the payment. RESEND_OTP works three times per payment.

The simulator keeps no card data: only the masked number, network and outcome bookkeeping.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pos_app.domain.card import luhn_ok
from pos_app.simulator.bodies import IST
from pos_app.simulator.errors import bad_request
from pos_app.simulator.models import PayState, SimCard, SimOrder, SimPayment
from pos_app.simulator.state import SimState

__all__ = [
    "DECLINED_CARD",
    "OTP_CARD",
    "OTP_TRIES",
    "RESEND_LIMIT",
    "TEST_CARDS",
    "TEST_CVV",
    "TEST_OTP",
    "THREE_DS_CARD",
    "CardDesk",
    "CardPayInput",
    "card_pay_input",
    "luhn_ok",
]

OTP_CARD = "4111111111111111"
THREE_DS_CARD = "4000000000000002"
DECLINED_CARD = "4000000000000069"
TEST_CVV = "123"
TEST_OTP = "123456"
OTP_TRIES = 3
RESEND_LIMIT = 3

# (number, what it does) for the `gateway-sim` banner.
TEST_CARDS = (
    (OTP_CARD, f"OTP at the till (action post); OTP {TEST_OTP}"),
    (THREE_DS_CARD, "bank 3-D Secure page (action link), served by the simulator"),
    (DECLINED_CARD, "declined by the issuer"),
)

_DIGITS = re.compile(r"^[0-9]+$")
_PREFIX = "payment_method.card."


def _network(number: str) -> str:
    if number.startswith("4"):
        return "visa"
    if number[:2] in {"51", "52", "53", "54", "55"} or "2221" <= number[:4] <= "2720":
        return "mastercard"
    if number[:2] in {"60", "65", "81", "82"} or number.startswith("508"):
        return "rupay"
    if number[:2] in {"34", "37"}:
        return "amex"
    return "unknown"


def _mask(number: str) -> str:
    return number[:6] + "x" * (len(number) - 10) + number[-4:]


@dataclass(frozen=True, slots=True)
class CardPayInput:
    """A checked Order Pay body for a card. Holds the outcome, never the card data."""

    session_id: str
    channel: str  # "post" | "link"
    masked: str
    network: str
    outcome: str  # "post" | "link" | "declined"
    expiry: tuple[int, int] = field(repr=False)  # (year, month)


def _field(card: dict[str, Any], key: str, pattern: re.Pattern[str], what: str) -> str:
    name = _PREFIX + key
    value = card.get(key)
    if value is None:
        raise bad_request(f"{name}_missing", f"{name} : is missing in the request")
    if not isinstance(value, str) or not pattern.match(value):
        raise bad_request(f"{name}_invalid", f"{name} : {what}")
    return value


def card_pay_input(data: dict[str, Any], session_id: str) -> CardPayInput:
    """`payment_method.card` of an Order Pay body (plain card only: no saved or token cards)."""
    card = data["payment_method"]["card"]
    if not isinstance(card, dict):
        raise bad_request(
            "payment_method.card_invalid", "payment_method.card : should be an object"
        )
    channel = card.get("channel")
    if channel is None:
        raise bad_request(
            f"{_PREFIX}channel_missing", f"{_PREFIX}channel : is missing in the request"
        )
    if channel not in ("link", "post"):
        raise bad_request(f"{_PREFIX}channel_invalid", f"{_PREFIX}channel : should be link or post")
    for key in ("instrument_id", "cryptogram", "token_requestor_id"):
        if key in card:
            raise bad_request(
                f"{_PREFIX}{key}_invalid",
                f"{_PREFIX}{key} : the simulator takes plain card numbers only",
            )
    number = _field(
        card, "card_number", re.compile(r"^[0-9]{12,19}$"), "is not a valid card number"
    )
    if not luhn_ok(number):
        raise bad_request(
            f"{_PREFIX}card_number_invalid", f"{_PREFIX}card_number : is not a valid card number"
        )
    month = _field(card, "card_expiry_mm", re.compile(r"^(0[1-9]|1[0-2])$"), "should be 01 to 12")
    year = _field(card, "card_expiry_yy", re.compile(r"^[0-9]{2}$"), "should be two digits")
    cvv = _field(card, "card_cvv", re.compile(r"^[0-9]{3,4}$"), "should be 3 or 4 digits")
    name = card.get("card_holder_name")
    if name is not None and (not isinstance(name, str) or not 1 <= len(name) <= 100):
        raise bad_request(
            f"{_PREFIX}card_holder_name_invalid",
            f"{_PREFIX}card_holder_name : should be 1 to 100 characters",
        )
    if number == DECLINED_CARD or cvv != TEST_CVV:
        outcome = "declined"
    elif number == THREE_DS_CARD or channel == "link":
        outcome = "link"
    else:
        outcome = "post"
    return CardPayInput(
        session_id=session_id,
        channel=channel,
        masked=_mask(number),
        network=_network(number),
        outcome=outcome,
        expiry=(2000 + int(year), int(month)),
    )


@dataclass(frozen=True, slots=True)
class _Auth:
    action: str
    otp: str | None


def _auth_input(body: Any) -> _Auth:
    if not isinstance(body, dict):
        raise bad_request("request_invalid", "request : should be a JSON object")
    action = body.get("action")
    if action is None:
        raise bad_request("action_missing", "action : is missing in the request")
    if action not in ("SUBMIT_OTP", "RESEND_OTP"):
        raise bad_request("action_invalid", "action : should be SUBMIT_OTP or RESEND_OTP")
    otp = body.get("otp")
    if action == "SUBMIT_OTP":
        if otp is None or otp == "":
            raise bad_request("otp_missing", "otp : is missing in the request")
        if not isinstance(otp, str) or not re.match(r"^[0-9]{4,8}$", otp):
            raise bad_request("otp_invalid", "otp : should be 4 to 8 digits")
    elif otp is not None and not isinstance(otp, str):
        raise bad_request("otp_invalid", "otp : should be a string")
    return _Auth(action, otp if isinstance(otp, str) else None)


class CardDesk:
    """Card attempts on top of the ledger (SimState)."""

    def __init__(self, state: SimState) -> None:
        self.state = state

    def pay(self, data: dict[str, Any], session_id: str, now: datetime, public_url: str) -> Any:
        """Order Pay with a card: the PayOrderEntity, or a refusal (SimulatorError)."""
        spec = card_pay_input(data, session_id)
        order = self.state.payable_order(session_id, now)
        today = now.astimezone(IST)
        if spec.expiry < (today.year, today.month):
            raise bad_request("card_expired", "card_expiry : the card has expired")
        payment = self.state.new_attempt(order, spec.channel, now)
        payment.card = SimCard(
            masked=spec.masked,
            network=spec.network,
            card_type="debit_card" if spec.network == "rupay" else "credit_card",
            bank="Simulated Bank",
            flow="link" if spec.outcome == "link" else "post",
        )
        if spec.outcome == "declined":
            self.state.settle(order, payment, PayState.FAILED, "CARD_DECLINED", now)
            raise bad_request("card_declined", "the card was declined by the issuing bank")
        bank_page = f"{public_url}/checkout/card/{payment.cf_payment_id}"
        data_out: dict[str, Any]
        if spec.outcome == "post":
            data_out = {
                "url": f"{public_url}/pg/orders/pay/authenticate/{payment.cf_payment_id}",
                "payload": {"action": "SUBMIT_OTP"},
                "content_type": "application/json",
                "method": "post",
                "redirect_to_bank": bank_page,
            }
        else:
            data_out = {
                "url": bank_page,
                "payload": {},
                "content_type": "text/html",
                "method": "get",
            }
        return {
            "payment_amount": payment.amount.to_api(),
            "cf_payment_id": payment.cf_payment_id,
            "payment_method": "card",
            "channel": spec.channel,
            "action": spec.outcome,
            "data": data_out,
        }

    def authenticate(self, cf_payment_id: str, body: Any, now: datetime) -> Any:
        """SUBMIT_OTP / RESEND_OTP: the OrderAuthenticateEntity."""
        request = _auth_input(body)
        order, payment = self.state.find_payment(cf_payment_id, now)
        card = payment.card
        if card is None or card.flow != "post":
            raise bad_request(
                "payment_otp_not_applicable", "this payment does not take an OTP through the API"
            )
        if payment.status is not PayState.PENDING:
            raise bad_request(
                "payment_not_pending",
                f"payment is {payment.status.value.lower()}, no OTP can be processed for it",
            )
        if request.action == "RESEND_OTP":
            if card.resends >= RESEND_LIMIT:
                return _auth(payment, request.action, "FAILED", "otp resend limit reached")
            card.resends += 1
            return _auth(
                payment, request.action, "SUCCESS", "otp sent again to the registered mobile"
            )
        if request.otp == TEST_OTP:
            self.state.settle(order, payment, PayState.SUCCESS, None, now)
            return _auth(payment, request.action, "SUCCESS", "otp verified, payment authorised")
        card.otp_tries_left -= 1
        if card.otp_tries_left <= 0:
            self.state.settle(order, payment, PayState.FAILED, "AUTHENTICATION_FAILED", now)
            return _auth(
                payment,
                request.action,
                "FAILED",
                "otp is invalid, no attempts left: payment failed",
            )
        left = card.otp_tries_left
        return _auth(
            payment,
            request.action,
            "FAILED",
            f"otp is invalid, {left} attempt{'s' if left != 1 else ''} left",
        )

    def bank_page_acts(self, cf_payment_id: str, approve: bool, now: datetime) -> None:
        """The customer finishes (or fails) the bank's 3-D Secure page."""
        order, payment = self.state.find_payment(cf_payment_id, now)
        if payment.card is None:
            raise bad_request("payment_not_card", "this payment is not a card payment")
        if payment.status is not PayState.PENDING:
            raise bad_request(
                "payment_not_pending", f"payment is {payment.status.value.lower()} already"
            )
        if approve:
            self.state.settle(order, payment, PayState.SUCCESS, None, now)
        else:
            self.state.settle(order, payment, PayState.FAILED, "AUTHENTICATION_FAILED", now)

    def page_facts(self, cf_payment_id: str, now: datetime) -> tuple[SimOrder, SimPayment]:
        return self.state.find_payment(cf_payment_id, now)


def _auth(payment: SimPayment, action: str, status: str, message: str) -> dict[str, Any]:
    return {
        "cf_payment_id": payment.cf_payment_id,
        "action": action,
        "authenticate_status": status,
        "payment_message": message,
    }
