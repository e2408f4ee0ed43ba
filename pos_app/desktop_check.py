"""Before the window opens: is there a display, and are the system libraries Qt needs
there? Qt itself answers either question by aborting the process with a page of plugin
errors; this check answers with one plain sentence and the packages to install.

No Qt import here (it is what fails when a library is missing): each library is loaded
with ctypes, which is exactly what the dynamic linker would do for Qt a moment later.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable, Mapping

__all__ = ["BASE_LIBRARIES", "XCB_LIBRARIES", "desktop_problem", "missing_libraries"]

# What QtGui needs on any Linux desktop: (shared object, Debian/Ubuntu package).
BASE_LIBRARIES: tuple[tuple[str, str], ...] = (
    ("libglib-2.0.so.0", "libglib2.0-0"),
    ("libGL.so.1", "libgl1"),
    ("libEGL.so.1", "libegl1"),
    ("libfontconfig.so.1", "libfontconfig1"),
    ("libfreetype.so.6", "libfreetype6"),
    ("libxkbcommon.so.0", "libxkbcommon0"),
    ("libdbus-1.so.3", "libdbus-1-3"),
)
# What Qt's X11 (xcb) platform plugin loads besides (ldd of libqxcb.so, Qt 6.11).
XCB_LIBRARIES: tuple[tuple[str, str], ...] = (
    ("libX11.so.6", "libx11-6"),
    ("libX11-xcb.so.1", "libx11-xcb1"),
    ("libxcb.so.1", "libxcb1"),
    ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0"),
    ("libxcb-cursor.so.0", "libxcb-cursor0"),
    ("libxcb-icccm.so.4", "libxcb-icccm4"),
    ("libxcb-keysyms.so.1", "libxcb-keysyms1"),
    ("libxcb-image.so.0", "libxcb-image0"),
    ("libxcb-render-util.so.0", "libxcb-render-util0"),
    ("libxcb-randr.so.0", "libxcb-randr0"),
    ("libxcb-shape.so.0", "libxcb-shape0"),
    ("libxcb-xkb.so.1", "libxcb-xkb1"),
    ("libxcb-xfixes.so.0", "libxcb-xfixes0"),
    ("libxcb-sync.so.1", "libxcb-sync1"),
    ("libxcb-shm.so.0", "libxcb-shm0"),
)

NO_DISPLAY = (
    "The till's window cannot open because this session has no display (neither DISPLAY "
    "nor WAYLAND_DISPLAY is set): start pos-app from the desktop, or take a payment in this "
    "terminal with `pos-app charge 250 --demo`."
)

Loader = Callable[[str], object]


def _load(name: str) -> object:
    return ctypes.CDLL(name)


def missing_libraries(
    libraries: tuple[tuple[str, str], ...], load: Loader = _load
) -> list[tuple[str, str]]:
    """The (library, package) pairs the dynamic linker cannot load."""
    missing = []
    for library, package in libraries:
        try:
            load(library)
        except OSError:
            missing.append((library, package))
    return missing


def desktop_problem(
    environ: Mapping[str, str] | None = None,
    *,
    platform: str = sys.platform,
    load: Loader = _load,
) -> str | None:
    """One sentence saying why the window cannot open here, with what to install; None
    when it can (or when this is not Linux, where Qt brings what it needs)."""
    env = os.environ if environ is None else environ
    if not platform.startswith("linux"):
        return None
    qpa = env.get("QT_QPA_PLATFORM", "").strip().lower()
    if qpa and not qpa.startswith(("xcb", "wayland")):
        return None  # offscreen, vnc, eglfs...: the user chose; Qt's own word stands
    wanted = list(BASE_LIBRARIES)
    if not qpa.startswith("wayland"):
        if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
            return NO_DISPLAY
        if env.get("DISPLAY"):
            wanted += XCB_LIBRARIES
    missing = missing_libraries(tuple(wanted), load)
    if not missing:
        return None
    names = ", ".join(library for library, _ in missing)
    packages = " ".join(package for _, package in missing)
    return (
        f"The till's window cannot open because this computer lacks system libraries it "
        f"needs ({names}): on Debian or Ubuntu install them with "
        f"`sudo apt install {packages}`, then start pos-app again."
    )
