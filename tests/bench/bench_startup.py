"""Cold start of the desk to an interactive amount screen, offscreen, in a fresh process.

    python tests/bench/bench_startup.py [RUNS]     (default 10; target: median <= 1.0 s)

Each run starts `python -c <child>` with its own POS_DATA_DIR; the child opens the real
desk through pos_app.app.run_gui("demo") and, once the main window is shown and the event
loop turns, checks the amount screen takes keys and prints READY. The time measured is
from spawning the process to reading READY.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

CHILD = r"""
import sys

def ready(window):
    screen = window.amount
    screen._key("1")
    ok = window.stack.currentWidget() is screen and screen.amount_text == "₹1.00"
    print("READY" if ok else "NOT-READY", flush=True)
    window.close()

from pos_app.app import run_gui
sys.exit(run_gui("demo", on_ready=[ready]))
"""


def one_run() -> float:
    with tempfile.TemporaryDirectory(prefix="pos-bench-") as data:
        env = {
            **os.environ,
            "POS_DATA_DIR": data,
            "QT_QPA_PLATFORM": "offscreen",
            "LANG": "C.UTF-8",
        }
        env.pop("POS_CASHFREE_BASE_URL", None)
        started = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert child.stdout is not None
        line = child.stdout.readline().strip()
        elapsed = time.perf_counter() - started
        _, err = child.communicate(timeout=30)
        if line != "READY" or child.returncode != 0:
            raise SystemExit(f"start-up failed ({line!r}, exit {child.returncode}):\n{err}")
        return elapsed


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    times = [one_run() for _ in range(runs)]
    median = statistics.median(times)
    print("runs:", ", ".join(f"{t:.3f}" for t in times))
    print(f"median cold start to an interactive amount screen: {median:.3f} s (target <= 1.0 s)")
    return 0 if median <= 1.0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
