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
        if "httpx" in imports and not (
            rel.startswith(("gateway/", "simulator/")) or rel == "app.py"
        ):
            offenders.append(f"{rel} imports httpx")
        if "keyring" in imports and rel != "secrets.py":
            offenders.append(f"{rel} imports keyring")
        if imports & {"PySide6", "qasync"} and not (rel.startswith("ui/") or rel == "app.py"):
            offenders.append(f"{rel} imports Qt")
    assert offenders == []


def test_each_floor_imports_only_what_it_may() -> None:
    """The UI gets services from app.py (never store, gateway or commands); the gateway
    knows no password store (its Secret is a domain value); the core does not reach up into
    the logging setup (redaction is a domain function both use)."""
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
        if rel.startswith(("domain/", "gateway/", "store/", "services/")) and (
            "pos_app.logs" in modules
        ):
            offenders.append(f"{rel} imports pos_app.logs")
    assert offenders == []


def _full_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("pos_app."))
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.startswith("pos_app."):
                found.add(node.module)
            elif node.module == "pos_app":  # `from pos_app import logs` names the module
                found.update(f"pos_app.{alias.name}" for alias in node.names)
    return found


# The one Qt bootstrap (one QApplication, one GUI-thread garbage collector) is process-wide
# by its nature: its module may keep that state.
_PROCESS_WIDE = {"ui/qt_app.py"}
_EMPTY_CALLS = {"list", "dict", "set", "defaultdict", "deque", "WeakSet", "WeakValueDictionary"}


def _empty_container(value: ast.expr | None) -> bool:
    if isinstance(value, ast.List | ast.Set | ast.Dict):
        return not (getattr(value, "elts", None) or getattr(value, "keys", None))
    if isinstance(value, ast.Call) and not value.args:
        func = value.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        return name in _EMPTY_CALLS
    return False


def test_the_ui_is_handed_its_services_never_finds_them() -> None:
    """app.py builds the desk's services once and passes them in (ui.services.DeskServices):
    no module of ui/ keeps a public registry for others to fill (READY_HOOKS, STORE_READERS),
    sets a module global (configure()), or finds windows by scanning the application."""
    offenders = []
    for path in sorted((PKG / "ui").rglob("*.py")):
        rel = path.relative_to(PKG).as_posix()
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        for node in tree.body:
            if isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names = [t.id for t in targets if isinstance(t, ast.Name)]
                public = [n for n in names if not n.startswith("_")]
                if public and _empty_container(node.value):
                    offenders.append(f"{rel}: registry {public[0]}")
            if isinstance(node, ast.FunctionDef) and node.name in ("configure", "configured"):
                offenders.append(f"{rel}: {node.name}()")
        for node in ast.walk(tree):
            if isinstance(node, ast.Global) and rel not in _PROCESS_WIDE:
                offenders.append(f"{rel}: global {', '.join(node.names)}")
            if isinstance(node, ast.Attribute) and node.attr == "topLevelWidgets":
                offenders.append(f"{rel}: topLevelWidgets()")
        if "READY_HOOKS" in source:
            offenders.append(f"{rel}: READY_HOOKS")
    assert offenders == []


def test_the_simulators_control_api_does_not_import_its_core() -> None:
    """core.py routes /_sim requests to control.py; control.py works on a protocol
    (control_port.py), so the two modules do not import each other."""
    control = _full_imports(PKG / "simulator" / "control.py")
    assert "pos_app.simulator.core" not in control
    assert "pos_app.simulator.control" in _full_imports(PKG / "simulator" / "core.py")


# What each floor may import from pos_app (docs/ARCHITECTURE.md has the same table).
_LOW = {"domain"}
_FLOORS: dict[str, set[str]] = {
    "domain": set(),
    "gateway": _LOW,
    "simulator": _LOW,
    "store": _LOW,
    "logs": _LOW,
    "secrets": _LOW,
    "config": _LOW | {"voice"},
    "store_db": _LOW | {"config", "gateway", "secrets", "store"},
    "services": _LOW | {"config", "gateway", "secrets", "store", "store_db", "__version__"},
    "voice": _LOW | {"services"},
    "mcp": _LOW | {"secrets", "services", "store", "__version__"},
    "ui": _LOW | {"config", "secrets", "services", "voice"},
}


def test_every_floor_imports_only_the_floors_below_it() -> None:
    offenders = []
    for path in sorted(PKG.rglob("*.py")):
        rel = path.relative_to(PKG).as_posix()
        floor = rel.split("/")[0].removesuffix(".py")
        allowed = _FLOORS.get(floor)
        if allowed is None:  # app.py, cli.py, commands/: where the pieces meet
            continue
        for module in sorted(_full_imports(path)):
            target = module.split(".")[1]
            if target != floor and target not in allowed:
                offenders.append(f"{rel} imports {module}")
    assert offenders == []
