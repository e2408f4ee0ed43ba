"""About and diagnostics: what the text holds (versions, folders, environment, password
store, the last Cashfree call and its request id), "Copy diagnostics", and that no secret
can get into it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot
from setup_kit import services

from pos_app.config import paths
from pos_app.gateway.cashfree import CallInfo
from pos_app.logs import register_secret
from pos_app.secrets import Secret
from pos_app.services.diagnostics import describe_call, diagnostics_text, gather
from pos_app.ui.setup import wording
from pos_app.ui.setup.about import AboutDialog

SECRET = "about-secret-3e9d1c5b7a"


def test_about_shows_the_facts_and_copies_them_without_the_secret(
    qtbot: QtBot, qloop: object, _memory_keyring: object
) -> None:
    _memory_keyring.entries[("pos_app", "sandbox/client_secret")] = SECRET  # type: ignore[attr-defined]
    call = CallInfo("get_order", 404, "req-7f3a", at=100.0, attempt=1)
    dialog = AboutDialog(
        services(environment="sandbox", last_call=lambda: call, monotonic=lambda: 112.0)
    )
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.details.toPlainText() == wording.GATHERING
    qtbot.waitUntil(dialog.copy_button.isEnabled, timeout=5000)
    text = dialog.details.toPlainText()
    for expected in (
        "pos_app: 0.1.0",
        "Python: 3.",
        "httpx: ",
        "keyring: ",
        "Qt runtime: 6.",
        "Environment: sandbox",
        f"Data folder: {paths().data_dir}",
        f"Log folder: {paths().log_dir}",
        "Password store: ",
        "Cashfree sandbox credentials: saved",
        "Cashfree production credentials: not saved",
        "Last Cashfree call: get_order: HTTP 404, 12 seconds ago; request id req-7f3a",
    ):
        assert expected in text, expected
    assert SECRET not in text
    dialog.copy_button.click()
    clipboard = QGuiApplication.clipboard()
    assert clipboard.text() == text
    assert dialog.copied.text() == wording.COPIED


def _diagnostics(**changes: object) -> str:
    values: dict[str, object] = {
        "environment": "sandbox",
        "data_dir": "/srv/till/data",
        "config_dir": "/srv/till/config",
        "log_dir": "/srv/till/logs",
        "keyring_backend": "keyring.backends.SecretService.Keyring",
        "taken_at": datetime(2026, 3, 2, 9, 30, tzinfo=UTC),
    }
    values.update(changes)
    return diagnostics_text(gather(**values))  # type: ignore[arg-type]


def test_the_text_is_redacted_like_the_log() -> None:
    register_secret(SECRET)
    text = _diagnostics(
        data_dir=f"/srv/{SECRET}/data",
        keyring_backend="x-client-secret: abc123 phone 9876543210",
    )
    assert SECRET not in text and "abc123" not in text and "9876543210" not in text
    assert "Data folder: /srv/***/data" in text


def test_a_secret_handed_in_is_masked_even_if_never_registered() -> None:
    other = "never-registered-7b2c9d"
    text = diagnostics_text(
        gather(
            environment="sandbox",
            data_dir=f"/tmp/{other}",
            config_dir="/c",
            log_dir="/l",
            keyring_backend="memory",
        ),
        secrets=[Secret(other)],
    )
    assert other not in text


@pytest.mark.parametrize(
    ("call", "now", "line"),
    [
        (None, 0.0, "none yet"),
        (
            CallInfo("create_order", None, "req-1", at=10.0, attempt=3),
            11.0,
            "create_order: no answer, attempt 3, 1 second ago; request id req-1",
        ),
        (
            CallInfo("get_order", 200, "req-2", at=0.0, attempt=1),
            7199.0,
            "get_order: HTTP 200, 119 minutes ago; request id req-2",
        ),
        (
            CallInfo("get_order", 200, "req-2", at=0.0, attempt=1),
            7200.0,
            "get_order: HTTP 200, 2 hours ago; request id req-2",
        ),
    ],
)
def test_describe_call(call: CallInfo | None, now: float, line: str) -> None:
    assert describe_call(call, now) == line
