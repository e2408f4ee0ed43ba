"""Read the text back out of a PDF that Qt wrote (QPdfWriter), in pure Python.

Qt embeds subset fonts (Identity-H: two bytes per glyph) with a ToUnicode CMap, compresses
streams with Flate, and shows text as `<hex> Tj` between BT and ET. This reads exactly
that much: enough for a test to prove the amounts are in the file, not a general parser.
"""

from __future__ import annotations

import re
import zlib

_OBJECT = re.compile(rb"(\d+) 0 obj(.*?)endobj", re.S)
_STREAM = re.compile(rb"stream\r?\n")
_BFCHAR = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")
_BFRANGE_LIST = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*\[(.*?)\]", re.S)
_BFRANGE_START = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")
_TOKEN = re.compile(rb"/(\w+)\s+[-\d.]+\s+Tf|<([0-9A-Fa-f]*)>\s*Tj|\[(.*?)\]\s*TJ|\bET\b", re.S)


def _objects(data: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    found: dict[int, tuple[bytes, bytes | None]] = {}
    for match in _OBJECT.finditer(data):
        body = match.group(2)
        opened = _STREAM.search(body)
        if opened is None:
            found[int(match.group(1))] = (body, None)
            continue
        head = body[: opened.start()]
        raw = body[opened.end() : body.rfind(b"endstream")].rstrip(b"\r\n")
        if b"/FlateDecode" in head:
            raw = zlib.decompressobj().decompress(raw)
        found[int(match.group(1))] = (head, raw)
    return found


def _text(hex_code: bytes) -> str:
    raw = bytes.fromhex(hex_code.decode())
    return raw.decode("utf-16-be", errors="replace")


def _cmap(stream: bytes) -> dict[int, str]:
    table: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", stream, re.S):
        for code, target in _BFCHAR.findall(block):
            table[int(code, 16)] = _text(target)
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", stream, re.S):
        for first, _last, targets in _BFRANGE_LIST.findall(block):
            for n, target in enumerate(re.findall(rb"<([0-9A-Fa-f]+)>", targets)):
                table[int(first, 16) + n] = _text(target)
        plain = _BFRANGE_LIST.sub(b"", block)  # what is left: <first> <last> <start> lines
        for first, last, start in _BFRANGE_START.findall(plain):
            base = int(start, 16)
            for n in range(int(last, 16) - int(first, 16) + 1):
                table[int(first, 16) + n] = chr(base + n)
    return table


def pdf_text(data: bytes) -> str:
    """The text shown on every page, one line per text block."""
    objects = _objects(data)
    unicode_of: dict[int, dict[int, str]] = {}
    for number, (head, _) in objects.items():
        link = re.search(rb"/ToUnicode\s+(\d+)\s+0\s+R", head)
        if link is not None:
            stream = objects[int(link.group(1))][1] or b""
            unicode_of[number] = _cmap(stream)
    font_names = {
        name.decode(): int(num) for name, num in re.findall(rb"/(\w+)\s+(\d+)\s+0\s+R", data)
    }
    contents = {int(n) for n in re.findall(rb"/Contents\s+(\d+)\s+0\s+R", data)}
    lines: list[str] = []
    for number in sorted(contents):
        stream = objects.get(number, (b"", None))[1] or b""
        table: dict[int, str] = {}
        line: list[str] = []
        for token in _TOKEN.finditer(stream):
            font, shown, array = token.group(1), token.group(2), token.group(3)
            if font is not None:
                table = unicode_of.get(font_names.get(font.decode(), -1), {})
            elif shown is not None or array is not None:
                codes = [shown] if shown is not None else re.findall(rb"<([0-9A-Fa-f]*)>", array)
                for code in codes:
                    for i in range(0, len(code), 4):
                        line.append(table.get(int(code[i : i + 4], 16), "?"))
            else:
                lines.append("".join(line))
                line = []
    return "\n".join(lines)


def squeeze(text: str) -> str:
    """Without any whitespace (PDF text places words by position, not by space glyphs)."""
    return re.sub(r"\s+", "", text)
