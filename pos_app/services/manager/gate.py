"""The manager gate as the commands and the desk use it: read the policy, the password
store entry and the settings' fingerprint, decide (services.pin_vault), and set a new PIN
with its journal event. Qt-free; the desk awaits aresolve_access (the password store
through its async calls, the files on a worker thread).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Callable
from datetime import datetime

from pos_app.config import Paths, Settings, journal_path, save_settings
from pos_app.domain.environment import NAMES
from pos_app.secrets import SecretStoreError, TillRecordStore
from pos_app.services.manager.pin import PinGuard, hash_pin
from pos_app.services.manager.pin_vault import (
    Access,
    VaultPinGuard,
    VaultRecord,
    adopt_legacy,
    decode_vault,
    fingerprint,
    manager_access,
    read_vault,
    write_new_pin,
)
from pos_app.services.manager.policy import PolicyResult, load_policy
from pos_app.store.errors import JournalError
from pos_app.store.journal import Journal
from pos_app.store.till_records import add_till_event, till_events

__all__ = [
    "PIN_EVENTS",
    "aresolve_access",
    "aset_manager_pin",
    "pin_guard",
    "pin_history",
    "record_till_event",
    "resolve_access",
    "set_manager_pin",
]

log = logging.getLogger(__name__)

PIN_EVENTS = ("manager_pin_set", "manager_pin_changed", "manager_pin_replaced", "manager_pin_moved")


def _journals(where: Paths) -> list[Journal]:
    opened = []
    for environment in NAMES:
        path = journal_path(where, environment)
        if not path.exists():
            continue
        try:
            opened.append(Journal.open(path))
        except JournalError as exc:
            log.warning("cannot read %s for the PIN history: %s", path, exc.message)
    return opened


def pin_history(where: Paths) -> bool:
    """True when any journal of this folder records a manager PIN being set."""
    for journal in _journals(where):
        try:
            if till_events(journal, PIN_EVENTS):
                return True
        finally:
            journal.close()
    return False


def record_till_event(
    where: Paths, environment: str, kind: str, detail: dict[str, object] | None = None
) -> None:
    """Append a till event to the journal of `environment` (created if need be)."""
    journal = Journal.open(journal_path(where, environment))
    try:
        add_till_event(journal, kind, detail)
    finally:
        journal.close()


def resolve_access(
    where: Paths,
    settings: Settings,
    environment: str,
    vault: TillRecordStore | None,
    policy: PolicyResult | None = None,
) -> Access:
    """Open, ask (with the hash to check), locked or refused; a legacy settings hash is
    moved into the password store on the way (once)."""
    access = _decide(where, settings, environment, vault, policy)
    if _moves_legacy(access) and vault is not None and access.encoded:
        try:
            mark = adopt_legacy(vault, access.encoded)
            _note_moved(where, settings, environment, mark)
        except (SecretStoreError, OSError, JournalError) as exc:
            log.warning("could not move the manager PIN to the password store: %s", exc)
    return access


async def aresolve_access(
    where: Paths,
    settings: Settings,
    environment: str,
    vault: TillRecordStore | None,
    policy: PolicyResult | None = None,
) -> Access:
    """resolve_access for the loop. The password store is reached only through the vault's
    async calls (one keyring worker, started from the loop); the files (policy, settings,
    journals) are read and written on one worker thread, which never waits on the keyring."""
    chosen = policy if policy is not None else await asyncio.to_thread(load_policy)
    seen: _Read | None = None
    # A shop policy that decides alone (a PIN of its own, or a problem) needs no entry.
    if vault is not None and not _policy_decides(chosen):
        try:
            seen = _Read(await vault.aget_till_record(), None)
        except SecretStoreError as exc:
            seen = _Read(None, exc)
    access = await asyncio.to_thread(_decide, where, settings, environment, seen, chosen)
    if _moves_legacy(access) and vault is not None and access.encoded:
        try:
            await vault.aset_till_record(VaultRecord(access.encoded).to_text())
            mark = fingerprint(access.encoded)
            await asyncio.to_thread(_note_moved, where, settings, environment, mark)
        except (SecretStoreError, OSError, JournalError) as exc:
            log.warning("could not move the manager PIN to the password store: %s", exc)
    return access


def _decide(
    where: Paths,
    settings: Settings,
    environment: str,
    vault: TillRecordStore | None,
    policy: PolicyResult | None,
) -> Access:
    return manager_access(
        environment=environment,
        fingerprint_in_settings=settings.manager_pin_fingerprint,
        legacy_hash=settings.manager_pin_hash,
        vault=vault,
        policy=policy if policy is not None else load_policy(),
        pin_was_set_before=lambda: pin_history(where),
    )


def _policy_decides(policy: PolicyResult) -> bool:
    """True when manager_access answers from the policy alone (the entry unread)."""
    return policy.problem is not None or (
        policy.policy is not None and bool(policy.policy.manager_pin_hash)
    )


def _moves_legacy(access: Access) -> bool:
    return access.source == "settings (legacy)"


def _note_moved(where: Paths, settings: Settings, environment: str, mark: str) -> None:
    save_settings(
        where, dataclasses.replace(settings, manager_pin_hash=None, manager_pin_fingerprint=mark)
    )
    record_till_event(where, environment, "manager_pin_moved", {"to": "password store"})


class _Read:
    """The till's entry as already read from the password store (its text, or why it
    could not be read): what the decision sees, with no keyring call of its own."""

    def __init__(self, text: str | None, error: SecretStoreError | None) -> None:
        self._text = text
        self._error = error

    def get_till_record(self) -> str | None:
        if self._error is not None:
            raise SecretStoreError(self._error.message, reason=self._error.reason)
        return self._text

    def set_till_record(self, text: str) -> None:
        raise RuntimeError("an entry already read is not written to")

    def delete_till_record(self) -> None:
        raise RuntimeError("an entry already read is not written to")

    async def aget_till_record(self) -> str | None:
        return self.get_till_record()

    async def aset_till_record(self, text: str) -> None:
        self.set_till_record(text)


def pin_guard(vault: TillRecordStore, clock: Callable[[], float] = time.time) -> PinGuard:
    """The wrong-try counter, kept in the password store entry (shared by desk and CLI)."""
    return VaultPinGuard(clock, vault)


def set_manager_pin(
    where: Paths,
    settings: Settings,
    environment: str,
    vault: TillRecordStore,
    pin: str,
    *,
    at: datetime | None = None,
) -> Settings:
    """Keep a new PIN (already validated, and the old one checked by the caller) in the
    password store, its fingerprint in the settings, and a till event in the journal:
    "manager_pin_set" for the first PIN of this till, "manager_pin_changed" when the old
    one was in place, "manager_pin_replaced" when a PIN had been set before but was gone
    (an entry deleted or settings edited: the manager should look). SecretStoreError and
    OSError pass through; nothing is half-written that matters (the entry comes first)."""
    had_history = pin_history(where)
    try:
        before = read_vault(vault)
    except SecretStoreError:
        before = None
    intact = _intact(settings, before)
    mark = write_new_pin(vault, pin)
    return _keep_pin(where, settings, environment, mark, had_history, intact, at)


async def aset_manager_pin(
    where: Paths,
    settings: Settings,
    environment: str,
    vault: TillRecordStore,
    pin: str,
    *,
    at: datetime | None = None,
) -> Settings:
    """set_manager_pin for the loop: the password store through the vault's async calls
    (one keyring worker, started from the loop), the hashing and the files on a worker
    thread that never waits on the keyring."""
    had_history = await asyncio.to_thread(pin_history, where)
    try:
        before = decode_vault(await vault.aget_till_record())
    except SecretStoreError:
        before = None
    intact = _intact(settings, before)
    encoded = await asyncio.to_thread(hash_pin, pin)
    await vault.aset_till_record(VaultRecord(encoded).to_text())
    mark = fingerprint(encoded)
    return await asyncio.to_thread(
        _keep_pin, where, settings, environment, mark, had_history, intact, at
    )


def _intact(settings: Settings, before: VaultRecord | None) -> bool:
    """Was the old PIN in place (entry present and named by the settings' fingerprint)?"""
    return (
        before is not None
        and before.pin_hash is not None
        and settings.manager_pin_fingerprint == fingerprint(before.pin_hash)
    )


def _keep_pin(
    where: Paths,
    settings: Settings,
    environment: str,
    mark: str,
    had_history: bool,
    intact: bool,
    at: datetime | None,
) -> Settings:
    updated = dataclasses.replace(settings, manager_pin_hash=None, manager_pin_fingerprint=mark)
    save_settings(where, updated)
    if not had_history and not intact:
        kind = "manager_pin_set"
    elif intact:
        kind = "manager_pin_changed"
    else:
        kind = "manager_pin_replaced"
    detail: dict[str, object] = {"fingerprint": mark}
    if at is not None:
        detail["at"] = at.isoformat()
    try:
        record_till_event(where, environment, kind, detail)
    except JournalError as exc:
        log.warning("the manager PIN event could not be journaled: %s", exc.message)
    return updated
