"""The composition root hands the checkout two views of its one gateway: the counter's
(one attempt per try: the checkout's loops own the retries) and the background one."""

from __future__ import annotations

import asyncio

from pos_app.app import open_runtime
from pos_app.gateway.cashfree import CashfreeGateway


def test_the_checkout_gets_a_single_attempt_counter_and_a_background_view() -> None:
    runtime = open_runtime("demo")
    try:
        counter, background = runtime.deps.gateway, runtime.deps.background
        assert isinstance(counter, CashfreeGateway) and isinstance(background, CashfreeGateway)
        assert counter.retry_policy.max_attempts == 1 and not counter.is_background
        assert background.is_background
        # One-off callers (refunds, commands) keep the policy's retries and the counter's
        # priority; every view spends the same budget.
        assert runtime.gateway.retry_policy.max_attempts > 1 and not runtime.gateway.is_background
        assert counter.budget is background.budget is runtime.gateway.budget is runtime.budget
    finally:
        asyncio.run(runtime.aclose())
