"""Messages for the person at the terminal go to stderr, leaving stdout for results."""

from __future__ import annotations

import sys
from pathlib import Path

__all__ = ["say", "write_out"]


def say(message: str) -> None:
    print(message, file=sys.stderr)


def write_out(text: str, output: str | None, rows: int) -> None:
    """A report to the file `output` (saying so on stderr), or to stdout."""
    if output:
        Path(output).write_text(text, encoding="utf-8", newline="")
        print(f"Wrote {rows} sales to {output}", file=sys.stderr)
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
