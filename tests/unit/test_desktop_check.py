"""`pos-app` without a display or without Qt's system libraries says so in one sentence
and names what to install, instead of Qt's abort (issue 13, the first day)."""

from __future__ import annotations

import os
import subprocess
import sys

from pos_app.desktop_check import NO_DISPLAY, XCB_LIBRARIES, desktop_problem, missing_libraries


def loader(missing: set[str]):  # type: ignore[no-untyped-def]
    def load(name: str) -> object:
        if name in missing:
            raise OSError(f"{name}: cannot open shared object file")
        return object()

    return load


def test_no_display_is_one_sentence_with_a_way_forward() -> None:
    problem = desktop_problem({}, platform="linux", load=loader(set()))
    assert problem == NO_DISPLAY
    assert "pos-app charge" in problem


def test_missing_xcb_libraries_name_the_packages() -> None:
    problem = desktop_problem(
        {"DISPLAY": ":0"},
        platform="linux",
        load=loader({"libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libxcb-cursor.so.0"}),
    )
    assert problem is not None
    assert "sudo apt install libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1" in problem
    assert problem.count(".") >= 1 and "\n" not in problem


def test_a_complete_desktop_passes_and_other_platforms_are_left_to_qt() -> None:
    assert desktop_problem({"DISPLAY": ":0"}, platform="linux", load=loader(set())) is None
    assert desktop_problem({}, platform="win32", load=loader(set())) is None
    offscreen = {"QT_QPA_PLATFORM": "offscreen"}
    assert desktop_problem(offscreen, platform="linux", load=loader({"libGL.so.1"})) is None


def test_wayland_needs_no_x11_libraries() -> None:
    every_xcb = {library for library, _ in XCB_LIBRARIES}
    env = {"WAYLAND_DISPLAY": "wayland-0"}
    assert desktop_problem(env, platform="linux", load=loader(every_xcb)) is None


def test_missing_libraries_really_loads_them() -> None:
    assert missing_libraries((("libc.so.6", "libc6"),)) == []
    assert missing_libraries((("libno-such-thing.so.9", "nothing"),)) == [
        ("libno-such-thing.so.9", "nothing")
    ]


def test_the_command_prints_the_sentence_not_qts_abort(tmp_path: object) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("QT_QPA_PLATFORM", None)
    done = subprocess.run(
        [sys.executable, "-m", "pos_app", "--demo"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 8, done.stderr
    assert done.stderr.strip() == NO_DISPLAY
    assert "qt.qpa" not in done.stderr and "Aborted" not in done.stderr
