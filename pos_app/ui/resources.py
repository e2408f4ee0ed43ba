"""Finding the files in resources/ (stylesheet, icons, sounds).

One rule, whichever way the till was installed, relative to the pos_app package folder:

- ``pos_app/_resources``: an installed till. The wheel carries the top-level resources/
  folder there as package data (see setup.py), and the PyInstaller bundle puts it at the
  same place under its unpacked folder (see packaging/pos_app.spec), where pos_app's
  ``__file__`` points even though its modules live in the bundle's archive.
- ``resources/`` beside the package: a source checkout or an editable install.

The first of these that holds style.qss wins. A missing file is never fatal: the desk
runs unstyled, without icons or silently.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path

from PySide6.QtGui import QIcon

log = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).resolve().parents[1]
INSTALLED_NAME = "_resources"  # inside the package: wheel and bundle
CHECKOUT_NAME = "resources"  # beside the package: source tree and editable install
MARKER = "style.qss"


def resource_candidates(package_dir: Path) -> tuple[Path, Path]:
    """Where the resources folder may be, in the order they are tried."""
    return (package_dir / INSTALLED_NAME, package_dir.parent / CHECKOUT_NAME)


def find_resource_dir(package_dir: Path) -> Path | None:
    """The resources folder for the pos_app package at package_dir, or None."""
    for folder in resource_candidates(package_dir):
        if (folder / MARKER).is_file():
            return folder
    return None


@functools.cache
def resource_dir() -> Path | None:
    """The resources folder of the running till (wheel, editable install or bundle)."""
    found = find_resource_dir(PACKAGE_DIR)
    if found is None:
        looked = [str(p) for p in resource_candidates(PACKAGE_DIR)]
        log.warning("resources folder not found; looked in %s", looked)
    return found


def resource_path(*parts: str) -> Path | None:
    """A file in the resources folder, e.g. resource_path("icons", "app.svg"); None if absent."""
    base = resource_dir()
    if base is None:
        return None
    path = base.joinpath(*parts)
    return path if path.is_file() else None


def stylesheet() -> str:
    path = resource_path(MARKER)
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
