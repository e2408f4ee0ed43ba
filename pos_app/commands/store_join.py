"""`pos-app config set store_database_url URL`: join this till to a store database (the
URL's password goes to the OS keyring, the rest to the settings). No database driver is
needed for this: the till connects from its next start."""

from __future__ import annotations

import dataclasses

from pos_app.commands import exit_codes
from pos_app.commands.output import say
from pos_app.commands.pin_prompt import require_manager_pin
from pos_app.config import Paths, Settings, save_settings
from pos_app.domain.store_url import split_store_url
from pos_app.secrets import (
    STORE_DATABASE,
    KeyringSecretStore,
    Secret,
    SecretStore,
    SecretStoreError,
)

__all__ = ["set_store_url"]

OK = 0


def set_store_url(
    settings: Settings, where: Paths, value: str, secrets: SecretStore | None = None
) -> int:
    """Save the URL without its password; the password (if the URL has one) goes to the
    keyring. `none` leaves the store database (and forgets its password)."""
    keyring_store: SecretStore = secrets if secrets is not None else KeyringSecretStore()
    leaving = value.strip().lower() in ("", "none", "null")
    if leaving:
        updated = dataclasses.replace(settings, store_database_url=None)
        password = None
    else:
        try:
            split = split_store_url(value)
        except ValueError as exc:
            say(f"Refused: {exc}")
            return exit_codes.BAD_INPUT
        updated = dataclasses.replace(settings, store_database_url=split.url)
        password = split.password
    if not require_manager_pin(settings, where, what="change store_database_url"):
        return exit_codes.REFUSED
    try:
        if password:
            keyring_store.set(*STORE_DATABASE, Secret(password))
        elif leaving:
            keyring_store.delete(*STORE_DATABASE)
    except SecretStoreError as exc:
        say(f"{exc.message} Nothing was changed.")
        return exit_codes.SETUP
    try:
        save_settings(where, updated)
    except OSError as exc:
        say(f"The settings could not be saved ({exc.strerror or exc}). Nothing was changed.")
        return exit_codes.SETUP
    if leaving:
        print("store_database_url = none (this till no longer syncs to a store database)")
        return OK
    print(f"store_database_url = {updated.store_database_url}")
    if password:
        print("The password was saved in the OS keyring, not in the settings.")
    print("The till uses the new value from its next start; `pos-app store sync` pushes now.")
    return OK
