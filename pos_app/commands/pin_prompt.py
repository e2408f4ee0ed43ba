"""Asking for something hidden in a terminal, and the manager PIN gate of the commands.

Every hidden question (the manager PIN, a new PIN, the Cashfree client secret) reads one
line: from a prompt that does not echo when stdin is a terminal, or from stdin when it is
a pipe. So a script answers the questions in order, one line each, and nothing secret is
ever taken from the command line (where shell history and `ps` would keep it).

`require_manager_pin` is the gate for settings, credentials and refunds. The wrong-try
count lives in a file in the config folder, shared with the desk's PIN dialog: restarting
the command is no way around the lockout.
"""

from __future__ import annotations

import getpass
import sys
import time
from collections.abc import Callable
from pathlib import Path

from pos_app.commands.output import say
from pos_app.config import Paths, Settings, settings_file
from pos_app.services.manager_pin import PinGuard, PinLockedError

__all__ = [
    "NO_PIN_HINT",
    "PIN_STATE_FILE",
    "TERMINAL_TRIES",
    "interactive",
    "manager_pin_guard",
    "pin_state_path",
    "read_hidden",
    "require_manager_pin",
]

PIN_STATE_FILE = "manager_pin_state.json"
TERMINAL_TRIES = 3  # at a terminal; a script gets one try per run

NO_PIN_HINT = (
    "No manager PIN is set, so anyone at this till can do this. "
    "Set one with `pos-app config set manager_pin`."
)


def pin_state_path(where: Paths) -> Path:
    """The file that counts wrong manager PINs (shared by the desk and the commands)."""
    return where.config_dir / PIN_STATE_FILE


def manager_pin_guard(where: Paths, clock: Callable[[], float] = time.time) -> PinGuard:
    """The one PinGuard for this till's data folder (wall-clock time: it survives restarts)."""
    return PinGuard(clock, state_path=pin_state_path(where))


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


def require_manager_pin(settings: Settings, paths: Paths, *, what: str | None = None) -> bool:
    """Ask for the manager PIN when one is set; True when the command may go on.

    With no PIN set it says so (once, on stderr) and lets the command go on. While the PIN
    is locked after wrong tries it says how long to wait and asks nothing. `what` names
    the action in the prompt ("change the settings").
    """
    encoded = settings.manager_pin_hash
    if encoded is None:
        say(NO_PIN_HINT)
        return True
    guard = manager_pin_guard(paths)
    now = time.time()
    until = guard.locked_until()
    if until is not None:
        say(PinLockedError(until - now).message)
        return False
    prompt = f"Manager PIN to {what}: " if what else "Manager PIN: "
    tries = TERMINAL_TRIES if interactive() else 1
    for attempt in range(1, tries + 1):
        pin = read_hidden(prompt)
        if pin is None or not pin:
            say("No manager PIN was given, so nothing was changed.")
            return False
        try:
            if guard.check(pin, encoded):
                return True
        except PinLockedError as exc:
            say(exc.message)
            return False
        except ValueError:  # the stored hash is not one of ours
            say(
                "The stored manager PIN is damaged, so it cannot be checked. Someone with "
                f"access to this computer can remove manager_pin_hash from {settings_file(paths)} "
                "and then set a new PIN with `pos-app config set manager_pin`."
            )
            return False
        locked = guard.locked_until()
        if locked is not None:
            say(f"Wrong manager PIN. {PinLockedError(locked - time.time()).message}")
            return False
        say("Wrong manager PIN." + (" Try again." if attempt < tries else ""))
    return False
