"""Command-line parsing only; every subcommand calls into pos_app.app / pos_app.commands."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from pos_app import __version__
from pos_app.commands.mcp_cmd import add_mcp_parser
from pos_app.domain.environment import NAMES


def _env_options(parser: argparse.ArgumentParser, *, top: bool) -> None:
    # On the top parser and on every subcommand, so `pos-app --demo charge 10` and
    # `pos-app charge 10 --demo` both work; SUPPRESS keeps a subcommand from resetting it.
    default = None if top else argparse.SUPPRESS
    parser.add_argument(
        "--env", choices=NAMES, default=default, help="use this environment for this run"
    )
    parser.add_argument(
        "--demo",
        dest="env",
        action="store_const",
        const="demo",
        default=default,
        help="short for --env demo: the built-in simulated Cashfree, with its own data",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pos-app",
        description="A till for Cashfree payments. Without a command it opens the cashier desk.",
    )
    parser.add_argument("--version", action="version", version=f"pos-app {__version__}")
    _env_options(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    charge = sub.add_parser("charge", help="take one payment in the terminal")
    charge.add_argument("amount", help="amount in rupees, e.g. 250 or 1,250.50")
    charge.add_argument(
        "--method",
        choices=("upi-qr", "link", "collect", "card"),
        default="upi-qr",
        help="how the customer pays (card: asks for the card, then the OTP, never on the "
        "command line)",
    )
    charge.add_argument("--vpa", help="customer's UPI id (for --method collect)")
    charge.add_argument("--phone", help="customer's mobile number")
    charge.add_argument("--email", help="customer's e-mail")
    charge.add_argument("--note", help="a note on the order")
    charge.add_argument("--bill", help="bill number")
    charge.add_argument("--send-sms", action="store_true", help="payment link: Cashfree texts it")
    charge.add_argument(
        "--send-email", action="store_true", help="payment link: Cashfree e-mails it"
    )
    charge.add_argument("--timeout", type=float, help="cancel if not paid within this many seconds")
    charge.add_argument(
        "--confirm-duplicate",
        action="store_true",
        help="charge even if the same amount was just paid at this till",
    )
    _env_options(charge, top=False)

    status = sub.add_parser("status", help="one sale, refreshed from Cashfree")
    status.add_argument("order_id")
    status.add_argument(
        "--no-refresh",
        action="store_true",
        help="show what this till's journal says, without asking Cashfree (no password store)",
    )
    _env_options(status, top=False)

    reconcile = sub.add_parser("reconcile", help="settle every sale without a final state")
    _env_options(reconcile, top=False)

    report = sub.add_parser("report", help="the day report")
    report.add_argument("--date", help="YYYY-MM-DD (default: today)")
    report.add_argument("--from", dest="date_from", help="first day YYYY-MM-DD")
    report.add_argument("--to", dest="date_to", help="last day YYYY-MM-DD")
    report.add_argument("--format", choices=("table", "csv", "json"), default="table")
    report.add_argument("--output", help="write to this file instead of the screen")
    report.add_argument(
        "--recon",
        action="store_true",
        help="the day three ways: the till against Cashfree's records and its bank transfers",
    )
    report.add_argument(
        "--all-tills", action="store_true", help="every till of the store (the store database)"
    )
    report.add_argument("--till", help="one till of the store, from the store database")
    _env_options(report, top=False)

    evidence = sub.add_parser(
        "paid-evidence",
        help="the customer says they paid: look up their UPI reference (asks for the manager PIN)",
        description="Looks for the payment at Cashfree; only a successful payment with this "
        "reference and amount records the sale as paid. Otherwise nothing changes.",
    )
    evidence.add_argument("order_id")
    evidence.add_argument(
        "--utr", required=True, help="the UPI reference (UTR) the customer shows, or its last 4+"
    )
    evidence.add_argument("--amount", required=True, help="the amount paid, in rupees")
    _env_options(evidence, top=False)

    refund = sub.add_parser(
        "refund",
        help="refund a paid sale (asks for the manager PIN)",
        description="Refunds all that is left to refund unless --amount is given. Running it "
        "again after an unconfirmed refund sends that same refund again, never a second one.",
    )
    refund.add_argument("order_id")
    refund.add_argument("--amount", help="rupees to refund, e.g. 100 or 1,250.50 (default: all)")
    refund.add_argument("--reason", help="why (3-100 characters; Cashfree keeps it as the note)")
    refund.add_argument(
        "--another",
        action="store_true",
        help="a further refund while an earlier one is still on its way (asks the PIN again)",
    )
    refund.add_argument(
        "--wait", type=float, default=60.0, help="seconds to follow the refund (default 60)"
    )
    _env_options(refund, top=False)

    _credentials_parser(sub)
    _config_parser(sub)
    _say_parser(sub)
    add_mcp_parser(sub, _env_options)
    _store_parser(sub)
    _webhook_parser(sub)

    sim = sub.add_parser("gateway-sim", help="serve the simulated Cashfree on loopback")
    sim.add_argument("--host", default="127.0.0.1")
    sim.add_argument("--port", type=int, default=8790)
    sim.add_argument("--webhook-url", help="send payment webhooks here (else: notify_url)")
    sim.add_argument(
        "--allow-non-loopback",
        action="store_true",
        help="allow binding to an address other than loopback (the simulator has no real security)",
    )
    return parser


def _credentials_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    creds = sub.add_parser(
        "credentials",
        help="the Cashfree App ID and secret in the OS password store",
        description="The secret is read from a hidden prompt, or from stdin when it is not a "
        "terminal; never from the command line. Each hidden question (the manager PIN first, "
        "when one is set) reads one line of stdin.",
    )
    actions = creds.add_subparsers(dest="credentials_action", metavar="ACTION")
    for name, text in (
        ("set", "save the App ID and secret (asks for the secret)"),
        ("test", "prove them with Cashfree without creating anything"),
        ("delete", "remove them from the password store"),
    ):
        action = actions.add_parser(name, help=text)
        action.add_argument(
            "--env",
            choices=("sandbox", "production"),
            default=argparse.SUPPRESS,
            help="whose credentials (default: the configured one, else sandbox)",
        )
        if name == "set":
            action.add_argument("--app-id", help="the Cashfree App ID (asked when omitted)")
            # Only to refuse a secret given on the command line without echoing it.
            action.add_argument(
                "--secret",
                "--client-secret",
                dest="secret_in_argv",
                nargs="?",
                const="",
                help=argparse.SUPPRESS,
            )
            action.add_argument("stray", nargs="*", help=argparse.SUPPRESS)


def _store_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    store = sub.add_parser("store", help="the shared store database of several tills")
    actions = store.add_subparsers(dest="store_action", metavar="ACTION")
    init = actions.add_parser("init", help="create or upgrade the store database")
    init.add_argument("--database-url", help="postgresql://USER@HOST:PORT/DATABASE")
    actions.add_parser("status", help="tills, last sync, events waiting")
    actions.add_parser("sync", help="push this till's waiting events now")
    for action in actions.choices.values():
        _env_options(action, top=False)
    _env_options(store, top=False)


def _webhook_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    rx = sub.add_parser(
        "webhook-receiver", help="receive Cashfree's payment webhooks for the store"
    )
    rx.add_argument("--host", default="127.0.0.1", help="address to listen on (loopback)")
    rx.add_argument("--port", type=int, default=8791, help="port to listen on")
    rx.add_argument("--path", default="/cashfree/webhook", help="URL path of the webhook")
    _env_options(rx, top=False)


def _config_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    config = sub.add_parser("config", help="show or change the settings")
    actions = config.add_subparsers(dest="config_action", metavar="ACTION")
    show = actions.add_parser("show", help="every setting (the PIN only as set / not set)")
    show.add_argument("--json", action="store_true", help="as JSON")
    _env_options(show, top=False)
    change = actions.add_parser(
        "set",
        help="change one setting (asks for the manager PIN once one is set)",
        description="`config set manager_pin` asks for the new PIN (hidden, twice) or reads "
        "it from stdin (once); the PIN is never taken from the command line.",
    )
    change.add_argument("key", help="a setting's name, as `config show` lists it, or manager_pin")
    change.add_argument("value", nargs="?", help="the new value (none clears an optional one)")
    change.add_argument(
        "--reset",
        action="store_true",
        help="manager_pin only: set a new PIN when the old one is locked and unknown "
        "(recorded in the journal for the manager)",
    )
    _env_options(change, top=False)
    _env_options(config, top=False)


def _say_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from pos_app.voice.languages import LANGUAGES

    say = sub.add_parser(
        "say",
        help="say the PAID announcement for an amount (or write it as a WAV file)",
        description="Prints the sentence the till says when a sale is paid, then plays it, "
        "or writes it to --output. Language and volume default to the settings.",
    )
    say.add_argument("amount", help="amount in rupees, e.g. 450 or 1,23,45,678.50")
    say.add_argument("--lang", choices=sorted(LANGUAGES), help="spoken language")
    say.add_argument("--output", help="write a WAV file instead of playing it")
    say.add_argument("--volume", type=int, help="0-100 percent")
    say.add_argument("--bill", help="say this bill number too")
    say.add_argument("--late", action="store_true", help="as a late payment is announced")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from pos_app.commands.dispatch import dispatch

    try:
        return dispatch(args)
    except KeyboardInterrupt:
        print("Stopped.", file=sys.stderr)
        return 130
