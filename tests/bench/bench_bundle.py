"""The desktop bundle: its size, and its cold start to an interactive amount screen.

    python tests/bench/bench_bundle.py [BUNDLE_DIR] [RUNS]
        (defaults: dist/pos-app and 10; targets: at most 200 MB, median start <= 1.2 s)

Build the bundle first (packaging/build.sh). Each run starts `<bundle>/pos-app --demo`
offscreen with POS_EXIT_AFTER_START=1, in an environment that hides every Python of the
build machine (only PATH=/usr/bin:/bin, a fresh HOME and POS_DATA_DIR), and times the
spawn to the line the desk prints once a typed digit has reached the amount screen; the
process must then exit 0. The size is counted like `du` (allocated blocks).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pos_app.ui.desk import EXIT_AFTER_START_ENV, READY_LINE

MAX_MB = 200.0
MAX_MEDIAN_S = 1.2


def bundle_size_mb(folder: Path) -> float:
    seen: set[tuple[int, int]] = set()
    blocks = 0
    for path in [folder, *folder.rglob("*")]:
        info = path.lstat()
        key = (info.st_dev, info.st_ino)
        if key not in seen:
            seen.add(key)
            blocks += info.st_blocks
    return blocks * 512 / (1024 * 1024)


def one_run(executable: Path) -> float:
    with tempfile.TemporaryDirectory(prefix="pos-bundle-") as home:
        env = {
            "PATH": "/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "HOME": home,
            "POS_DATA_DIR": home,
            "QT_QPA_PLATFORM": "offscreen",
            EXIT_AFTER_START_ENV: "1",
        }
        started = time.perf_counter()
        child = subprocess.Popen(
            [str(executable), "--demo"],
            env=env,
            cwd=home,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert child.stdout is not None
        line = child.stdout.readline().strip()
        elapsed = time.perf_counter() - started
        _, err = child.communicate(timeout=30)
        if line != READY_LINE or child.returncode != 0:
            raise SystemExit(f"start-up failed ({line!r}, exit {child.returncode}):\n{err}")
        return elapsed


def main() -> int:
    folder = (Path(sys.argv[1]) if len(sys.argv) > 1 else Path("dist/pos-app")).resolve()
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    executable = folder / "pos-app"
    if not executable.is_file():
        raise SystemExit(f"no bundle at {folder}: build it with packaging/build.sh")
    size = bundle_size_mb(folder)
    print(f"bundle size: {size:.1f} MB (target <= {MAX_MB:.0f} MB)")
    version = subprocess.run(
        [str(executable), "--version"], capture_output=True, text=True, check=True, timeout=30
    )
    print(f"version: {version.stdout.strip()}")
    times = [one_run(executable) for _ in range(runs)]
    median = statistics.median(times)
    print("runs:", ", ".join(f"{t:.3f}" for t in times))
    print(
        f"median cold start to an interactive amount screen: {median:.3f} s "
        f"(target <= {MAX_MEDIAN_S} s)"
    )
    return 0 if median <= MAX_MEDIAN_S and size <= MAX_MB else 1


if __name__ == "__main__":
    raise SystemExit(main())
