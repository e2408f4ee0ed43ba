"""Logging for the till: a rotating file, warnings on stderr, and redaction on every line.

`RedactionFilter` sits on each handler this module installs. Before a record is written it
renders the message, replaces every registered secret and the value of every credential
header with "***", and masks customers' phone numbers, UPI ids and anything shaped like a
card number (only its last four digits stay). It does the same to the
exception text and the stack text, so a traceback cannot carry a secret into the file.
The masking itself is `pos_app.domain.redact`, shared with crash dialogs and diagnostics.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
import threading
from collections.abc import Iterable
from io import TextIOWrapper
from pathlib import Path

from pos_app.domain.redact import (
    MASK,
    MIN_SECRET_LENGTH,
    PROCESS_REDACTOR,
    Redactor,
    redact,
    register_secret,
)
from pos_app.domain.secret import Secret

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

LOG_FILE_NAME = "pos_app.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 5

_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
_FILE_HANDLER_NAME = "pos_app.file"
_STDERR_HANDLER_NAME = "pos_app.stderr"


class RedactionFilter(logging.Filter):
    """Rewrites each record so no secret, credential header, phone or UPI id survives.

    Always returns True: records are cleaned, never dropped. Safe to run twice on the same
    record (a second pass finds nothing left to mask).
    """

    def __init__(
        self, secrets: Iterable[str | Secret] = (), *, redactor: Redactor | None = None
    ) -> None:
        super().__init__()
        self._redactor = redactor if redactor is not None else Redactor()
        for value in secrets:
            self.add_secret(value)

    def add_secret(self, value: str | Secret) -> None:
        self._redactor.add_secret(value)

    def redact(self, text: str) -> str:
        return self._redactor.redact(text)

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
_FILTER = RedactionFilter(redactor=PROCESS_REDACTOR)
_SETUP_LOCK = threading.Lock()


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
