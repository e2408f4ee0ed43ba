"""Link reads never outpace Get Link's budget (issue 13: polling stalled after a resend)."""

from __future__ import annotations

import pytest

from pos_app.domain.sale import Method
from pos_app.gateway.retry import RateBudget
from pos_app.services.checkout.schedule import PollSchedule, sustainable_interval


def test_sustainable_interval_spreads_a_budget_over_its_window() -> None:
    assert sustainable_interval(22) == pytest.approx(60 / 22)
    assert sustainable_interval(30, window=60.0, share=0.5) == pytest.approx(4.0)
    with pytest.raises(ValueError):
        sustainable_interval(0)


def test_only_links_get_the_floor() -> None:
    schedule = PollSchedule(link_min_interval=2.7)
    assert schedule.min_interval(Method.LINK) == 2.7
    assert schedule.min_interval(Method.UPI_QR) == 0.0
    assert schedule.min_interval(Method.COLLECT) == 0.0


@pytest.mark.parametrize("environment", ["demo", "sandbox", "production"])
def test_a_link_polled_for_a_minute_fits_its_budget(environment: str) -> None:
    from pos_app.app import make_deps
    from pos_app.config import Settings

    deps = make_deps(Settings(), environment, gateway=None, journal=None)
    schedule = deps.schedule
    capacity = RateBudget.for_environment(environment).capacity("get_link")
    pace = max(schedule.interval(0.0), schedule.min_interval(Method.LINK))
    assert 60.0 / pace <= capacity + 1e-9
    # Order reads keep the fast pace: only what a link costs changed.
    assert schedule.interval(0.0) == Settings().poll_fast_interval
