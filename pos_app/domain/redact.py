"""Redaction: the one function that takes secrets, credential headers, customers' phone
numbers and UPI ids, and card numbers out of a text before anyone sees it.

Every registered secret and the value of every credential header become "***"; phone
numbers and UPI ids are masked down to a few characters; anything shaped like a card number
keeps only its last four digits. The log files (`pos_app.logs`), crash dialogs and the
diagnostics report all go through the same process-wide `Redactor`, so a secret registered
once (read from the keyring, typed by the manager) is hidden everywhere.

Pure text work: no I/O, no logging, no Qt.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable

from pos_app.domain.secret import Secret
from pos_app.domain.secret_text import spellings

__all__ = ["MASK", "MIN_SECRET_LENGTH", "Redactor", "redact", "register_secret"]

MASK = "***"
# Shorter values would mask ordinary words and numbers all over the log; real credentials
# are far longer. Shorter values are ignored rather than redacted everywhere.
MIN_SECRET_LENGTH = 4

# ---- what gets masked ------------------------------------------------------------------------
# Header names, with '-' or '_' between the words and the "x-" optional (kwargs, dict keys).
_NAMES = r"(?:x[-_])?client[-_](?:secret|id)|authorization|(?:x[-_])?idempotency[-_]key"
# A value: quoted (possibly b'...' or JSON-escaped \"...\"), or a bare run, optionally after
# an auth scheme ("Bearer abc" keeps "Bearer ").
_VALUE = (
    r"(?P<open>b?\\?(?P<vq>['\"]))(?P<inner>.*?)(?P<close>\\?(?P=vq))"
    r"|(?P<scheme>(?:bearer|basic|token)[ \t]+)?[^\s,;&'\"}\])]+"
)
# 'x-client-secret': 'v'   "authorization": "v"   (b'x-client-id', b'v')
_QUOTED_HEADER = re.compile(
    rf"(?P<head>b?\\?(?P<q>['\"])(?P<name>{_NAMES})\\?(?P=q)[ \t]*[:=,][ \t]*)(?:{_VALUE})",
    re.IGNORECASE,
)
# x-client-secret: v   client_secret=v   Authorization: Bearer v
_BARE_HEADER = re.compile(
    rf"(?P<head>(?<![A-Za-z0-9-])(?P<name>{_NAMES})[ \t]*[:=][ \t]*)(?:{_VALUE})",
    re.IGNORECASE,
)
# handle@psp (also catches e-mail addresses, which is what we want).
_UPI = re.compile(r"(?<![\w.-])(?P<handle>[A-Za-z0-9][A-Za-z0-9._-]*)@(?P<psp>[A-Za-z][\w-]*)")
# An Indian mobile: optional +91 / 91 / 0, then ten digits starting 6-9, spaces or dashes
# allowed between digits. Not inside a longer word or number, not an amount like 9876543210.50.
_PHONE = re.compile(
    r"(?<![\w.+])(?P<cc>(?:\+91|91|0)[ -]?)?(?P<num>[6-9](?:[ -]?[0-9]){9})(?![\w]|\.[0-9])"
)


# Anything shaped like a card number: 13 to 19 digits, possibly grouped by single spaces or
# dashes, not inside a longer word or number. Masked when it passes the Luhn check (every
# card does; a random id rarely) or when it is grouped like a card (4111 1111 1111 1111).
_CARD = re.compile(r"(?<![\w.])(?P<num>[0-9](?:[ -]?[0-9]){12,18})(?![\w]|\.[0-9])")
_CARD_GROUPED = re.compile(r"^[0-9]{4}(?:[ -][0-9]{4}){2}[ -][0-9]{1,7}$")


def _luhn(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if index % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _mask_card(match: re.Match[str]) -> str:
    raw = match.group("num")
    digits = re.sub(r"[ -]", "", raw)
    if _luhn(digits) or _CARD_GROUPED.match(raw):
        return f"{MASK}{digits[-4:]}"
    return raw


def _mask_header(match: re.Match[str]) -> str:
    head = match.group("head")
    if match.group("vq") is not None:
        return f"{head}{match.group('open')}{MASK}{match.group('close')}"
    return f"{head}{match.group('scheme') or ''}{MASK}"


def _mask_upi(match: re.Match[str]) -> str:
    return f"{match.group('handle')[:2]}{MASK}@{match.group('psp')}"


def _mask_phone(match: re.Match[str]) -> str:
    digits = re.sub(r"[ -]", "", match.group("num"))
    return f"{match.group('cc') or ''}{digits[:2]}******{digits[-2:]}"


class Redactor:
    """Masks the registered secrets and every credential header, phone, UPI id and card
    number in a text. Safe to run twice on the same text (a second pass finds nothing left
    to mask) and from several threads."""

    def __init__(self, secrets: Iterable[str | Secret] = ()) -> None:
        self._lock = threading.Lock()
        self._secrets: tuple[str, ...] = ()
        for value in secrets:
            self.add_secret(value)

    def add_secret(self, value: str | Secret) -> None:
        text = value.reveal() if isinstance(value, Secret) else value
        if len(text) < MIN_SECRET_LENGTH:
            return
        with self._lock:
            if text not in self._secrets:
                # Every spelling an echo could use (JSON-escaped, percent-encoded); longest
                # first, so a secret that contains another is masked whole.
                known = {*self._secrets, *spellings(text)}
                self._secrets = tuple(sorted(known, key=len, reverse=True))

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        text = _QUOTED_HEADER.sub(_mask_header, text)
        text = _BARE_HEADER.sub(_mask_header, text)
        text = _UPI.sub(_mask_upi, text)
        text = _CARD.sub(_mask_card, text)
        return _PHONE.sub(_mask_phone, text)


PROCESS_REDACTOR = Redactor()  # the secrets this process knows; the log filter uses it too


def register_secret(value: str | Secret) -> None:
    """Add a value to redact from now on (e.g. a client secret read from the keyring)."""
    PROCESS_REDACTOR.add_secret(value)


def redact(text: str) -> str:
    """Apply the same redaction as the log files (for crash dialogs and diagnostics)."""
    return PROCESS_REDACTOR.redact(text)
