"""Render the till's icon from its SVG: PNG sizes for Linux, an .ico and an .icns.

    python packaging/make_icons.py          (rewrites the files under packaging/icons/)

The source is packaging/icons/hicolor/scalable/apps/<APP_ID>.svg; the PNGs land beside it
in the freedesktop hicolor layout (hicolor/<N>x<N>/apps/<APP_ID>.png), ready to copy into
share/icons. Qt's QSvgRenderer draws them; Pillow packs the Windows and macOS files.
Rerun it after changing the SVG and commit the results (tests/packaging checks they match).
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

from PIL import Image
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bundle_rules import APP_ID  # noqa: E402

ICONS = HERE / "icons"
SOURCE = ICONS / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICNS_SIZES = (16, 32, 64, 128, 256, 512)
_APP: list[QGuiApplication] = []  # kept alive while icons are drawn


def png_path(size: int) -> Path:
    return ICONS / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"


def ico_path() -> Path:
    return ICONS / f"{APP_ID}.ico"


def icns_path() -> Path:
    return ICONS / f"{APP_ID}.icns"


def ensure_gui() -> None:
    """QPainter needs a QGuiApplication; offscreen unless a platform is set."""
    if QGuiApplication.instance() is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        _APP.append(QGuiApplication(sys.argv[:1]))


def render(svg: Path, size: int) -> QImage:
    """The SVG drawn on a transparent size x size image."""
    ensure_gui()
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"{svg} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def to_pillow(image: QImage) -> Image.Image:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return Image.open(io.BytesIO(data.data())).convert("RGBA")


def write_all(svg: Path = SOURCE) -> list[Path]:
    """Render every size and pack the .ico and .icns; returns the files written."""
    images = {size: render(svg, size) for size in sorted({*PNG_SIZES, *ICO_SIZES, *ICNS_SIZES})}
    written: list[Path] = []
    for size in PNG_SIZES:
        path = png_path(size)
        path.parent.mkdir(parents=True, exist_ok=True)
        if not images[size].save(str(path), "PNG"):
            raise OSError(f"cannot write {path}")
        written.append(path)
    pictures = {size: to_pillow(image) for size, image in images.items()}
    largest = max(ICO_SIZES)
    pictures[largest].save(
        ico_path(),
        format="ICO",
        sizes=[(s, s) for s in ICO_SIZES],
        append_images=[pictures[s] for s in ICO_SIZES if s != largest],
    )
    written.append(ico_path())
    largest = max(ICNS_SIZES)
    pictures[largest].save(
        icns_path(),
        format="ICNS",
        append_images=[pictures[s] for s in ICNS_SIZES if s != largest],
    )
    written.append(icns_path())
    return written


def main() -> int:
    for path in write_all():
        print(path.relative_to(HERE.parent))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
