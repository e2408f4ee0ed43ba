"""Linux desktop integration: the .desktop file, AppStream metainfo and the icons."""

from __future__ import annotations

import configparser
import xml.etree.ElementTree as ET
from pathlib import Path

import bundle_rules as rules
import make_icons
import pytest
from PIL import Image
from PySide6.QtGui import QImage

import pos_app

REPO = Path(__file__).resolve().parents[2]
LINUX = REPO / "packaging" / "linux"
DESKTOP = LINUX / f"{rules.APP_ID}.desktop"
METAINFO = LINUX / f"{rules.APP_ID}.metainfo.xml"


def _desktop() -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(DESKTOP, encoding="utf-8")
    return parser


def test_the_desktop_entry_starts_the_bundle_executable() -> None:
    entry = _desktop()["Desktop Entry"]
    assert entry["Type"] == "Application"
    assert entry["Name"] == rules.DISPLAY_NAME
    assert entry["Exec"].split()[0] == rules.APP_NAME
    assert entry["Icon"] == rules.APP_ID
    assert entry["Terminal"] == "false"
    assert entry["StartupWMClass"] == rules.APP_NAME
    assert entry["Categories"].endswith(";")
    assert "Finance" in entry["Categories"].split(";")


def test_the_demo_action_runs_the_demo() -> None:
    parser = _desktop()
    actions = [a for a in parser["Desktop Entry"]["Actions"].split(";") if a]
    assert actions == ["demo"]
    assert parser["Desktop Action demo"]["Exec"] == f"{rules.APP_NAME} --demo"


def test_the_metainfo_describes_this_app_and_version() -> None:
    root = ET.parse(METAINFO).getroot()
    assert root.tag == "component" and root.get("type") == "desktop-application"
    assert root.findtext("id") == rules.APP_ID
    assert root.findtext("name") == rules.DISPLAY_NAME
    launchable = root.find("launchable")
    assert launchable is not None and launchable.text == DESKTOP.name
    assert root.findtext("provides/binary") == rules.APP_NAME
    releases = root.findall("releases/release")
    assert releases and releases[0].get("version") == pos_app.__version__
    assert root.findtext("metadata_license") == "CC0-1.0"
    summary = root.findtext("summary") or ""
    assert 0 < len(summary) <= 100 and not summary.endswith(".")


def _pixels(image: QImage) -> bytes:
    converted = image.convertToFormat(QImage.Format.Format_RGBA8888)
    return bytes(converted.constBits())


@pytest.mark.parametrize("size", make_icons.PNG_SIZES)
def test_each_png_icon_is_the_svg_drawn_at_its_size(qapp: object, size: int) -> None:
    path = make_icons.png_path(size)
    assert path.parent.parent.name == f"{size}x{size}"
    shipped = QImage(str(path))
    assert (shipped.width(), shipped.height()) == (size, size)
    fresh = make_icons.render(make_icons.SOURCE, size)
    a, b = _pixels(shipped), _pixels(fresh)
    worst = max(abs(x - y) for x, y in zip(a, b, strict=True))
    assert worst <= 8, f"{path.name} at {size}px is stale: run packaging/make_icons.py"
    corner, middle = shipped.pixelColor(0, 0), shipped.pixelColor(size // 2, size // 4)
    assert corner.alpha() == 0 and middle.alpha() == 255  # transparent outside, solid inside


def test_the_windows_and_macos_icons_hold_every_size() -> None:
    with Image.open(make_icons.ico_path()) as ico:
        assert ico.format == "ICO"
        assert ico.info["sizes"] == {(s, s) for s in make_icons.ICO_SIZES}
    with Image.open(make_icons.icns_path()) as icns:
        assert icns.format == "ICNS"
        assert {w for w, _, _ in icns.info["sizes"]} >= {16, 32, 128, 256, 512}


def test_the_icons_are_drawn_into_a_fresh_folder(
    qapp: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(make_icons, "ICONS", tmp_path)
    written = make_icons.write_all()
    assert len(written) == len(make_icons.PNG_SIZES) + 2
    assert all(path.is_file() and path.stat().st_size > 0 for path in written)
    assert all(tmp_path in path.parents for path in written)
    with Image.open(tmp_path / "hicolor" / "512x512" / "apps" / f"{rules.APP_ID}.png") as big:
        assert big.size == (512, 512)
