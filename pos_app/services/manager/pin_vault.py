"""Where the manager PIN lives, and whether manager actions are open, asked or locked.

The PIN's scrypt hash and its wrong-try count live together in ONE entry of the OS password
store ("till/manager", beside the Cashfree credentials): editing or deleting a file in the
till's folders resets neither. settings.json holds only a fingerprint of that hash. A root-
owned policy file (services.policy) may pin the PIN hash instead; it wins.

Which answer, in order:
- a policy file that is there but cannot be obeyed -> locked (it says why);
- a PIN pinned by the policy -> ask it;
- the entry and the fingerprint agree -> ask the PIN;
- the entry without the fingerprint, the fingerprint without the entry, or the two not
  matching (a hash removed or replaced by hand, or the journal copied to another folder
  and run with other settings) -> locked, saying so; the manager repairs it by giving the
  PIN the password store holds (`pos-app config set manager_pin`);
- no PIN anywhere -> open in demo (training); refused in sandbox and production with the
  way to set one.
A settings.json from before this scheme (manager_pin_hash in the file) is moved into the
password store once, unless the journal shows a PIN was already set there (then it is a
hash written by hand, and the till locks).

This protects against a cashier who edits, deletes or copies the till's files. It cannot
protect against the OS user who owns the password store (they can delete the entry and
set a new PIN; the journal then records a "manager_pin_replaced" event that `pos-app
report` lists first):
give cashiers their own OS account, or pin the PIN in the root-owned policy file.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal

from pos_app.secrets import SecretStoreError, TillRecordStore
from pos_app.services.manager.pin import FREE_TRIES, PinGuard, hash_pin, verify_pin, wrong_tries
from pos_app.services.manager.policy import PolicyResult

__all__ = [
    "Access",
    "VaultPinGuard",
    "fingerprint",
    "manager_access",
    "read_vault",
    "write_new_pin",
]

log = logging.getLogger(__name__)

State = Literal["open", "ask", "locked", "refused"]

SET_HINT = "Set one with `pos-app config set manager_pin` (or in Settings at the till)."
REPAIR_HINT = (
    "A manager who knows the PIN can unlock it with `pos-app config set manager_pin` "
    "(the PIN kept in this computer's password store is asked first)."
)


@dataclass(frozen=True, slots=True)
class Access:
    state: State
    encoded: str | None = None  # the hash to check when state is "ask"
    message: str | None = None  # why it is locked or refused, and what to do
    source: str = "none"  # "policy", "password store", "settings (legacy)", "none"

    @property
    def allowed_without_pin(self) -> bool:
        return self.state == "open"


@dataclass(frozen=True, slots=True)
class VaultRecord:
    pin_hash: str | None = None
    failures: int = 0
    locked_until: float | None = None
    damaged: bool = False

    def to_text(self) -> str:
        return json.dumps(
            {
                "version": 1,
                "pin_hash": self.pin_hash,
                "failures": self.failures,
                "locked_until": self.locked_until,
            }
        )


def fingerprint(encoded: str) -> str:
    """16 hex digits naming a PIN hash (not enough to test PINs against)."""
    return hashlib.sha256(("pos-app manager pin\n" + encoded).encode("utf-8")).hexdigest()[:16]


def decode_vault(text: str | None) -> VaultRecord | None:
    """The entry's text as a record (None when there is none; `damaged` when unreadable)."""
    if text is None:
        return None
    try:
        data = json.loads(text)
        pin_hash = data["pin_hash"]
        if pin_hash is not None and not isinstance(pin_hash, str):
            raise ValueError("pin_hash")
        failures, until = wrong_tries(data)
    except (ValueError, KeyError, TypeError):
        return VaultRecord(damaged=True)
    return VaultRecord(pin_hash, failures, until)


def read_vault(vault: TillRecordStore) -> VaultRecord | None:
    """The till's entry (None when there is none). SecretStoreError passes through."""
    return decode_vault(vault.get_till_record())


def manager_access(
    *,
    environment: str,
    fingerprint_in_settings: str | None,
    legacy_hash: str | None,
    vault: TillRecordStore | None,
    policy: PolicyResult | None,
    pin_was_set_before: Callable[[], bool] = lambda: False,
) -> Access:
    """Decide whether manager actions are open, need the PIN, or are locked (see module)."""
    if policy is not None and policy.problem is not None:
        return Access("locked", message=policy.problem, source="policy")
    if policy is not None and policy.policy is not None and policy.policy.manager_pin_hash:
        return Access("ask", encoded=policy.policy.manager_pin_hash, source="policy")
    record: VaultRecord | None = None
    unreadable: str | None = None
    if vault is not None:
        try:
            record = read_vault(vault)
        except SecretStoreError as exc:
            unreadable = exc.message
    stored = record.pin_hash if record is not None else None
    if unreadable is not None:
        if environment == "demo" and fingerprint_in_settings is None and legacy_hash is None:
            return Access("open", message=NO_PIN_DEMO, source="none")
        return Access(
            "locked",
            message=f"The manager PIN cannot be checked: {unreadable}",
            source="password store",
        )
    if record is not None and record.damaged:
        return Access("locked", message=DAMAGED_ENTRY, source="password store")
    if stored is not None:
        if fingerprint_in_settings == fingerprint(stored):
            return Access("ask", encoded=stored, source="password store")
        if fingerprint_in_settings is None:
            why = "the settings file in use does not name it (edited by hand, or another folder)"
        else:
            why = "the settings file names a different PIN (edited by hand, or another folder)"
        return Access("locked", message=_mismatch(why), source="password store")
    if fingerprint_in_settings is not None:
        return Access(
            "locked",
            message=_mismatch("it is missing from this computer's password store"),
            source="settings",
        )
    if legacy_hash is not None:
        if pin_was_set_before():
            return Access(
                "locked",
                message=_mismatch("a PIN hash was written into the settings file by hand"),
                source="settings",
            )
        return Access("ask", encoded=legacy_hash, source="settings (legacy)")
    if environment == "demo":
        return Access("open", message=NO_PIN_DEMO, source="none")
    return Access(
        "refused",
        message=(
            f"No manager PIN is set, so refunds, settings and the switch to production are "
            f"refused in {environment}. {SET_HINT}"
        ),
    )


