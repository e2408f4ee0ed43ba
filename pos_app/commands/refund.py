"""`pos-app refund ORDER_ID [--amount A] [--reason R]`: refund a paid sale, after the PIN.

Without --amount the whole amount still refundable is returned. The refund is journaled
before Cashfree is asked, then followed until it is final (or about a minute has passed).
Running the command again after an unconfirmed refund sends THAT refund again (same
refund id and idempotency key), so a retry can never refund twice.

Exit codes: 0 refunded; 2 refused before anything was sent; 5 the refund failed or was
cancelled; 6 the outcome is not known yet (not confirmed, or still pending at the bank);
7 no manager PIN; 8 setup problems.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import TextIO

from pos_app.commands import exit_codes
from pos_app.domain.money import Money
from pos_app.domain.validate import ValidationError
from pos_app.services.refunds import REQUESTED, RefundOutcome, RefundRefused, RefundService

__all__ = ["exit_code", "parse_amount", "print_outcome", "run_refund", "run_refund_command"]


def parse_amount(text: str | None) -> Money | None:
    """--amount: rupees as a cashier types them (₹0.01 and up); None means "all that is left"."""
    if text is None:
        return None
    try:
        return Money.parse(text, minimum=Money(1), field="amount")
    except ValidationError as exc:
        raise ValueError(f"--amount: {exc.message}") from None


def exit_code(outcome: RefundOutcome) -> int:
    status = outcome.refund.status
    if status == "SUCCESS":
        return exit_codes.PAID
    if status in ("FAILED", "CANCELLED"):
        return exit_codes.FAILED
    return exit_codes.GATEWAY_TROUBLE  # REQUESTED, PENDING, ONHOLD: not known yet


def print_outcome(outcome: RefundOutcome, out: TextIO) -> None:
    record = outcome.refund
    if outcome.resumed:
        print(
            f"Refund {record.refund_id} was sent before without an answer; "
            "it was sent again (the same refund, never a second one).",
            file=out,
        )
    rows = [
        ("Order", record.order_id),
        ("Refund", record.refund_id),
        ("Amount", record.amount.format()),
        ("Status", "NOT CONFIRMED" if record.status == REQUESTED else record.status),
        ("ARN", record.arn or "-"),
    ]
    for label, value in rows:
        print(f"{label:<7} {value}", file=out)
    print(outcome.message, file=out)


async def run_refund(
    refunds: RefundService,
    order_id: str,
    amount: Money | None,
    reason: str | None,
    *,
    out: TextIO | None = None,
) -> int:
    """The refund use case for a terminal; returns the exit code."""
    stream = out or sys.stdout
    try:
        outcome = await refunds.refund(order_id, amount, reason)
    except RefundRefused as exc:
        print(f"Refused: {exc.message}", file=stream)
        for record in (
            refunds.journal.refunds_for(order_id) if refunds.journal.get_sale(order_id) else []
        ):
            status = "NOT CONFIRMED" if record.status == REQUESTED else record.status
            print(
                f"  {record.refund_id}  {record.amount.format():>14}  {status}"
                f"  {record.arn or ''}".rstrip(),
                file=stream,
            )
        return exit_codes.BAD_INPUT
    print_outcome(outcome, stream)
    return exit_code(outcome)


def run_refund_command(args: argparse.Namespace) -> int:
    """Check the input, ask the manager PIN, then refund (called by commands.dispatch)."""
    from pos_app.app import open_runtime
    from pos_app.commands.pin_prompt import require_manager_pin
    from pos_app.config import load_settings, paths
    from pos_app.services.refunds import clean_reason

    amount = parse_amount(args.amount)
    try:
        reason = clean_reason(args.reason)
    except RefundRefused as exc:
        raise ValueError(f"--reason: {exc.message}") from None
    where = paths()
    if not require_manager_pin(load_settings(where).settings, where, what="refund"):
        return exit_codes.REFUSED

    async def body() -> int:
        runtime = open_runtime(args.env)
        try:
            if (
                runtime.journal.get_sale(args.order_id) is None
                and runtime.settings.store_database_url
            ):
                from pos_app.commands.refund_store import run_store_refund

                return await run_store_refund(runtime, args.order_id, amount, reason)
            refunds = RefundService(
                runtime.gateway,
                runtime.journal,
                clock=runtime.deps.clock,
                sleep=runtime.deps.sleep,
            )
            return await run_refund(refunds, args.order_id, amount, reason)
        finally:
            await runtime.aclose()

    return asyncio.run(body())
