"""The checkout's event channel (services/checkout/listeners.py): subscribe returns the
unsubscribe, and one listener's bug neither stops the others nor reaches the caller."""

from __future__ import annotations

import logging

import pytest

from pos_app.services.checkout.listeners import Listeners


def test_every_listener_hears_each_event_in_order() -> None:
    heard: list[tuple[str, int]] = []
    channel: Listeners[int] = Listeners("test")
    channel.subscribe(lambda n: heard.append(("a", n)))
    channel.subscribe(lambda n: heard.append(("b", n)))
    channel.tell(1)
    channel.tell(2)
    assert heard == [("a", 1), ("b", 1), ("a", 2), ("b", 2)]


def test_a_failing_listener_is_logged_and_the_others_still_hear(
    caplog: pytest.LogCaptureFixture,
) -> None:
    heard: list[int] = []
    channel: Listeners[int] = Listeners("late payment")

    def broken(_n: int) -> None:
        raise RuntimeError("listener bug")

    channel.subscribe(heard.append)
    channel.subscribe(broken)
    channel.subscribe(lambda n: heard.append(n * 10))
    with caplog.at_level(logging.ERROR, logger="pos_app.services.checkout.listeners"):
        channel.tell(7)  # does not raise
    assert heard == [7, 70]
    [record] = caplog.records
    assert "late payment listener failed" in record.getMessage()
    assert record.exc_info is not None and "listener bug" in str(record.exc_info[1])


def test_unsubscribe_stops_the_news_and_may_be_called_twice() -> None:
    heard: list[int] = []
    channel: Listeners[int] = Listeners("test")
    stop = channel.subscribe(heard.append)
    channel.tell(1)
    stop()
    stop()
    channel.tell(2)
    assert heard == [1]
    assert len(channel) == 0


def test_a_listener_may_unsubscribe_while_it_is_told() -> None:
    heard: list[str] = []
    channel: Listeners[int] = Listeners("test")
    stops: list[object] = []

    def once(_n: int) -> None:
        heard.append("once")
        stop = stops[0]
        assert callable(stop)
        stop()

    stops.append(channel.subscribe(once))
    channel.subscribe(lambda _n: heard.append("always"))
    channel.tell(1)
    channel.tell(2)
    assert heard == ["once", "always", "always"]
