"""services.pin_vault.manager_access: every combination of policy, password store entry,
settings fingerprint and legacy hash gives the answer the module promises."""

from __future__ import annotations

from pathlib import Path

import pytest

from pos_app.secrets import MemorySecretStore, SecretStoreError
from pos_app.services.manager.pin import FREE_TRIES, hash_pin
from pos_app.services.manager.pin_vault import (
    VaultPinGuard,
    VaultRecord,
    fingerprint,
    manager_access,
    read_vault,
)
from pos_app.services.manager.policy import Policy, PolicyResult

STORED = hash_pin("2580")
OTHER = hash_pin("1397")


def _vault(pin_hash: str | None) -> MemorySecretStore:
    vault = MemorySecretStore()
    if pin_hash is not None:
        vault.set_till_record(VaultRecord(pin_hash).to_text())
    return vault


def _access(
    *,
    stored: str | None = STORED,
    mark: str | None = "match",
    legacy: str | None = None,
    environment: str = "sandbox",
    policy: PolicyResult | None = None,
    history: bool = False,
) -> tuple[str, str | None]:
    chosen = fingerprint(stored) if mark == "match" and stored else mark
    access = manager_access(
        environment=environment,
        fingerprint_in_settings=chosen,
        legacy_hash=legacy,
        vault=_vault(stored),
        policy=policy,
        pin_was_set_before=lambda: history,
    )
    return access.state, access.encoded


def test_entry_and_fingerprint_agree_then_the_pin_is_asked() -> None:
    assert _access() == ("ask", STORED)


@pytest.mark.parametrize(
    ("stored", "mark"),
    [(STORED, None), (STORED, "0123456789abcdef"), (None, "0123456789abcdef")],
    ids=["fingerprint-removed", "fingerprint-replaced", "entry-deleted"],
)
def test_a_mismatch_locks(stored: str | None, mark: str | None) -> None:
    assert _access(stored=stored, mark=mark)[0] == "locked"


def test_no_pin_is_refused_outside_demo_and_open_in_demo() -> None:
    assert _access(stored=None, mark=None)[0] == "refused"
    assert _access(stored=None, mark=None, environment="production")[0] == "refused"
    assert _access(stored=None, mark=None, environment="demo")[0] == "open"


def test_a_legacy_hash_is_used_once_unless_the_journal_saw_a_pin_before() -> None:
    assert _access(stored=None, mark=None, legacy=OTHER) == ("ask", OTHER)
    assert _access(stored=None, mark=None, legacy=OTHER, history=True)[0] == "locked"
    # Beside an entry, a hash in the settings is never the answer.
    assert _access(mark=None, legacy=OTHER)[0] == "locked"


def test_the_policy_wins_and_a_bad_policy_locks() -> None:
    pinned = PolicyResult(Path("/etc/pos-app/policy.json"), Policy(manager_pin_hash=OTHER))
    assert _access(policy=pinned) == ("ask", OTHER)
    assert _access(stored=None, mark=None, policy=pinned) == ("ask", OTHER)
    broken = PolicyResult(Path("/etc/pos-app/policy.json"), problem="it is not valid JSON")
    assert _access(policy=broken)[0] == "locked"
    assert _access(environment="demo", stored=None, mark=None, policy=broken)[0] == "locked"


class _Broken(MemorySecretStore):
    def get_till_record(self) -> str | None:
        raise SecretStoreError("The password store is locked.", reason="locked")


def test_an_unreadable_password_store_locks_except_an_untouched_demo() -> None:
    def access(environment: str, mark: str | None) -> str:
        return manager_access(
            environment=environment,
            fingerprint_in_settings=mark,
            legacy_hash=None,
            vault=_Broken(),
            policy=None,
        ).state

    assert access("sandbox", fingerprint(STORED)) == "locked"
    assert access("sandbox", None) == "locked"
    assert access("demo", None) == "open"
    assert access("demo", fingerprint(STORED)) == "locked"


def test_the_guard_counts_in_the_entry_and_a_missing_entry_is_nearly_locked() -> None:
    vault = _vault(STORED)
    clock = [1000.0]
    guard = VaultPinGuard(lambda: clock[0], vault)
    assert guard.check("1111", STORED) is False
    record = read_vault(vault)
    assert record is not None and record.failures == 1 and record.pin_hash == STORED
    assert VaultPinGuard(lambda: clock[0], vault).failures == 1  # another process sees it
    vault.delete_till_record()
    fresh = VaultPinGuard(lambda: clock[0], vault)
    assert fresh.failures == FREE_TRIES - 1
    assert fresh.check("1111", STORED) is False
    assert fresh.locked_until() is not None  # one wrong try after deleting it locks
