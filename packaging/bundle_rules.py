"""What goes into the till's PyInstaller bundle, and what is left out.

Read by packaging/pos_app.spec and packaging/hooks/ at build time, and by the tests in
tests/packaging/. Plain Python: importing it needs neither PyInstaller nor Qt.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path, PurePath

APP_NAME = "pos-app"  # the executable, and the bundle's folder under dist/
APP_ID = "in.posapp.Till"  # reverse-DNS id: .desktop file, AppStream, icon, macOS bundle
DISPLAY_NAME = "Cashfree till"

# The files of the top-level resources/ folder the till reads (the same globs as the
# wheel's package data in pyproject.toml), and where the bundle puts them: the wheel's
# place, pos_app/_resources, so pos_app/ui/resources.py finds them by one rule.
RESOURCE_PATTERNS = ("style.qss", "icons/*.svg", "sounds/*.wav")
RESOURCE_DEST = "pos_app/_resources"

# The `store` extra (psycopg 3 with its binary libpq build): several tills on one
# PostgreSQL store database. The till imports these lazily (only when a store database is
# configured), and psycopg picks its libpq wrapper at run time, so they are named for the
# analysis; psycopg_binary's own libraries (libpq, OpenSSL, ~10 MB) come with its extension.
STORE_MODULES = (
    "psycopg",
    "psycopg.pq",
    "psycopg_binary",
    "psycopg_binary.pq",
    "psycopg_binary._psycopg",
    "pos_app.store_db.access",
    "pos_app.store_db.connect",
    "pos_app.store_db.push",
    "pos_app.store_db.refunds",
    "pos_app.store_db.reports",
    "pos_app.store_db.schema",
    "pos_app.store_db.status",
    "pos_app.store_db.webhooks",
    "pos_app.services.store_sync.link",
    "pos_app.services.store_sync.sync",
    "pos_app.services.store_sync.push",
    "pos_app.services.store_sync.webhook_server",
    "pos_app.services.refunds.at_other_till",
    "pos_app.services.reporting.store_views",
    "pos_app.commands.store_cmd",
    "pos_app.commands.report_store",
    "pos_app.commands.refund_store",
    "pos_app.commands.webhook_cmd",
)

# Python modules the till never imports but the analysis would follow.
# The optional `kiosk` extra (Qt WebEngine, ~300 MB): the till imports it only when the
# embedded checkout is switched on and installed, so the ordinary bundle leaves it out.
KIOSK_MODULES = (
    "PySide6.QtWebEngineCore",
    "PySide6.QtWebEngineWidgets",
    "PySide6.QtWebChannel",
)

EXCLUDED_MODULES = (
    # Qt bindings modules the till does not use (httpx does the networking).
    "PySide6.QtNetwork",
    "PySide6.QtDBus",
    "PySide6.QtOpenGL",
    "PySide6.QtOpenGLWidgets",
    # Other Qt bindings qasync probes for, should the build environment have them.
    "PyQt5",
    "PyQt6",
    "PySide2",
    # Tk, and Pillow's codecs and bridges the till does not need: QR images are PNG.
    "tkinter",
    "_tkinter",
    "PIL.ImageTk",
    "PIL._imagingtk",
    "PIL.ImageQt",
    "PIL._avif",
    "PIL.AvifImagePlugin",
    "PIL._webp",
    "PIL.WebPImagePlugin",
    *KIOSK_MODULES,
)

# Qt plugins kept, by plugin folder; a folder not named here is left out whole. Names
# are compared without the "lib" prefix and the file suffix, so one list serves Linux,
# Windows and macOS. Left out, among others: the GTK platform theme (it drags in GTK 3,
# cairo and pango), eglfs/linuxfb/vnc platforms, evdev input, image formats other than
# SVG (PNG is built into QtGui), and the Qt network plugins.
QT_PLUGINS_KEPT: dict[str, frozenset[str]] = {
    "platforms": frozenset({"qxcb", "qwayland", "qoffscreen", "qwindows", "qcocoa"}),
    "platformthemes": frozenset({"qxdgdesktopportal"}),
    "platforminputcontexts": frozenset(
        {"composeplatforminputcontextplugin", "ibusplatforminputcontextplugin"}
    ),
    "iconengines": frozenset({"qsvgicon"}),
    "imageformats": frozenset({"qsvg"}),
    "xcbglintegrations": frozenset({"qxcb-glx-integration", "qxcb-egl-integration"}),
    "wayland-shell-integration": frozenset({"xdg-shell"}),
    "wayland-decoration-client": frozenset({"bradient", "adwaita"}),
    "wayland-graphics-integration-client": frozenset({"qt-plugin-wayland-egl"}),
    "styles": frozenset({"qmodernwindowsstyle", "qwindowsvistastyle", "qmacstyle"}),
}

# Libraries taken from the target machine instead of the build machine. PyInstaller
# already leaves out libc, libGL/libEGL and libxcb; these read the machine's own
# configuration (fonts, keyboard layouts) or must match its graphics driver's C++ runtime.
SYSTEM_LIBRARIES = re.compile(
    r"^lib(fontconfig|freetype|xkbcommon|xkbcommon-x11|stdc\+\+|gcc_s|wayland-[a-z]+)"
    r"\.so(\.\d+)*$"
)

_PLUGIN_SUFFIXES = (".so", ".dll", ".dylib")

# A PyInstaller TOC entry: (path inside the bundle, source path, type code).
Entry = tuple[str, str, str]
_SCANNED = ("BINARY", "EXTENSION")


def resource_datas(resources: Path) -> list[tuple[str, str]]:
    """(source file, destination folder) for every resource file the till ships."""
    datas: list[tuple[str, str]] = []
    for pattern in RESOURCE_PATTERNS:
        for path in sorted(resources.glob(pattern)):
            if path.is_file():
                folder = path.parent.relative_to(resources).as_posix()
                dest = RESOURCE_DEST if folder == "." else f"{RESOURCE_DEST}/{folder}"
                datas.append((str(path), dest))
    return datas


def plugin_name(file_name: str) -> str:
    """libqxcb.so -> qxcb; qwindows.dll -> qwindows; libqcocoa.dylib -> qcocoa."""
    stem = file_name
    for suffix in _PLUGIN_SUFFIXES:
        if stem.endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    return stem.removeprefix("lib")


def _plugin_folder(parts: tuple[str, ...]) -> str | None:
    if "plugins" not in parts:
        return None
    index = len(parts) - 1 - parts[::-1].index("plugins")
    rest = parts[index + 1 : -1]
    return "/".join(rest) if rest else None


def keep_qt_plugin(dest: str) -> bool:
    """Whether a Qt plugin (its path inside the bundle, e.g.
    PySide6/Qt/plugins/platforms/libqxcb.so) goes into the bundle; True for anything that
    is not a Qt plugin."""
    parts = PurePath(dest).parts
    if not parts or "PySide6" not in parts:
        return True
    folder = _plugin_folder(parts)
    if folder is None:
        return True
    kept = QT_PLUGINS_KEPT.get(folder)
    return kept is not None and plugin_name(parts[-1]) in kept


def keep_binary(dest: str) -> bool:
    """Whether a collected binary (its path inside the bundle) stays in the bundle."""
    if SYSTEM_LIBRARIES.match(PurePath(dest).name):
        return False
    return keep_qt_plugin(dest)


def keep_data(dest: str) -> bool:
    """Whether a collected data file stays: not Qt's translations (the till is in English
    and installs no translator)."""
    parts = PurePath(dest).parts
    is_translation = "PySide6" in parts and "translations" in parts and dest.endswith(".qm")
    return not is_translation


def linked_libraries(binary: str) -> list[str]:
    """The libraries an ELF binary names itself (DT_NEEDED), not what those pull in (ldd's
    answer). Empty where objdump (binutils, which PyInstaller needs on Linux) is absent."""
    objdump = shutil.which("objdump")
    if objdump is None or not sys.platform.startswith("linux"):
        return []
    done = subprocess.run(  # noqa: S603 - fixed argv, no shell
        [objdump, "-p", binary], capture_output=True, text=True, check=False
    )
    names = []
    for line in done.stdout.splitlines():
        fields = line.split()
        if len(fields) == 2 and fields[0] == "NEEDED":
            names.append(fields[1])
    return names


def without_orphans(
    before: Sequence[Entry], kept: Sequence[Entry], needs: Callable[[str], Iterable[str]]
) -> list[Entry]:
    """kept, less the libraries that only left-out binaries needed.

    before is what the analysis collected, kept what the rules above let through, and
    needs(source) names the libraries a binary links to. A library some collected binary
    linked to, that no kept binary links to any more, goes too (repeatedly, down the
    chain): left in the bundle folder, which is on the loader's path, it would shadow the
    target machine's own copy for the system library that needs it. Libraries nothing
    linked to (Python extensions, Qt plugins, libraries loaded at run time) stay.
    """

    def needed_by(entries: Iterable[Entry]) -> set[str]:
        names: set[str] = set()
        for _, source, kind in entries:
            if kind in _SCANNED:
                names.update(PurePath(name).name for name in needs(source))
        return names

    was_needed = needed_by(before)
    current = list(kept)
    while True:
        needed = needed_by(current)
        orphans = {
            dest
            for dest, _, _ in current
            if PurePath(dest).name in was_needed and PurePath(dest).name not in needed
        }
        if not orphans:
            return current
        current = [entry for entry in current if entry[0] not in orphans]
