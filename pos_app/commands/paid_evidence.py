"""`pos-app paid-evidence ORDER_ID --utr U --amount A`: the customer says they paid.

Behind the manager PIN. The till looks for the payment at Cashfree (this order's
payments, then the day's reconciliation); only a successful payment with that UPI
reference (or its last digits) and that amount records the sale as PAID, with the
evidence and who asked. Anything else changes nothing.

Exit codes: 0 recorded paid; 5 not found or not matching (nothing changed); 6 Cashfree
could not be asked; 2 bad input or a sale that cannot take evidence; 7 no manager PIN;
8 setup problems.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass

from pos_app.commands import exit_codes
from pos_app.domain.money import Money
from pos_app.domain.validate import ValidationError
from pos_app.services.checkout.paid_evidence import EvidenceOutcome, Verdict, clean_utr

__all__ = ["EXIT_FOR", "run_paid_evidence_command"]

EXIT_FOR = {
    Verdict.RECORDED: exit_codes.PAID,
    Verdict.NOT_FOUND: exit_codes.FAILED,
    Verdict.MISMATCH: exit_codes.FAILED,
    Verdict.REFUSED: exit_codes.BAD_INPUT,
    Verdict.UNREACHABLE: exit_codes.GATEWAY_TROUBLE,
}


def _asked_by() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"manager PIN at the command line (user {user})"


def print_outcome(outcome: EvidenceOutcome) -> None:
    print(outcome.message)
    sale = outcome.sale
    if outcome.recorded and sale is not None:
        for label, value in (
            ("Order", sale.order_id),
            ("Amount", sale.amount.format()),
            ("Status", sale.status.value),
            ("UTR", sale.bank_reference or "-"),
            ("Payment", sale.cf_payment_id or "-"),
        ):
            print(f"{label:<8}{value}")


def run_paid_evidence_command(args: argparse.Namespace) -> int:
    from pos_app.app import open_runtime
    from pos_app.commands.pin_prompt import require_manager_pin
    from pos_app.config import load_settings, paths
    from pos_app.services.checkout.paid_evidence import check_paid_evidence

    utr = clean_utr(args.utr)  # ValueError: a plain message, exit 2
    try:
        amount = Money.parse(args.amount, minimum=Money(1), field="amount")
    except ValidationError as exc:
        raise ValueError(f"--amount: {exc.message}") from None
    where = paths()
    if not require_manager_pin(
        load_settings(where).settings, where, what="record a payment the customer shows"
    ):
        return exit_codes.REFUSED

    async def body() -> EvidenceOutcome:
        runtime = open_runtime(args.env)
        try:
            return await check_paid_evidence(
                runtime.gateway.background(),
                runtime.journal,
                args.order_id,
                utr,
                amount,
                _asked_by(),
                clock=runtime.deps.clock,
            )
        finally:
            await runtime.aclose()

    outcome = asyncio.run(body())
    print_outcome(outcome)
    return EXIT_FOR[outcome.verdict]
