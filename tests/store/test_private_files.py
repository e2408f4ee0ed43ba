"""Issue 11: the journal and its -wal/-shm files are 0600, and the till's folders 0700 even
when they existed before (a looser umask, an older version, a copied-in journal)."""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from store.kit import Clock, sale_factory

from pos_app.config import journal_path, paths
from pos_app.store.journal import Journal

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def loose_umask() -> Iterator[None]:
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def _write_one_sale(journal: Journal) -> None:
    journal.create_sale(sale_factory(Clock())())


def test_a_new_journal_and_its_wal_and_shm_are_private(tmp_path: Path, loose_umask: None) -> None:
    path = tmp_path / "data" / "journal-demo.sqlite3"
    with Journal.open(path) as journal:
        _write_one_sale(journal)
        files = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
        assert all(f.exists() for f in files)
        assert {f.name: _mode(f) for f in files} == {f.name: 0o600 for f in files}


def test_an_existing_loose_journal_is_tightened_on_open(tmp_path: Path, loose_umask: None) -> None:
    path = tmp_path / "journal-demo.sqlite3"
    with Journal.open(path) as journal:
        _write_one_sale(journal)
    backup = path.with_name(path.name + ".bak-v1")
    backup.write_bytes(b"an older copy")
    for f in (path, backup):
        os.chmod(f, 0o644)
    with Journal.open(path) as journal:
        assert journal.get_sale("T1-000001") is not None
        assert _mode(path) == 0o600
        assert _mode(backup) == 0o600
        for suffix in ("-wal", "-shm"):
            companion = path.with_name(path.name + suffix)
            assert _mode(companion) == 0o600


def test_existing_folders_are_made_owner_only(_isolated_data_dir: Path, loose_umask: None) -> None:
    for name in ("data", "config", "logs"):
        folder = _isolated_data_dir / name
        folder.mkdir()
        os.chmod(folder, 0o755)
    where = paths()
    assert _mode(where.data_dir) == 0o700
    assert _mode(where.config_dir) == 0o700
    assert _mode(where.log_dir) == 0o700
    with Journal.open(journal_path(where, "demo")):
        pass
    assert _mode(journal_path(where, "demo")) == 0o600
