"""Secrets: a Secret value that never prints itself, and the OS password store that keeps them.

Only this module imports keyring. The Cashfree credentials live in the OS password store
(GNOME Keyring / KWallet through Secret Service, Windows Credential Manager, macOS
Keychain) and nowhere else: there is no file fallback, and backends that keep secrets in a
file or prompt on stdin are refused.

Every keyring call runs in a daemon worker thread with a timeout, so a hung store (a D-Bus
service waiting on an unlock prompt nobody sees) never freezes the caller. The async
variants (for the GUI) start that one worker thread themselves and await its answer on
the loop: one thread hop, not a pool thread that then waits on another thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from typing import Generic, Literal, Protocol, TypeVar

import keyring
import keyring.backend
import keyring.errors
from keyring.backends import chainer, fail, null

from pos_app.domain.environment import CREDENTIALED
from pos_app.domain.environment import NAMES as ENVIRONMENT_NAMES
from pos_app.domain.secret import Secret

__all__ = [
    "DEFAULT_SERVICE",
    "DEFAULT_TIMEOUT",
    "MCP_TOKEN",
    "NAMES",
    "NO_BACKEND_MESSAGE",
    "TILL_ACCOUNT",
    "KeyringSecretStore",
    "MemorySecretStore",
    "Secret",
    "SecretStore",
    "SecretStoreError",
    "TillRecordStore",
    "abackend_name",
    "backend_name",
]


# ---- names and errors ------------------------------------------------------------------------
NAMES = ("app_id", "client_secret")
DEFAULT_SERVICE = "pos_app"
DEFAULT_TIMEOUT = 5.0

_LABELS = {
    "app_id": "Cashfree App ID",
    "client_secret": "Cashfree client secret",
    "mcp_token": "MCP access token",
    "till": "manager PIN entry",
    "database_password": "store database password",
}
# The MCP server's bearer token (`pos-app mcp --http`): one per environment, demo included.
MCP_TOKEN = "mcp_token"  # noqa: S105 (the entry's name, not a token)
_VERBS = {"get": "read", "set": "save", "delete": "remove"}
_DONE = {"get": "read", "set": "saved", "delete": "removed"}

NO_BACKEND_MESSAGE = (
    "No password store is available. On Linux install and unlock GNOME Keyring or KWallet "
    "(Secret Service); on Windows the Credential Manager and on macOS the Keychain are used "
    "automatically."
)

Reason = Literal["no_backend", "refused_backend", "locked", "timeout", "backend_error"]


class SecretStoreError(Exception):
    """The password store could not do what was asked. `message` tells the shop owner what
    to do; `reason` lets the caller choose a screen. Never carries a secret."""

    def __init__(self, message: str, *, reason: Reason = "backend_error") -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason


class SecretStore(Protocol):
    """Where the Cashfree credentials are kept, per environment ("sandbox", "production")
    and name ("app_id", "client_secret")."""

    def get(self, environment: str, name: str) -> Secret | None: ...

    def set(self, environment: str, name: str, value: Secret) -> None: ...

    def delete(self, environment: str, name: str) -> None: ...


# The till's own entry (beside the API credentials): the manager PIN's hash and its
# wrong-try count, as one JSON text, so that no file the cashier can edit resets either.
TILL_ACCOUNT = "till/manager"


class TillRecordStore(Protocol):
    """The till's manager entry in the password store (a JSON text, or None). The blocking
    calls are for commands and worker threads; the async ones, for the loop, make one
    thread hop (the keyring worker started from the loop)."""

    def get_till_record(self) -> str | None: ...

    def set_till_record(self, text: str) -> None: ...

    def delete_till_record(self) -> None: ...

    async def aget_till_record(self) -> str | None: ...

    async def aset_till_record(self, text: str) -> None: ...


# The shared store database's password (issue 17) is kept beside the Cashfree secrets.
STORE_DATABASE = ("store", "database_password")


def _account(environment: str, name: str) -> str:
    if (environment, name) == STORE_DATABASE:
        return f"{environment}/{name}"
    if name == MCP_TOKEN and environment in ENVIRONMENT_NAMES:
        return f"{environment}/{name}"
    if environment not in CREDENTIALED:
        raise ValueError(f"unknown environment {environment!r}: use 'sandbox' or 'production'")
    if name not in NAMES:
        raise ValueError(f"unknown secret name {name!r}: use 'app_id' or 'client_secret'")
    return f"{environment}/{name}"


def _checked_value(name: str, value: Secret) -> str:
    if not isinstance(value, Secret):
        raise TypeError("store a Secret, not a plain string")
    if not value:
        raise ValueError(f"the {_LABELS[name]} is empty")
    return value.reveal()


# ---- running a keyring call with a deadline ----------------------------------------------------
_T = TypeVar("_T")


class _NoAnswer(Exception):
    """The worker thread did not finish in time (it is left behind as a daemon)."""


class _Outcome(Generic[_T]):
    __slots__ = ("done", "error", "value")

    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: _T | None = None
        self.error: Exception | None = None


def _call_with_timeout(work: Callable[[], _T], timeout: float) -> _T:
    """Run `work` in a daemon thread; raise _NoAnswer if it takes longer than `timeout`.

    A daemon thread, not a pool: a hung call must neither block later calls queued behind
    it nor keep the process alive at exit.
    """
    outcome: _Outcome[_T] = _Outcome()

    def run() -> None:
        try:
            outcome.value = work()
        except Exception as exc:
            outcome.error = exc
        finally:
            outcome.done.set()

    threading.Thread(target=run, name="pos_app-keyring", daemon=True).start()
    if not outcome.done.wait(timeout):
        raise _NoAnswer
    if outcome.error is not None:
        raise outcome.error
    return outcome.value  # type: ignore[return-value]  # set whenever no error was raised


async def _await_in_thread(work: Callable[[], _T], limit: float) -> _T:
    """Run `work` in a daemon thread and await its answer on the running loop; raise
    _NoAnswer if it takes longer than `limit` seconds (the thread is left behind, as in
    _call_with_timeout)."""
    loop = asyncio.get_running_loop()
    answer: asyncio.Future[_T] = loop.create_future()

    def settle(outcome: _Outcome[_T]) -> None:
        if answer.done():  # timed out meanwhile
            return
        if outcome.error is not None:
            answer.set_exception(outcome.error)
        else:
            answer.set_result(outcome.value)  # type: ignore[arg-type]  # set when no error

    def run() -> None:
        outcome: _Outcome[_T] = _Outcome()
        try:
            outcome.value = work()
        except Exception as exc:
            outcome.error = exc
        # The loop may have closed while the store was thinking: then nobody waits.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(settle, outcome)

    threading.Thread(target=run, name="pos_app-keyring", daemon=True).start()
    try:
        return await asyncio.wait_for(answer, limit)
    except TimeoutError:
        raise _NoAnswer from None


# ---- which backend ---------------------------------------------------------------------------
def _class_name(backend: object) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def _keeps_a_file(backend: object) -> bool:
    """Backends that write secrets to a file and/or ask for a password on stdin."""
    cls = type(backend)
    if cls.__module__.startswith(("keyrings.cryptfile", "keyrings.alt")):
        return True
    return any(word in cls.__name__.lower() for word in ("cryptfile", "plaintext", "encrypted"))


def _usable_backend() -> keyring.backend.KeyringBackend:
    """The current keyring backend, or SecretStoreError saying why it cannot be used."""
    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring | null.Keyring):
        raise SecretStoreError(NO_BACKEND_MESSAGE, reason="no_backend")
    members = list(backend.backends) if isinstance(backend, chainer.ChainerBackend) else [backend]
    if not members:
        raise SecretStoreError(NO_BACKEND_MESSAGE, reason="no_backend")
    for member in members:
        if _keeps_a_file(member):
            raise SecretStoreError(
                f"The password store in use ({_class_name(member)}) keeps secrets in a file and "
                "may ask for a password in a terminal, which this till does not allow. Uninstall "
                "the keyrings.cryptfile or keyrings.alt package, or set PYTHON_KEYRING_BACKEND to "
                "your system's store (on Linux keyring.backends.SecretService.Keyring), then try "
                "again.",
                reason="refused_backend",
            )
    return backend


def _describe_backend() -> str:
    backend = keyring.get_keyring()
    name = _class_name(backend)
    if isinstance(backend, chainer.ChainerBackend):
        inner = ", ".join(_class_name(member) for member in backend.backends)
        name = f"{name} ({inner or 'no backends'})"
    return name


def _unknown_backend(exc: Exception, timeout: float) -> str:
    if isinstance(exc, _NoAnswer):
        return f"unknown (the password store did not answer within {timeout:g} seconds)"
    return f"unknown ({type(exc).__name__})"


def backend_name(timeout: float = DEFAULT_TIMEOUT) -> str:
    """The keyring backend in use, for diagnostics ("keyring.backends.SecretService.Keyring")."""
    try:
        return _call_with_timeout(_describe_backend, timeout)
    except Exception as exc:
        return _unknown_backend(exc, timeout)


async def abackend_name(limit: float = DEFAULT_TIMEOUT) -> str:
    """backend_name for the loop: one keyring worker, started from the loop's thread, and
    an answer within `limit` seconds."""
    try:
        return await _await_in_thread(_describe_backend, limit)
    except Exception as exc:
        return _unknown_backend(exc, limit)


# ---- the store ---------------------------------------------------------------------------------
def _looks_locked(exc: Exception) -> bool:
    # secretstorage's LockedException / PromptDismissedException, without importing it.
    name = type(exc).__name__
    return "Locked" in name or "PromptDismissed" in name


def _describe(exc: Exception, secret: str | None) -> str:
    detail = " ".join(str(exc).split())[:200]
    if secret:
        detail = detail.replace(secret, "***")
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__


class KeyringSecretStore:
    """SecretStore over the OS password store, via the `keyring` package.

    Entries are saved under `service` with the account "<environment>/<name>". Every call
    returns or fails within about `timeout` seconds.
    """

    def __init__(self, service: str = DEFAULT_SERVICE, timeout: float = DEFAULT_TIMEOUT) -> None:
        if not service:
            raise ValueError("service must not be empty")
        if not timeout > 0:
            raise ValueError("timeout must be positive")
        self._service = service
        self._timeout = float(timeout)

    def __repr__(self) -> str:
        return f"KeyringSecretStore(service={self._service!r}, timeout={self._timeout:g})"

    @property
    def service(self) -> str:
        return self._service

    @property
    def timeout(self) -> float:
        return self._timeout

    def backend_name(self) -> str:
        return backend_name(self._timeout)

    # ---- blocking API (bounded by the timeout) ----
    def get(self, environment: str, name: str) -> Secret | None:
        value = self._run("get", name, self._reader(_account(environment, name)), secret=None)
        return Secret(value) if value else None

    def set(self, environment: str, name: str, value: Secret) -> None:
        account = _account(environment, name)
        text = _checked_value(name, value)
        self._run("set", name, self._writer(account, text), secret=text)

    def delete(self, environment: str, name: str) -> None:
        """Remove the entry; removing one that is not there is not an error."""
        self._run("delete", name, self._remover(_account(environment, name)), secret=None)

    # ---- the till's manager entry ----
    def get_till_record(self) -> str | None:
        return self._run("get", "till", self._reader(TILL_ACCOUNT), secret=None) or None

    def set_till_record(self, text: str) -> None:
        if not text:
            raise ValueError("the manager PIN entry is empty")
        self._run("set", "till", self._writer(TILL_ACCOUNT, text), secret=text)

    def delete_till_record(self) -> None:
        self._run("delete", "till", self._remover(TILL_ACCOUNT), secret=None)

    # ---- async API for the GUI: the same calls, one worker thread each ----
    async def aget(self, environment: str, name: str) -> Secret | None:
        account = _account(environment, name)
        value = await self._arun("get", name, self._reader(account), secret=None)
        return Secret(value) if value else None

    async def aset(self, environment: str, name: str, value: Secret) -> None:
        account = _account(environment, name)
        text = _checked_value(name, value)
        await self._arun("set", name, self._writer(account, text), secret=text)

    async def adelete(self, environment: str, name: str) -> None:
        account = _account(environment, name)
        await self._arun("delete", name, self._remover(account), secret=None)

    async def abackend_name(self) -> str:
        return await abackend_name(self._timeout)

    async def aget_till_record(self) -> str | None:
        return await self._arun("get", "till", self._reader(TILL_ACCOUNT), secret=None) or None

    async def aset_till_record(self, text: str) -> None:
        if not text:
            raise ValueError("the manager PIN entry is empty")
        await self._arun("set", "till", self._writer(TILL_ACCOUNT, text), secret=text)

    # ---- what runs on the worker thread ----
    def _reader(self, account: str) -> Callable[[], str | None]:
        def work() -> str | None:
            return _usable_backend().get_password(self._service, account)

        return work

    def _writer(self, account: str, text: str) -> Callable[[], None]:
        def work() -> None:
            _usable_backend().set_password(self._service, account, text)

        return work

    def _remover(self, account: str) -> Callable[[], None]:
        """Remove the entry; removing one that is not there is not an error."""

        def work() -> None:
            backend = _usable_backend()
            try:
                backend.delete_password(self._service, account)
            except keyring.errors.PasswordDeleteError:
                if backend.get_password(self._service, account) is not None:
                    raise

        return work

    # ---- error translation ----
    def _run(self, op: str, name: str, work: Callable[[], _T], *, secret: str | None) -> _T:
        try:
            return _call_with_timeout(work, self._timeout)
        except Exception as exc:
            error = self._translate(exc, op, name, secret)
        # Raised outside the except block: the backend's exception (whose text we do not
        # control) is neither the cause nor the context of what the caller sees.
        raise error

    async def _arun(self, op: str, name: str, work: Callable[[], _T], *, secret: str | None) -> _T:
        try:
            return await _await_in_thread(work, self._timeout)
        except Exception as exc:
            error = self._translate(exc, op, name, secret)
        raise error  # outside the except block, as in _run

    def _translate(
        self, exc: Exception, op: str, name: str, secret: str | None
    ) -> SecretStoreError:
        what = _LABELS[name]
        verb = _VERBS[op]
        if isinstance(exc, SecretStoreError):
            return SecretStoreError(exc.message, reason=exc.reason)
        if isinstance(exc, _NoAnswer):
            return SecretStoreError(self._timeout_message(), reason="timeout")
        if isinstance(exc, keyring.errors.NoKeyringError):
            return SecretStoreError(NO_BACKEND_MESSAGE, reason="no_backend")
        if isinstance(exc, keyring.errors.KeyringLocked | keyring.errors.InitError) or (
            _looks_locked(exc)
        ):
            return SecretStoreError(
                f"The password store is locked, or its unlock prompt was closed, so the {what} "
                f"could not be {_DONE[op]}. Unlock it (on Linux: GNOME Keyring or KWallet, "
                "usually by logging in to the desktop) and try again.",
                reason="locked",
            )
        return SecretStoreError(
            f"The password store could not {verb} the {what} ({_describe(exc, secret)}). "
            "Try again; if it keeps failing, restart the computer or check the password store "
            "application.",
            reason="backend_error",
        )

    def _timeout_message(self) -> str:
        return (
            f"The password store did not answer within {self._timeout:g} seconds. It may be "
            "waiting for you to unlock it in another window: unlock it and try again. If it "
            "keeps happening, log out and back in, or restart the computer."
        )


class MemorySecretStore:
    """A SecretStore in memory: for demo/training mode and tests. Nothing is written anywhere."""

    def __init__(self) -> None:
        self._values: dict[str, Secret] = {}
        self._till: str | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"MemorySecretStore({len(self._values)} entries)"

    def get(self, environment: str, name: str) -> Secret | None:
        account = _account(environment, name)
        with self._lock:
            return self._values.get(account)

    def set(self, environment: str, name: str, value: Secret) -> None:
        account = _account(environment, name)
        _checked_value(name, value)
        with self._lock:
            self._values[account] = value

    def delete(self, environment: str, name: str) -> None:
        account = _account(environment, name)
        with self._lock:
            self._values.pop(account, None)

    def get_till_record(self) -> str | None:
        with self._lock:
            return self._till

    def set_till_record(self, text: str) -> None:
        if not text:
            raise ValueError("the manager PIN entry is empty")
        with self._lock:
            self._till = text

    def delete_till_record(self) -> None:
        with self._lock:
            self._till = None

    async def aget_till_record(self) -> str | None:
        return self.get_till_record()

    async def aset_till_record(self, text: str) -> None:
        self.set_till_record(text)
