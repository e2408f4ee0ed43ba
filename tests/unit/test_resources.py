"""pos_app/ui/resources.py: one rule finds resources/ in a wheel, a checkout and a bundle.

The layouts are built in a temp folder exactly as each installation lays them out; the
real wheel and bundle are checked in tests/packaging and by .ci/run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pos_app.ui import resources
from pos_app.ui.resources import (
    PACKAGE_DIR,
    find_resource_dir,
    icon,
    resource_candidates,
    resource_dir,
    resource_path,
    stylesheet,
)

REPO = Path(__file__).resolve().parents[2]


def _package(root: Path) -> Path:
    package = root / "pos_app"
    (package / "ui").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    return package


def _resources(folder: Path, qss: str = "QWidget {}") -> Path:
    (folder / "icons").mkdir(parents=True)
    (folder / "style.qss").write_text(qss, encoding="utf-8")
    (folder / "icons" / "app.svg").write_text("<svg/>", encoding="utf-8")
    return folder


def test_a_wheel_install_uses_the_package_data_folder(tmp_path: Path) -> None:
    site = tmp_path / "site-packages"
    package = _package(site)
    inside = _resources(package / "_resources")
    _resources(site / "resources")  # some other distribution's top-level folder
    assert find_resource_dir(package) == inside


def test_a_checkout_or_editable_install_uses_the_top_level_folder(tmp_path: Path) -> None:
    package = _package(tmp_path / "repo")
    top = _resources(tmp_path / "repo" / "resources")
    assert find_resource_dir(package) == top


def test_a_pyinstaller_bundle_uses_the_same_place_as_the_wheel(tmp_path: Path) -> None:
    # Modules live in the bundle's archive; pos_app's __file__ still points under the
    # unpacked _internal/ folder, where the spec puts the resources as pos_app/_resources.
    internal = tmp_path / "dist" / "pos-app" / "_internal"
    package = internal / "pos_app"
    inside = _resources(package / "_resources")
    assert not (package / "__init__.py").exists()
    assert find_resource_dir(package) == inside


def test_a_folder_without_the_stylesheet_does_not_count(tmp_path: Path) -> None:
    package = _package(tmp_path / "repo")
    (package / "_resources" / "icons").mkdir(parents=True)  # a stray, empty build leftover
    top = _resources(tmp_path / "repo" / "resources")
    assert find_resource_dir(package) == top
    (top / "style.qss").unlink()
    assert find_resource_dir(package) is None


def test_the_candidates_are_tried_installed_first(tmp_path: Path) -> None:
    package = tmp_path / "x" / "pos_app"
    assert resource_candidates(package) == (package / "_resources", tmp_path / "x" / "resources")


def test_this_checkout_finds_the_top_level_resources_folder() -> None:
    assert PACKAGE_DIR == REPO / "pos_app"
    assert resource_dir() == REPO / "resources"
    assert resource_path("icons", "app.svg") == REPO / "resources" / "icons" / "app.svg"
    assert resource_path("sounds", "paid.wav") is not None


def test_missing_files_are_none_not_errors() -> None:
    assert resource_path("icons", "no-such-icon.svg") is None
    assert resource_path("icons") is None  # a folder is not a file


def test_stylesheet_and_icons_come_from_the_folder(qapp: object) -> None:
    assert stylesheet() == (REPO / "resources" / "style.qss").read_text(encoding="utf-8")
    assert not icon("app").isNull()
    assert icon("no-such-icon").isNull()


def test_without_a_resources_folder_the_desk_runs_plain(
    qapp: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    package = _package(tmp_path / "empty")
    monkeypatch.setattr(resources, "PACKAGE_DIR", package)
    resource_dir.cache_clear()
    try:
        assert resource_dir() is None
        assert resource_path("style.qss") is None
        assert stylesheet() == ""
        assert icon("app").isNull()
        assert "resources folder not found" in caplog.text
    finally:
        monkeypatch.undo()
        resource_dir.cache_clear()
    assert resource_dir() == REPO / "resources"
