"""Diagnostics: proving Cashfree credentials without creating anything, and the About text.

`check_credentials` asks Cashfree for an order that cannot exist. A 404 proves the App ID
and secret were accepted (Cashfree checks them before it looks for the order); a 401 proves
they were not. Nothing is created at Cashfree either way.

`gather` and `diagnostics_text` build what the About dialog shows and "Copy diagnostics"
copies: versions, folders, environment, password store, the last Cashfree call and its
request id. The text goes through the log redaction before anyone sees it, so it cannot
carry a secret even if one were handed in by mistake.
"""

from __future__ import annotations

import importlib.metadata
import platform
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, Protocol

from pos_app import __version__
from pos_app.domain.redact import redact
from pos_app.domain.secret import Secret
from pos_app.domain.validate import ValidationError
from pos_app.gateway import errors

__all__ = [
    "MAX_APP_ID",
    "MAX_SECRET",
    "PACKAGES",
    "PROBE_PREFIX",
    "CallRecord",
    "ConnectionCheck",
    "Diagnostics",
    "OrderReader",
    "check_credentials",
    "clean_app_id",
    "clean_secret",
    "describe_call",
    "diagnostics_text",
    "gather",
    "probe_order_id",
    "versions",
]

PROBE_PREFIX = "pos-app-credential-check-"
# Distributions worth naming when something goes wrong (the first found of each group).
PACKAGES: tuple[tuple[str, ...], ...] = (
    ("PySide6-Essentials", "PySide6"),
    ("qasync",),
    ("httpx",),
    ("keyring",),
    ("SecretStorage",),
    ("qrcode",),
    ("platformdirs",),
)

Outcome = Literal["works", "refused", "unreachable", "trouble"]


# ---- what a person typed -------------------------------------------------------------------
MAX_APP_ID = 100
MAX_SECRET = 200


def _printable_word(text: str) -> bool:
    return all(33 <= ord(char) <= 126 for char in text)


def clean_app_id(text: str) -> str:
    """A Cashfree App ID as typed: surrounding spaces removed, then checked."""
    value = text.strip()
    if not value:
        raise ValidationError("app_id", "Enter the Cashfree App ID.")
    if len(value) > MAX_APP_ID or not _printable_word(value):
        raise ValidationError(
            "app_id",
            "That does not look like a Cashfree App ID: it has letters, digits and symbols "
            "only, with no spaces. Copy it again from the Cashfree dashboard.",
        )
    return value


def clean_secret(text: str) -> Secret:
    """A Cashfree client secret as typed. The error never repeats what was typed."""
    value = text.strip()
    if not value:
        raise ValidationError("client_secret", "Enter the Cashfree client secret.")
    if len(value) > MAX_SECRET or not _printable_word(value):
        raise ValidationError(
            "client_secret",
            "That does not look like a Cashfree client secret: it has letters, digits and "
            "symbols only, with no spaces. Copy it again from the Cashfree dashboard.",
        )
    return Secret(value)


# ---- proving the credentials -----------------------------------------------------------------
class OrderReader(Protocol):
    """What the check needs of a gateway (CashfreeGateway has it)."""

    async def get_order(self, order_id: str) -> object: ...


@dataclass(frozen=True, slots=True)
class ConnectionCheck:
    """How a credential check ended, in a sentence for the shop owner."""

    outcome: Outcome
    message: str
    request_id: str | None = None

    @property
    def works(self) -> bool:
        return self.outcome == "works"

    def describe(self) -> str:
        """The message, with Cashfree's request id to quote to support when there is one."""
        if self.request_id:
            return f"{self.message} (Cashfree request id: {self.request_id})"
        return self.message


def probe_order_id() -> str:
    """An order id nobody will ever have created (41 characters; Cashfree allows 45)."""
    return f"{PROBE_PREFIX}{uuid.uuid4().hex[:16]}"


def _place(environment: str) -> str:
    return "Cashfree production" if environment == "production" else f"Cashfree {environment}"


async def check_credentials(
    gateway: OrderReader, environment: str, *, order_id: str | None = None
) -> ConnectionCheck:
    """Ask for an order that cannot exist; say whether Cashfree accepted the credentials."""
    place = _place(environment)
    try:
        await gateway.get_order(order_id or probe_order_id())
    except errors.NotFoundError as error:
        return ConnectionCheck(
            "works",
            f"These credentials work: {place} accepted them. Nothing was created.",
            error.request_id,
        )
    except errors.AuthenticationError as error:
        return ConnectionCheck(
            "refused",
            f"Cashfree refused these credentials. Check that the App ID and the secret are "
            f"both the {environment} ones, copied whole from the Cashfree dashboard "
            "(Developers, API keys).",
            error.request_id,
        )
    except (errors.GatewayUnreachable, errors.GatewayTimeout) as error:
        return ConnectionCheck(
            "unreachable",
            f"Could not reach {place}, so the credentials were not checked. Check the "
            "internet connection and try again.",
            error.request_id,
        )
    except errors.GatewayError as error:
        status = f", HTTP {error.http_status}" if error.http_status is not None else ""
        return ConnectionCheck(
            "trouble",
            f"{place} could not check these credentials right now ({error.message}{status}). "
            "Try again in a minute.",
            error.request_id,
        )
    # An order with that id exists after all: the credentials were accepted all the same.
    return ConnectionCheck("works", f"These credentials work: {place} accepted them.")


