"""The timeline words the gateway's no-answer errors by their new names and by the names
older journals recorded (TimeoutError, ConnectError) alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from pos_app.domain.sale import SaleEvent
from pos_app.ui.manager.timeline import event_sentence

IST = timezone(timedelta(hours=5, minutes=30))
AT = datetime(2026, 11, 26, 8, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("recorded", "words"),
    [
        ("GatewayTimeout", "no answer in time"),
        ("TimeoutError", "no answer in time"),
        ("GatewayUnreachable", "no connection"),
        ("ConnectError", "no connection"),
    ],
)
def test_offline_events_are_worded_by_either_name(recorded: str, words: str) -> None:
    line = event_sentence(SaleEvent("T1-1", AT, "offline", {"error": recorded}), IST)
    assert line == f"14:00:00  Could not reach Cashfree ({words})"
