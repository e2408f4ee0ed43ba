"""SecretStore over keyring: round trips, shop-owner sentences, timeouts, nothing leaks."""

from __future__ import annotations

import asyncio
import pickle
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator

import keyring
import keyring.core
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail, null
from keyring.errors import (
    InitError,
    KeyringLocked,
    NoKeyringError,
    PasswordDeleteError,
    PasswordSetError,
)

from pos_app.secrets import (
    NO_BACKEND_MESSAGE,
    KeyringSecretStore,
    MemorySecretStore,
    Secret,
    SecretStore,
    SecretStoreError,
    backend_name,
)

VALUE = "fake-secret-0c3f6b1d2e9a4f57"


# ---- test backends -----------------------------------------------------------------------------
class MemoryKeyring(KeyringBackend):
    """An in-memory backend. Negative priority: keyring never picks it by itself."""

    priority = -10

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}
        self.calls: list[str] = []

    def get_password(self, service: str, username: str) -> str | None:
        self.calls.append("get")
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.calls.append("set")
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.calls.append("delete")
        try:
            del self.entries[(service, username)]
        except KeyError:
            raise PasswordDeleteError("No such password!") from None


class SlowKeyring(MemoryKeyring):
    """get/set hang (up to 10 s) like a Secret Service waiting on an unseen prompt."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def get_password(self, service: str, username: str) -> str | None:
        self.release.wait(10)
        return super().get_password(service, username)

    def set_password(self, service: str, username: str, password: str) -> None:
        self.release.wait(10)
        super().set_password(service, username, password)


class RaisingKeyring(MemoryKeyring):
    """Every call raises the exception the test asks for (its text may quote the value)."""

    def __init__(self, make_error: Callable[[str], Exception] = RuntimeError) -> None:
        super().__init__()
        self.make_error = make_error

    def get_password(self, service: str, username: str) -> str | None:
        raise self.make_error(f"backend error for {username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise self.make_error(f"could not store {password!r} for {username}")

    def delete_password(self, service: str, username: str) -> None:
        raise self.make_error(f"backend error for {username}")


class CryptFileKeyring(MemoryKeyring):
    """Looks like keyrings.cryptfile, which prompts for a password on stdin."""

    __module__ = "keyrings.cryptfile.cryptfile"


class PlaintextKeyring(MemoryKeyring):
    """Looks like keyrings.alt's plain-text file backend."""

    __module__ = "keyrings.alt.file"


class PromptDismissedException(Exception):
    """Named like secretstorage's exception when the unlock prompt is dismissed."""


# ---- fixtures ----------------------------------------------------------------------------------
@pytest.fixture
def install(monkeypatch: pytest.MonkeyPatch) -> Callable[[KeyringBackend], KeyringBackend]:
    """Install a backend with keyring.set_keyring; put back exactly what was there after.

    The previous value is read from keyring.core directly (it may be None: not detected yet)
    so the test neither triggers nor leaves behind a backend detection.
    """
    monkeypatch.setattr(keyring.core, "_keyring_backend", keyring.core._keyring_backend)

    def _install(backend: KeyringBackend) -> KeyringBackend:
        keyring.set_keyring(backend)
        return backend

    return _install


@pytest.fixture
def memory(install: Callable[[KeyringBackend], KeyringBackend]) -> MemoryKeyring:
    backend = MemoryKeyring()
    install(backend)
    return backend


@pytest.fixture
def slow(install: Callable[[KeyringBackend], KeyringBackend]) -> Iterator[SlowKeyring]:
    backend = SlowKeyring()
    install(backend)
    yield backend
    backend.release.set()  # let the abandoned worker thread finish


@pytest.fixture
def store() -> KeyringSecretStore:
    return KeyringSecretStore(timeout=2.0)


def _all_text(exc: BaseException) -> str:
    return "\n".join([str(exc), repr(exc), *traceback.format_exception(exc)])


def _assert_clean(exc: SecretStoreError) -> None:
    """No secret anywhere in what the caller could print, and no backend exception chained."""
    assert VALUE not in _all_text(exc)
    assert exc.__cause__ is None
    assert exc.__context__ is None


# ---- round trips -------------------------------------------------------------------------------
def test_round_trip_goes_through_the_keyring(
    memory: MemoryKeyring, store: KeyringSecretStore
) -> None:
    store.set("sandbox", "client_secret", Secret(VALUE))
    assert memory.entries == {("pos_app", "sandbox/client_secret"): VALUE}
    got = store.get("sandbox", "client_secret")
    assert isinstance(got, Secret)
    assert got.reveal() == VALUE
    assert repr(got) == "Secret('***')"


