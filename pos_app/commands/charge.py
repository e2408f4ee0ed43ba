"""`pos-app charge AMOUNT`: the whole sale in a terminal.

Draws the QR in the terminal, prints the UPI payload or the link, prints each status
change, and exits with a code per outcome (commands/exit_codes.py). Ctrl-C cancels the
sale properly (terminate, re-read: paid wins) and says what happened.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

from pos_app.commands import card_input, exit_codes
from pos_app.commands.demo_customer import HELP, DemoCustomer
from pos_app.domain.qr import QrCode
from pos_app.domain.sale import ReasonCode, SaleStatus
from pos_app.domain.validate import ValidationError
from pos_app.services.checkout.service import (
    CheckoutService,
    DuplicateChargeError,
    SaleInProgressError,
)
from pos_app.services.checkout.state import ChargeRequest, SaleState
from pos_app.services.terminal_qr import MAX_LINES, MAX_WIDTH, terminal_qr
from pos_app.services.wording import attempt_failed
from pos_app.store.errors import JournalError

if TYPE_CHECKING:
    from pos_app.simulator.core import Simulator

__all__ = ["CODE_FOR_STATUS", "JOURNAL_TROUBLE_AFTER_ORDER", "run_charge"]

# Said when the journal fails once the order may be in front of the customer: the money
# may have moved even though this till could not write it down.
JOURNAL_TROUBLE_AFTER_ORDER = (
    "NOT CONFIRMED: the customer may have paid order {order_id}, but this till could not "
    "write it down: {problem}. Do not charge the customer again. Once the journal is free, "
    "run `pos-app reconcile`: it asks Cashfree and records the outcome."
)


def _is_tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


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
    shown_qr: QrCode | bytes | None = None
    last_line: str = ""
    demo_keys: bool = False

    def _drawing(self, state: SaleState) -> str:
        """The sale's QR drawn for this terminal (80x24 at least), in explicit black on
        white when the output is a colour terminal."""
        size = shutil.get_terminal_size((MAX_WIDTH, MAX_LINES + 1))
        color = _is_tty(self.out) and not os.environ.get("NO_COLOR")
        if state.qr is not None:
            try:
                return terminal_qr(
                    state.qr,
                    color=color,
                    max_lines=max(MAX_LINES, size.lines - 1),
                    max_width=max(MAX_WIDTH, size.columns),
                )
            except ValueError:
                return "(the QR is too large for this terminal: show the QR content above)"
        return "(the QR image could not be drawn here)"  # only Cashfree's unreadable picture

    def state(self, state: SaleState) -> None:
        if not self.last_line:
            print(
                f"Order {state.order_id}: {state.amount.format()} by {state.method.label}",
                file=self.out,
            )
        shown = state.qr if state.qr is not None else state.qr_image
        if shown is not None and shown != self.shown_qr:
            self.shown_qr = shown
            if state.qr_text:
                print(f"QR content: {state.qr_text}", file=self.out)
            print(self._drawing(state), file=self.out)
        if state.link_url and state.link_url != state.qr_text:
            print(f"Payment link: {state.link_url}", file=self.out)
        line = f"[{state.status.value}] {state.message}"
        if self.demo_keys and state.status is SaleStatus.AWAITING_PAYMENT:
            line += " (customer: p pays, f fails, w walks away)"
        if state.attempt_failed:
            line += f" | {attempt_failed(state.attempt_failed)}"
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
    simulator: Simulator | None = None,
    keys: TextIO | None = None,
) -> int:
    """Run one sale to its end; returns the exit code. With the demo's `simulator`, the
    user plays the customer with keys read from `keys` (stdin by default)."""
    out = out or sys.stdout
    printer = _Printer(out, demo_keys=simulator is not None)
    customer: DemoCustomer | None = None
    if simulator is not None:
        customer = DemoCustomer(simulator, checkout.check_now, keys or sys.stdin, out)
        print(HELP, file=out, flush=True)
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
    listening = customer.listening(loop) if customer is not None else contextlib.nullcontext()
    try:
        stream = checkout.start(request)
        with listening:
            async with asyncio.timeout(give_up_after):
                async for state in stream:
                    last = state
                    printer.state(state)
                    if customer is not None and state.status is SaleStatus.AWAITING_PAYMENT:
                        customer.ready(state.order_id)
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
            try:
                final = await checkout.cancel(last.order_id, reason=ReasonCode.TIMED_OUT)
            except JournalError as exc:
                return _journal_trouble(last, exc, out)
            if final is not None:
                last = final
                printer.state(final)
    except JournalError as exc:
        if last is None:
            raise  # nothing reached Cashfree: a setup problem (exit 8)
        return _journal_trouble(last, exc, out)
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


def _journal_trouble(last: SaleState, exc: JournalError, out: TextIO) -> int:
    """The order exists (its QR or link may be with the customer) and the journal failed:
    the outcome is not confirmed, never a setup problem. The sale stays open in the
    journal (the failed write rolled back), so `pos-app reconcile` settles it later."""
    print(
        JOURNAL_TROUBLE_AFTER_ORDER.format(order_id=last.order_id, problem=_problem(exc)),
        file=out,
        flush=True,
    )
    return exit_codes.GATEWAY_TROUBLE


_PROBLEMS = {
    "busy": "the journal is busy in another program (close it to free the journal)",
    "disk_full": "the disk is full (free some space)",
    "read_only": "the journal cannot be written (check the folder's permissions)",
    "io": "the disk could not be written (check the disk)",
}


def _problem(exc: JournalError) -> str:
    # The journal's own sentences end in "try again", which must not be read as "charge
    # again" here: say what is wrong, and leave the next step to the sentence around it.
    return _PROBLEMS.get(exc.kind, f"the journal reported a problem ({exc.kind})")
