"""Where the till keeps its files, and the shop's settings.

Folders come from platformdirs (app name "pos_app"), or all live under $POS_DATA_DIR when
it is set. Settings are a frozen dataclass stored as JSON in ``config_dir/settings.json``,
written atomically with 0600 permissions. A damaged settings file never stops the till:
it is moved aside, the defaults are used, and a notice says so.

Settings never hold a secret: the Cashfree client secret lives only in the OS keyring.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import platformdirs

from pos_app.domain import validate
from pos_app.domain.environment import NAMES
from pos_app.domain.money import MINIMUM
from pos_app.domain.sale import Method
from pos_app.domain.store_url import check_store_url, check_webhook_url
from pos_app.voice.languages import DEFAULT_LANGUAGE, LANGUAGES

__all__ = [
    "APP_NAME",
    "DATA_DIR_ENV",
    "SETTINGS_FILE",
    "LoadResult",
    "Paths",
    "Settings",
    "journal_path",
    "load_settings",
    "paths",
    "save_settings",
    "settings_file",
]

APP_NAME = "pos_app"
DATA_DIR_ENV = "POS_DATA_DIR"
SETTINGS_FILE = "settings.json"

_TERMINAL = re.compile(r"^[A-Za-z0-9]{1,8}$")
_STORE_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_PHONE = re.compile(r"^[6-9][0-9]{9}$")
_GSTIN = re.compile(r"^[0-9]{2}[A-Z]{5}[0-9]{4}[A-Z][1-9A-Z]Z[0-9A-Z]$")
_WHOLE = re.compile(r"^[0-9]{1,15}$")
_DECIMAL = re.compile(r"^[0-9]{1,9}(?:\.[0-9]{1,6})?$")
_FINGERPRINT = re.compile(r"^[0-9a-f]{16}$")
_MAX_AMOUNT_CAP = 10**14  # paise; far above any single sale


# ---- folders -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Paths:
    data_dir: Path
    config_dir: Path
    log_dir: Path


def paths() -> Paths:
    """The till's folders, created if missing (owner-only where the OS allows)."""
    root = os.environ.get(DATA_DIR_ENV, "").strip()
    if root:
        base = Path(root).expanduser()
        where = Paths(data_dir=base / "data", config_dir=base / "config", log_dir=base / "logs")
    else:
        where = Paths(
            data_dir=Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
            config_dir=Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
            log_dir=Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
        )
    for folder in (where.data_dir, where.config_dir, where.log_dir):
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        _owner_only(folder)
    return where


def _owner_only(folder: Path) -> None:
    """mkdir's mode applies only to a new folder: an existing one is tightened too."""
    if os.name != "posix":
        return
    try:
        if folder.stat().st_mode & 0o077:
            folder.chmod(0o700)
    except OSError:  # not ours to change; the files inside are still 0600
        pass


def journal_path(where: Paths, environment: str) -> Path:
    """One journal per environment, so demo and sandbox sales never mix with real ones."""
    if environment not in NAMES:
        raise ValueError(f"environment must be one of {', '.join(NAMES)}")
    return where.data_dir / f"journal-{environment}.sqlite3"


