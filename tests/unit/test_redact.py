"""Redaction is one domain function: a secret registered anywhere is hidden in the log
files, in diagnostics and in crash text alike."""

from __future__ import annotations

import logging
from pathlib import Path

from pos_app import logs
from pos_app.domain import redact as redaction
from pos_app.domain.redact import Redactor

SECRET = "fake-secret-registered-in-domain-41c9"


def test_a_secret_registered_through_the_domain_is_masked_in_the_log_file(
    tmp_path: Path,
) -> None:
    redaction.register_secret(SECRET)
    root = logging.getLogger()
    level = root.level
    logs.setup_logging(tmp_path, level=logging.INFO)
    try:
        logging.getLogger("pos_app.tests.redact").warning("echoed %s", SECRET)
        for handler in root.handlers:
            handler.flush()
    finally:
        logs.close_logging()
        root.setLevel(level)
    written = (tmp_path / logs.LOG_FILE_NAME).read_text(encoding="utf-8")
    assert SECRET not in written and "echoed ***" in written
    assert logs.redact(f"x {SECRET}") == redaction.redact(f"x {SECRET}") == "x ***"


def test_a_private_redactor_knows_only_its_own_secrets() -> None:
    mine = Redactor(["only-this-one-9f2e"])
    assert mine.redact("only-this-one-9f2e and " + SECRET) == "*** and " + SECRET
    assert mine.redact("x-client-secret: abc") == "x-client-secret: ***"