NO_PIN_DEMO = f"No manager PIN is set (allowed in demo mode only). {SET_HINT}"
DAMAGED_ENTRY = (
    "The manager PIN entry in this computer's password store is damaged, so manager "
    "actions are locked. Set a new PIN with `pos-app config set manager_pin --reset`; "
    "the reset is recorded in the journal and listed by `pos-app report`."
)


def _mismatch(why: str) -> str:
    return (
        f"Manager actions are locked: the manager PIN does not match ({why}). {REPAIR_HINT} "
        "If nobody knows it, `pos-app config set manager_pin --reset` sets a new one; the "
        "reset is recorded in the journal for the manager."
    )


def write_new_pin(vault: TillRecordStore, pin: str) -> str:
    """Hash `pin`, keep it in the password store (wrong tries cleared); returns the
    fingerprint for the settings file. SecretStoreError passes through."""
    encoded = hash_pin(pin)
    vault.set_till_record(VaultRecord(encoded).to_text())
    return fingerprint(encoded)


def adopt_legacy(vault: TillRecordStore, encoded: str) -> str:
    """Move a settings-held hash (older versions) into the password store."""
    vault.set_till_record(VaultRecord(encoded).to_text())
    return fingerprint(encoded)


class VaultPinGuard(PinGuard):
    """PinGuard whose wrong-try count lives in the password store entry, beside the hash.

    An entry that is missing or damaged while a PIN is being checked counts as one wrong
    try short of a lock: deleting the entry is no way to reset the count.
    """

    def __init__(self, clock: Callable[[], float], vault: TillRecordStore) -> None:
        self._vault = vault
        self._started = False  # no password store call while being built (GUI start-up)
        super().__init__(clock, state_path=None)
        self._started = True

    def _load(self) -> None:
        if not self._started:
            return  # every check and locked_until() loads the entry first
        try:
            record = read_vault(self._vault)
        except SecretStoreError as exc:
            log.warning("cannot read the manager PIN entry: %s", exc.message)
            return
        self._take(record)

    def _take(self, record: VaultRecord | None) -> None:
        if record is None or record.damaged:
            self._failures = max(self._failures, FREE_TRIES - 1)
            return
        self._failures = record.failures
        self._locked_until = record.locked_until

    def _merged(self, record: VaultRecord | None) -> str:
        base = record if record is not None and not record.damaged else VaultRecord()
        return replace(base, failures=self._failures, locked_until=self._locked_until).to_text()

    def _save(self) -> None:
        try:
            self._vault.set_till_record(self._merged(read_vault(self._vault)))
        except SecretStoreError as exc:  # the lock still holds in memory for this process
            log.warning("cannot save the manager PIN count: %s", exc.message)

    # ---- for the loop: the entry through the vault's async calls (one keyring worker
    # each, started from the loop), the scrypt work alone on a worker thread. The dialog
    # runs one check at a time; the count is updated under the lock between the awaits.
    async def acheck(self, pin: str, encoded: str) -> bool:
        await self._aload()
        now = self._clock()
        with self._lock:
            self._refuse_while_locked(now)
        right = await asyncio.to_thread(verify_pin, pin, encoded)
        with self._lock:
            changed = self._count(right, now)
        if changed:
            await self._asave()
        return right

    async def alocked_until(self) -> float | None:
        await self._aload()
        with self._lock:
            return self._active_lock(self._clock())

    async def _aload(self) -> None:
        try:
            record = decode_vault(await self._vault.aget_till_record())
        except SecretStoreError as exc:
            log.warning("cannot read the manager PIN entry: %s", exc.message)
            return
        with self._lock:
            self._take(record)

    async def _asave(self) -> None:
        try:
            record = decode_vault(await self._vault.aget_till_record())
            with self._lock:
                text = self._merged(record)
            await self._vault.aset_till_record(text)
        except SecretStoreError as exc:  # the lock still holds in memory for this process
            log.warning("cannot save the manager PIN count: %s", exc.message)