# ---- settings ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Settings:
    """The shop's choices. Every value is checked on construction (ValueError "key: why")."""

    store_name: str = "My Store"
    terminal_id: str = "T1"
    default_customer_phone: str | None = None
    environment: str = "demo"
    order_expiry_minutes: int = 15
    enabled_methods: tuple[str, ...] = (Method.UPI_QR.value, Method.LINK.value)
    collect_enabled: bool = False
    # Card number + OTP at the till; switched on only with the manager PIN and an explicit
    # acknowledgement (services/manager/card_policy.py).
    card_payments_enabled: bool = False
    # Cashfree's checkout embedded on the customer screen (needs the `kiosk` extra).
    embedded_checkout: bool = False
    max_amount_paise: int = 1_00_000_00
    sound: bool = True
    customer_display_screen: int | None = None
    manager_pin_hash: str | None = None  # legacy: moved to the password store on first use
    manager_pin_fingerprint: str | None = None  # names the PIN kept in the password store
    poll_fast_interval: float = 1.6
    poll_fast_for: float = 120.0
    poll_medium_interval: float = 3.0
    poll_medium_until: float = 300.0
    poll_slow_interval: float = 10.0
    late_sweep_hours: float = 24.0
    duplicate_window_minutes: float = 5.0
    voice: bool = True  # say "₹450 received" when a sale is paid
    voice_language: str = DEFAULT_LANGUAGE
    voice_volume: int = 80  # percent
    voice_say_bill: bool = False
    # The MCP server (`pos-app mcp`): the largest amount one tool call may charge (None:
    # the till's max_amount_paise), and how many calls per minute each tool accepts.
    mcp_max_amount_paise: int | None = None
    mcp_calls_per_minute: int = 20
    store_address: str | None = None  # printed on receipts
    store_gstin: str | None = None  # GST number, printed on receipts
    # Several tills on one shared store database (issue 17); the password is in the keyring.
    store_database_url: str | None = None
    store_id: str = "store"
    store_webhook_url: str | None = None  # public https URL of the webhook receiver

    def __post_init__(self) -> None:
        for name in _RULES:
            object.__setattr__(self, name, _check(name, getattr(self, name)))
        if self.poll_medium_until < self.poll_fast_for:
            raise ValueError("poll_medium_until: must not be shorter than poll_fast_for")

    @property
    def methods(self) -> tuple[Method, ...]:
        return tuple(Method(value) for value in self.enabled_methods)

    @classmethod
    def from_mapping(cls, data: Mapping[str, object]) -> Settings:
        """Build from parsed JSON; unknown keys are ignored, bad values raise ValueError."""
        known = {f.name for f in fields(cls)}
        values = {key: value for key, value in data.items() if key in known}
        methods = values.get("enabled_methods")
        if isinstance(methods, list):
            values["enabled_methods"] = tuple(methods)
        typed: dict[str, Any] = values
        return cls(**typed)

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = list(value) if isinstance(value, tuple) else value
        return out

    def replace_value(self, key: str, text: str) -> Settings:
        """A copy with one setting changed from typed text (for `pos-app config set`).

        Raises ValueError with a sentence naming the setting and what it accepts.
        """
        names = [f.name for f in fields(self)]
        if key not in names:
            raise ValueError(f"There is no setting called {key!r}. Settings: {', '.join(names)}.")
        if key in ("manager_pin_hash", "manager_pin_fingerprint"):
            raise ValueError(
                "manager_pin_hash: the manager PIN is set from the manager screen, "
                "which stores only its hash; it cannot be typed here."
            )
        changes: dict[str, Any] = {key: _from_text(key, text)}
        return replace(self, **changes)


@dataclass(frozen=True, slots=True)
class LoadResult:
    settings: Settings
    notice: str | None = None  # a sentence for the owner when the file could not be used


# ---- rules: one per setting, used for checking values and for parsing typed text --------


@dataclass(frozen=True, slots=True)
class _Rule:
    # text | terminal | phone | environment | whole | methods | flag | pin | number | gstin
    # | language | fingerprint
    kind: str
    optional: bool = False  # None is allowed
    low: int = 0
    high: int = 0
    positive: bool = False  # numbers: zero is not allowed
    hint: str = ""


