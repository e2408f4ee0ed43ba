"""The result screen reads its words from the one table by code (status, reason code)."""

from __future__ import annotations

import pytest
from desk_kit import final_state
from pytestqt.qtbot import QtBot

from pos_app.domain.sale import ReasonCode, SaleStatus
from pos_app.services.wording import REASON_SENTENCES, status_style, status_title
from pos_app.ui.screens.result import ResultScreen


@pytest.fixture
def screen(qtbot: QtBot) -> ResultScreen:
    widget = ResultScreen()
    qtbot.addWidget(widget)
    widget.show()
    return widget


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (SaleStatus.CANCELLED, ReasonCode.CANCELLED_BY_CASHIER),
        (SaleStatus.CANCELLED, ReasonCode.NEVER_REACHED),
        (SaleStatus.EXPIRED, ReasonCode.DEMO_RESTARTED),
        (SaleStatus.UNCERTAIN, ReasonCode.NOT_FOUND_AT_CASHFREE),
    ],
)
def test_without_a_message_the_reason_code_says_why(
    screen: ResultScreen, status: SaleStatus, code: ReasonCode
) -> None:
    screen.show_state(final_state(status, message="", reason_code=code))
    assert screen.reason.text() == REASON_SENTENCES[code]
    assert screen.title.text() == status_title(status)


@pytest.mark.parametrize("status", list(SaleStatus))
def test_every_status_has_its_title_and_style_on_screen(
    screen: ResultScreen, status: SaleStatus
) -> None:
    screen.show_state(final_state(status, message="Why."))
    assert screen.title.text() == status_title(status)
    assert screen.property("kind") == status_style(status).value
