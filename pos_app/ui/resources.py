"""Finding the files in resources/ (stylesheet, icons, sounds).

The folder sits beside the package in a source checkout or an editable install, under
sys._MEIPASS in a PyInstaller bundle, and under <prefix>/share/pos_app in a wheel install.
A missing file is never fatal: the desk runs unstyled, without icons or silently.
"""

from __future__ import annotations

import functools
import logging
import sys
from pathlib import Path

from PySide6.QtGui import QIcon

log = logging.getLogger(__name__)

_HERE = Path(__file__).resolve()


def _candidates() -> list[Path]:
    found: list[Path] = []
    bundle = getattr(sys, "_MEIPASS", None)
    if isinstance(bundle, str):
        found.append(Path(bundle) / "resources")
    found.append(_HERE.parents[2] / "resources")
    found.append(Path(sys.prefix) / "share" / "pos_app" / "resources")
    return found


@functools.cache
def resource_dir() -> Path | None:
    for folder in _candidates():
        if (folder / "style.qss").is_file():
            return folder
    log.warning("resources folder not found; looked in %s", [str(p) for p in _candidates()])
    return None


def resource_path(*parts: str) -> Path | None:
    base = resource_dir()
    if base is None:
        return None
    path = base.joinpath(*parts)
    return path if path.is_file() else None


def stylesheet() -> str:
    path = resource_path("style.qss")
    if path is None:
        return ""
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        log.exception("cannot read the stylesheet %s", path)
        return ""


def icon(name: str) -> QIcon:
    """An SVG icon from resources/icons by name (without .svg); empty when missing."""
    path = resource_path("icons", f"{name}.svg")
    return QIcon(str(path)) if path is not None else QIcon()
