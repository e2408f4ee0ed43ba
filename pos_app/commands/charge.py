"""`pos-app charge AMOUNT`: the whole sale in a terminal.

Draws the QR in the terminal, prints the UPI payload or the link, prints each status
change, and exits with a code per outcome (commands/exit_codes.py). Ctrl-C cancels the
sale properly (terminate, re-read: paid wins) and says what happened.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from dataclasses import dataclass
from typing import TextIO

from pos_app.commands import card_input, exit_codes
from pos_app.domain.sale import ReasonCode, SaleStatus
from pos_app.domain.validate import ValidationError
from pos_app.services.checkout import CheckoutService, DuplicateChargeError, SaleInProgressError
from pos_app.services.qr import png_modules, terminal_art
from pos_app.services.state import ChargeRequest, SaleState

__all__ = ["CODE_FOR_STATUS", "run_charge"]

CODE_FOR_STATUS = {
    SaleStatus.PAID: exit_codes.PAID,
    SaleStatus.EXPIRED: exit_codes.EXPIRED,
    SaleStatus.CANCELLED: exit_codes.CANCELLED,
    SaleStatus.FAILED: exit_codes.FAILED,
    SaleStatus.UNCERTAIN: exit_codes.GATEWAY_TROUBLE,
    SaleStatus.AWAITING_PAYMENT: exit_codes.GATEWAY_TROUBLE,
    SaleStatus.CREATED: exit_codes.GATEWAY_TROUBLE,
}


@dataclass
class _Printer:
    out: TextIO
    shown_qr: bytes | None = None
    last_line: str = ""

    def state(self, state: SaleState) -> None:
        if not self.last_line:
            print(
                f"Order {state.order_id}: {state.amount.format()} by {state.method.label}",
                file=self.out,
            )
        if state.qr_png is not None and state.qr_png != self.shown_qr:
            self.shown_qr = state.qr_png
            try:
                print(terminal_art(png_modules(state.qr_png)), file=self.out)
            except ValueError:
                print("(the QR image could not be drawn here)", file=self.out)
            if state.qr_text:
                print(f"QR content: {state.qr_text}", file=self.out)
        if state.link_url and state.link_url != state.qr_text:
            print(f"Payment link: {state.link_url}", file=self.out)
        line = f"[{state.status.value}] {state.message}"
        if state.attempt_failed:
            line += f" | The customer's attempt failed: {state.attempt_failed}. They can try again."
        if state.offline is not None:
            line += f" | Offline: next try at {state.offline.next_try_at:%H:%M:%S} UTC"
        if state.error:
            line += f" | {state.error}"
        if state.card is not None:
            line += f" | {state.card.label}"
            if state.card.failed:
                line += f": {state.card.failed}"
        if line != self.last_line:
            self.last_line = line
            print(line, file=self.out, flush=True)


async def run_charge(
    checkout: CheckoutService,
    request: ChargeRequest,
    *,
    give_up_after: float | None = None,
    out: TextIO | None = None,
) -> int:
    """Run one sale to its end; returns the exit code."""
    out = out or sys.stdout
    printer = _Printer(out)
    helpers: set[asyncio.Task[object]] = set()
    main = asyncio.current_task()
    last: SaleState | None = None
    loop = asyncio.get_running_loop()
    interrupted = False

    def on_interrupt() -> None:
        nonlocal interrupted
        if last is None:
            return
        if interrupted:
            if main is not None:
                main.cancel()
            return
        interrupted = True
        print("\nCancelling the sale at Cashfree… (press Ctrl-C again to leave at once)", file=out)
        task: asyncio.Task[object] = loop.create_task(checkout.cancel(last.order_id))
        helpers.add(task)
        task.add_done_callback(helpers.discard)

    def cancel_in_background(order_id: str, why: str) -> None:
        # The stream is still being read here, so the cancel runs beside it.
        print(why, file=out)
        task: asyncio.Task[object] = loop.create_task(checkout.cancel(order_id))
        helpers.add(task)
        task.add_done_callback(helpers.discard)

    with contextlib.suppress(NotImplementedError, RuntimeError):
        loop.add_signal_handler(signal.SIGINT, on_interrupt)
    try:
        stream = checkout.start(request)
        async with asyncio.timeout(give_up_after):
            async for state in stream:
                last = state
                printer.state(state)
                card = state.card
                if card is None or interrupted or state.is_final:
                    continue
                if card.needs_otp:
                    try:
                        last = await card_input.otp_step(checkout, state, out, printer.state)
                    except card_input.NoAnswer:
                        interrupted = True
                        cancel_in_background(state.order_id, "No OTP was given: cancelling.")
                        continue
                if last.card is not None and last.card.failed:
                    interrupted = True
                    cancel_in_background(last.order_id, "The card did not work: cancelling.")
    except ValidationError as exc:
        print(f"Refused: {exc.message}", file=out)
        return exit_codes.BAD_INPUT
    except (SaleInProgressError, DuplicateChargeError) as exc:
        print(f"Refused: {exc}", file=out)
        if isinstance(exc, DuplicateChargeError):
            print("Run again with --confirm-duplicate to charge anyway.", file=out)
        return exit_codes.REFUSED
    except TimeoutError:
        if last is not None:
            print(f"No payment within {give_up_after:.0f} s: cancelling.", file=out)
            final = await checkout.cancel(last.order_id, reason=ReasonCode.TIMED_OUT)
            if final is not None:
                last = final
                printer.state(final)
    finally:
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.remove_signal_handler(signal.SIGINT)
    if last is None:
        return exit_codes.ERROR
    code = CODE_FOR_STATUS[last.status]
    if last.status is SaleStatus.PAID:
        print(f"PAID {last.amount.format()}  UTR {last.bank_reference or '-'}", file=out)
    elif code == exit_codes.GATEWAY_TROUBLE:
        print(
            "The outcome is not confirmed yet. Run `pos-app reconcile` when Cashfree can be "
            "reached; do not charge the customer again before that.",
            file=out,
        )
    return code
