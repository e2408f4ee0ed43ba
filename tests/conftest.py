"""Shared test set-up: offscreen Qt, a fresh data folder and an in-memory keyring per test."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("LANG", "C.UTF-8")

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SPEC_PATH = REPO.parent / "shared" / "cashfree" / "openapi-2025-01-01.json"


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own POS_DATA_DIR; nothing touches the real user folders."""
    data = tmp_path / "pos-data"
    data.mkdir()
    monkeypatch.setenv("POS_DATA_DIR", str(data))
    monkeypatch.delenv("POS_CASHFREE_BASE_URL", raising=False)
    return data
