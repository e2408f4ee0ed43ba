"""`pos-app webhook-receiver [--host 127.0.0.1] [--port N] [--path /cashfree/webhook]`:
receive Cashfree's payment webhooks for the store, verify them with the account's client
secret (from the OS keyring), store them in the store database and tell the tills."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ipaddress
import logging

from pos_app.commands import exit_codes
from pos_app.commands.output import say
from pos_app.config import load_settings, paths
from pos_app.store_db.connect import StoreDbError

__all__ = ["run_webhook_receiver"]

log = logging.getLogger(__name__)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def run_webhook_receiver(args: argparse.Namespace) -> int:
    from pos_app.app import cashfree_secret, resolve_environment
    from pos_app.services.store_sync.webhook_server import DEFAULT_PATH, WebhookReceiver
    from pos_app.store_db.access import store_access

    settings = load_settings(paths()).settings
    environment = resolve_environment(settings, getattr(args, "env", None))
    path = getattr(args, "path", None) or DEFAULT_PATH
    if not path.startswith("/") or any(c.isspace() for c in path):
        raise ValueError("--path must start with / and hold no spaces")
    try:
        access = store_access(settings, environment)
    except StoreDbError as exc:
        say(exc.message)
        return exit_codes.SETUP
    secret = cashfree_secret(environment)
    if not _loopback(args.host):
        say(
            f"Listening on {args.host}, not only on this computer: put HTTPS (a reverse "
            "proxy or a tunnel) in front of it; Cashfree only calls https:// URLs."
        )

    async def main() -> int:
        receiver = WebhookReceiver(
            secret, access.till.store_id, access.connector("pos-app webhook-receiver"), path=path
        )
        host, port = await receiver.start(args.host, args.port)
        print(f"Listening for Cashfree webhooks at http://{host}:{port}{path}", flush=True)
        print(
            f"Store {access.till.store_id!r}, {environment}; store database {access.url}. "
            "Ctrl-C stops.",
            flush=True,
        )
        try:
            await receiver.serve_forever()
        finally:
            await receiver.aclose()
        return 0

    with contextlib.suppress(KeyboardInterrupt):
        return asyncio.run(main())
    return 0