def test_entries_are_kept_apart_by_environment_and_name(
    memory: MemoryKeyring, store: KeyringSecretStore
) -> None:
    store.set("sandbox", "client_secret", Secret("sandbox-secret"))
    store.set("sandbox", "app_id", Secret("TEST-APP"))
    store.set("production", "client_secret", Secret("live-secret"))
    assert store.get("sandbox", "client_secret") == Secret("sandbox-secret")
    assert store.get("sandbox", "app_id") == Secret("TEST-APP")
    assert store.get("production", "client_secret") == Secret("live-secret")
    assert store.get("production", "app_id") is None


def test_a_custom_service_name_is_used(memory: MemoryKeyring) -> None:
    KeyringSecretStore(service="pos_app_training").set("sandbox", "app_id", Secret("X-1"))
    assert set(memory.entries) == {("pos_app_training", "sandbox/app_id")}


def test_missing_is_none(memory: MemoryKeyring, store: KeyringSecretStore) -> None:
    assert store.get("production", "client_secret") is None
    memory.entries[("pos_app", "production/client_secret")] = ""
    assert store.get("production", "client_secret") is None


def test_delete_removes_and_tolerates_missing(
    memory: MemoryKeyring, store: KeyringSecretStore
) -> None:
    store.set("production", "client_secret", Secret(VALUE))
    store.delete("production", "client_secret")
    assert store.get("production", "client_secret") is None
    assert memory.entries == {}
    store.delete("production", "client_secret")  # already gone: fine


@pytest.mark.parametrize(
    ("environment", "name"),
    [("demo", "client_secret"), ("Production", "app_id"), ("sandbox", "password"), ("", "")],
)
def test_unknown_environment_or_name_is_refused(
    memory: MemoryKeyring, store: KeyringSecretStore, environment: str, name: str
) -> None:
    with pytest.raises(ValueError):
        store.get(environment, name)
    with pytest.raises(ValueError):
        store.set(environment, name, Secret(VALUE))
    with pytest.raises(ValueError):
        store.delete(environment, name)
    assert memory.calls == []


def test_only_a_non_empty_secret_can_be_stored(
    memory: MemoryKeyring, store: KeyringSecretStore
) -> None:
    with pytest.raises(TypeError):
        store.set("sandbox", "client_secret", VALUE)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="Cashfree client secret is empty"):
        store.set("sandbox", "client_secret", Secret(""))
    assert memory.entries == {}


def test_the_store_satisfies_the_protocol_and_hides_nothing_secret(memory: MemoryKeyring) -> None:
    store: SecretStore = KeyringSecretStore(timeout=1.5)
    store.set("sandbox", "client_secret", Secret(VALUE))
    assert repr(store) == "KeyringSecretStore(service='pos_app', timeout=1.5)"
    assert VALUE not in repr(store) + str(store)


def test_constructor_refuses_nonsense() -> None:
    with pytest.raises(ValueError):
        KeyringSecretStore(timeout=0)
    with pytest.raises(ValueError):
        KeyringSecretStore(service="")


def test_secret_keeps_hiding_itself() -> None:
    s = Secret(VALUE)
    assert str(s) == f"{s}" == f"{s:>40}" == "***"
    assert repr(s) == "Secret('***')"
    assert s.reveal() == VALUE
    assert s == Secret(VALUE) and hash(s) == hash(Secret(VALUE))
    assert s != VALUE
    assert not Secret("")
    with pytest.raises(TypeError):
        pickle.dumps(s)


# ---- no usable backend -----------------------------------------------------------------------
@pytest.mark.parametrize("backend", [fail.Keyring, null.Keyring], ids=["fail", "null"])
def test_no_backend_gives_the_shop_owner_sentence(
    install: Callable[[KeyringBackend], KeyringBackend],
    store: KeyringSecretStore,
    backend: type[KeyringBackend],
) -> None:
    install(backend())
    calls: list[Callable[[], object]] = [
        lambda: store.get("sandbox", "client_secret"),
        lambda: store.set("sandbox", "client_secret", Secret(VALUE)),
        lambda: store.delete("sandbox", "client_secret"),
    ]
    for call in calls:
        with pytest.raises(SecretStoreError) as info:
            call()
        assert str(info.value) == NO_BACKEND_MESSAGE
        assert info.value.message == NO_BACKEND_MESSAGE
        assert info.value.reason == "no_backend"
        _assert_clean(info.value)


def test_the_sentence_is_the_one_the_owner_reads() -> None:
    assert NO_BACKEND_MESSAGE == (
        "No password store is available. On Linux install and unlock GNOME Keyring or KWallet "
        "(Secret Service); on Windows the Credential Manager and on macOS the Keychain are used "
        "automatically."
    )


