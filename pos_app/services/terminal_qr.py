"""A QR code drawn in a terminal: half blocks (two module rows per text line, so modules
stay square), sized to fit an 80x24 terminal, readable on light and dark themes.

The code is made afresh from its text with the lowest error correction that fits (the
screen's PNG uses M; a terminal has no glare or smudges), so a Cashfree UPI payload of
about 130 characters still fits in 23 lines. The quiet zone is drawn, never left to the
terminal: with colour, black modules on a bright white background whatever the theme;
without colour (a pipe, NO_COLOR), the dark modules are the characters and the page
behind them must be light.
"""

from __future__ import annotations

import qrcode
from qrcode.constants import ERROR_CORRECT_H, ERROR_CORRECT_L, ERROR_CORRECT_M, ERROR_CORRECT_Q

__all__ = ["MAX_LINES", "MAX_WIDTH", "TerminalQr", "terminal_qr"]

MAX_LINES = 23  # an 80x24 terminal keeps one line for the status under the code
MAX_WIDTH = 80
MIN_QUIET = 2  # modules; 4 is the standard's, used whenever it fits
_LEVELS = (ERROR_CORRECT_H, ERROR_CORRECT_Q, ERROR_CORRECT_M, ERROR_CORRECT_L)
_ON = "\x1b[30;107m"  # black on bright white
_OFF = "\x1b[0m"
_GLYPH = {(True, True): "█", (True, False): "▀", (False, True): "▄", (False, False): " "}


class TerminalQr(str):
    """The drawing; `lines` and `columns` say how much of the terminal it takes."""

    lines: int
    columns: int


def _matrix(text: str, level: int) -> list[list[bool]]:
    code = qrcode.QRCode(error_correction=level, border=0)
    code.add_data(text)
    code.make(fit=True)
    return [list(row) for row in code.get_matrix()]


def _fitting(text: str, max_lines: int, max_width: int) -> tuple[list[list[bool]], int]:
    """The strongest error correction that fits with the standard 4-module quiet zone;
    failing that, with the narrowest one scanners still read (2)."""
    budget = min(2 * max_lines, max_width)
    matrices = [_matrix(text, level) for level in _LEVELS]  # strongest first
    for quiet in (4, MIN_QUIET):
        for matrix in matrices:
            if len(matrix) + 2 * quiet <= budget:
                return matrix, quiet
    raise ValueError(f"this text makes a QR code too large for {max_width}x{max_lines + 1}")


def terminal_qr(
    text: str, *, color: bool, max_lines: int = MAX_LINES, max_width: int = MAX_WIDTH
) -> TerminalQr:
    """Draw `text` as a QR code of at most `max_lines` x `max_width` characters.
    Raises ValueError when it cannot fit (then print the text instead)."""
    if not text:
        raise ValueError("nothing to encode")
    matrix, quiet = _fitting(text, max_lines, max_width)
    size = len(matrix) + 2 * quiet

    def dark(row: int, col: int) -> bool:
        r, c = row - quiet, col - quiet
        return 0 <= r < len(matrix) and 0 <= c < len(matrix) and matrix[r][c]

    lines = []
    for row in range(0, size, 2):
        cells = "".join(_GLYPH[(dark(row, col), dark(row + 1, col))] for col in range(size))
        lines.append(f"{_ON}{cells}{_OFF}" if color else cells)
    drawing = TerminalQr("\n".join(lines))
    drawing.lines = len(lines)
    drawing.columns = size
    return drawing
