"""Text -> QR PNG bytes, at one pixel per module so the screen can scale it by a whole
number (crisp, no blur); the quiet zone is kept."""

from __future__ import annotations

import io

import qrcode
from qrcode.constants import ERROR_CORRECT_M

__all__ = ["decode_png", "png_modules", "render_png", "terminal_art"]


def render_png(text: str, *, box_size: int = 1, border: int = 4) -> bytes:
    if not text:
        raise ValueError("nothing to encode")
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=border)
    code.add_data(text)
    code.make(fit=True)
    image = code.make_image(fill_color="black", back_color="white")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def png_modules(png: bytes) -> list[list[bool]]:
    """Recover the module grid (True = dark) from a QR image, so a QR that arrived only as a
    picture can still be drawn in a terminal. Assumes a clean, axis-aligned QR (as Cashfree
    and our own renderer produce): the top-left finder pattern is 7 modules wide."""
    from PIL import Image  # pillow is a runtime dependency; imported lazily

    with Image.open(io.BytesIO(png)) as opened:
        image = opened.convert("L")
    width, height = image.size
    pixels = image.load()
    assert pixels is not None

    def dark(x: int, y: int) -> bool:
        value = pixels[x, y]
        return (value if isinstance(value, int | float) else value[0]) < 128

    top = next((y for y in range(height) for x in range(width) if dark(x, y)), None)
    if top is None:
        raise ValueError("no QR code in the image")
    left = next(x for x in range(width) if dark(x, top))
    run = 0
    while left + run < width and dark(left + run, top):
        run += 1
    module = run / 7.0
    right = max(x for x in range(width) if dark(x, top))
    size = round((right - left + 1) / module)
    grid = []
    for row in range(size):
        y = int(top + (row + 0.5) * module)
        grid.append([dark(int(left + (col + 0.5) * module), y) for col in range(size)])
    return grid


def terminal_art(modules: list[list[bool]], *, border: int = 2) -> str:
    """Draw a module grid with half-block characters: two rows of modules per text line,
    light on dark terminals and dark on light ones alike (explicit quiet zone)."""
    size = len(modules)
    full = size + 2 * border

    def at(r: int, c: int) -> bool:
        r -= border
        c -= border
        return 0 <= r < size and 0 <= c < size and modules[r][c]

    lines = []
    for r in range(0, full, 2):
        chars = []
        for c in range(full):
            upper, lower = at(r, c), at(r + 1, c) if r + 1 < full else False
            chars.append(
                {(False, False): "█", (True, False): "▄", (False, True): "▀"}.get(
                    (upper, lower), " "
                )
            )
        lines.append("".join(chars))
    return "\n".join(lines)


def decode_png(png: bytes) -> str | None:
    """The text of the first QR code in an image, or None when none can be read."""
    from PIL import Image

    try:
        import zxingcpp
    except ImportError:  # pragma: no cover - a runtime dependency; degrade gracefully
        return None
    try:
        with Image.open(io.BytesIO(png)) as opened:
            image = opened.convert("L")
            results = zxingcpp.read_barcodes(image)
    except (OSError, ValueError):
        return None
    for result in results:
        if result.format == zxingcpp.BarcodeFormat.QRCode and result.text:
            return str(result.text)
    return None
