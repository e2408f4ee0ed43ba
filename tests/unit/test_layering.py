"""The core (domain, gateway, store, services, voice) must not import Qt, and the rooms stay apart."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PKG = Path(__file__).resolve().parents[2] / "pos_app"
CORE = ["domain", "gateway", "simulator", "store", "services", "voice"]


def _core_modules() -> list[str]:
    names = []
    for sub in CORE:
        for path in sorted((PKG / sub).rglob("*.py")):
            rel = path.relative_to(PKG.parent).with_suffix("")
            parts = list(rel.parts)
            if parts[-1] == "__init__":
                parts.pop()
            names.append(".".join(parts))
    return names


def test_core_imports_no_qt() -> None:
    modules = _core_modules()
    assert len(modules) >= 4
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "bad = sorted(k for k in sys.modules if k.split('.')[0] in ('PySide6', 'qasync'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "", f"core pulled in Qt: {out.stdout}"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_httpx_keyring_and_qt_stay_in_their_rooms() -> None:
    offenders = []
    for path in PKG.rglob("*.py"):
        rel = path.relative_to(PKG).as_posix()
        imports = _imports(path)
        if "httpx" in imports and not (rel.startswith(("gateway/", "simulator/")) or rel == "app.py"):
            offenders.append(f"{rel} imports httpx")
        if "keyring" in imports and rel != "secrets.py":
            offenders.append(f"{rel} imports keyring")
        if imports & {"PySide6", "qasync"} and not (rel.startswith("ui/") or rel == "app.py"):
            offenders.append(f"{rel} imports Qt")
    assert offenders == []


def test_each_floor_imports_only_what_it_may() -> None:
    """The UI gets services from app.py (never store, gateway or commands); the gateway
    knows no password store (its Secret is a domain value)."""
    offenders = []
    for path in sorted(PKG.rglob("*.py")):
        rel = path.relative_to(PKG).as_posix()
        modules = _full_imports(path)
        if rel.startswith("ui/"):
            bad = [
                m for m in modules if m.split(".")[1:2] in (["store"], ["gateway"], ["commands"])
            ]
            offenders += [f"{rel} imports {m}" for m in bad]
        if rel.startswith("gateway/") and "pos_app.secrets" in modules:
            offenders.append(f"{rel} imports pos_app.secrets")
    assert offenders == []


def _full_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("pos_app."))
        elif (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.level == 0
            and node.module.startswith("pos_app.")
        ):
            found.add(node.module)
    return found
