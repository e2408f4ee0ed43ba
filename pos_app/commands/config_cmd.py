"""`pos-app config show` and `pos-app config set KEY VALUE`.

`show` prints every setting as `key = value`, in the form `set` accepts back; the manager
PIN appears only as "set" or "not set". `set` checks the value first (a typo costs no PIN
try), then asks for the manager PIN once one is set. `config set manager_pin` reads the
new PIN from a hidden prompt (twice) or from stdin (once), never from the command line.
Switching to production needs a manager PIN and says plainly that real money will move.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys

from pos_app.commands import exit_codes
from pos_app.commands.output import say
from pos_app.commands.pin_prompt import interactive, read_hidden, require_manager_pin
from pos_app.config import Paths, Settings, load_settings, paths, save_settings, settings_file
from pos_app.domain.validate import ValidationError
from pos_app.secrets import KeyringSecretStore, SecretStore, SecretStoreError
from pos_app.services.card_policy import CARD_ACKNOWLEDGEMENT, CONFIRM_WORD
from pos_app.services.manager_pin import hash_pin, validate_new_pin

__all__ = ["PIN_KEYS", "display_value", "run_config", "settings_lines"]

OK = 0
PIN_KEYS = ("manager_pin", "pin")

REAL_MONEY_SWITCH = (
    "Switching this till to PRODUCTION: from now on every sale is a real payment and real "
    "money moves from real customers to the shop's Cashfree account."
)
NO_PIN_FOR_PRODUCTION = (
    "Refused: set a manager PIN before switching to production, so only a manager can "
    "change where real money goes: `pos-app config set manager_pin`."
)
NO_ARGV_PIN = (
    "Refused: the manager PIN is never taken from the command line, where shell history "
    "and other programs could read it. Run `pos-app config set manager_pin` and type it "
    "when asked, or pipe it on stdin."
)
COLLECT_NOTE = (
    "Note: NPCI has been phasing out UPI requests (collect) for merchant payments since "
    "28 Feb 2026. Cashfree may refuse them; the UPI QR always works."
)


def display_value(key: str, value: object) -> str:
    """A setting as `config set` accepts it back; the PIN hash only as set / not set."""
    if key == "manager_pin_hash":
        return "set" if value else "not set"
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ",".join(str(item) for item in value)
    return str(value)


def settings_lines(settings: Settings) -> list[str]:
    values = settings.to_dict()
    width = max(len(key) for key in values)
    return [f"{key.ljust(width)} = {display_value(key, value)}" for key, value in values.items()]


def run_config(args: argparse.Namespace, store: SecretStore | None = None) -> int:
    """Entry point from dispatch: args.config_action is show or set."""
    where = paths()
    loaded = load_settings(where)
    if loaded.notice:
        say(loaded.notice)
    action = getattr(args, "config_action", None)
    if action == "show":
        return _show(loaded.settings, where, as_json=bool(getattr(args, "json", False)))
    if action == "set":
        key = str(args.key)
        value = getattr(args, "value", None)
        if key in PIN_KEYS:
            return _set_pin(loaded.settings, where, value)
        return _set(loaded.settings, where, key, value, store)
    say("Say what to do: pos-app config show | set KEY VALUE (see --help).")
    return exit_codes.BAD_INPUT


def _show(settings: Settings, where: Paths, *, as_json: bool) -> int:
    if as_json:
        shown = settings.to_dict()
        shown["manager_pin_hash"] = display_value("manager_pin_hash", settings.manager_pin_hash)
        print(json.dumps(shown, indent=2, ensure_ascii=False))
        return OK
    print(f"# {settings_file(where)}")
    for line in settings_lines(settings):
        print(line)
    return OK


def _save(where: Paths, settings: Settings) -> int | None:
    try:
        save_settings(where, settings)
    except OSError as exc:
        say(
            f"The settings could not be saved to {settings_file(where)} "
            f"({exc.strerror or exc}). Nothing was changed."
        )
        return exit_codes.SETUP
    return None


def _set(
    settings: Settings, where: Paths, key: str, value: str | None, store: SecretStore | None
) -> int:
    if key == "manager_pin_hash":
        say("Refused: the manager PIN is set with `pos-app config set manager_pin`.")
        return exit_codes.BAD_INPUT
    if value is None:
        say(f"Give the new value: pos-app config set {key} VALUE")
        return exit_codes.BAD_INPUT
    try:
        updated = settings.replace_value(key, value)
    except ValueError as exc:
        say(f"Refused: {exc}")
        return exit_codes.BAD_INPUT
    shown = display_value(key, getattr(updated, key))
    if updated == settings:
        print(f"{key} is already {shown}; nothing changed.")
        return OK
    to_production = updated.environment == "production" != settings.environment
    if to_production:
        if settings.manager_pin_hash is None:
            say(NO_PIN_FOR_PRODUCTION)
            return exit_codes.REFUSED
        say(REAL_MONEY_SWITCH)
    if key == "card_payments_enabled" and updated.card_payments_enabled:
        refused = card_switch_refused(settings)
        if refused is not None:
            return refused
    if not require_manager_pin(settings, where, what=f"change {key}"):
        return exit_codes.REFUSED
    failed = _save(where, updated)
    if failed is not None:
        return failed
    print(f"{key} = {shown}")
    if key == "environment" and updated.environment in ("sandbox", "production"):
        _warn_without_credentials(updated.environment, store)
    if key == "collect_enabled" and updated.collect_enabled:
        say(COLLECT_NOTE)
    print("The till uses the new value from its next start.")
    return OK


def read_line(prompt: str) -> str | None:
    """One visible answer: typed at a terminal, or the next line of stdin otherwise."""
    if interactive():
        try:
            return input(prompt)
        except EOFError:
            return None
    line = sys.stdin.readline() if sys.stdin is not None else ""
    return line or None


def card_switch_refused(settings: Settings) -> int | None:
    """Card payments go on only with a manager PIN set and the acknowledgement typed."""
    if settings.manager_pin_hash is None:
        say(
            "Refused: set a manager PIN before switching card payments on, so only a manager "
            "can: `pos-app config set manager_pin`."
        )
        return exit_codes.REFUSED
    say(CARD_ACKNOWLEDGEMENT)
    answer = read_line(f"Type {CONFIRM_WORD} to confirm: ")
    if (answer or "").strip() != CONFIRM_WORD:
        say("Not confirmed: card payments stay off.")
        return exit_codes.REFUSED
    return None


def _warn_without_credentials(environment: str, store: SecretStore | None) -> None:
    keyring_store: SecretStore = store if store is not None else KeyringSecretStore()
    try:
        saved = keyring_store.get(environment, "client_secret") is not None
        saved = saved and keyring_store.get(environment, "app_id") is not None
    except SecretStoreError as exc:
        say(exc.message)
        return
    if not saved:
        say(
            f"There are no {environment} credentials on this till yet: set them with "
            f"`pos-app credentials set --env {environment} --app-id YOUR_APP_ID`."
        )


def _set_pin(settings: Settings, where: Paths, value: str | None) -> int:
    if value is not None:
        say(NO_ARGV_PIN)
        return exit_codes.BAD_INPUT
    if settings.manager_pin_hash is not None and not require_manager_pin(
        settings, where, what="change the manager PIN"
    ):
        return exit_codes.REFUSED
    first = read_hidden("New manager PIN, 4 to 8 digits (typing is hidden): ")
    if not first:
        say("No new PIN was given, so nothing was changed.")
        return exit_codes.BAD_INPUT
    try:
        pin = validate_new_pin(first)
    except ValidationError as exc:
        say(f"Refused: {exc.message}")
        return exit_codes.BAD_INPUT
    if interactive():
        again = read_hidden("The new PIN again: ")
        if again != pin:
            say("The two PINs are not the same, so nothing was changed.")
            return exit_codes.BAD_INPUT
    failed = _save(where, dataclasses.replace(settings, manager_pin_hash=hash_pin(pin)))
    if failed is not None:
        return failed
    print("The manager PIN is set. It is asked before settings, credentials and refunds.")
    return OK
