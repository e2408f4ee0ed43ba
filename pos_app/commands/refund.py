"""`pos-app refund ORDER_ID [--amount A] [--reason R]`: refund a paid sale, after the PIN.

Without --amount the whole amount still refundable is returned. The refund is journaled
before Cashfree is asked, then followed until it is final (or --wait seconds have passed).
A refund request is one thing however often it is run: while a refund of the sale is on
its way (not confirmed, or PENDING at the bank), running the command again resumes and
reports THAT refund (same refund id and idempotency key) and never makes a second one.
A further refund beside it needs `--another`, which asks the manager PIN a second time.

Exit codes: 0 refunded; 2 refused before anything was sent; 5 the refund failed or was
cancelled; 6 the outcome is not known yet (not confirmed, or still pending at the bank);
7 refused at the gate (no manager PIN outside demo, a wrong or locked PIN, the shop
policy refusing command-line refunds) or a different refund while one is on its way
(without --another); 8 setup problems.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import TextIO

from pos_app.commands import exit_codes
from pos_app.domain.money import Money
from pos_app.domain.validate import ValidationError
from pos_app.services.refunds.service import (
    REQUESTED,
    RefundOutcome,
    RefundPending,
    RefundRefused,
    RefundService,
    on_its_way,
)

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
        lead = (
            f"Refund {record.refund_id} of {record.amount.format()} was already asked for by "
            f"an earlier run (at {record.created_at:%d %b %H:%M UTC})."
            if outcome.final
            else on_its_way(record)
        )
        print(
            f"{lead} This run resumed that refund and reports it; it did not make a second "
            "one (add --another for a further refund).",
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
    another: bool = False,
    follow_seconds: float | None = None,
    out: TextIO | None = None,
) -> int:
    """The refund use case for a terminal; returns the exit code."""
    stream = out or sys.stdout
    try:
        outcome = await refunds.refund(
            order_id, amount, reason, another=another, follow_seconds=follow_seconds
        )
    except RefundPending as exc:
        print(f"Refused: {exc.message}", file=stream)
        return exit_codes.REFUSED
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
    """Check the input and the shop policy, ask the manager PIN (twice for --another),
    then refund (called by commands.dispatch)."""
    from pos_app.app import open_runtime, refund_maker, resolve_environment
    from pos_app.commands.pin_prompt import require_manager_pin
    from pos_app.config import load_settings, paths
    from pos_app.services.manager.policy import load_policy
    from pos_app.services.refunds.service import clean_reason, day_limit

    amount = parse_amount(args.amount)
    wait = getattr(args, "wait", None)
    if wait is not None and not 0 <= wait <= 3600:
        raise ValueError("--wait: give 0 to 3600 seconds")
    another = bool(getattr(args, "another", False))
    try:
        reason = clean_reason(args.reason)
    except RefundRefused as exc:
        raise ValueError(f"--reason: {exc.message}") from None
    where = paths()
    settings = load_settings(where).settings
    environment = resolve_environment(settings, args.env)
    policy = load_policy()
    if policy.policy is not None and not policy.policy.cli_refunds:
        print(
            "Refused: the shop's policy allows refunds only at the till's manager console, "
            f"not from the command line ({policy.path}).",
            file=sys.stderr,
        )
        return exit_codes.REFUSED
    if not require_manager_pin(settings, where, what="refund", environment=environment):
        return exit_codes.REFUSED
    if another and not require_manager_pin(
        settings, where, what="a FURTHER refund", environment=environment, again=True
    ):
        return exit_codes.REFUSED
    most = policy.policy.max_refund_per_day if policy.policy is not None else None

    async def body() -> int:
        runtime = open_runtime(args.env)
        try:
            if (
                runtime.journal.get_sale(args.order_id) is None
                and runtime.settings.store_database_url
            ):
                from pos_app.commands.refund_store import run_store_refund

                limit = (
                    None if most is None else day_limit(runtime.journal, most, runtime.deps.clock)
                )
                return await run_store_refund(
                    runtime, args.order_id, amount, reason, wait, limit=limit
                )
            make = refund_maker(runtime.settings, runtime.environment, who="pos-app refund")
            refunds = make(
                runtime.gateway,
                runtime.journal,
                clock=runtime.deps.clock,
                sleep=runtime.deps.sleep,
                limit=None
                if most is None
                else day_limit(runtime.journal, most, runtime.deps.clock),
            )
            return await run_refund(
                refunds, args.order_id, amount, reason, another=another, follow_seconds=wait
            )
        finally:
            await runtime.aclose()

    return asyncio.run(body())
