"""A system sound player started from the bundle gets the system's libraries."""

from __future__ import annotations

from pos_app.voice.system import child_environment as system_environment


def test_bundle_library_path_is_put_back() -> None:
    env = system_environment(
        {
            "LD_LIBRARY_PATH": "/opt/pos-app/_internal",
            "LD_LIBRARY_PATH_ORIG": "/usr/local/lib",
            "X": "1",
        }
    )
    assert env["LD_LIBRARY_PATH"] == "/usr/local/lib"
    assert "LD_LIBRARY_PATH_ORIG" not in env and env["X"] == "1"


def test_bundle_library_path_is_dropped_when_there_was_none() -> None:
    env = system_environment(
        {"LD_LIBRARY_PATH": "/opt/pos-app/_internal", "LD_LIBRARY_PATH_ORIG": ""}
    )
    assert "LD_LIBRARY_PATH" not in env


def test_outside_a_bundle_nothing_changes() -> None:
    assert system_environment({"LD_LIBRARY_PATH": "/usr/lib/x"}) == {
        "LD_LIBRARY_PATH": "/usr/lib/x"
    }