_RULES: dict[str, _Rule] = {
    "store_name": _Rule("text", high=60),
    "terminal_id": _Rule("terminal"),
    "default_customer_phone": _Rule("phone", optional=True),
    "environment": _Rule("environment"),
    "order_expiry_minutes": _Rule("whole", low=5, high=1440, hint=" of minutes"),
    "enabled_methods": _Rule("methods"),
    "collect_enabled": _Rule("flag"),
    "card_payments_enabled": _Rule("flag"),
    "embedded_checkout": _Rule("flag"),
    "max_amount_paise": _Rule(
        "whole", low=MINIMUM.paise, high=_MAX_AMOUNT_CAP, hint=" of paise (₹1,000.00 is 100000)"
    ),
    "sound": _Rule("flag"),
    "customer_display_screen": _Rule("whole", optional=True, low=0, high=16),
    "manager_pin_hash": _Rule("pin", optional=True),
    "manager_pin_fingerprint": _Rule("fingerprint", optional=True),
    "poll_fast_interval": _Rule("number", positive=True, hint=" of seconds"),
    "poll_fast_for": _Rule("number", hint=" of seconds"),
    "poll_medium_interval": _Rule("number", positive=True, hint=" of seconds"),
    "poll_medium_until": _Rule("number", hint=" of seconds"),
    "poll_slow_interval": _Rule("number", positive=True, hint=" of seconds"),
    "late_sweep_hours": _Rule("number", hint=" of hours"),
    "duplicate_window_minutes": _Rule("number", hint=" of minutes"),
    "voice": _Rule("flag"),
    "voice_language": _Rule("language"),
    "voice_volume": _Rule("whole", low=0, high=100, hint=" percent"),
    "voice_say_bill": _Rule("flag"),
    "mcp_max_amount_paise": _Rule(
        "whole", optional=True, low=MINIMUM.paise, high=_MAX_AMOUNT_CAP, hint=" of paise"
    ),
    "mcp_calls_per_minute": _Rule("whole", low=1, high=600, hint=" of calls per minute"),
    "store_address": _Rule("text", optional=True, high=200),
    "store_gstin": _Rule("gstin", optional=True),
    "store_database_url": _Rule("store_url", optional=True),
    "store_id": _Rule("store_id"),
    "store_webhook_url": _Rule("webhook_url", optional=True),
}
_METHOD_VALUES = tuple(m.value for m in Method)
_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}
_NONE = {"", "none", "null"}


def _check(name: str, value: object) -> object:
    """A setting's value -> its normalised value, or ValueError("name: what is allowed")."""
    rule = _RULES[name]
    if value is None and rule.optional:
        return None
    kind = rule.kind
    if kind == "text":
        if not isinstance(value, str) or not value.strip() or len(value.strip()) > rule.high:
            raise ValueError(f"{name}: use 1 to {rule.high} characters")
        return value.strip()
    if kind == "terminal":
        if not isinstance(value, str) or not _TERMINAL.match(value):
            raise ValueError(f"{name}: use 1 to 8 letters or digits, like T1")
        return value
    if kind == "phone":
        if not isinstance(value, str) or not _PHONE.match(value):
            raise ValueError(f"{name}: must be a 10-digit Indian mobile number")
        return value
    if kind == "environment":
        if value not in NAMES:
            raise ValueError(f"{name}: must be one of {', '.join(NAMES)}")
        return value
    if kind == "whole":
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{name}: must be a whole number{rule.hint}")
        if not rule.low <= value <= rule.high:
            raise ValueError(f"{name}: must be from {rule.low} to {rule.high}{rule.hint}")
        return value
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{name}: must be a number{rule.hint}")
        number = float(value)
        if not math.isfinite(number) or number < 0 or (rule.positive and number == 0):
            above = "above zero" if rule.positive else "zero or more"
            raise ValueError(f"{name}: must be a number {above}{rule.hint}")
        return number
    if kind == "flag":
        if not isinstance(value, bool):
            raise ValueError(f"{name}: must be true or false")
        return value
    if kind == "methods":
        return _check_methods(name, value)
    if kind == "language":
        if value not in LANGUAGES:
            raise ValueError(f"{name}: must be one of {', '.join(sorted(LANGUAGES))}")
        return value
    if kind == "fingerprint":
        if not isinstance(value, str) or not _FINGERPRINT.match(value):
            raise ValueError(f"{name}: must be the fingerprint the till wrote (16 hex digits)")
        return value
    if kind == "gstin":
        gstin = value.strip().upper() if isinstance(value, str) else ""
        if not _GSTIN.match(gstin):
            raise ValueError(f"{name}: must be a 15-character GSTIN, like 27AAPFU0939F1ZV")
        return gstin
    if kind == "store_url":
        return check_store_url(value)
    if kind == "webhook_url":
        return check_webhook_url(value)
    if kind == "store_id":
        if not isinstance(value, str) or not _STORE_ID.match(value):
            raise ValueError(f"{name}: use 1 to 64 letters, digits, '.', '_' or '-'")
        return value
    # pin: the stored hash of the manager PIN (never the PIN itself)
    if not isinstance(value, str) or not value or len(value) > 512:
        raise ValueError(f"{name}: must be the stored hash of a PIN")
    return value