def test_no_keyring_error_from_a_backend_gives_the_same_sentence(
    install: Callable[[KeyringBackend], KeyringBackend], store: KeyringSecretStore
) -> None:
    install(RaisingKeyring(NoKeyringError))
    with pytest.raises(SecretStoreError) as info:
        store.set("production", "client_secret", Secret(VALUE))
    assert info.value.message == NO_BACKEND_MESSAGE
    _assert_clean(info.value)


@pytest.mark.parametrize("error", [KeyringLocked, InitError, PromptDismissedException])
def test_a_locked_store_says_to_unlock_it(
    install: Callable[[KeyringBackend], KeyringBackend],
    store: KeyringSecretStore,
    error: Callable[[str], Exception],
) -> None:
    install(RaisingKeyring(error))
    with pytest.raises(SecretStoreError) as info:
        store.set("production", "client_secret", Secret(VALUE))
    assert info.value.reason == "locked"
    assert info.value.message == (
        "The password store is locked, or its unlock prompt was closed, so the Cashfree client "
        "secret could not be saved. Unlock it (on Linux: GNOME Keyring or KWallet, usually by "
        "logging in to the desktop) and try again."
    )
    _assert_clean(info.value)


def test_other_backend_errors_name_the_error_but_never_the_secret(
    install: Callable[[KeyringBackend], KeyringBackend], store: KeyringSecretStore
) -> None:
    install(RaisingKeyring(PasswordSetError))
    with pytest.raises(SecretStoreError) as info:
        store.set("production", "client_secret", Secret(VALUE))
    assert info.value.reason == "backend_error"
    assert info.value.message.startswith(
        "The password store could not save the Cashfree client secret (PasswordSetError: "
        "could not store '***' for production/client_secret)."
    )
    _assert_clean(info.value)
    with pytest.raises(SecretStoreError) as info:
        store.get("production", "app_id")
    assert "could not read the Cashfree App ID (PasswordSetError" in info.value.message


@pytest.mark.parametrize("backend", [CryptFileKeyring, PlaintextKeyring])
def test_file_backends_are_refused_before_they_are_used(
    install: Callable[[KeyringBackend], KeyringBackend],
    store: KeyringSecretStore,
    backend: type[MemoryKeyring],
) -> None:
    fake = backend()
    install(fake)
    for call in (
        lambda: store.get("sandbox", "client_secret"),
        lambda: store.set("sandbox", "client_secret", Secret(VALUE)),
    ):
        with pytest.raises(SecretStoreError) as info:
            call()
        assert info.value.reason == "refused_backend"
        assert f"({backend.__module__}.{backend.__name__})" in info.value.message
        assert "keeps secrets in a file" in info.value.message
        assert "PYTHON_KEYRING_BACKEND" in info.value.message
        _assert_clean(info.value)
    assert fake.calls == []  # never asked: a real cryptfile would have prompted on stdin
    assert fake.entries == {}


# ---- a hung keyring ----------------------------------------------------------------------------
def test_a_hung_keyring_times_out_within_the_timeout(
    slow: SlowKeyring, install: Callable[[KeyringBackend], KeyringBackend]
) -> None:
    store = KeyringSecretStore(timeout=0.3)
    started = time.monotonic()
    with pytest.raises(SecretStoreError) as info:
        store.set("production", "client_secret", Secret(VALUE))
    elapsed = time.monotonic() - started
    assert 0.25 <= elapsed < 1.5
    assert info.value.reason == "timeout"
    assert info.value.message.startswith("The password store did not answer within 0.3 seconds.")
    _assert_clean(info.value)
    # The stuck call does not hold up the next one once the store answers again.
    healthy = install(MemoryKeyring())
    started = time.monotonic()
    assert store.get("production", "client_secret") is None
    assert time.monotonic() - started < 0.25
    assert isinstance(healthy, MemoryKeyring) and healthy.calls == ["get"]


def test_get_on_a_hung_keyring_times_out(slow: SlowKeyring) -> None:
    store = KeyringSecretStore(timeout=0.2)
    started = time.monotonic()
    with pytest.raises(SecretStoreError) as info:
        store.get("sandbox", "app_id")
    assert time.monotonic() - started < 1.2
    assert info.value.reason == "timeout"


def test_a_hung_keyring_cannot_keep_the_process_alive() -> None:
    code = """
import asyncio, threading, keyring
from keyring.backend import KeyringBackend
from pos_app.secrets import KeyringSecretStore, SecretStoreError

class Hung(KeyringBackend):
    priority = -10
    def get_password(self, service, username):
        threading.Event().wait()  # forever
    def set_password(self, service, username, password):
        threading.Event().wait()

keyring.set_keyring(Hung())
store = KeyringSecretStore(timeout=0.2)
try:
    store.get("sandbox", "client_secret")
except SecretStoreError as exc:
    print("sync", exc.reason)

async def main():
    try:
        await store.aget("sandbox", "client_secret")
    except SecretStoreError as exc:
        print("async", exc.reason)

asyncio.run(main())
"""
    started = time.monotonic()
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=30, check=True
    )
    assert out.stdout.split("\n")[:2] == ["sync timeout", "async timeout"]
    assert time.monotonic() - started < 15


