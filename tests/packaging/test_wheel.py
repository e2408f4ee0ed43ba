"""The wheel carries resources/ as pos_app/_resources, and an installed wheel finds them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import bundle_rules
import pytest

from pos_app.ui.resources import INSTALLED_NAME

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow

_NOT_SOURCE = (
    ".git",
    ".venv",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    ".*_cache",
    ".hypothesis",
)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Built from a copy: setuptools builds in the source tree and would reuse a stale build/.
    source = tmp_path_factory.mktemp("source") / "pos_app_src"
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(*_NOT_SOURCE))
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-q", "-w", str(out)],
        check=True,
        timeout=600,
        env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
    )
    (built,) = out.glob("pos_app-*.whl")
    return built


def _shipped_resources() -> list[str]:
    """resources/ files the till reads, relative to that folder."""
    folder = REPO / "resources"
    names = {
        path.relative_to(folder).as_posix()
        for pattern in bundle_rules.RESOURCE_PATTERNS
        for path in folder.glob(pattern)
    }
    return sorted(names)


def test_the_wheel_carries_every_resource_under_the_package(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = _shipped_resources()
    assert {"style.qss", "icons/app.svg", "sounds/paid.wav"} <= set(expected)
    for relative in expected:
        assert f"pos_app/{INSTALLED_NAME}/{relative}" in names, relative
    assert not any(name.startswith("resources/") for name in names)


def test_the_wheel_still_carries_every_module(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    modules = {
        path.relative_to(REPO).as_posix()
        for path in (REPO / "pos_app").rglob("*.py")
        if "__pycache__" not in path.parts
    }
    assert modules - names == set()
    assert "pos_app/py.typed" in names


def test_the_wheel_and_the_bundle_ship_the_same_files() -> None:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    package_data = pyproject["tool"]["setuptools"]["package-data"]
    assert tuple(package_data[f"pos_app.{INSTALLED_NAME}"]) == bundle_rules.RESOURCE_PATTERNS
    assert f"pos_app/{INSTALLED_NAME}" == bundle_rules.RESOURCE_DEST


PROBE = """
import json, pos_app
from pos_app.ui.resources import resource_dir, resource_path, stylesheet, icon
from PySide6.QtWidgets import QApplication
app = QApplication([])
print(json.dumps({
    "package": pos_app.__file__,
    "dir": str(resource_dir()),
    "wav": str(resource_path("sounds", "paid.wav")),
    "qss": len(stylesheet()),
    "icon": not icon("app").isNull(),
}))
"""


def test_an_installed_wheel_finds_its_resources(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    env = {**os.environ, "PYTHONPATH": str(site), "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    found = json.loads(done.stdout.strip().splitlines()[-1])
    inside = site / "pos_app" / INSTALLED_NAME
    assert Path(found["package"]).parent == site / "pos_app"  # not this checkout
    assert found["dir"] == str(inside)
    assert found["wav"] == str(inside / "sounds" / "paid.wav")
    assert found["qss"] == len((REPO / "resources" / "style.qss").read_text(encoding="utf-8"))
    assert found["icon"] is True
