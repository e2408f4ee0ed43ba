"""Asking for something hidden in a terminal, and the manager PIN gate of the commands.

Every hidden question (the manager PIN, a new PIN, the Cashfree client secret) reads one
line: from a prompt that does not echo when stdin is a terminal, or from stdin when it is
a pipe. So a script answers the questions in order, one line each, and nothing secret is
ever taken from the command line (where shell history and `ps` would keep it).

`require_manager_pin` is the gate for settings, credentials and refunds. The PIN's hash
and its wrong-try count live in the OS password store (services.pin_vault), shared with
the desk's PIN dialog: neither restarting the command nor editing or deleting a file in
the till's folders is a way around them.
"""

from __future__ import annotations

import getpass
import sys
import time
from pathlib import Path
from typing import Literal

from pos_app.commands.output import say
from pos_app.config import Paths, Settings
from pos_app.secrets import TillRecordStore
from pos_app.services.manager.pin import PinGuard, PinLockedError
from pos_app.services.manager.pin_vault import Access

__all__ = [
    "NO_PIN_HINT",
    "PIN_STATE_FILE",
    "TERMINAL_TRIES",
    "interactive",
    "manager_access_here",
    "pin_state_path",
    "read_hidden",
    "require_manager_pin",
    "try_pin",
]

PIN_STATE_FILE = "manager_pin_state.json"
TERMINAL_TRIES = 3  # at a terminal; a script gets one try per run

NO_PIN_HINT = (
    "No manager PIN is set, so anyone at this till can do this. "
    "Set one with `pos-app config set manager_pin`."
)


DAMAGED_PIN = (
    "The stored manager PIN is damaged, so it cannot be checked. Set a new one "
    "with `pos-app config set manager_pin --reset` (recorded in the journal)."
)


def try_pin(
    guard: PinGuard, pin: str, encoded: str, *, damaged: str
) -> Literal["right", "wrong", "stop"]:
    """One typed PIN against the stored hash. "stop" when the guard is locked or the hash
    is not one of ours (said on stderr, with `damaged` for the latter)."""
    try:
        return "right" if guard.check(pin, encoded) else "wrong"
    except PinLockedError as exc:
        say(exc.message)
    except ValueError:  # the stored hash is not one of ours
        say(damaged)
    return "stop"


def pin_state_path(where: Paths) -> Path:
    """The file that counts wrong manager PINs (shared by the desk and the commands)."""
    return where.config_dir / PIN_STATE_FILE


def interactive() -> bool:
    """True when stdin is a terminal a person types into (not a pipe or a file)."""
    stream = sys.stdin
    if stream is None:
        return False
    try:
        return stream.isatty()
    except (ValueError, OSError):  # closed or detached stdin
        return False


def read_hidden(prompt: str) -> str | None:
    """One answer, without echo at a terminal, or the next line of stdin otherwise.

    Surrounding whitespace is removed. None when there is nothing to read (end of input,
    or Ctrl-D at the prompt).
    """
    if interactive():
        try:
            answer = getpass.getpass(prompt)
        except EOFError:
            return None
        return answer.strip()
    stream = sys.stdin
    if stream is None:
        return None
    line = stream.readline()
    if not line:
        return None
    return line.strip()


def manager_access_here(
    settings: Settings,
    paths: Paths,
    *,
    environment: str | None = None,
    store: TillRecordStore | None = None,
) -> tuple[Access, TillRecordStore]:
    """The manager gate's answer for this till (policy, password store, settings)."""
    from pos_app.secrets import KeyringSecretStore
    from pos_app.services.manager.gate import resolve_access

    vault: TillRecordStore = store if store is not None else KeyringSecretStore()
    env = environment or settings.environment
    return resolve_access(paths, settings, env, vault), vault


def require_manager_pin(
    settings: Settings,
    paths: Paths,
    *,
    what: str | None = None,
    environment: str | None = None,
    store: TillRecordStore | None = None,
    again: bool = False,
) -> bool:
    """Ask for the manager PIN; True when the command may go on.

    Open (no PIN) only in demo: it says so once on stderr. In sandbox and production with
    no PIN, or when the PIN is locked (a mismatch between the password store and the
    settings, a policy file that cannot be obeyed), it says why and refuses. While the
    PIN is locked after wrong tries it says how long to wait and asks nothing. `what`
    names the action in the prompt ("change the settings"); `again` words the prompt as
    a second confirmation.
    """
    from pos_app.services.manager.gate import pin_guard

    access, vault = manager_access_here(settings, paths, environment=environment, store=store)
    if access.state == "open":
        say(access.message or NO_PIN_HINT)
        return True
    if access.state != "ask" or access.encoded is None:
        say(f"Refused: {access.message}")
        return False
    encoded = access.encoded
    guard = pin_guard(vault)
    now = time.time()
    until = guard.locked_until()
    if until is not None:
        say(PinLockedError(until - now).message)
        return False
    prompt = f"Manager PIN to {what}: " if what else "Manager PIN: "
    if again:
        prompt = f"Manager PIN again, to confirm ({what or 'this'}): "
    tries = TERMINAL_TRIES if interactive() else 1
    for attempt in range(1, tries + 1):
        pin = read_hidden(prompt)
        if pin is None or not pin:
            say("No manager PIN was given, so nothing was changed.")
            return False
        outcome = try_pin(guard, pin, encoded, damaged=DAMAGED_PIN)
        if outcome != "wrong":
            return outcome == "right"
        locked = guard.locked_until()
        if locked is not None:
            say(f"Wrong manager PIN. {PinLockedError(locked - time.time()).message}")
            return False
        say("Wrong manager PIN." + (" Try again." if attempt < tries else ""))
    return False