# ---- async variants ----------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_async_round_trip(memory: MemoryKeyring, store: KeyringSecretStore) -> None:
    await store.aset("sandbox", "client_secret", Secret(VALUE))
    assert memory.entries[("pos_app", "sandbox/client_secret")] == VALUE
    assert await store.aget("sandbox", "client_secret") == Secret(VALUE)
    await store.adelete("sandbox", "client_secret")
    assert await store.aget("sandbox", "client_secret") is None


@pytest.mark.asyncio
async def test_async_timeout_keeps_the_event_loop_running(slow: SlowKeyring) -> None:
    store = KeyringSecretStore(timeout=0.3)
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.02)
            ticks += 1

    task = asyncio.create_task(ticker())
    started = time.monotonic()
    try:
        with pytest.raises(SecretStoreError) as info:
            await store.aset("sandbox", "client_secret", Secret(VALUE))
    finally:
        task.cancel()
    assert time.monotonic() - started < 1.5
    assert info.value.reason == "timeout"
    assert VALUE not in _all_text(info.value)
    assert ticks >= 5  # the loop kept ticking while the keyring hung


@pytest.mark.asyncio
async def test_async_errors_are_the_same_sentences(
    install: Callable[[KeyringBackend], KeyringBackend], store: KeyringSecretStore
) -> None:
    install(fail.Keyring())
    with pytest.raises(SecretStoreError) as info:
        await store.aget("production", "client_secret")
    assert info.value.message == NO_BACKEND_MESSAGE


# ---- diagnostics -------------------------------------------------------------------------------
def test_backend_name(install: Callable[[KeyringBackend], KeyringBackend]) -> None:
    install(MemoryKeyring())
    assert backend_name() == f"{__name__}.MemoryKeyring"
    assert KeyringSecretStore().backend_name() == f"{__name__}.MemoryKeyring"
    install(fail.Keyring())
    assert backend_name() == "keyring.backends.fail.Keyring"


# ---- the in-memory store -------------------------------------------------------------------------
def test_memory_store_behaves_like_a_store() -> None:
    store: SecretStore = MemorySecretStore()
    assert store.get("sandbox", "client_secret") is None
    store.set("sandbox", "client_secret", Secret(VALUE))
    assert store.get("sandbox", "client_secret") == Secret(VALUE)
    assert store.get("production", "client_secret") is None
    assert VALUE not in repr(store)
    store.delete("sandbox", "client_secret")
    store.delete("sandbox", "client_secret")
    assert store.get("sandbox", "client_secret") is None
    with pytest.raises(ValueError):
        store.get("demo", "client_secret")
    with pytest.raises(ValueError):
        store.set("sandbox", "client_secret", Secret(""))


# ---- the real thing (run by CI under dbus-run-session with an unlocked gnome-keyring) -----------
@pytest.mark.secret_service
def test_round_trip_through_a_real_secret_service() -> None:
    assert backend_name() == "keyring.backends.SecretService.Keyring"
    store = KeyringSecretStore(service=f"pos_app_test_{time.time_ns()}", timeout=10)
    try:
        store.set("sandbox", "client_secret", Secret(VALUE))
        assert store.get("sandbox", "client_secret") == Secret(VALUE)
        assert store.get("production", "client_secret") is None
    finally:
        store.delete("sandbox", "client_secret")
    assert store.get("sandbox", "client_secret") is None


@pytest.mark.secret_service
def test_the_tills_manager_entry_through_a_real_secret_service() -> None:
    store = KeyringSecretStore(service=f"pos_app_test_{time.time_ns()}", timeout=10)
    text = '{"version": 1, "pin_hash": "scrypt$x", "failures": 2, "locked_until": null}'
    try:
        assert store.get_till_record() is None
        store.set_till_record(text)
        assert store.get_till_record() == text
    finally:
        store.delete_till_record()
        store.delete_till_record()  # twice: removing what is not there is not an error
    assert store.get_till_record() is None


def test_the_tills_manager_entry_in_memory_and_in_the_keyring(_memory_keyring: object) -> None:
    for store in (MemorySecretStore(), KeyringSecretStore()):
        assert store.get_till_record() is None
        store.set_till_record("{}")
        assert store.get_till_record() == "{}"
        with pytest.raises(ValueError):
            store.set_till_record("")
        store.delete_till_record()
        store.delete_till_record()
        assert store.get_till_record() is None
