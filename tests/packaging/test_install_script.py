"""packaging/linux/install.sh puts an unpacked bundle in place for one user and removes it."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import bundle_rules as rules
import make_icons
import pytest

REPO = Path(__file__).resolve().parents[2]
LINUX = REPO / "packaging" / "linux"

pytestmark = pytest.mark.slow


def _fake_bundle(root: Path) -> Path:
    """The layout build.sh makes, with a shell script standing in for the executable."""
    bundle = root / "pos-app"
    (bundle / "_internal").mkdir(parents=True)
    exe = bundle / "pos-app"
    exe.write_text("#!/bin/sh\necho pos-app 0.0.0\n")
    exe.chmod(0o755)
    share = bundle / "share"
    (share / "applications").mkdir(parents=True)
    (share / "metainfo").mkdir()
    shutil.copy(LINUX / f"{rules.APP_ID}.desktop", share / "applications")
    shutil.copy(LINUX / f"{rules.APP_ID}.metainfo.xml", share / "metainfo")
    shutil.copytree(make_icons.ICONS / "hicolor", share / "icons" / "hicolor")
    shutil.copy(LINUX / "install.sh", bundle / "install.sh")
    return bundle


def _run(script: Path, home: Path, *args: str) -> str:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home)}
    done = subprocess.run(
        ["sh", str(script), *args], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_install_for_this_user_then_uninstall(tmp_path: Path) -> None:
    bundle = _fake_bundle(tmp_path / "unpacked")
    home = tmp_path / "home"
    home.mkdir()
    _run(bundle / "install.sh", home)

    opt = home / ".local" / "opt" / "pos-app"
    share = home / ".local" / "share"
    link = home / ".local" / "bin" / "pos-app"
    assert (opt / "pos-app").is_file() and (opt / "_internal").is_dir()
    assert link.is_symlink() and link.resolve() == (opt / "pos-app").resolve()
    desktop = (share / "applications" / f"{rules.APP_ID}.desktop").read_text()
    assert f'Exec="{opt}/pos-app"\n' in desktop
    assert f'Exec="{opt}/pos-app" --demo\n' in desktop
    assert (share / "metainfo" / f"{rules.APP_ID}.metainfo.xml").is_file()
    for size in make_icons.PNG_SIZES:
        assert (
            share / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{rules.APP_ID}.png"
        ).is_file()
    assert (share / "icons" / "hicolor" / "scalable" / "apps" / f"{rules.APP_ID}.svg").is_file()

    # Installing again (an update) from the installed copy itself keeps one copy.
    _run(opt / "install.sh", home)
    assert (opt / "pos-app").is_file()

    _run(opt / "install.sh", home, "--uninstall")
    assert not opt.exists() and not link.exists() and not link.is_symlink()
    assert not (share / "applications" / f"{rules.APP_ID}.desktop").exists()
    assert list((share / "icons").rglob(f"{rules.APP_ID}.*")) == []


def test_install_refuses_outside_a_bundle(tmp_path: Path) -> None:
    script = tmp_path / "install.sh"
    shutil.copy(LINUX / "install.sh", script)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path)}
    done = subprocess.run(["sh", str(script)], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "unpacked bundle" in done.stderr
    assert not (tmp_path / ".local").exists()
