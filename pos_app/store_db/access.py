"""How a till reaches its store database: the URL from settings, the password from the OS
keyring (never from settings), and this till's key (store, till, environment)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from psycopg import AsyncConnection

from pos_app.config import Settings
from pos_app.domain.redact import register_secret
from pos_app.domain.store_url import split_store_url
from pos_app.secrets import (
    STORE_DATABASE,
    KeyringSecretStore,
    Secret,
    SecretStore,
    SecretStoreError,
)
from pos_app.store_db.connect import StoreDbError, connect
from pos_app.store_db.push import TillKey

__all__ = ["NOT_JOINED", "StoreAccess", "read_password", "store_access"]

log = logging.getLogger(__name__)

NOT_JOINED = (
    "This till has no store database yet. Join one with "
    "`pos-app config set store_database_url postgresql://USER:PASSWORD@HOST:5432/DATABASE` "
    "(the password is moved to the OS keyring), after `pos-app store init` prepared it."
)


@dataclass(frozen=True, slots=True)
class StoreAccess:
    url: str  # without a password
    password: Secret | None
    till: TillKey

    def connector(
        self, application_name: str = "pos-app"
    ) -> Callable[[], Awaitable[AsyncConnection[tuple[object, ...]]]]:
        def open_one() -> Awaitable[AsyncConnection[tuple[object, ...]]]:
            return connect(self.url, self.password, application_name=application_name)

        return open_one


def read_password(secrets: SecretStore | None = None) -> Secret | None:
    store = secrets if secrets is not None else KeyringSecretStore()
    try:
        password = store.get(*STORE_DATABASE)
    except SecretStoreError as exc:
        # A store database without a password (trust, peer, certificates, ~/.pgpass) still
        # works; one that needs it will say so when the till connects.
        log.warning("store database password not read from the keyring: %s", exc.message)
        return None
    if password:
        register_secret(password)
    return password


def store_access(
    settings: Settings,
    environment: str,
    *,
    url: str | None = None,
    secrets: SecretStore | None = None,
) -> StoreAccess:
    """The store database for this till; `url` overrides the setting for one run (its
    password, if it has one, is used for that run only). Raises StoreDbError when none is
    configured."""
    given = url or settings.store_database_url
    if not given:
        raise StoreDbError(NOT_JOINED)
    try:
        split = split_store_url(given)
    except ValueError as exc:
        raise StoreDbError(str(exc)) from None
    password = Secret(split.password) if split.password else read_password(secrets)
    if split.password:
        register_secret(password)  # type: ignore[arg-type]
    till = TillKey(settings.store_id, settings.terminal_id, environment)
    return StoreAccess(split.url, password, till)
