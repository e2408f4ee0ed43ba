"""The journal names customers' payments: its files are the owner's alone.

SQLite gives the -wal, -shm and rollback-journal files the permissions of the database
file, so the database is created 0600 before SQLite first opens it, and every file of the
journal found beside it (including migration backups) is set to 0600 on each open: a
journal made by an older version, or copied in, is tightened too. On systems without
POSIX permissions (Windows) this does nothing.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

__all__ = ["FILE_MODE", "FOLDER_MODE", "create_private", "tighten"]

log = logging.getLogger(__name__)

FILE_MODE = 0o600
FOLDER_MODE = 0o700
_COMPANIONS = ("-wal", "-shm", "-journal")


def create_private(path: Path) -> None:
    """Create `path` empty with mode 0600 if it does not exist (SQLite then adopts it)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return
    os.close(fd)


def tighten(path: Path) -> None:
    """Set the journal, its companions and its backups to 0600 where they are looser."""
    if os.name != "posix":
        return
    candidates = [path, *(path.with_name(path.name + s) for s in _COMPANIONS)]
    candidates += sorted(path.parent.glob(f"{path.name}.bak-v*"))
    for candidate in candidates:
        try:
            mode = stat.S_IMODE(candidate.stat().st_mode)
            if mode & 0o077:
                os.chmod(candidate, FILE_MODE)
        except FileNotFoundError:
            continue
        except OSError as exc:  # not ours to change (another owner): say so, carry on
            log.warning("could not make %s private: %s", candidate, exc)
