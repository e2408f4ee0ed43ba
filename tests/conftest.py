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


# qasync connects every loop made with already_running=True to QApplication.aboutToQuit,
# which Qt emits when its loop is told to quit (loop.stop()): a loop freed while still
# connected would be a dangling slot there. So the tests' loops stay referenced.
_TEST_LOOPS: list[object] = []


@pytest.fixture
def qloop(qapp: object, request: pytest.FixtureRequest) -> Iterator[object]:
    """A qasync loop around the test's QApplication (TESTING.md): sync tests drive it with
    qtbot waits, which spin Qt and so run the asyncio tasks.

    qasync's documented way for a Qt event loop that someone else spins (here pytest-qt's
    waits) is `QEventLoop(app, already_running=True)`: the loop counts as running from the
    start, and "the user is responsible for loop cleanup with stop() and close()". At the
    end the test's leftover tasks are cancelled and given up to 2 s to end while the loop
    still runs; then `stop()` and one short `run_until_complete` (a real `exec()`, which
    also clears Qt's quit flag that `stop()` sets, and asyncio's running loop) before
    `close()`.
    """
    import asyncio
    import gc

    import qasync

    # As in the desk (pos_app/ui/gc_guard.py): no collection may start on a worker thread.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    loop = qasync.QEventLoop(qapp, already_running=True)
    _TEST_LOOPS.append(loop)
    asyncio.set_event_loop(loop)
    quits_qt = "kiosk" not in Path(str(request.path)).parts
    if not quits_qt:  # its worker threads are ended here, not by close() (see below)
        workers = qasync.QThreadExecutor()
        loop.set_default_executor(workers)
    try:
        yield loop
    finally:
        pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in pending:
            task.cancel()
        end = loop.time() + 2
        while any(not t.done() for t in pending) and loop.time() < end:
            qapp.processEvents()  # type: ignore[attr-defined]
        if quits_qt:
            loop.stop()
            loop.run_until_complete(asyncio.sleep(0))
            asyncio.set_event_loop(None)
            loop.close()
        else:
            # Qt WebEngine, once started, tears itself down when Qt's loop is told to quit,
            # and the next quit crashes (tests/kiosk/conftest.py, whose tests run last in a
            # session): there the loop is left running; the next test's loop replaces it.
            workers.shutdown(wait=True)
            asyncio.set_event_loop(None)
        gc.collect()  # whatever the test left behind is freed here, on the GUI thread
        if gc_was_enabled:
            gc.enable()
