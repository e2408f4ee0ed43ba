"""Logging: what reaches the file and stderr is redacted, whatever path the secret took."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from pos_app import logs
from pos_app.logs import LOG_FILE_NAME, RedactionFilter, redact, register_secret, setup_logging
from pos_app.secrets import Secret

SECRET = "fake-secret-5f1c0a9e7d3b4c2a"
LATE_SECRET = "fake-secret-added_at_runtime_77"
log = logging.getLogger("pos_app.tests.logs")


@pytest.fixture
def log_dir(tmp_path: Path) -> Iterator[Path]:
    root = logging.getLogger()
    level = root.level
    folder = tmp_path / "logs"
    setup_logging(folder, level=logging.DEBUG, secrets=[SECRET])
    try:
        yield folder
    finally:
        logs.close_logging()
        root.setLevel(level)


def _written(folder: Path) -> str:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return (folder / LOG_FILE_NAME).read_text(encoding="utf-8")


def _our_handlers() -> list[logging.Handler]:
    return [h for h in logging.getLogger().handlers if (h.get_name() or "").startswith("pos_app.")]


def _fail_with_the_secret_in_the_source_line() -> None:
    raise RuntimeError("gateway said no")  # fake-secret-5f1c0a9e7d3b4c2a


# ---- secrets ---------------------------------------------------------------------------------
def test_secret_in_the_message_never_reaches_the_file(log_dir: Path) -> None:
    log.info(f"calling Cashfree with {SECRET}")
    text = _written(log_dir)
    assert SECRET not in text
    assert "calling Cashfree with ***" in text


def test_secret_in_the_args_never_reaches_the_file(log_dir: Path) -> None:
    log.warning("secret=%s id=%d extra=%r", SECRET, 7, {"nested": [SECRET]})
    log.info("mapping %(value)s", {"value": SECRET})
    text = _written(log_dir)
    assert SECRET not in text
    assert "secret=*** id=7 extra={'nested': ['***']}" in text
    assert "mapping ***" in text


def test_secret_in_an_exception_message_never_reaches_the_file(log_dir: Path) -> None:
    try:
        raise ValueError(f"bad credentials {SECRET}")
    except ValueError:
        log.exception("create_order failed")
    text = _written(log_dir)
    assert SECRET not in text
    assert "ValueError: bad credentials ***" in text
    assert "Traceback (most recent call last)" in text


def test_secret_in_a_traceback_never_reaches_the_file(log_dir: Path) -> None:
    try:
        try:
            _fail_with_the_secret_in_the_source_line()
        except RuntimeError as inner:
            outer = ConnectionError("retry failed")
            outer.add_note(f"last key tried: {SECRET}")
            raise outer from inner
    except ConnectionError:
        log.error("giving up", exc_info=True, stack_info=True)
    text = _written(log_dir)
    assert SECRET not in text
    # The traceback itself is there: the source line (with its comment), the cause, the note.
    assert "# ***" in text
    assert "RuntimeError: gateway said no" in text
    assert "last key tried: ***" in text
    assert "Stack (most recent call last)" in text


def test_a_secret_registered_at_run_time_is_redacted(log_dir: Path) -> None:
    log.info("before %s", LATE_SECRET)
    register_secret(Secret(LATE_SECRET))
    log.info("after %s", LATE_SECRET)
    text = _written(log_dir)
    assert f"before {LATE_SECRET}" in text  # proves the test can see it when not registered
    assert f"after {LATE_SECRET}" not in text
    assert "after ***" in text


def test_unformattable_arguments_do_not_leak(log_dir: Path) -> None:
    log.info("two slots %s %s", SECRET)  # one argument short
    text = _written(log_dir)
    assert SECRET not in text
    assert "unformattable arguments" in text


def test_too_short_values_are_not_treated_as_secrets() -> None:
    f = RedactionFilter(["", "abc"])
    assert f.redact("abc abc") == "abc abc"


def test_a_secret_containing_another_is_masked_whole() -> None:
    f = RedactionFilter(["abcd", "abcdefgh"])
    assert f.redact("x abcdefgh y abcd") == "x *** y ***"


# ---- headers ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x-client-secret: s3cr3t-value", "x-client-secret: ***"),
        (
            "X-Client-Id: TEST1234\r\nx-api-version: 2025-01-01",
            "X-Client-Id: ***\r\nx-api-version: 2025-01-01",
        ),
        ("Authorization: Bearer eyJhbGciOi.x.y", "Authorization: Bearer ***"),
        ("x-idempotency-key: 6f1c-22", "x-idempotency-key: ***"),
        (
            "{'x-client-secret': 's3cr3t', 'x-request-id': 'r-1'}",
            "{'x-client-secret': '***', 'x-request-id': 'r-1'}",
        ),
        (
            '{"x-client-id": "TEST1234", "authorization": "Basic Zm9v"}',
            '{"x-client-id": "***", "authorization": "***"}',
        ),
        (
            "[(b'x-client-secret', b's3cr3t'), (b'accept', b'json')]",
            "[(b'x-client-secret', b'***'), (b'accept', b'json')]",
        ),
        ("client_secret=s3cr3t&client_id=TEST1234", "client_secret=***&client_id=***"),
        (
            "x-client-secret=s3cr3t x-idempotency-key=k1",
            "x-client-secret=*** x-idempotency-key=***",
        ),
        ("client_secret='s3cr3t'", "client_secret='***'"),
        (r"{\"x-client-secret\": \"s3cr3t\"}", r"{\"x-client-secret\": \"***\"}"),
        ("authorization failed for this till", "authorization failed for this till"),
        ("x-request-id: r-123", "x-request-id: r-123"),
    ],
)
def test_header_values_are_masked(text: str, expected: str) -> None:
    assert RedactionFilter().redact(text) == expected


# ---- customers' personal data ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("phone 9876543210", "phone 98******10"),
        ("phone +91 98765 43210.", "phone +91 98******10."),
        ("phone +91-98765-43210", "phone +91-98******10"),
        ("phone 09876543210", "phone 098******10"),
        ("phone=919876543210", "phone=9198******10"),
        ("vpa ravi.kumar@okaxis", "vpa ra***@okaxis"),
        ("vpa 9876543210@paytm", "vpa 98***@paytm"),
        ("mail owner@kirana.in", "mail ow***@kirana.in"),
        # Not phones: amounts, longer numbers, ids, timestamps; not UPI: decorators.
        ("amount 9876543210.50", "amount 9876543210.50"),
        ("cf_payment_id 98765432101234", "cf_payment_id 98765432101234"),
        ("order pos_9876543210", "order pos_9876543210"),
        ("at 1718000000", "at 1718000000"),
        ("    @asyncSlot()", "    @asyncSlot()"),
    ],
)
def test_phones_and_upi_ids_are_masked(text: str, expected: str) -> None:
    assert RedactionFilter().redact(text) == expected


def test_redaction_is_stable_when_run_twice() -> None:
    f = RedactionFilter([SECRET])
    text = f"{SECRET} x-client-secret: abc 9876543210 ravi@okaxis"
    once = f.redact(text)
    assert f.redact(once) == once == "*** x-client-secret: *** 98******10 ra***@okaxis"


def test_module_redact_uses_the_registered_secrets(log_dir: Path) -> None:
    assert redact(f"crash: {SECRET}") == "crash: ***"


def test_personal_data_is_masked_in_the_file(log_dir: Path) -> None:
    log.info("collect to %s for %s", "ravi.kumar@okaxis", "+91 98765 43210")
    text = _written(log_dir)
    assert "ravi.kumar" not in text
    assert "98765 43210" not in text
    assert "collect to ra***@okaxis for +91 98******10" in text


# ---- handlers -------------------------------------------------------------------------------
def test_setup_twice_does_not_double_handlers(log_dir: Path) -> None:
    setup_logging(log_dir, level=logging.DEBUG)
    setup_logging(log_dir, level=logging.DEBUG)
    names = sorted(h.get_name() or "" for h in _our_handlers())
    assert names == ["pos_app.file", "pos_app.stderr"]
    log.info("exactly once")
    assert _written(log_dir).count("exactly once") == 1
    # The secret from the first call is still redacted after setting up again.
    log.info(SECRET)
    assert SECRET not in _written(log_dir)


def test_every_handler_carries_the_redaction_filter(log_dir: Path) -> None:
    handlers = _our_handlers()
    assert len(handlers) == 2
    for handler in handlers:
        assert any(isinstance(f, RedactionFilter) for f in handler.filters)


def test_the_file_rotates_at_about_a_megabyte_keeping_five(log_dir: Path) -> None:
    file_handler = next(h for h in _our_handlers() if h.get_name() == "pos_app.file")
    assert isinstance(file_handler, logging.handlers.RotatingFileHandler)
    assert file_handler.maxBytes == 1_000_000
    assert file_handler.backupCount == 5
    line = "x" * 1000
    for _ in range(1300):
        log.debug("%s %s", line, SECRET)
    assert (log_dir / f"{LOG_FILE_NAME}.1").exists()
    for path in log_dir.iterdir():
        assert path.stat().st_size <= 1_000_000
        assert SECRET not in path.read_text(encoding="utf-8")


def test_the_log_file_is_private_to_its_owner(log_dir: Path) -> None:
    log.info("hello")
    mode = stat.S_IMODE(os.stat(log_dir / LOG_FILE_NAME).st_mode)
    assert mode == 0o600


def test_stderr_gets_warnings_only_and_redacted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = logging.getLogger()
    level = root.level
    setup_logging(tmp_path / "logs", secrets=[SECRET])  # after capsys replaced stderr
    try:
        log.info("just info")
        log.warning("careful with %s", SECRET)
    finally:
        logs.close_logging()
        root.setLevel(level)
    err = capsys.readouterr().err
    assert "just info" not in err
    assert "careful with ***" in err
    assert SECRET not in err
    assert _our_handlers() == []


def test_info_is_not_written_below_the_level(tmp_path: Path) -> None:
    root = logging.getLogger()
    level = root.level
    folder = tmp_path / "logs"
    setup_logging(folder, level=logging.WARNING)
    try:
        log.info("quiet")
        log.error("loud")
        text = _written(folder)
    finally:
        logs.close_logging()
        root.setLevel(level)
    assert "quiet" not in text
    assert "loud" in text
