"""`pos-app config show` and `pos-app config set KEY VALUE`.

`show` prints every setting as `key = value`, in the form `set` accepts back; the manager
PIN appears only as "set" or "not set". `set` checks the value first (a typo costs no PIN
try), then asks for the manager PIN once one is set. `config set manager_pin` reads the
new PIN from a hidden prompt (twice) or from stdin (once), never from the command line.
Switching to production needs a manager PIN and says plainly that real money will move.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from pos_app.commands import exit_codes
from pos_app.commands.output import say
from pos_app.commands.pin_prompt import interactive, read_hidden, require_manager_pin
from pos_app.config import Paths, Settings, load_settings, paths, save_settings, settings_file
from pos_app.domain.store_phone import fallback_phone
from pos_app.domain.validate import ValidationError
from pos_app.secrets import KeyringSecretStore, SecretStore, SecretStoreError
from pos_app.services.manager.card_policy import CARD_ACKNOWLEDGEMENT, CONFIRM_WORD
from pos_app.services.manager.pin import PinGuard, validate_new_pin

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
    if key in ("manager_pin_hash", "manager_pin_fingerprint"):
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
        env = getattr(args, "env", None)
        return _show(loaded.settings, where, as_json=bool(getattr(args, "json", False)), env=env)
    if action == "set":
        key = str(args.key)
        value = getattr(args, "value", None)
        if key in PIN_KEYS:
            return _set_pin(
                loaded.settings, where, value, reset=bool(getattr(args, "reset", False))
            )
        return _set(loaded.settings, where, key, value, store)
    say("Say what to do: pos-app config show | set KEY VALUE (see --help).")
    return exit_codes.BAD_INPUT


def for_run(settings: Settings, env: str) -> str:
    """What a run with --env ENV takes from the shared settings, in one line."""
    phone = fallback_phone(settings.default_customer_phone, env)
    if phone is None:
        sent = "none set: a sale without the customer's number is refused"
    elif phone != settings.default_customer_phone:
        sent = f"{phone} (the demo's stand-in)"
    else:
        sent = phone
    return (
        f"for --env {env} (the settings are shared by every environment; `environment` is "
        f"the one used without --env): the store number sent to Cashfree is {sent}"
    )


def _show(settings: Settings, where: Paths, *, as_json: bool, env: str | None = None) -> int:
    if as_json:
        shown = settings.to_dict()
        shown["manager_pin_hash"] = display_value("manager_pin_hash", settings.manager_pin_hash)
        if env is not None:
            shown["for_run"] = {
                "environment": env,
                "store_phone_sent": fallback_phone(settings.default_customer_phone, env),
            }
        print(json.dumps(shown, indent=2, ensure_ascii=False))
        return OK
    print(f"# {settings_file(where)}")
    if env is not None:
        print(f"# {for_run(settings, env)}")
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
    if key in ("manager_pin_hash", "manager_pin_fingerprint"):
        say("Refused: the manager PIN is set with `pos-app config set manager_pin`.")
        return exit_codes.BAD_INPUT
    if value is None:
        say(f"Give the new value: pos-app config set {key} VALUE")
        return exit_codes.BAD_INPUT
    if key == "store_database_url":
        from pos_app.commands.store_join import set_store_url

        return set_store_url(settings, where, value, store)
    try:
        updated = settings.replace_value(key, value)
    except ValueError as exc:
        say(f"Refused: {exc}")
        return exit_codes.BAD_INPUT
    shown = display_value(key, getattr(updated, key))
    if updated == settings:
        print(f"{key} is already {shown}; nothing changed.")
        return OK
    if key == "environment":
        from pos_app.services.manager.policy import load_policy

        pinned = load_policy().policy
        if pinned is not None and pinned.environment not in (None, updated.environment):
            say(
                f"Refused: the shop's policy file locks this till to {pinned.environment}; "
                "only an administrator can change that."
            )
            return exit_codes.REFUSED
    to_production = updated.environment == "production" != settings.environment
    if to_production:
        from pos_app.commands.pin_prompt import manager_access_here

        access, _vault = manager_access_here(settings, where, environment="production")
        if access.state == "refused":
            say(NO_PIN_FOR_PRODUCTION)
            return exit_codes.REFUSED
        say(REAL_MONEY_SWITCH)
    if key == "card_payments_enabled" and updated.card_payments_enabled:
        refused = card_switch_refused(settings, where)
        if refused is not None:
            return refused
    gate = "production" if to_production else None
    if not require_manager_pin(settings, where, what=f"change {key}", environment=gate):
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


def card_switch_refused(settings: Settings, where: Paths) -> int | None:
    """Card payments go on only with a manager PIN set and the acknowledgement typed."""
    from pos_app.commands.pin_prompt import manager_access_here

    # As for production: the gate refuses when this till has no manager PIN at all.
    access, _vault = manager_access_here(settings, where, environment="production")
    if access.state == "refused":
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


def _set_pin(settings: Settings, where: Paths, value: str | None, *, reset: bool = False) -> int:
    from pos_app.commands.pin_prompt import manager_access_here
    from pos_app.services.manager.gate import set_manager_pin
    from pos_app.services.manager.pin_vault import VaultPinGuard, read_vault

    if value is not None:
        say(NO_ARGV_PIN)
        return exit_codes.BAD_INPUT
    try:
        access, vault = manager_access_here(settings, where)
    except SecretStoreError as exc:
        say(exc.message)
        return exit_codes.SETUP
    if access.source == "policy":
        say(
            "Refused: this till's manager PIN is pinned by the shop's policy file; only an "
            "administrator can change it there." + (f" {access.message}" if access.message else "")
        )
        return exit_codes.REFUSED
    if access.state == "ask" and reset:
        say("Refused: --reset is only for a locked PIN. Give the current PIN instead.")
        return exit_codes.BAD_INPUT
    if access.state == "ask":
        if not require_manager_pin(settings, where, what="change the manager PIN", store=vault):
            return exit_codes.REFUSED
    elif access.state == "locked" and not reset:
        try:
            record = read_vault(vault)
        except SecretStoreError as exc:
            say(exc.message)
            return exit_codes.SETUP
        if record is None or record.pin_hash is None:
            say(f"Refused: {access.message}")
            return exit_codes.REFUSED
        # Repair: the PIN the password store holds proves the manager.
        say(access.message or "")
        if not _check_stored_pin(VaultPinGuard(time.time, vault), record.pin_hash):
            return exit_codes.REFUSED
    elif access.state == "locked":
        say(
            "Resetting the manager PIN. This is recorded in the journal as "
            '"manager_pin_replaced", which `pos-app report` lists first for the manager.'
        )
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
    try:
        set_manager_pin(where, settings, settings.environment, vault, pin)
    except SecretStoreError as exc:
        say(f"{exc.message} Nothing was changed.")
        return exit_codes.SETUP
    except OSError as exc:
        say(
            f"The settings could not be saved to {settings_file(where)} "
            f"({exc.strerror or exc}). Set the PIN again."
        )
        return exit_codes.SETUP
    print(
        "The manager PIN is set (kept in this computer's password store). It is asked "
        "before settings, credentials and refunds."
    )
    return OK


def _check_stored_pin(guard: PinGuard, encoded: str) -> bool:
    from pos_app.commands.pin_prompt import try_pin

    pin = read_hidden("The manager PIN kept in the password store: ")
    if not pin:
        say("No manager PIN was given, so nothing was changed.")
        return False
    damaged = "The PIN in the password store is damaged: use --reset."
    outcome = try_pin(guard, pin, encoded, damaged=damaged)
    if outcome == "wrong":
        say("Wrong manager PIN.")
    return outcome == "right"
