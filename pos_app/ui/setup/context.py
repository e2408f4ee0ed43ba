"""What the setup dialogs need from the rest of the till, handed in by the composition root
(pos_app.app): the folders, the password store, the credential check, the PIN guard and,
for diagnostics, the running gateway's last call."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # annotations only: the desk imports this module at start-up
    from pos_app.config import Paths
    from pos_app.secrets import Secret
    from pos_app.services.diagnostics import CallRecord, ConnectionCheck
    from pos_app.services.manager.pin import PinGuard

__all__ = ["AsyncSecretStore", "Checker", "SetupServices"]

Checker = Callable[[str, str, "Secret"], Awaitable["ConnectionCheck"]]


class AsyncSecretStore(Protocol):
    """The async face of pos_app.secrets.KeyringSecretStore (each call bounded in time)."""

    async def aget(self, environment: str, name: str) -> Secret | None: ...

    async def aset(self, environment: str, name: str, value: Secret) -> None: ...

    async def adelete(self, environment: str, name: str) -> None: ...

    def backend_name(self) -> str: ...

    async def abackend_name(self) -> str: ...

    # the till's manager PIN entry (pos_app.secrets.TillRecordStore): the blocking calls
    # off the GUI thread only, the async ones on the loop (one keyring worker each)
    def get_till_record(self) -> str | None: ...

    def set_till_record(self, text: str) -> None: ...

    def delete_till_record(self) -> None: ...

    async def aget_till_record(self) -> str | None: ...

    async def aset_till_record(self, text: str) -> None: ...


def _no_call() -> CallRecord | None:
    return None


@dataclass
class SetupServices:
    paths: Paths
    secrets: AsyncSecretStore
    check: Checker  # environment, App ID, secret -> how Cashfree answered
    guard: PinGuard
    environment: str = "demo"  # the environment the till is running in now
    last_call: Callable[[], CallRecord | None] = field(default=_no_call)
    monotonic: Callable[[], float] = time.monotonic  # the gateway's clock, for "N seconds ago"
    sound_notice: str = ""  # set by the desk when sound is on but cannot play
