"""The manager PIN: scrypt hashes, the rules for a new PIN, and a lockout after wrong tries.

The PIN guards refunds, settings and day end at the till. Only its scrypt hash is kept
(in the settings, as "scrypt$n$r$p$salt$hash"). `PinGuard` counts wrong tries and, after
five, locks for 30 seconds, doubling with each further wrong try up to an hour; with a
`state_path` the count survives a restart of the app or the CLI.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import hmac
import itertools
import json
import logging
import math
import os
import threading
from collections.abc import Callable
from pathlib import Path

from pos_app.domain.validate import ValidationError

__all__ = [
    "FIRST_LOCKOUT",
    "FREE_TRIES",
    "MAX_LOCKOUT",
    "PinGuard",
    "PinLockedError",
    "hash_pin",
    "lockout_seconds",
    "validate_new_pin",
    "verify_pin",
    "wrong_tries",
]

log = logging.getLogger(__name__)

SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
KEY_BYTES = 32
# What verify_pin accepts from a stored hash: enough room to raise the cost later, not
# enough for an edited settings file to make the till allocate gigabytes.
_MAX_SCRYPT_MEMORY = 64 * 1024 * 1024

FREE_TRIES = 5
FIRST_LOCKOUT = 30.0
MAX_LOCKOUT = 3600.0

_FIELD = "manager_pin"


# ---- hashing -------------------------------------------------------------------------------
def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _scrypt(pin: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    memory = 128 * r * (n + p + 2) + 1024 * 1024
    return hashlib.scrypt(
        pin.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=memory, dklen=length
    )


def hash_pin(pin: str) -> str:
    """Hash a PIN for storage: "scrypt$16384$8$1$<salt b64>$<hash b64>", random 16-byte salt.

    It does not judge the PIN; call validate_new_pin first when a manager sets one.
    """
    if not isinstance(pin, str) or not pin:
        raise ValueError("a PIN is a non-empty string")
    salt = os.urandom(SALT_BYTES)
    key = _scrypt(pin, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P, KEY_BYTES)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(key)}"


def _parse(encoded: str) -> tuple[int, int, int, bytes, bytes]:
    damaged = ValueError("The stored manager PIN is damaged. Set a new manager PIN.")
    parts = encoded.split("$") if isinstance(encoded, str) else []
    if len(parts) != 6 or parts[0] != "scrypt":
        raise damaged
    try:
        n, r, p = (int(part) for part in parts[1:4])
        salt = base64.b64decode(parts[4], validate=True)
        key = base64.b64decode(parts[5], validate=True)
    except (ValueError, binascii.Error):
        raise damaged from None
    sane = (
        n >= 2**10
        and n & (n - 1) == 0
        and 1 <= r <= 32
        and 1 <= p <= 16
        and 128 * r * n <= _MAX_SCRYPT_MEMORY
        and len(salt) >= 8
        and 16 <= len(key) <= 64
    )
    if not sane:
        raise damaged
    return n, r, p, salt, key


def verify_pin(pin: str, encoded: str) -> bool:
    """True when `pin` matches the stored hash (constant-time comparison).

    A wrong PIN is False; a stored hash that is not one of ours raises ValueError with a
    sentence for the manager, rather than passing for an endless run of wrong PINs.
    """
    n, r, p, salt, key = _parse(encoded)
    if not isinstance(pin, str):
        return False
    return hmac.compare_digest(_scrypt(pin, salt, n, r, p, len(key)), key)


# ---- rules for a new PIN -------------------------------------------------------------------------
def _is_run(pin: str) -> bool:
    """1234, 6789, 7890, 4321, 0987...: each digit one up (or one down) from the last, mod 10."""
    steps = {(int(b) - int(a)) % 10 for a, b in itertools.pairwise(pin)}
    return steps in ({1}, {9})


def validate_new_pin(pin: str) -> str:
    """A new manager PIN: 4 to 8 ASCII digits, not one digit repeated, not a run like 1234."""
    if not pin:
        raise ValidationError(_FIELD, "Enter a PIN of 4 to 8 digits.")
    if not (pin.isascii() and pin.isdigit()):
        raise ValidationError(_FIELD, "A PIN has digits (0-9) only.")
    if not 4 <= len(pin) <= 8:
        raise ValidationError(_FIELD, f"A PIN has 4 to 8 digits; this one has {len(pin)}.")
    if len(set(pin)) == 1:
        raise ValidationError(_FIELD, "A PIN cannot be one digit repeated (like 1111).")
    if _is_run(pin):
        raise ValidationError(_FIELD, "A PIN cannot be a run of digits (like 1234 or 9876).")
    return pin


# ---- lockout ----------------------------------------------------------------------------------
def lockout_seconds(failures: int) -> float:
    """How long the wrong try number `failures` locks the PIN: 0 for the first four, then
    30 s, 60 s, 120 s ... up to an hour."""
    if failures < FREE_TRIES:
        return 0.0
    doublings = min(failures - FREE_TRIES, 20)
    return min(FIRST_LOCKOUT * float(2**doublings), MAX_LOCKOUT)


def _wait_text(seconds: float) -> str:
    whole = max(1, math.ceil(seconds))
    if whole < 60:
        return f"{whole} second{'s' if whole != 1 else ''}"
    minutes = math.ceil(whole / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


class PinLockedError(Exception):
    """Too many wrong PINs: no PIN is checked until `seconds_left` have passed."""

    def __init__(self, seconds_left: float) -> None:
        self.seconds_left = seconds_left
        self.message = f"Too many wrong PINs. Try again in {_wait_text(seconds_left)}."
        super().__init__(self.message)


def wrong_tries(data: dict[str, object]) -> tuple[int, float | None]:
    """The wrong-try count and lockout end kept in a JSON object (the lockout file, the
    password store entry). ValueError, KeyError or TypeError when they are not sane: the
    caller treats that as tampering, never as a reset."""
    failures = data["failures"]
    until = data["locked_until"]
    if type(failures) is not int or failures < 0:
        raise ValueError("failures")
    if until is not None and (
        isinstance(until, bool) or not isinstance(until, int | float) or not math.isfinite(until)
    ):
        raise ValueError("locked_until")
    return failures, None if until is None else float(until)


class PinGuard:
    """Checks the manager PIN and locks it after repeated wrong tries.

    `clock` gives seconds; with a `state_path` it must be wall-clock time (time.time) so a
    lock written before a restart still means something after it. The state file is read
    before every check, so the GUI and the CLI share one count.
    """

    def __init__(self, clock: Callable[[], float], state_path: Path | None = None) -> None:
        self._clock = clock
        self._path = state_path
        self._failures = 0
        self._locked_until: float | None = None
        self._lock = threading.Lock()
        with self._lock:
            self._load()

    @property
    def failures(self) -> int:
        """Wrong tries since the last right one."""
        with self._lock:
            self._load()
            return self._failures

    def locked_until(self) -> float | None:
        """When the current lock ends (clock time), or None when a PIN may be tried now."""
        with self._lock:
            self._load()
            return self._active_lock(self._clock())

    def check(self, pin: str, encoded: str) -> bool:
        """True for the right PIN (which clears the count), False for a wrong one.

        Raises PinLockedError while locked, without looking at the PIN. The wrong try that
        starts a lock still returns False; the next check raises.
        """
        with self._lock:
            self._load()
            now = self._clock()
            self._refuse_while_locked(now)
            right = verify_pin(pin, encoded)
            if self._count(right, now):
                self._save()
            return right

    async def acheck(self, pin: str, encoded: str) -> bool:
        """check for the loop: the state and the scrypt work run on a worker thread."""
        return await asyncio.to_thread(self.check, pin, encoded)

    async def alocked_until(self) -> float | None:
        """locked_until for the loop (the state is read on a worker thread)."""
        return await asyncio.to_thread(self.locked_until)

    # ---- one check, in steps (the caller holds the lock around each) ----
    def _refuse_while_locked(self, now: float) -> None:
        until = self._active_lock(now)
        if until is not None:
            raise PinLockedError(until - now)

    def _count(self, right: bool, now: float) -> bool:
        """Take the answer into the count; True when the state changed (save it)."""
        if right:
            if not self._failures and self._locked_until is None:
                return False
            self._failures = 0
            self._locked_until = None
            return True
        self._failures += 1
        wait = lockout_seconds(self._failures)
        self._locked_until = now + wait if wait else None
        log.warning("wrong manager PIN (%d in a row)", self._failures)
        return True

    # ---- state ----
    def _active_lock(self, now: float) -> float | None:
        if self._locked_until is None or now >= self._locked_until:
            return None
        # A clock set back must not turn a lock into a week-long one.
        return min(self._locked_until, now + MAX_LOCKOUT)

    def _load(self) -> None:
        if self._path is None:
            return
        try:
            raw = self._path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return
        except OSError as exc:
            log.warning("cannot read the PIN lockout state %s: %s", self._path, exc)
            return
        try:
            data = json.loads(raw)
            failures, until = wrong_tries(data)
        except (ValueError, KeyError, TypeError):
            # Damaging the file is no way to reset the count: one more wrong try locks.
            log.warning("the PIN lockout state %s is damaged", self._path)
            self._failures = max(self._failures, FREE_TRIES - 1)
            return
        self._failures = failures
        self._locked_until = until

    def _save(self) -> None:
        if self._path is None:
            return
        data = {"version": 1, "failures": self._failures, "locked_until": self._locked_until}
        tmp = self._path.with_name(f"{self._path.name}.tmp")
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps(data), encoding="utf-8")
            os.replace(tmp, self._path)
        except OSError as exc:  # the lock still holds in memory for this process
            log.warning("cannot save the PIN lockout state %s: %s", self._path, exc)
