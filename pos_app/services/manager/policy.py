"""The shop's pinned policy: a root-owned file that a system-wide install uses to fix what
the cashier's own settings cannot change.

Where it lives: `/etc/pos-app/policy.json` on Linux and other Unix systems,
`/Library/Application Support/pos-app/policy.json` on macOS and
`%ProgramData%\\pos-app\\policy.json` on Windows (writable by Administrators only).
POS_POLICY_FILE names another path (tests); the same trust rule applies to it.

What it may hold (every key optional; an unknown key makes the file unusable):

    {"manager_pin_hash": "scrypt$16384$8$1$...",   # the PIN asked for manager actions
     "max_refund_per_day": "5000",                 # rupees, all refunds of a day together
     "environment": "production",                  # the only environment the till may use
     "cli_refunds": false}                         # `pos-app refund` refused when false

The till obeys it over the user's settings. It is trusted only when its owner is root (on
POSIX) and neither its group nor others may write it; a file that is there but not
trusted, or cannot be read, or is not valid, locks manager actions (it may be an attempt
to loosen the policy) and says so, rather than being ignored.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

from pos_app.domain.environment import NAMES
from pos_app.domain.money import Money
from pos_app.domain.validate import ValidationError

__all__ = [
    "POLICY_ENV",
    "Policy",
    "PolicyResult",
    "default_policy_path",
    "describe_policy",
    "load_policy",
    "policy_path",
]

POLICY_ENV = "POS_POLICY_FILE"
_KEYS = ("manager_pin_hash", "max_refund_per_day", "environment", "cli_refunds")
_MAX_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class Policy:
    manager_pin_hash: str | None = None
    max_refund_per_day: Money | None = None
    environment: str | None = None
    cli_refunds: bool = True


@dataclass(frozen=True, slots=True)
class PolicyResult:
    path: Path
    policy: Policy | None = None  # None: there is no policy file (or it is unusable)
    problem: str | None = None  # a sentence when the file is there but cannot be obeyed

    @property
    def active(self) -> bool:
        return self.policy is not None


def default_policy_path() -> Path:
    if sys.platform == "win32":
        base = os.environ.get("PROGRAMDATA") or r"C:\ProgramData"
        return Path(base) / "pos-app" / "policy.json"
    if sys.platform == "darwin":
        return Path("/Library/Application Support/pos-app/policy.json")
    return Path("/etc/pos-app/policy.json")


def policy_path() -> Path:
    override = os.environ.get(POLICY_ENV, "").strip()
    return Path(override) if override else default_policy_path()


def _untrusted(path: Path, info: os.stat_result, owner: int) -> str | None:
    if os.name != "posix":
        return None  # Windows: the folder's ACL (Administrators only) is the protection
    if info.st_uid != owner:
        return f"it is not owned by root (owner uid {info.st_uid})"
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return "its group or other users may write it"
    if not stat.S_ISREG(info.st_mode):
        return "it is not a regular file"
    return None


def load_policy(path: Path | None = None, *, trusted_owner: int = 0) -> PolicyResult:
    """Read the policy file. Missing: no policy. Untrusted or invalid: `problem` says why."""
    where = path if path is not None else policy_path()
    try:
        info = where.stat()
    except FileNotFoundError:
        return PolicyResult(where)
    except OSError as exc:
        return PolicyResult(where, problem=_problem(where, exc.strerror or str(exc)))
    why = _untrusted(where, info, trusted_owner)
    if why is not None:
        return PolicyResult(where, problem=_problem(where, why))
    try:
        with where.open("rb") as stream:
            raw = stream.read(_MAX_BYTES + 1)
    except OSError as exc:
        return PolicyResult(where, problem=_problem(where, exc.strerror or str(exc)))
    if len(raw) > _MAX_BYTES:
        return PolicyResult(where, problem=_problem(where, "it is larger than 64 KB"))
    try:
        return PolicyResult(where, policy=_parse(raw))
    except ValueError as exc:
        return PolicyResult(where, problem=_problem(where, str(exc)))


def _problem(where: Path, why: str) -> str:
    return (
        f"The shop's policy file {where} cannot be used ({why}), so manager actions are "
        "locked. Whoever installed the till (an administrator) must fix or remove it."
    )


def _parse(raw: bytes) -> Policy:
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ValueError("it is not valid JSON") from None
    if not isinstance(data, dict):
        raise ValueError("it does not hold a JSON object")
    unknown = sorted(set(data) - set(_KEYS))
    if unknown:
        raise ValueError(f"unknown key {unknown[0]!r}; known: {', '.join(_KEYS)}")
    pin = data.get("manager_pin_hash")
    if pin is not None:
        from pos_app.services.manager.pin import verify_pin

        if not isinstance(pin, str):
            raise ValueError("manager_pin_hash must be a PIN hash made by pos-app")
        try:
            verify_pin("0", pin)  # checks the hash's shape and cost, not the PIN
        except ValueError:
            raise ValueError("manager_pin_hash is not a PIN hash made by pos-app") from None
    limit = data.get("max_refund_per_day")
    money: Money | None = None
    if limit is not None:
        if isinstance(limit, bool) or not isinstance(limit, str | int | float):
            raise ValueError('max_refund_per_day must be rupees, like "5000"')
        try:
            money = Money.parse(str(limit), minimum=Money(0), field="max_refund_per_day")
        except ValidationError as exc:
            raise ValueError(f"max_refund_per_day: {exc.message}") from None
    environment = data.get("environment")
    if environment is not None and environment not in NAMES:
        raise ValueError(f"environment must be one of {', '.join(NAMES)}")
    cli = data.get("cli_refunds", True)
    if not isinstance(cli, bool):
        raise ValueError("cli_refunds must be true or false")
    return Policy(
        manager_pin_hash=pin,
        max_refund_per_day=money,
        environment=environment,
        cli_refunds=cli,
    )


def describe_policy(result: PolicyResult) -> list[tuple[str, str]]:
    """Label/value rows for About."""
    if result.problem is not None:
        return [("Shop policy", result.problem)]
    policy = result.policy
    if policy is None:
        return [("Shop policy", f"none ({result.path} is not there)")]
    rows = [("Shop policy", str(result.path))]
    rows.append(
        ("Manager PIN", "pinned by the policy" if policy.manager_pin_hash else "the till's own")
    )
    if policy.max_refund_per_day is not None:
        rows.append(("Refunds per day", f"at most {policy.max_refund_per_day.format()}"))
    if policy.environment is not None:
        rows.append(("Environment", f"locked to {policy.environment}"))
    rows.append(("Refunds from the command line", "allowed" if policy.cli_refunds else "refused"))
    return rows