# ---- what the About dialog shows --------------------------------------------------------------
class CallRecord(Protocol):
    """The gateway's note of its last HTTP attempt (pos_app.gateway.cashfree.CallInfo)."""

    @property
    def endpoint(self) -> str: ...

    @property
    def http_status(self) -> int | None: ...

    @property
    def request_id(self) -> str: ...

    @property
    def at(self) -> float: ...

    @property
    def attempt(self) -> int: ...


@dataclass(frozen=True, slots=True)
class Diagnostics:
    """Facts about this till, none of them secret."""

    taken_at: datetime
    versions: tuple[tuple[str, str], ...]
    environment: str
    data_dir: str
    config_dir: str
    log_dir: str
    keyring_backend: str
    credentials: tuple[tuple[str, bool | None], ...]  # environment -> saved (None: unknown)
    last_call: str


def versions(extra: Mapping[str, str] | None = None) -> tuple[tuple[str, str], ...]:
    """pos_app, Python, the OS, the packages that matter, then `extra` (e.g. the Qt runtime)."""
    found: list[tuple[str, str]] = [
        ("pos_app", __version__),
        ("Python", f"{platform.python_version()} ({platform.python_implementation()})"),
        ("System", platform.platform()),
    ]
    for group in PACKAGES:
        for name in group:
            try:
                found.append((name, importlib.metadata.version(name)))
            except importlib.metadata.PackageNotFoundError:
                continue
            break
    found.extend((extra or {}).items())
    return tuple(found)


def _ago(seconds: float) -> str:
    whole = max(0, round(seconds))
    if whole < 120:
        return f"{whole} second{'s' if whole != 1 else ''} ago"
    minutes = whole // 60
    if minutes < 120:
        return f"{minutes} minutes ago"
    return f"{minutes // 60} hours ago"


def describe_call(call: CallRecord | None, now: float) -> str:
    """The last Cashfree call in one line; `now` is on the gateway's clock (monotonic)."""
    if call is None:
        return "none yet"
    answer = f"HTTP {call.http_status}" if call.http_status is not None else "no answer"
    retry = f", attempt {call.attempt}" if call.attempt > 1 else ""
    return (
        f"{call.endpoint}: {answer}{retry}, {_ago(now - call.at)}; "
        f"request id {call.request_id or 'none'}"
    )


def gather(
    *,
    environment: str,
    data_dir: object,
    config_dir: object,
    log_dir: object,
    keyring_backend: str,
    credentials: Mapping[str, bool | None] | None = None,
    last_call: CallRecord | None = None,
    now: float = 0.0,
    extra_versions: Mapping[str, str] | None = None,
    taken_at: datetime | None = None,
) -> Diagnostics:
    return Diagnostics(
        taken_at=taken_at or datetime.now(UTC),
        versions=versions(extra_versions),
        environment=environment,
        data_dir=str(data_dir),
        config_dir=str(config_dir),
        log_dir=str(log_dir),
        keyring_backend=keyring_backend,
        credentials=tuple((credentials or {}).items()),
        last_call=describe_call(last_call, now),
    )


def _saved(value: bool | None) -> str:
    if value is None:
        return "unknown (the password store did not answer)"
    return "saved" if value else "not saved"


def diagnostics_text(diag: Diagnostics, secrets: Iterable[Secret | str] = ()) -> str:
    """The text "Copy diagnostics" puts on the clipboard. Redacted like the log, and any
    value in `secrets` is masked too."""
    lines = [f"Cashfree till diagnostics, {diag.taken_at.isoformat(timespec='seconds')}"]
    lines.append("Versions:")
    lines.extend(f"  {name}: {version}" for name, version in diag.versions)
    lines.append(f"Environment: {diag.environment}")
    lines.append(f"Data folder: {diag.data_dir}")
    lines.append(f"Settings folder: {diag.config_dir}")
    lines.append(f"Log folder: {diag.log_dir}")
    lines.append(f"Password store: {diag.keyring_backend}")
    for environment, saved in diag.credentials:
        lines.append(f"Cashfree {environment} credentials: {_saved(saved)}")
    lines.append(f"Last Cashfree call: {diag.last_call}")
    text = redact("\n".join(lines) + "\n")
    for value in secrets:
        raw = value.reveal() if isinstance(value, Secret) else value
        if raw:
            text = text.replace(raw, "***")
    return text
