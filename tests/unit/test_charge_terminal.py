"""`pos-app charge` in a terminal (issue 13, the first day): the QR fits 80x24 with its
quiet zone, scans on light and dark themes, and in demo the user plays the customer."""

from __future__ import annotations

import asyncio
import io
import os
import re

import pytest
import zxingcpp
from PIL import Image

from pos_app.commands import exit_codes
from pos_app.commands.demo_customer import HELP
from pos_app.domain.money import Money
from pos_app.domain.qr import QrCode
from pos_app.domain.sale import Method
from pos_app.services.checkout.state import ChargeRequest
from pos_app.services.terminal_qr import terminal_qr

UPI = (
    "upi://pay?pa=simmerchant@gocash&pn=Simulated%20Merchant&am=1250.50&cu=INR"
    "&tr=5114910000001&tn=T1-260302093000-ABCDEF"
)
CODE = QrCode.encode(UPI)
ANSI = re.compile(r"\x1b\[[0-9;]*m")
TOP = {"█": True, "▀": True, "▄": False, " ": False}
BOTTOM = {"█": True, "▀": False, "▄": True, " ": False}


def screen_image(drawing: str, *, dark_theme: bool, colored: bool, scale: int = 6) -> Image.Image:
    """What a terminal shows: each character cell is one module wide and two tall. A
    coloured drawing paints its own white and black; a plain one gets the theme's."""
    rows = [ANSI.sub("", line) for line in drawing.splitlines()]
    if colored:
        ink, paper = 0, 255
    else:
        ink, paper = (230, 30) if dark_theme else (0, 255)
    width = len(rows[0])
    border = 4 * scale
    image = Image.new("L", (width * scale + 2 * border, len(rows) * 2 * scale + 2 * border))
    image.paste(30 if dark_theme else 255, (0, 0, image.width, image.height))  # the terminal
    for y, row in enumerate(rows):
        for x, char in enumerate(row):
            for half, table in ((0, TOP), (1, BOTTOM)):
                value = ink if table[char] else paper
                top = border + (2 * y + half) * scale
                left = border + x * scale
                image.paste(value, (left, top, left + scale, top + scale))
    return image


def decoded(image: Image.Image) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(image)]


def test_a_cashfree_sized_payload_fits_80x24_with_its_quiet_zone() -> None:
    drawing = terminal_qr(CODE, color=False)
    assert drawing.lines <= 23 and drawing.columns <= 80
    rows = drawing.splitlines()
    assert len(rows) == drawing.lines and all(len(r) == drawing.columns for r in rows)
    # The quiet zone: at least two module rows/columns of light all round.
    assert set(rows[0]) == {" "} and all(r[:2] == "  " and r[-2:] == "  " for r in rows)


@pytest.mark.parametrize("dark_theme", [False, True])
def test_the_coloured_drawing_scans_on_either_theme(dark_theme: bool) -> None:
    drawing = terminal_qr(CODE, color=True)
    assert all(line.startswith("\x1b[30;107m") for line in drawing.splitlines())
    assert decoded(screen_image(drawing, dark_theme=dark_theme, colored=True)) == [UPI]


def test_the_plain_drawing_scans_on_a_light_page() -> None:
    drawing = terminal_qr(CODE, color=False)
    assert decoded(screen_image(drawing, dark_theme=False, colored=False)) == [UPI]


def test_a_payload_too_large_is_refused_not_cropped() -> None:
    with pytest.raises(ValueError, match="too large"):
        terminal_qr(QrCode.encode(UPI + "&sign=" + "A" * 200), color=False)
    assert terminal_qr(
        QrCode.encode(UPI + "&sign=" + "A" * 200), color=False, max_lines=60, max_width=120
    )


def test_charge_in_demo_lets_the_user_play_the_customer() -> None:
    from pos_app.app import open_runtime
    from pos_app.commands.charge import run_charge

    async def sale() -> tuple[int, str]:
        runtime = open_runtime("demo")
        read, write = os.pipe()
        os.write(write, b"p")  # typed at once: counts when the order exists
        out = io.StringIO()
        try:
            with os.fdopen(read, "r") as keys:
                code = await run_charge(
                    runtime.checkout,
                    ChargeRequest(amount=Money(25000), method=Method.UPI_QR),
                    give_up_after=20,
                    out=out,
                    simulator=runtime.simulator,
                    keys=keys,
                )
        finally:
            os.close(write)
            await runtime.aclose()
        return code, out.getvalue()

    code, printed = asyncio.run(sale())
    assert code == exit_codes.PAID, printed
    assert HELP in printed
    assert "(the customer pays)" in printed
    assert "p pays, f fails, w walks away" in printed
    assert "PAID ₹250.00" in printed
