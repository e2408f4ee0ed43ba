"""Text -> QR PNG bytes, at one pixel per module so the screen can scale it by a whole
number (crisp, no blur); the quiet zone is kept."""

from __future__ import annotations

import io

import qrcode
from qrcode.constants import ERROR_CORRECT_M

__all__ = ["render_png"]


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
