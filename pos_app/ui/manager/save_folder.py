"""Where a save dialog starts: the user's Documents folder (not the till's working
folder, which is wherever it was started from)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths

__all__ = ["documents_folder", "in_documents"]


def documents_folder() -> Path:
    found = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    folder = Path(found) if found else Path.home()
    return folder if folder.is_dir() else Path.home()


def in_documents(name: str) -> str:
    """The path a save dialog should offer first for a file called `name`."""
    return str(documents_folder() / name)
