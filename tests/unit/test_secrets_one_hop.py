"""The async password-store calls make one thread hop: the loop's thread starts the one
worker that talks to the keyring (no pool thread that then waits on another thread), and
its answer comes back on the loop."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend

from pos_app.config import Paths, Settings, load_settings
from pos_app.secrets import KeyringSecretStore, Secret
from pos_app.services.manager.gate import aresolve_access
from pos_app.services.manager.pin import hash_pin, verify_pin
from pos_app.services.manager.pin_vault import fingerprint, read_vault, write_new_pin
from pos_app.services.manager.policy import Policy, PolicyResult


class RecordingKeyring(KeyringBackend):
    priority = -10  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}
        self.threads: list[str] = []

    def get_password(self, service: str, username: str) -> str | None:
        self.threads.append(threading.current_thread().name)
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.threads.append(threading.current_thread().name)
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.threads.append(threading.current_thread().name)
        self.entries.pop((service, username), None)


@pytest.fixture
def recording() -> Iterator[RecordingKeyring]:
    previous = keyring.get_keyring()
    backend = RecordingKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def started_threads(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """(thread started, from which thread) for every thread started during the test."""
    started: list[tuple[str, str]] = []
    real_start = threading.Thread.start

    def start(self: threading.Thread) -> None:
        started.append((self.name, threading.current_thread().name))
        real_start(self)

    monkeypatch.setattr(threading.Thread, "start", start)
    return started


def test_each_async_call_starts_one_worker_from_the_loops_thread(
    recording: RecordingKeyring, started_threads: list[tuple[str, str]]
) -> None:
    store = KeyringSecretStore(timeout=2)

    async def calls() -> tuple[Secret | None, Secret | None]:
        await store.aset("sandbox", "client_secret", Secret("cf-secret-1234567890"))
        got = await store.aget("sandbox", "client_secret")
        await store.adelete("sandbox", "client_secret")
        return got, await store.aget("sandbox", "client_secret")

    loop_thread = threading.current_thread().name
    got, gone = asyncio.run(calls())
    assert got == Secret("cf-secret-1234567890") and gone is None
    # set, get, delete (which reads back only on a refusal), get: four calls, four workers
    assert started_threads == [("pos_app-keyring", loop_thread)] * 4
    assert recording.threads == ["pos_app-keyring"] * 4


def test_the_backend_name_for_diagnostics_is_one_worker_from_the_loop(
    recording: RecordingKeyring, started_threads: list[tuple[str, str]]
) -> None:
    store = KeyringSecretStore(timeout=2)
    loop_thread = threading.current_thread().name
    name = asyncio.run(store.abackend_name())
    assert name.endswith("RecordingKeyring")
    assert started_threads == [("pos_app-keyring", loop_thread)]


def _folders(tmp_path: Path) -> Paths:
    where = Paths(tmp_path / "data", tmp_path / "config", tmp_path / "logs")
    for folder in (where.data_dir, where.config_dir, where.log_dir):
        folder.mkdir()
    return where


def _keyring_starts(started: list[tuple[str, str]]) -> list[str]:
    """From which thread each keyring worker was started."""
    return [parent for name, parent in started if name == "pos_app-keyring"]


def test_the_manager_gate_reads_the_pin_entry_with_one_hop_from_the_loop(
    tmp_path: Path, recording: RecordingKeyring, started_threads: list[tuple[str, str]]
) -> None:
    store = KeyringSecretStore(timeout=2)
    where = _folders(tmp_path)
    mark = write_new_pin(store, "2580")
    settings = Settings(environment="sandbox", manager_pin_fingerprint=mark)
    started_threads.clear()
    loop_thread = threading.current_thread().name
    access = asyncio.run(
        aresolve_access(where, settings, "sandbox", store, PolicyResult(tmp_path / "no-policy"))
    )
    assert access.state == "ask" and access.encoded is not None
    assert verify_pin("2580", access.encoded)
    # one read of the entry, its worker started by the loop's thread (not by a pool
    # thread that would then wait on it)
    assert _keyring_starts(started_threads) == [loop_thread]


def test_a_legacy_pin_moves_to_the_password_store_with_one_hop_per_call(
    tmp_path: Path, recording: RecordingKeyring, started_threads: list[tuple[str, str]]
) -> None:
    store = KeyringSecretStore(timeout=2)
    where = _folders(tmp_path)
    encoded = hash_pin("2580")
    settings = Settings(environment="sandbox", manager_pin_hash=encoded)
    loop_thread = threading.current_thread().name
    access = asyncio.run(
        aresolve_access(where, settings, "sandbox", store, PolicyResult(tmp_path / "no-policy"))
    )
    starts = _keyring_starts(started_threads)
    assert access.state == "ask" and access.encoded == encoded
    record = read_vault(store)
    assert record is not None and record.pin_hash == encoded
    moved = load_settings(where).settings
    assert moved.manager_pin_hash is None and moved.manager_pin_fingerprint == fingerprint(encoded)
    # read, then write: two workers, both started by the loop's thread
    assert starts == [loop_thread, loop_thread]


def test_a_policy_pin_decides_without_reading_the_entry(
    tmp_path: Path, recording: RecordingKeyring, started_threads: list[tuple[str, str]]
) -> None:
    store = KeyringSecretStore(timeout=2)
    policy = PolicyResult(tmp_path / "policy.json", Policy(manager_pin_hash=hash_pin("2580")))
    access = asyncio.run(aresolve_access(_folders(tmp_path), Settings(), "sandbox", store, policy))
    assert access.state == "ask" and access.source == "policy"
    assert _keyring_starts(started_threads) == [] and recording.threads == []
