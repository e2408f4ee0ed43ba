"""Command-line parsing only; every subcommand calls into pos_app.app."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from pos_app import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pos-app", description="A Cashfree till.")
    parser.add_argument("--version", action="version", version=f"pos-app {__version__}")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    build_parser().parse_args(argv)
    return 0
