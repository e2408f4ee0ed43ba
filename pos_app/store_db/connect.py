"""Opening a connection to the store database, with the password from the keyring.

The password is handed to libpq as a separate parameter, never put into a URL, so it
cannot surface in an error message, a log line or argv. Every failure becomes
StoreDbError with a sentence a shop owner can act on.
"""

from __future__ import annotations

import psycopg
from psycopg import AsyncConnection

from pos_app.secrets import Secret

__all__ = ["CONNECT_TIMEOUT", "NOT_PREPARED", "StoreDbError", "connect", "describe_error"]

CONNECT_TIMEOUT = 5  # seconds; a till must not hang on an unreachable store database


class StoreDbError(Exception):
    """The store database could not be used; `message` says why in plain words."""

    def __init__(self, message: str, *, reachable: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.reachable = reachable


NOT_PREPARED = (
    "This database is not prepared as a store database yet (or by an older pos-app): "
    "run `pos-app store init` once."
)


def describe_error(exc: BaseException, password: Secret | None = None) -> str:
    """A one-line reason for a driver error, with the password (if any) blanked out."""
    if isinstance(exc, psycopg.errors.UndefinedTable | psycopg.errors.UndefinedColumn):
        return NOT_PREPARED
    text = " ".join(str(exc).split()) or type(exc).__name__
    if password:
        text = text.replace(password.reveal(), "***")
    return text[:300]


async def connect(
    url: str,
    password: Secret | None = None,
    *,
    autocommit: bool = True,
    application_name: str = "pos-app",
) -> AsyncConnection[tuple[object, ...]]:
    """Connect to the store database at `url` (a URL without password)."""
    kwargs: dict[str, object] = {
        "autocommit": autocommit,
        "connect_timeout": CONNECT_TIMEOUT,
        "application_name": application_name[:63],
    }
    if password:
        kwargs["password"] = password.reveal()
    try:
        return await AsyncConnection.connect(url, **kwargs)  # type: ignore[arg-type]
    except psycopg.Error as exc:
        raise StoreDbError(
            f"The store database at {url} did not answer or refused this till: "
            f"{describe_error(exc, password)}"
        ) from None
