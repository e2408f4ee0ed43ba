"""Day-report benchmark (a script, not a test): `pos-app report` on a million sales.

Builds (or reuses, with --dir) the journal of bench_journal.py: 1,000,000 sales over ~200
days, every outcome, refunds. Then, in one process, warm, times:

* `pos-app report --date D --format json|csv|table` for one day, the whole command as a
  manager runs it (open the journal, read the day, render, write the file), day picked at
  random each run (target: tens of ms);
* the day-report value alone (`build_day_report`, what the console's day end shows);
* and, for information, `Journal.day_totals` (the totals the MCP server and refunds read).

Run:  PYTHONPATH=. /work/.venv/bin/python tests/bench/bench_report.py [--sales 1000000]
      [--days 200] [--runs 30] [--dir PATH]
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path


def _bench_journal() -> object:
    spec = importlib.util.spec_from_file_location(
        "bench_journal", Path(__file__).with_name("bench_journal.py")
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def timed(runs: int, action: Callable[[int], object]) -> list[float]:
    samples = []
    for i in range(runs):
        began = time.perf_counter()
        action(i)
        samples.append((time.perf_counter() - began) * 1000)
    return samples


def show(label: str, samples: list[float], target: str = "") -> None:
    ordered = sorted(samples)
    print(
        f"{label:<44} median {statistics.median(samples):8.2f} ms   min {ordered[0]:8.2f} ms"
        f"   max {ordered[-1]:8.2f} ms   (n={len(samples)})"
        f"{'   target ' + target if target else ''}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sales", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=200)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--dir", type=Path, default=None, help="where to build (and keep)")
    args = parser.parse_args()

    folder = args.dir or Path(tempfile.mkdtemp(prefix="bench-report-"))
    folder.mkdir(parents=True, exist_ok=True)
    built = folder / f"journal-bench-{args.sales}.sqlite3"
    if not built.exists():
        _bench_journal().build(built, args.sales, args.days)  # type: ignore[attr-defined]
    home = folder / "home"
    os.environ["POS_DATA_DIR"] = str(home)
    os.environ["TZ"] = "UTC"
    time.tzset()

    from pos_app.cli import main as cli
    from pos_app.config import journal_path, paths
    from pos_app.services.reporting.day_end import build_day_report
    from pos_app.services.reporting.queries import ReportReader
    from pos_app.store.journal import Journal

    target = journal_path(paths(), "demo")
    if not target.exists():
        os.link(built, target)
    print(f"journal file {target.stat().st_size / 1e6:.0f} MB, {args.sales:,} sales")

    first = datetime(2026, 1, 1, tzinfo=UTC)
    rng = random.Random(5)
    out = folder / "report.out"

    def day() -> datetime:
        return first + timedelta(days=rng.randrange(args.days))

    def command(form: str) -> Callable[[int], object]:
        def run(_: int) -> None:
            argv = ["--demo", "report", "--date", f"{day():%Y-%m-%d}", "--format", form]
            with contextlib.redirect_stderr(io.StringIO()):
                assert cli([*argv, "--output", str(out)]) == 0

        return run

    command("json")(0)  # warm the cache once, as a till that has been running would be
    sales_in_day = out.read_text(encoding="utf-8").count('"order_id"')
    print(f"  (about {sales_in_day:,} sales in a day)")
    for form in ("json", "csv", "table"):
        show(f"pos-app report --format {form}", timed(args.runs, command(form)), "tens of ms")

    with Journal.open(target) as journal, ReportReader.beside(journal) as reader:

        def value(_: int) -> None:
            start = day()
            build_day_report(reader, start, start + timedelta(days=1))

        def totals(_: int) -> None:
            start = day()
            journal.day_totals(start, start + timedelta(days=1))

        show("the day-report value (build_day_report)", timed(args.runs, value))
        show("Journal.day_totals", timed(args.runs, totals))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
