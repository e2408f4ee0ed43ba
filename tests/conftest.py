"""Shared test set-up: offscreen Qt, a fresh data folder and an in-memory keyring per test."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("LANG", "C.UTF-8")

from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SPEC_PATH = REPO / "tests" / "contracts" / "cashfree-openapi-2025-01-01.json"


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own POS_DATA_DIR; nothing touches the real user folders."""
    data = tmp_path / "pos-data"
    data.mkdir()
    monkeypatch.setenv("POS_DATA_DIR", str(data))
    monkeypatch.setenv("POS_POLICY_FILE", str(tmp_path / "no-policy.json"))  # none, unless set
    monkeypatch.delenv("POS_CASHFREE_BASE_URL", raising=False)
    return data


@pytest.fixture(autouse=True)
def _memory_keyring(request: pytest.FixtureRequest) -> Iterator[object]:
    """No test ever touches the machine's real keyring (secret_service tests set their own)."""
    if request.node.get_closest_marker("secret_service"):
        yield None
        return
    import keyring
    from keyring.backend import KeyringBackend
    from keyring.errors import PasswordDeleteError

    class MemoryKeyring(KeyringBackend):
        priority = -10  # type: ignore[assignment]

        def __init__(self) -> None:
            super().__init__()
            self.entries: dict[tuple[str, str], str] = {}

        def get_password(self, service: str, username: str) -> str | None:
            return self.entries.get((service, username))

        def set_password(self, service: str, username: str, password: str) -> None:
            self.entries[(service, username)] = password

        def delete_password(self, service: str, username: str) -> None:
            if self.entries.pop((service, username), None) is None:
                raise PasswordDeleteError("not found")

    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def qloop(qapp: object) -> Iterator[object]:
    """A qasync loop around the test's QApplication (TESTING.md): sync tests drive it with
    qtbot waits, which spin Qt and so run the asyncio tasks.

    qasync's documented way for a Qt event loop that someone else spins (here pytest-qt's
    waits) is `QEventLoop(app, already_running=True)`: the loop counts as running from the
    start. At the end `stop()` ends that state, and one `run_until_complete` lets the
    cancelled leftovers finish on a really running loop; its `exec()` also leaves Qt ready
    for the next test's waits and asyncio with no running loop.
    """
    import asyncio
    import gc

    import qasync

    # As in the desk (pos_app/ui/gc_guard.py): no collection may start on a worker thread.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in pending:
            task.cancel()
        loop.stop()

        async def settle() -> None:
            if pending:
                await asyncio.wait(pending, timeout=2)

        loop.run_until_complete(settle())
        asyncio.set_event_loop(None)
        loop.close()
        gc.collect()  # frees the closed loop here, on the GUI thread
        if gc_was_enabled:
            gc.enable()
