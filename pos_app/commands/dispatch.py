"""Run the command argparse chose. Builds the runtime through app.py, maps setup
problems to a plain sentence and exit code 8."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
import os
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from pos_app.commands import exit_codes

log = logging.getLogger(__name__)

NO_STORE_EXTRA = (
    "The store database needs the PostgreSQL driver, which this installation lacks: "
    "install pos-app with its 'store' extra (pip install 'pos_app[store]')."
)


def dispatch(args: argparse.Namespace) -> int:
    from pos_app.app import SetupError
    from pos_app.store.errors import JournalError

    command = args.command
    if command != "gateway-sim":
        from pos_app.config import paths
        from pos_app.logs import setup_logging

        setup_logging(paths().log_dir, level=_log_level())
        log.info("pos-app %s (environment option: %s)", command or "desk", args.env)
    try:
        if command is None:
            from pos_app.app import run_gui

            return run_gui(args.env)
        if command == "gateway-sim":
            from pos_app.simulator.server import run_forever

            run_forever(
                args.host,
                args.port,
                allow_non_loopback=args.allow_non_loopback,
                webhook_url=getattr(args, "webhook_url", None),
            )
            return 0
        if command == "charge":
            return _charge(args)
        if command == "status":
            return _status_command(args)
        if command == "reconcile":
            return _with_runtime(args, _reconcile)
        if command == "report":
            if getattr(args, "recon", False):
                from pos_app.commands.recon_report import run_recon_report

                return run_recon_report(args)
            from pos_app.commands.report import run_report

            return run_report(args)
        if command == "paid-evidence":
            from pos_app.commands.paid_evidence import run_paid_evidence_command

            return run_paid_evidence_command(args)
        if command == "refund":
            from pos_app.commands.refund import run_refund_command

            return run_refund_command(args)
        if command == "credentials":
            from pos_app.commands.credentials import run_credentials

            return run_credentials(args)
        if command == "mcp":
            from pos_app.commands.mcp_cmd import run_mcp

            return run_mcp(args)
        if command == "webhook-receiver":
            from pos_app.commands.webhook_cmd import run_webhook_receiver

            return run_webhook_receiver(args)
        if command == "store":
            from pos_app.commands.store_cmd import run_store

            return run_store(args)
        if command == "config":
            from pos_app.commands.config_cmd import run_config

            return run_config(args)
        if command == "say":
            from pos_app.commands.say import run_say

            return run_say(args)
    except (SetupError, JournalError) as exc:
        print(str(exc), file=sys.stderr)
        return exit_codes.SETUP
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] != "psycopg":
            raise
        print(NO_STORE_EXTRA, file=sys.stderr)
        return exit_codes.SETUP
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return exit_codes.BAD_INPUT
    except Exception as exc:
        log.exception("pos-app %s failed", command)
        print(
            f"Something unexpected went wrong ({type(exc).__name__}). Nothing already recorded "
            "was lost; the details are in the pos_app log.",
            file=sys.stderr,
        )
        return exit_codes.ERROR
    print(f"Unknown command {command!r}", file=sys.stderr)
    return exit_codes.BAD_INPUT


def _log_level() -> int:
    """POS_LOG_LEVEL (DEBUG, INFO, WARNING, ERROR) sets how much goes to the log file."""
    name = os.environ.get("POS_LOG_LEVEL", "").strip().upper()
    level = logging.getLevelName(name) if name else logging.INFO
    return level if isinstance(level, int) else logging.INFO


def _with_runtime(args: argparse.Namespace, body: Callable[..., Awaitable[int]]) -> int:
    from pos_app.app import open_runtime

    async def main() -> int:
        runtime = open_runtime(args.env)
        try:
            return await body(runtime)
        finally:
            await runtime.aclose()

    return asyncio.run(main())


def _status_command(args: argparse.Namespace) -> int:
    """Ask Cashfree only when the answer can change; otherwise read the journal alone (no
    keyring, no HTTP client)."""
    from datetime import timedelta

    from pos_app.app import open_journal_only
    from pos_app.commands.sales import print_journal_status, status_needs_cashfree
    from pos_app.domain.clock import utc_now

    records = open_journal_only(args.env)
    try:
        sale = records.journal.get_sale(args.order_id)
        window = timedelta(hours=records.settings.late_sweep_hours)
        if (
            sale is None
            or getattr(args, "no_refresh", False)
            or not status_needs_cashfree(sale, utc_now(), window)
        ):
            return print_journal_status(records.journal, records.environment, sale, args.order_id)
    finally:
        records.close()
    return _with_runtime(args, lambda rt: _status(rt, args.order_id))


async def _status(runtime: object, order_id: str) -> int:
    from pos_app.commands.sales import run_status

    return await run_status(runtime.deps, order_id)  # type: ignore[attr-defined]


async def _reconcile(runtime: object) -> int:
    from pos_app.commands.sales import run_reconcile

    return await run_reconcile(runtime.deps)  # type: ignore[attr-defined]


def _charge(args: argparse.Namespace) -> int:
    from pos_app.commands.charge import run_charge
    from pos_app.domain import validate
    from pos_app.domain.money import Money
    from pos_app.domain.sale import Method
    from pos_app.domain.validate import ValidationError
    from pos_app.services.checkout.state import ChargeRequest

    # Bad input is refused before anything is created.
    try:
        request = ChargeRequest(
            amount=Money.parse(args.amount),
            method=Method(args.method),
            bill_number=validate.bill_number(args.bill) if args.bill else None,
            note=validate.note(args.note) if args.note else None,
            phone=validate.phone(args.phone) if args.phone else None,
            email=validate.email(args.email) if args.email else None,
            vpa=validate.vpa(args.vpa) if args.vpa else None,
            send_sms=args.send_sms,
            send_email=args.send_email,
            confirm_duplicate=args.confirm_duplicate,
        )
    except ValidationError as exc:
        print(f"Refused ({exc.field}): {exc.message}", file=sys.stderr)
        return exit_codes.BAD_INPUT

    async def body(runtime: object) -> int:
        from pos_app.app import serve_checkout_pages

        checkout = runtime.checkout  # type: ignore[attr-defined]
        if args.timeout is not None and args.timeout <= 0:
            raise ValueError("--timeout must be more than zero seconds")
        charge = request
        if charge.method is Method.CARD:
            from pos_app.commands.card_input import ask_card

            card = await ask_card(checkout)
            if isinstance(card, int):
                return card
            charge = dataclasses.replace(request, card=card)
        stop = serve_checkout_pages(runtime)  # type: ignore[arg-type]
        try:
            code = await run_charge(
                checkout,
                charge,
                give_up_after=args.timeout,
                # A card customer acts by the OTP (read from stdin), not by demo keys.
                simulator=None if charge.method is Method.CARD else runtime.simulator,  # type: ignore[attr-defined]
            )
            rt: Any = runtime
            if rt.settings.store_database_url:  # joined to a store database: push before exit
                from pos_app.services.store_sync.link import push_before_exit

                await push_before_exit(rt.settings, rt.environment, rt.journal, rt.deps.clock)
            return code
        finally:
            if stop is not None:
                await asyncio.to_thread(stop)

    return _with_runtime(args, body)
