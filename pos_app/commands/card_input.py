"""`pos-app charge AMOUNT --method card`: the card and the OTP, typed or piped.

Each answer is one line: from a prompt that does not echo at a terminal, or the next line
of stdin when stdin is a pipe (card number, expiry MM/YY, CVV, then each OTP). Nothing
typed is ever printed back: only the network and the last four digits. At the OTP prompt
an empty line asks the bank to send the OTP again (after its cool-down).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TextIO

from pos_app.commands import exit_codes
from pos_app.commands.output import say
from pos_app.commands.pin_prompt import read_hidden
from pos_app.domain.card import CardDetails, parse_card
from pos_app.domain.sale import Method
from pos_app.domain.validate import ValidationError
from pos_app.services.checkout.card import CardStepError
from pos_app.services.checkout.service import CheckoutService
from pos_app.services.checkout.state import SaleState

__all__ = ["NoAnswer", "ask_card", "otp_step", "read_card"]

Reader = Callable[[str], str | None]
MALFORMED_LIMIT = 3  # OTPs that are not even digits, before the sale is given up


class NoAnswer(Exception):
    """Input ended before the question was answered."""


def _ask(read: Reader, prompt: str) -> str:
    answer = read(prompt)
    if answer is None:
        raise NoAnswer(prompt.strip(" :"))
    return answer


def read_card(read: Reader = read_hidden) -> CardDetails:
    """Card number, expiry and CVV (no name: it is optional). Raises ValidationError or
    NoAnswer; the typed text goes nowhere but the CardDetails."""
    number = _ask(read, "Card number: ")
    expiry = _ask(read, "Expiry (MM/YY): ")
    cvv = _ask(read, "CVV: ")
    return parse_card(number, expiry, cvv, today=datetime.now(UTC).date())


async def ask_card(checkout: CheckoutService, read: Reader = read_hidden) -> CardDetails | int:
    """The card for `charge --method card`, or the exit code of a refusal (said on stderr).
    Asks nothing when card payments are switched off."""
    if Method.CARD not in checkout.enabled_methods:
        say(
            "Refused: card payments are switched off. A manager switches them on with "
            "`pos-app config set card_payments_enabled on`."
        )
        return exit_codes.REFUSED
    try:
        return await asyncio.to_thread(read_card, read)
    except ValidationError as exc:
        say(f"Refused ({exc.field}): {exc.message}")
        return exit_codes.BAD_INPUT
    except NoAnswer as exc:
        say(f"Refused: no answer for {exc}. Nothing was charged.")
        return exit_codes.BAD_INPUT


async def otp_step(
    checkout: CheckoutService,
    state: SaleState,
    out: TextIO,
    show: Callable[[SaleState], None],
    read: Reader = read_hidden,
) -> SaleState:
    """Ask for OTPs until the card step no longer wants one; returns the latest state.
    Input that ends cancels nothing by itself: the caller decides (it cancels the sale)."""
    malformed = 0
    while state.card is not None and state.card.needs_otp:
        if state.card.otp_message:
            print(state.card.otp_message, file=out)
        left = state.card.tries_left
        tries = "try" if left == 1 else "tries"
        prompt = f"OTP for {state.card.label} ({left} {tries} left; empty line = send again): "
        answer = await asyncio.to_thread(read, prompt)
        if answer is None:
            raise NoAnswer("OTP")
        try:
            if not answer.strip():
                state = await checkout.resend_otp(state.order_id)
            else:
                state = await checkout.submit_otp(state.order_id, answer)
        except ValidationError as exc:
            print(f"Refused: {exc.message}", file=out)
            if exc.field == "otp" and answer.strip():
                malformed += 1
                if malformed >= MALFORMED_LIMIT:
                    raise NoAnswer("OTP") from None
            continue
        except CardStepError as exc:
            print(str(exc), file=out)
            return state
        show(state)
    return state
