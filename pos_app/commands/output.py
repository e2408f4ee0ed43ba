"""Messages for the person at the terminal go to stderr, leaving stdout for results."""

from __future__ import annotations

import sys

__all__ = ["say"]


def say(message: str) -> None:
    print(message, file=sys.stderr)