def _check_methods(name: str, value: object) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, tuple | list):
        raise ValueError(f"{name}: must be a list of {', '.join(_METHOD_VALUES)}")
    chosen = tuple(v.value if isinstance(v, Method) else v for v in value)
    if not chosen or any(v not in _METHOD_VALUES for v in chosen):
        raise ValueError(f"{name}: choose one or more of {', '.join(_METHOD_VALUES)}")
    if len(set(chosen)) != len(chosen):
        raise ValueError(f"{name}: list each method only once")
    return tuple(str(v) for v in chosen)


def _from_text(name: str, text: str) -> object:
    """What a person typed for a setting -> a value for _check."""
    rule = _RULES[name]
    raw = text.strip()
    if rule.optional and raw.lower() in _NONE:
        return None
    kind = rule.kind
    if kind == "phone":
        try:
            return validate.phone(raw)
        except validate.ValidationError as exc:
            raise ValueError(f"{name}: {exc.message}") from None
    if kind in ("environment", "language"):
        return raw.lower()
    if kind == "whole":
        if not _WHOLE.match(raw):
            raise ValueError(f"{name}: must be a whole number{rule.hint}, like {rule.low}")
        return int(raw)
    if kind == "number":
        if not _DECIMAL.match(raw):
            raise ValueError(f"{name}: must be a number{rule.hint}, like 1.5")
        return float(raw)
    if kind == "flag":
        word = raw.lower()
        if word not in _TRUE | _FALSE:
            raise ValueError(f"{name}: type true or false (yes/no and on/off work too)")
        return word in _TRUE
    if kind == "methods":
        return tuple(part.strip().lower() for part in raw.split(",") if part.strip())
    return raw


# ---- the settings file -------------------------------------------------------------------


def settings_file(where: Paths) -> Path:
    return where.config_dir / SETTINGS_FILE


def load_settings(where: Paths) -> LoadResult:
    """Read settings.json. Missing -> defaults. Unusable -> moved aside, defaults, notice."""
    path = settings_file(where)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return LoadResult(Settings())
    except OSError as exc:
        problem = f"it could not be read: {exc.strerror or exc}"
    else:
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            problem = "it is not valid JSON"
        else:
            if not isinstance(data, dict):
                problem = "it does not hold a list of settings"
            else:
                try:
                    return LoadResult(Settings.from_mapping(data))
                except (TypeError, ValueError) as exc:
                    problem = f"a value is not allowed ({exc})"
    return LoadResult(Settings(), _set_aside(path, problem))


def _set_aside(path: Path, problem: str) -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    counter = 1
    while target.exists():
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{counter}")
        counter += 1
    lead = f"The settings file {path} could not be used ({problem}), so the default settings are in use."
    try:
        os.replace(path, target)
    except OSError as exc:
        return f"{lead} It could not be moved aside ({exc.strerror or exc}); fix or delete it."
    return f"{lead} The old file was kept as {target}."


def save_settings(where: Paths, settings: Settings) -> Path:
    """Write settings.json atomically (temp file, fsync, rename) with 0600 permissions."""
    folder = where.config_dir
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    target = settings_file(where)
    text = json.dumps(settings.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    handle, temp_name = tempfile.mkstemp(prefix=f".{SETTINGS_FILE}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            if hasattr(os, "fchmod"):
                os.fchmod(stream.fileno(), 0o600)
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp_name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
    _sync_folder(folder)
    return target


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); harmless where folders cannot be opened."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
