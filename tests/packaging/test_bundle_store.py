"""The desktop bundle carries the `store` extra: every module the spec names for it exists
(a renamed module would otherwise be left out silently and fail only on a shop's till)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import bundle_rules as rules

PACKAGING = Path(__file__).resolve().parents[2] / "packaging"


def test_every_store_module_the_spec_names_can_be_found() -> None:
    missing = [name for name in rules.STORE_MODULES if importlib.util.find_spec(name) is None]
    assert missing == []
    assert "psycopg_binary.pq" in rules.STORE_MODULES  # the libpq wrapper psycopg picks at run time
    spec_text = (PACKAGING / "pos_app.spec").read_text(encoding="utf-8")
    assert "hiddenimports=list(rules.STORE_MODULES)" in spec_text
