"""`pos-app credentials set|test|delete [--env sandbox|production]`.

The Cashfree App ID and client secret live in the OS password store only. The App ID may
be given on the command line; the secret never: it is read from a hidden prompt, or from
stdin when stdin is not a terminal (see pin_prompt.read_hidden). Changing or removing
credentials changes what the till talks to, so it asks for the manager PIN once one is set;
testing them does not.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

from pos_app.commands import exit_codes
from pos_app.commands.output import say
from pos_app.commands.pin_prompt import interactive, read_hidden, require_manager_pin
from pos_app.config import Paths, Settings, load_settings, paths
from pos_app.domain.environment import CREDENTIALED
from pos_app.domain.validate import ValidationError
from pos_app.secrets import KeyringSecretStore, Secret, SecretStore, SecretStoreError
from pos_app.services.diagnostics import ConnectionCheck, clean_app_id, clean_secret

__all__ = [
    "credential_environment",
    "exit_code_for",
    "run_credentials",
]

OK = 0
_BASE_URL_ENV = "POS_CASHFREE_BASE_URL"

ARGV_REFUSAL = (
    "Refused: the client secret is never taken from the command line, where shell history "
    "and other programs could read it. Run `pos-app credentials set --app-id YOUR_APP_ID` "
    "and type the secret when asked, or pipe it on stdin. If you typed a secret just now, "
    "remove it from your shell history."
)
REAL_MONEY = (
    "These are production credentials: every sale taken with them moves real money from "
    "real customers."
)


def credential_environment(requested: str | None, settings: Settings) -> str:
    """The environment whose credentials a command means: the one asked for, else the
    configured one when it is sandbox or production, else sandbox."""
    if requested in CREDENTIALED:
        return str(requested)
    if requested is not None:
        raise ValueError(
            f"There are no credentials for {requested}: demo mode uses the built-in simulated "
            "Cashfree and needs none. Use --env sandbox or --env production."
        )
    if settings.environment in CREDENTIALED:
        return settings.environment
    return "sandbox"


def exit_code_for(check: ConnectionCheck) -> int:
    if check.outcome == "works":
        return OK
    if check.outcome == "refused":
        return exit_codes.SETUP
    return exit_codes.GATEWAY_TROUBLE


def run_credentials(args: argparse.Namespace, store: SecretStore | None = None) -> int:
    """Entry point from dispatch: args.credentials_action is set, test or delete."""
    where = paths()
    loaded = load_settings(where)
    if loaded.notice:
        say(loaded.notice)
    action = getattr(args, "credentials_action", None)
    if action is None:
        say("Say what to do: pos-app credentials set | test | delete (see --help).")
        return exit_codes.BAD_INPUT
    try:
        environment = credential_environment(getattr(args, "env", None), loaded.settings)
    except ValueError as exc:
        say(str(exc))
        return exit_codes.BAD_INPUT
    keyring_store: SecretStore = store if store is not None else KeyringSecretStore()
    try:
        if action == "set":
            return _set(args, environment, loaded.settings, where, keyring_store)
        if action == "test":
            return _test(environment, keyring_store)
        if action == "delete":
            return _delete(environment, loaded.settings, where, keyring_store)
    except SecretStoreError as exc:
        say(exc.message)
        return exit_codes.SETUP
    say(f"Unknown credentials action {action!r}: use set, test or delete.")
    return exit_codes.BAD_INPUT


# ---- set ---------------------------------------------------------------------------------------
def _secret_in_argv(args: argparse.Namespace) -> bool:
    return getattr(args, "secret_in_argv", None) is not None or bool(getattr(args, "stray", None))


def _app_id(args: argparse.Namespace, environment: str) -> str | None:
    given = getattr(args, "app_id", None)
    if given is not None:
        return str(given)
    if not interactive():
        say("Give the App ID with --app-id (stdin carries only the secret).")
        return None
    try:
        return input(f"Cashfree {environment} App ID: ")
    except EOFError:
        return None


def _set(
    args: argparse.Namespace,
    environment: str,
    settings: Settings,
    where: Paths,
    store: SecretStore,
) -> int:
    if _secret_in_argv(args):
        say(ARGV_REFUSAL)
        return exit_codes.BAD_INPUT
    typed = _app_id(args, environment)
    if typed is None:
        return exit_codes.BAD_INPUT
    try:
        app_id = clean_app_id(typed)
    except ValidationError as exc:
        say(f"Refused: {exc.message}")
        return exit_codes.BAD_INPUT
    if not require_manager_pin(settings, where, what=f"change the {environment} credentials"):
        return exit_codes.REFUSED
    if environment == "production":
        say(REAL_MONEY)
    answer = read_hidden(f"Cashfree {environment} client secret (typing is hidden): ")
    if answer is None:
        say("No client secret was given, so nothing was saved.")
        return exit_codes.BAD_INPUT
    try:
        secret = clean_secret(answer)
    except ValidationError as exc:
        say(f"Refused: {exc.message} Nothing was saved.")
        return exit_codes.BAD_INPUT
    store.set(environment, "app_id", Secret(app_id))
    store.set(environment, "client_secret", secret)
    print(
        f"Saved the Cashfree {environment} App ID ({app_id}) and client secret in the "
        "password store."
    )
    print(f"Check them with: pos-app credentials test --env {environment}")
    return OK


# ---- test --------------------------------------------------------------------------------------
def _test(environment: str, store: SecretStore) -> int:
    from pos_app.app import check_connection

    app_id = store.get(environment, "app_id")
    secret = store.get(environment, "client_secret")
    if app_id is None or secret is None:
        say(
            f"There are no Cashfree {environment} credentials on this till. Set them with "
            f"`pos-app credentials set --env {environment} --app-id YOUR_APP_ID`."
        )
        return exit_codes.SETUP
    if environment == "production" and os.environ.get(_BASE_URL_ENV):
        say(f"{_BASE_URL_ENV} is ignored for production: asking Cashfree's production host.")
    print(f"Checking the Cashfree {environment} credentials (App ID {app_id.reveal()})…")
    check = asyncio.run(check_connection(environment, app_id.reveal(), secret))
    stream = sys.stdout if check.works else sys.stderr
    print(check.describe(), file=stream)
    return exit_code_for(check)


# ---- delete ------------------------------------------------------------------------------------
def _delete(environment: str, settings: Settings, where: Paths, store: SecretStore) -> int:
    if not require_manager_pin(settings, where, what=f"remove the {environment} credentials"):
        return exit_codes.REFUSED
    store.delete(environment, "client_secret")
    store.delete(environment, "app_id")
    print(f"Removed the Cashfree {environment} App ID and client secret from the password store.")
    if settings.environment == environment:
        print(
            f"This till is set to use {environment}: it cannot take payments there until "
            "credentials are set again (the desk offers the demo meanwhile)."
        )
    return OK
