"""POS_EXIT_AFTER_START=1: the desk starts, proves the amount screen takes a key, quits 0.

This is what .ci/run and tests/bench/bench_bundle.py ask of the built bundle; here the
same switch is exercised through `python -m pos_app`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pos_app.ui.desk import EXIT_AFTER_START_ENV, READY_LINE

pytestmark = pytest.mark.slow


def _start(tmp_path: Path, *, exit_after_start: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "POS_DATA_DIR": str(tmp_path),
        "QT_QPA_PLATFORM": "offscreen",
        EXIT_AFTER_START_ENV: exit_after_start,
    }
    env.pop("POS_CASHFREE_BASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "pos_app", "--demo"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_desk_reports_ready_and_exits_zero(tmp_path: Path) -> None:
    done = _start(tmp_path, exit_after_start="1")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [READY_LINE]
    assert (tmp_path / "data").is_dir()  # it really opened the demo till's data folder


def test_other_values_do_not_quit(tmp_path: Path) -> None:
    with pytest.raises(subprocess.TimeoutExpired):
        subprocess.run(
            [sys.executable, "-m", "pos_app", "--demo"],
            env={
                **os.environ,
                "POS_DATA_DIR": str(tmp_path),
                "QT_QPA_PLATFORM": "offscreen",
                EXIT_AFTER_START_ENV: "yes",
            },
            cwd=tmp_path,
            capture_output=True,
            timeout=3,
        )
