"""A QrCode is a value: made once from its text, checked, drawn by everyone alike."""

from __future__ import annotations

import io

import pytest
import zxingcpp
from PIL import Image

from pos_app.domain.qr import QrCode
from pos_app.services.qr import png_of, read_qr_text, shown_qr

UPI = (
    "upi://pay?pa=simmerchant@gocash&pn=Simulated%20Merchant&am=1250.50&cu=INR"
    "&tr=5114910000001&tn=T1-260302093000-ABCDEF"
)


def test_the_modules_exclude_the_quiet_zone_and_start_with_a_finder() -> None:
    code = QrCode.encode(UPI)
    assert code.size == len(code.modules) and (code.size - 17) % 4 == 0
    # The top-left finder: a 7x7 dark ring from the very first module (no margin).
    assert all(code.modules[0][c] for c in range(7)) and not code.modules[1][1]
    assert not code.dark(-1, 0) and not code.dark(0, code.size)  # the quiet zone is light


def test_the_same_text_makes_an_equal_value() -> None:
    assert QrCode.encode(UPI) == QrCode.encode(UPI)
    assert hash(QrCode.encode(UPI)) == hash(QrCode.encode(UPI))


def test_dark_runs_cover_exactly_the_dark_modules() -> None:
    code = QrCode.encode(UPI)
    painted = {(r, c + i) for r, c, n in code.dark_runs() for i in range(n)}
    dark = {(r, c) for r in range(code.size) for c in range(code.size) if code.modules[r][c]}
    assert painted == dark


@pytest.mark.parametrize(
    "modules",
    [(), ((True,) * 20,) * 20, ((True,) * 21,) * 20, ((True,) * 22,) * 22],
)
def test_a_grid_that_cannot_be_a_qr_symbol_is_refused(
    modules: tuple[tuple[bool, ...], ...],
) -> None:
    with pytest.raises(ValueError, match="not a QR symbol"):
        QrCode("x", modules)


def test_empty_text_is_refused() -> None:
    with pytest.raises(ValueError):
        QrCode.encode("")


def test_png_of_scans_back_to_the_text() -> None:
    png = png_of(QrCode.encode(UPI), module_px=4)
    with Image.open(io.BytesIO(png)) as image:
        assert image.width == (QrCode.encode(UPI).size + 8) * 4
        assert [r.text for r in zxingcpp.read_barcodes(image.convert("L"))] == [UPI]
    assert read_qr_text(png) == UPI


def test_shown_qr_prefers_the_text_and_keeps_a_picture_only_when_unreadable() -> None:
    picture = png_of(QrCode.encode(UPI))
    assert shown_qr(UPI, None) == (QrCode.encode(UPI), None)
    assert shown_qr(None, picture) == (QrCode.encode(UPI), None)  # read back, made afresh
    assert shown_qr(None, b"\x89PNG not really") == (None, b"\x89PNG not really")
    assert shown_qr(None, None) == (None, None)
