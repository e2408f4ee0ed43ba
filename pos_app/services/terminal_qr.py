"""A QR code drawn in a terminal: half blocks (two module rows per text line, so modules
stay square), sized to fit an 80x24 terminal, readable on light and dark themes.

It draws the sale's own `QrCode`, the same modules the desk paints. Only when that symbol
is too big for the terminal is the same text made again with less error correction (a
terminal has no glare or smudges), so a Cashfree UPI payload of about 130 characters still
fits in 23 lines. The quiet zone is drawn, never left to the terminal: with colour, black
modules on a bright white background whatever the theme; without colour (a pipe,
NO_COLOR), the dark modules are the characters and the page behind them must be light.
"""

from __future__ import annotations

from collections.abc import Iterator

from pos_app.domain.qr import QUIET_ZONE, Correction, QrCode

__all__ = ["MAX_LINES", "MAX_WIDTH", "TerminalQr", "terminal_qr"]

MAX_LINES = 23  # an 80x24 terminal keeps one line for the status under the code
MAX_WIDTH = 80
MIN_QUIET = 2  # modules; the standard's 4 is used whenever it fits
_ON = "\x1b[30;107m"  # black on bright white
_OFF = "\x1b[0m"
_GLYPH = {(True, True): "█", (True, False): "▀", (False, True): "▄", (False, False): " "}


class TerminalQr(str):
    """The drawing; `lines` and `columns` say how much of the terminal it takes."""

    lines: int
    columns: int


def _fitting(code: QrCode, max_lines: int, max_width: int) -> tuple[QrCode, int]:
    """The code itself with the standard quiet zone, else with the narrowest one scanners
    still read; failing both, the same text with the least error correction (L)."""
    budget = min(2 * max_lines, max_width)

    def candidates() -> Iterator[QrCode]:
        yield code
        yield QrCode.encode(code.text, Correction.L)  # made only when the code does not fit

    for candidate in candidates():
        for quiet in (QUIET_ZONE, MIN_QUIET):
            if candidate.size + 2 * quiet <= budget:
                return candidate, quiet
    raise ValueError(f"this text makes a QR code too large for {max_width}x{max_lines + 1}")


def terminal_qr(
    code: QrCode, *, color: bool, max_lines: int = MAX_LINES, max_width: int = MAX_WIDTH
) -> TerminalQr:
    """Draw `code` in at most `max_lines` x `max_width` characters.
    Raises ValueError when it cannot fit (then print the text instead)."""
    drawn, quiet = _fitting(code, max_lines, max_width)
    size = drawn.size + 2 * quiet
    lines = []
    for row in range(0, size, 2):
        cells = "".join(
            _GLYPH[(drawn.dark(row - quiet, col - quiet), drawn.dark(row + 1 - quiet, col - quiet))]
            for col in range(size)
        )
        lines.append(f"{_ON}{cells}{_OFF}" if color else cells)
    drawing = TerminalQr("\n".join(lines))
    drawing.lines = len(lines)
    drawing.columns = size
    return drawing
