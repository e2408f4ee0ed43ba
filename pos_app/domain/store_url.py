"""The store database's address as a till keeps it: a postgresql:// URL without its password.

`split_store_url` checks what a person typed and takes the password out (it goes to the OS
keyring; settings only ever hold the rest). Pure: no I/O, no driver import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, unquote, urlsplit, urlunsplit

__all__ = ["StoreUrl", "check_store_url", "check_webhook_url", "split_store_url"]

_SCHEMES = ("postgresql", "postgres")
_MAX = 500
_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,63}$")


@dataclass(frozen=True, slots=True)
class StoreUrl:
    url: str  # without a password
    password: str | None  # handed straight to the keyring; never shown

    def __repr__(self) -> str:
        return f"StoreUrl(url={self.url!r}, password={'***' if self.password else None})"


def split_store_url(text: str) -> StoreUrl:
    """Check a store-database URL and take its password out.

    Raises ValueError with a sentence that never repeats the password.
    """
    raw = text.strip()
    if not raw or len(raw) > _MAX or any(c.isspace() for c in raw):
        raise ValueError(
            f"store_database_url: give one postgresql://USER@HOST:PORT/DATABASE address "
            f"(at most {_MAX} characters, no spaces)"
        )
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        raise ValueError(
            "store_database_url: this is not a valid address; use "
            "postgresql://USER@HOST:PORT/DATABASE"
        ) from None
    if parts.scheme not in _SCHEMES:
        raise ValueError("store_database_url: it must start with postgresql://")
    if not parts.hostname:
        raise ValueError("store_database_url: name the database server (the HOST part)")
    database = unquote(parts.path.lstrip("/"))
    if not _NAME.match(database):
        raise ValueError("store_database_url: name the database after the last /, e.g. /store")
    if any(key.lower() == "password" for key, _ in parse_qsl(parts.query)):
        raise ValueError(
            "store_database_url: put the password before the @ (user:password@host), "
            "not in ?password=; it is then kept in the OS keyring"
        )
    password = unquote(parts.password) if parts.password else None
    user = unquote(parts.username) if parts.username else None
    host = parts.hostname
    if ":" in host:
        host = f"[{host}]"
    netloc = (quote(user, safe="") + "@" if user else "") + host
    if port is not None:
        netloc += f":{port}"
    clean = urlunsplit(("postgresql", netloc, "/" + database, parts.query, ""))
    return StoreUrl(clean, password)


def check_store_url(value: object) -> str:
    """A stored setting: must be a valid URL that holds no password."""
    if not isinstance(value, str):
        raise ValueError("store_database_url: must be a postgresql:// address")
    split = split_store_url(value)
    if split.password is not None:
        raise ValueError(
            "store_database_url: a password never goes into the settings; set the address "
            "with `pos-app config set store_database_url URL` and it is moved to the keyring"
        )
    return split.url


def check_webhook_url(value: object) -> str:
    """The store's public webhook URL, sent to Cashfree as order_meta.notify_url: https
    only, at most 250 characters (Cashfree's limit), no credentials in it."""
    if not isinstance(value, str):
        raise ValueError("store_webhook_url: must be an https:// address")
    raw = value.strip()
    try:
        parts = urlsplit(raw)
    except ValueError:
        parts = None
    if (
        parts is None
        or parts.scheme != "https"
        or not parts.hostname
        or parts.username is not None
        or len(raw) > 250
        or any(c.isspace() for c in raw)
    ):
        raise ValueError(
            "store_webhook_url: give the public https:// address of the webhook receiver "
            "(at most 250 characters), e.g. https://pay.example.shop/cashfree/webhook"
        )
    return raw
