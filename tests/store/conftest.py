"""Journal fixtures: a controllable clock, a fresh journal per test, and a sale factory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from store.kit import Clock, MakeSale, sale_factory

from pos_app.store.journal import Journal


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def journal_file(tmp_path: Path) -> Path:
    return tmp_path / "journal-demo.sqlite3"


@pytest.fixture
def journal(journal_file: Path, clock: Clock) -> Iterator[Journal]:
    with Journal.open(journal_file, clock=clock) as opened:
        yield opened


@pytest.fixture
def make_sale(clock: Clock) -> MakeSale:
    return sale_factory(clock)
