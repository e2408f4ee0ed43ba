"""The QR a sale shows, decided once: a `QrCode` made from its text whenever the text is
known, and Cashfree's own picture only when it sent nothing else and the picture cannot be
read back as text.

`read_qr_text` reads a QR picture (zxing-cpp); `png_of` draws a `QrCode` as PNG bytes for
the one reader that wants a file (the MCP server's image reply).
"""

from __future__ import annotations

import io

from pos_app.domain.qr import QUIET_ZONE, QrCode

__all__ = ["png_of", "read_qr_text", "shown_qr"]


def shown_qr(text: str | None, picture: bytes | None) -> tuple[QrCode | None, bytes | None]:
    """What to show the customer: (the code, None) when its text is known or can be read
    out of `picture`; (None, picture) when the picture is all there is."""
    if text is None and picture is not None:
        text = read_qr_text(picture)
    if text:
        return QrCode.encode(text), None
    return None, picture


def read_qr_text(png: bytes) -> str | None:
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


def png_of(code: QrCode, *, module_px: int = 8, quiet: int = QUIET_ZONE) -> bytes:
    """The code as a black-on-white PNG, `module_px` pixels a module, quiet zone included."""
    from PIL import Image  # pillow is a runtime dependency; imported when a PNG is wanted

    side = code.size + 2 * quiet
    image = Image.new("1", (side, side), 1)
    pixels = image.load()
    assert pixels is not None
    for row, first, length in code.dark_runs():
        for column in range(first, first + length):
            pixels[quiet + column, quiet + row] = 0
    image = image.resize((side * module_px, side * module_px), Image.Resampling.NEAREST)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
