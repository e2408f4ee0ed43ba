"""packaging/bundle_rules.py: what the PyInstaller bundle keeps and leaves out."""

from __future__ import annotations

import ast
from pathlib import Path

import bundle_rules as rules
import pytest

REPO = Path(__file__).resolve().parents[2]
PLUGINS = "PySide6/Qt/plugins"


def test_every_resource_file_goes_to_the_package_data_folder() -> None:
    datas = rules.resource_datas(REPO / "resources")
    by_name = {
        Path(source).relative_to(REPO / "resources").as_posix(): dest for source, dest in datas
    }
    assert by_name["style.qss"] == "pos_app/_resources"
    assert by_name["icons/app.svg"] == "pos_app/_resources/icons"
    assert by_name["sounds/paid.wav"] == "pos_app/_resources/sounds"
    svgs = sorted(p.name for p in (REPO / "resources" / "icons").glob("*.svg"))
    assert sorted(Path(s).name for s, d in datas if d.endswith("/icons")) == svgs


def test_files_outside_the_patterns_stay_out(tmp_path: Path) -> None:
    (tmp_path / "icons").mkdir()
    (tmp_path / "screenshots").mkdir()
    (tmp_path / "style.qss").write_text("")
    (tmp_path / "icons" / "a.svg").write_text("<svg/>")
    (tmp_path / "icons" / "notes.txt").write_text("")
    (tmp_path / "screenshots" / "desk.png").write_bytes(b"")
    datas = rules.resource_datas(tmp_path)
    assert sorted(Path(source).name for source, _ in datas) == ["a.svg", "style.qss"]


@pytest.mark.parametrize(
    ("file_name", "name"),
    [
        ("libqxcb.so", "qxcb"),
        ("qwindows.dll", "qwindows"),
        ("libqcocoa.dylib", "qcocoa"),
        ("libqxcb-glx-integration.so", "qxcb-glx-integration"),
    ],
)
def test_plugin_names_ignore_prefix_and_suffix(file_name: str, name: str) -> None:
    assert rules.plugin_name(file_name) == name


@pytest.mark.parametrize(
    "dest",
    [
        f"{PLUGINS}/platforms/libqxcb.so",
        f"{PLUGINS}/platforms/libqwayland.so",
        f"{PLUGINS}/platforms/libqoffscreen.so",
        "PySide6/plugins/platforms/qwindows.dll",
        f"{PLUGINS}/iconengines/libqsvgicon.so",
        f"{PLUGINS}/imageformats/libqsvg.so",
        f"{PLUGINS}/platformthemes/libqxdgdesktopportal.so",
        f"{PLUGINS}/wayland-shell-integration/libxdg-shell.so",
        f"{PLUGINS}/platforminputcontexts/libcomposeplatforminputcontextplugin.so",
    ],
)
def test_the_plugins_the_till_needs_are_kept(dest: str) -> None:
    assert rules.keep_qt_plugin(dest)
    assert rules.keep_binary(dest)


@pytest.mark.parametrize(
    "dest",
    [
        f"{PLUGINS}/platformthemes/libqgtk3.so",
        f"{PLUGINS}/platforms/libqeglfs.so",
        f"{PLUGINS}/platforms/libqvnc.so",
        f"{PLUGINS}/platforms/libqlinuxfb.so",
        f"{PLUGINS}/egldeviceintegrations/libqeglfs-x11-integration.so",
        f"{PLUGINS}/generic/libqevdevmouseplugin.so",
        f"{PLUGINS}/imageformats/libqjpeg.so",
        f"{PLUGINS}/imageformats/libqwebp.so",
        f"{PLUGINS}/tls/libqopensslbackend.so",
        f"{PLUGINS}/networkinformation/libqnetworkmanager.so",
        f"{PLUGINS}/wayland-graphics-integration-client/libvulkan-server.so",
    ],
)
def test_unused_plugins_are_left_out(dest: str) -> None:
    assert not rules.keep_qt_plugin(dest)
    assert not rules.keep_binary(dest)


