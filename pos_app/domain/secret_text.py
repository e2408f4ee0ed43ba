"""How a secret can come back to us in someone else's text, and how to mask it there.

A gateway that echoes the client secret (in x-request-id, an error message, a URL it
quotes) may spell it as sent, JSON-escaped or percent-encoded. Every spelling is masked.
Pure functions: no I/O.
"""

from __future__ import annotations

import json
from urllib.parse import quote, quote_plus

__all__ = ["MASK", "scrub", "spellings"]

MASK = "***"


def spellings(secret: str) -> tuple[str, ...]:
    """The secret as sent, JSON-escaped (both ASCII and not) and percent-encoded; longest
    first, so a longer spelling is masked whole before a shorter one inside it."""
    if not secret:
        return ()
    forms = {
        secret,
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        quote(secret, safe=""),
        quote_plus(secret, safe=""),
    }
    return tuple(sorted(forms, key=len, reverse=True))


def scrub(text: str, forms: tuple[str, ...]) -> str:
    """`text` with every spelling in `forms` replaced by the mask."""
    for form in forms:
        if form and form in text:
            text = text.replace(form, MASK)
    return text
