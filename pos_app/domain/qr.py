"""A QR code as a value: the text it encodes and its modules, made once from the text.

Everything that shows a payment QR draws from the same `QrCode`: the desk and the customer
display paint its modules as rectangles (crisp at any size), `pos-app charge` draws them
with half-block characters, the MCP server turns them into a PNG. Nobody reads module sizes
back out of a picture.

`modules` holds the symbol only, WITHOUT the quiet zone: row by row, True for a dark
module. Whoever draws the code adds the light margin around it (`QUIET_ZONE` modules is
the standard's; scanners need at least about 2).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import qrcode
from qrcode.constants import ERROR_CORRECT_H, ERROR_CORRECT_L, ERROR_CORRECT_M, ERROR_CORRECT_Q

__all__ = ["QUIET_ZONE", "Correction", "QrCode"]

QUIET_ZONE = 4  # modules of light margin the standard asks for around the symbol


class Correction(enum.Enum):
    """How much of the symbol may be lost (glare, smudges) and still scan: about 7 %, 15 %,
    25 % or 30 %. More correction makes a bigger symbol for the same text."""

    L = ERROR_CORRECT_L
    M = ERROR_CORRECT_M
    Q = ERROR_CORRECT_Q
    H = ERROR_CORRECT_H


@dataclass(frozen=True, slots=True)
class QrCode:
    text: str
    modules: tuple[tuple[bool, ...], ...]  # the symbol, no quiet zone; True = dark

    def __post_init__(self) -> None:
        size = len(self.modules)
        if not self.text:
            raise ValueError("a QR code needs text to encode")
        # Versions 1 to 40: 21 to 177 modules a side, always 4k + 17.
        if not 21 <= size <= 177 or (size - 17) % 4 or any(len(r) != size for r in self.modules):
            raise ValueError(f"not a QR symbol: {size} rows of lengths {_lengths(self.modules)}")

    @classmethod
    def encode(cls, text: str, correction: Correction = Correction.M) -> QrCode:
        """The smallest QR symbol that holds `text` at this error correction. M suits a
        screen (some glare); the terminal may need L to fit in 80x24."""
        if not text:
            raise ValueError("nothing to encode")
        maker = qrcode.QRCode(error_correction=correction.value, border=0)
        maker.add_data(text)
        maker.make(fit=True)
        matrix = maker.get_matrix()
        return cls(text, tuple(tuple(bool(dark) for dark in row) for row in matrix))

    @property
    def size(self) -> int:
        """Modules a side, without the quiet zone."""
        return len(self.modules)

    def dark(self, row: int, column: int) -> bool:
        """Is this module dark? Outside the symbol (the quiet zone) everything is light."""
        if 0 <= row < len(self.modules) and 0 <= column < len(self.modules):
            return self.modules[row][column]
        return False

    def dark_runs(self) -> tuple[tuple[int, int, int], ...]:
        """Each horizontal run of dark modules as (row, first column, length): what a
        painter fills, one rectangle per run instead of one per module."""
        runs: list[tuple[int, int, int]] = []
        for r, row in enumerate(self.modules):
            start = -1
            for c, dark in enumerate((*row, False)):
                if dark and start < 0:
                    start = c
                elif not dark and start >= 0:
                    runs.append((r, start, c - start))
                    start = -1
        return tuple(runs)


def _lengths(modules: tuple[tuple[bool, ...], ...]) -> str:
    return ",".join(sorted({str(len(r)) for r in modules})) or "none"
