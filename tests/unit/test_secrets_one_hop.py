"""The async password-store calls make one thread hop: the loop's thread starts the one
worker that talks to the keyring (no pool thread that then waits on another thread), and
its answer comes back on the loop."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import keyring
import pytest
from keyring.backend import KeyringBackend

from pos_app.secrets import KeyringSecretStore, Secret


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
