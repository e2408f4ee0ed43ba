"""pos-app installed without the 'store' extra (no psycopg): the till works as before, and
the store commands say what to install instead of failing strangely."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

BLOCK = "import sys; sys.modules['psycopg'] = None\n"


def _run(code: str, data: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "POS_DATA_DIR": str(data), "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-c", BLOCK + code], env=env, capture_output=True, text=True, timeout=60
    )


def test_store_commands_name_the_missing_extra(tmp_path: Path) -> None:
    out = _run(
        "from pos_app.cli import main; sys.exit(main(['store', 'status', '--demo']))", tmp_path
    )
    assert out.returncode == 8, out.stderr
    assert "pos_app[store]" in out.stderr


def test_joining_needs_no_driver_and_the_till_starts_without_it(tmp_path: Path) -> None:
    join = _run(
        "from pos_app.cli import main; sys.exit(main(['config', 'set', 'store_id', 'shop']))",
        tmp_path,
    )
    assert join.returncode == 0, join.stderr
    code = (
        "from pos_app import app\n"
        "rt = app.open_runtime('demo')\n"
        "app.store_link(rt)\n"
        "rt.journal.close()\n"
        "print('ok', 'psycopg' in sys.modules and sys.modules['psycopg'] is not None)\n"
    )
    out = _run(code, tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok False"
