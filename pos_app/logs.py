"""Logging for the till: a rotating file, warnings on stderr, and redaction on every line.

`RedactionFilter` sits on each handler this module installs. Before a record is written it
renders the message, replaces every registered secret and the value of every credential
header with "***", and masks customers' phone numbers, UPI ids and anything shaped like a
card number (only its last four digits stay). It does the same to the
exception text and the stack text, so a traceback cannot carry a secret into the file.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
import sys
import threading
from collections.abc import Iterable
from io import TextIOWrapper
from pathlib import Path

from pos_app.domain.secret import Secret
from pos_app.domain.secret_text import spellings

__all__ = [
    "BACKUP_COUNT",
    "LOG_FILE_NAME",
    "MASK",
    "MAX_BYTES",
    "MIN_SECRET_LENGTH",
    "RedactionFilter",
    "close_logging",
    "redact",
    "register_secret",
    "setup_logging",
]

MASK = "***"
LOG_FILE_NAME = "pos_app.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 5
# Shorter values would mask ordinary words and numbers all over the log; real credentials
# are far longer. Shorter values are ignored rather than redacted everywhere.
MIN_SECRET_LENGTH = 4

_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
_FILE_HANDLER_NAME = "pos_app.file"
_STDERR_HANDLER_NAME = "pos_app.stderr"

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


class RedactionFilter(logging.Filter):
    """Rewrites each record so no secret, credential header, phone or UPI id survives.

    Always returns True: records are cleaned, never dropped. Safe to run twice on the same
    record (a second pass finds nothing left to mask).
    """

    def __init__(self, secrets: Iterable[str | Secret] = ()) -> None:
        super().__init__()
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

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not let the raw args through
            message = f"{record.msg!s} (unformattable arguments: {record.args!r})"
        record.msg = self.redact(message)
        record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = _TRACEBACK_FORMATTER.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


_TRACEBACK_FORMATTER = logging.Formatter()
_FILTER = RedactionFilter()
_SETUP_LOCK = threading.Lock()


def register_secret(value: str | Secret) -> None:
    """Add a value to redact from now on (e.g. a client secret read from the keyring)."""
    _FILTER.add_secret(value)


def redact(text: str) -> str:
    """Apply the same redaction as the log files (for crash dialogs and diagnostics)."""
    return _FILTER.redact(text)


class _PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """Creates each log file readable by its owner only (it names customers' payments)."""

    def _open(self) -> TextIOWrapper:
        def opener(path: str, flags: int) -> int:
            return os.open(path, flags, 0o600)

        stream = open(  # noqa: SIM115 - the handler owns and closes the stream
            self.baseFilename, self.mode, encoding=self.encoding, errors=self.errors, opener=opener
        )
        if not isinstance(stream, TextIOWrapper):  # only if someone asked for a binary mode
            stream.close()
            raise TypeError("log files are opened in text mode")
        return stream


def setup_logging(
    log_dir: Path, *, level: int = logging.INFO, secrets: Iterable[str | Secret] = ()
) -> None:
    """Send the app's log to `log_dir/pos_app.log` (about 1 MB x 5 files) and warnings to stderr.

    Calling it again replaces the handlers it installed before (never doubles them) and keeps
    every secret registered so far.
    """
    for value in secrets:
        register_secret(value)
    log_dir.mkdir(parents=True, exist_ok=True)
    with _SETUP_LOCK:
        root = logging.getLogger()
        _remove_our_handlers(root)

        file_handler = _PrivateRotatingFileHandler(
            log_dir / LOG_FILE_NAME, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8"
        )
        file_handler.set_name(_FILE_HANDLER_NAME)
        file_handler.setLevel(level)
        handlers: list[logging.Handler] = [file_handler]

        if sys.stderr is not None:  # None in a windowed (pythonw / frozen GUI) process
            stderr_handler = logging.StreamHandler(sys.stderr)
            stderr_handler.set_name(_STDERR_HANDLER_NAME)
            stderr_handler.setLevel(max(level, logging.WARNING))
            handlers.append(stderr_handler)

        formatter = logging.Formatter(_FORMAT)
        for handler in handlers:
            handler.setFormatter(formatter)
            handler.addFilter(_FILTER)
            root.addHandler(handler)
        root.setLevel(level)
        logging.captureWarnings(True)


def close_logging() -> None:
    """Remove and close the handlers setup_logging installed (at shutdown, and in tests)."""
    with _SETUP_LOCK:
        _remove_our_handlers(logging.getLogger())
        logging.captureWarnings(False)


def _remove_our_handlers(root: logging.Logger) -> None:
    for handler in list(root.handlers):
        if handler.get_name() in (_FILE_HANDLER_NAME, _STDERR_HANDLER_NAME):
            root.removeHandler(handler)
            handler.close()
