"""`pos-app mcp`: the till as an MCP server, over stdio (default) or `--http` on loopback.

`--show-token` prints the HTTP bearer token (made on first use, kept in the OS password
store) after the manager PIN. Environment and Cashfree keys come from the till's settings
and keyring, never from a tool call.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING

from pos_app.commands import exit_codes
from pos_app.commands.output import say

if TYPE_CHECKING:  # the CLI parser imports this module: keep keyring out of its start-up
    from pos_app.secrets import Secret

__all__ = ["DEFAULT_PORT", "add_mcp_parser", "run_mcp"]

DEFAULT_PORT = 8791


def add_mcp_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    env_options: Callable[..., None],
) -> None:
    mcp = sub.add_parser(
        "mcp",
        help="serve the till to AI assistants and apps (Model Context Protocol)",
        description="Runs an MCP server over stdio (for an MCP client that starts it), or "
        "with --http over streamable HTTP on loopback, behind a bearer token. Every payment "
        "it starts is a sale of this till, journaled and followed like one from the desk.",
    )
    mcp.add_argument("--http", action="store_true", help="serve streamable HTTP on loopback")
    mcp.add_argument("--host", default="127.0.0.1", help="loopback address (default 127.0.0.1)")
    mcp.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"HTTP port (default {DEFAULT_PORT})"
    )
    mcp.add_argument(
        "--show-token",
        action="store_true",
        help="print the HTTP bearer token (asks for the manager PIN)",
    )
    env_options(mcp, top=False)


def run_mcp(args: argparse.Namespace) -> int:
    if args.show_token:
        return _show_token(args.env)
    if args.http:
        from pos_app.mcp.http import check_loopback

        check_loopback(args.host)
        if not 0 < args.port < 65536:
            raise ValueError("--port must be from 1 to 65535")
    return asyncio.run(_serve(args))


async def _serve(args: argparse.Namespace) -> int:
    from pos_app.app import make_mcp_services, open_runtime
    from pos_app.mcp.server import build_server

    runtime = open_runtime(args.env)
    demo_page = None
    try:
        if runtime.simulator is not None:
            # The in-process pretend Cashfree: serve its payment pages on loopback, so a
            # demo link opens and the pretend customer can pay (or fail) there.
            from pos_app.simulator import start_server

            demo_page = start_server(runtime.simulator, "127.0.0.1", 0)
            say(f"Demo: the pretend Cashfree's payment pages are at {demo_page.url}")
        server = build_server(make_mcp_services(runtime))
        if args.http:
            from pos_app.mcp.http import serve_http

            token = _token(runtime.environment)
            say(
                f"MCP server ({runtime.environment.upper()}) on http://{args.host}:{args.port}/mcp"
                " - clients send the token from `pos-app mcp --show-token`."
            )
            await serve_http(server, token, args.host, args.port)
        else:
            await server.run_stdio_async()
    finally:
        if demo_page is not None:
            demo_page.stop()
        await runtime.aclose()
    return exit_codes.PAID


def _token(environment: str) -> Secret:
    from pos_app.app import SetupError
    from pos_app.mcp.access import http_token
    from pos_app.secrets import KeyringSecretStore, SecretStoreError

    try:
        return http_token(KeyringSecretStore(), environment)
    except SecretStoreError as exc:
        raise SetupError(exc.message) from exc


def _show_token(env_override: str | None) -> int:
    from pos_app.app import resolve_environment
    from pos_app.commands.pin_prompt import require_manager_pin
    from pos_app.config import load_settings, paths

    where = paths()
    settings = load_settings(where).settings
    environment = resolve_environment(settings, env_override)
    if not require_manager_pin(settings, where, what="show the MCP token"):
        return exit_codes.REFUSED
    print(_token(environment).reveal())
    return exit_codes.PAID