@pytest.mark.parametrize(
    "dest",
    [
        "PySide6/Qt/lib/libQt6Gui.so.6",
        "PySide6/QtWidgets.abi3.so",
        "libpython3.11.so.1.0",
        "PIL/_imaging.cpython-311-x86_64-linux-gnu.so",
        "pillow.libs/libfreetype-57f805ba.so.6.20.6",  # Pillow's own renamed copy
        "plugins/not-qt/thing.so",
    ],
)
def test_everything_else_is_kept(dest: str) -> None:
    assert rules.keep_binary(dest)


@pytest.mark.parametrize(
    "name",
    [
        "libfontconfig.so.1",
        "libfreetype.so.6",
        "libxkbcommon.so.0",
        "libxkbcommon-x11.so.0",
        "libstdc++.so.6",
        "libgcc_s.so.1",
        "libwayland-client.so.0",
    ],
)
def test_libraries_that_must_match_the_target_come_from_it(name: str) -> None:
    assert not rules.keep_binary(name)


def test_qt_translations_are_left_out_but_other_data_stays() -> None:
    assert not rules.keep_data("PySide6/Qt/translations/qtbase_de.qm")
    assert rules.keep_data("pos_app/_resources/style.qss")
    assert rules.keep_data("certifi/cacert.pem")


def _imported_modules() -> set[str]:
    found: set[str] = set()
    for path in (REPO / "pos_app").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module)
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_the_bundle_excludes_no_module_the_till_imports() -> None:
    imported = _imported_modules()
    assert {"PySide6.QtWidgets", "PIL.Image", "qasync"} <= imported  # the scan works
    for excluded in rules.EXCLUDED_MODULES:
        if excluded in rules.KIOSK_MODULES:
            continue  # imported only by the optional embedded checkout, never bundled
        clashes = {m for m in imported if m == excluded or m.startswith(f"{excluded}.")}
        assert clashes == set(), excluded


def test_libraries_only_left_out_binaries_needed_go_too() -> None:
    links = {
        "/s/app.so": ["libA.so.1", "libFont.so.1"],
        "/s/libFont.so.1": ["libExpat.so.1", "libZ.so.1"],
        "/s/libExpat.so.1": ["libDeep.so.1"],
        "/s/libA.so.1": ["libZ.so.1"],
    }
    before = [
        ("app.so", "/s/app.so", "EXTENSION"),
        ("libA.so.1", "/s/libA.so.1", "BINARY"),
        ("libFont.so.1", "/s/libFont.so.1", "BINARY"),
        ("libExpat.so.1", "/s/libExpat.so.1", "BINARY"),
        ("libDeep.so.1", "/s/libDeep.so.1", "BINARY"),
        ("libZ.so.1", "/s/libZ.so.1", "BINARY"),
        ("plugins/loaded-at-run-time.so", "/s/p.so", "BINARY"),
    ]
    kept = [entry for entry in before if entry[0] != "libFont.so.1"]
    result = rules.without_orphans(before, kept, lambda source: links.get(source, []))
    assert [dest for dest, _, _ in result] == [
        "app.so",
        "libA.so.1",
        "libZ.so.1",  # still needed by libA
        "plugins/loaded-at-run-time.so",  # nothing linked to it: kept
    ]


def test_without_anything_left_out_nothing_more_goes() -> None:
    before = [("a.so", "/s/a.so", "EXTENSION"), ("libB.so", "/s/libB.so", "BINARY")]
    assert rules.without_orphans(before, before, lambda s: ["libB.so"]) == before


def test_linked_libraries_are_the_direct_ones() -> None:
    import PySide6

    core = next(Path(PySide6.__file__).parent.glob("QtCore.*so"))
    names = rules.linked_libraries(str(core))
    assert "libQt6Core.so.6" in names
    assert "libicudata.so.73" not in names  # libQt6Core's own dependency, not QtCore's
