"""The PIN guard's loop calls (acheck, alocked_until) keep the same count as check(): in the
password store entry, shared with the command line's blocking calls."""

from __future__ import annotations

import asyncio

import pytest

from pos_app.secrets import MemorySecretStore
from pos_app.services.manager.pin import FREE_TRIES, PinGuard, PinLockedError, hash_pin
from pos_app.services.manager.pin_vault import VaultPinGuard, read_vault, write_new_pin


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_async_wrong_tries_lock_and_the_blocking_guard_sees_the_same_count() -> None:
    vault = MemorySecretStore()
    write_new_pin(vault, "2580")
    record = read_vault(vault)
    assert record is not None and record.pin_hash is not None
    encoded = record.pin_hash
    clock = Clock()
    guard = VaultPinGuard(clock, vault)

    async def wrong_tries() -> float | None:
        for _ in range(FREE_TRIES):
            assert not await guard.acheck("1397", encoded)
        return await guard.alocked_until()

    until = asyncio.run(wrong_tries())
    assert until is not None and until > clock.now
    stored = read_vault(vault)
    assert stored is not None and stored.failures == FREE_TRIES
    # a second guard (the command line) reads the same lock, and refuses even the right PIN
    other = VaultPinGuard(clock, vault)
    assert other.locked_until() == until
    with pytest.raises(PinLockedError):
        asyncio.run(guard.acheck("2580", encoded))
    clock.now = until + 1
    assert asyncio.run(guard.acheck("2580", encoded))
    cleared = read_vault(vault)
    assert cleared is not None and cleared.failures == 0 and cleared.locked_until is None


def test_a_file_kept_guard_answers_the_loop_from_a_worker_thread(tmp_path: object) -> None:
    from pathlib import Path

    guard = PinGuard(Clock(), state_path=Path(str(tmp_path)) / "pin-state.json")
    encoded = hash_pin("2580")
    assert not asyncio.run(guard.acheck("1397", encoded))
    assert guard.failures == 1
    assert asyncio.run(guard.acheck("2580", encoded)) and guard.failures == 0
    assert asyncio.run(guard.alocked_until()) is None
