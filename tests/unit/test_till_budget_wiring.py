"""open_runtime gives sandbox, production and demo-over-loopback the till's shared rate
budget (one file per environment in the data folder); the in-process demo keeps its own;
a budget file that cannot be opened never stops the till."""

from __future__ import annotations

import asyncio

import httpx
import pytest
import respx

from pos_app.app import open_runtime
from pos_app.config import paths
from pos_app.gateway.retry import RateBudget
from pos_app.secrets import KeyringSecretStore, Secret
from pos_app.store.rate_budget import SharedRateBudget


def _sandbox_credentials() -> None:
    store = KeyringSecretStore()
    store.set("sandbox", "app_id", Secret("TEST-APP-ID"))
    store.set("sandbox", "client_secret", Secret("sim-secret-0123456789"))


def test_sandbox_uses_the_shared_budget_and_closes_it(monkeypatch: pytest.MonkeyPatch) -> None:
    _sandbox_credentials()
    monkeypatch.setenv("POS_CASHFREE_BASE_URL", "http://127.0.0.1:9/pg")
    runtime = open_runtime("sandbox")
    budget = runtime.budget
    assert isinstance(budget, SharedRateBudget)
    assert budget.path == paths().data_dir / "rate-sandbox.sqlite3"
    assert budget.capacity("get_order") == 40
    asyncio.run(runtime.aclose())
    # Closed, it answers from the process's own budget and never raises.
    assert budget.available("get_order") == RateBudget.for_environment("sandbox").capacity(
        "get_order"
    )


def test_demo_over_loopback_shares_too_and_in_process_demo_does_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    own = open_runtime("demo")
    try:
        assert isinstance(own.budget, RateBudget)
    finally:
        asyncio.run(own.aclose())
    monkeypatch.setenv("POS_CASHFREE_BASE_URL", "http://127.0.0.1:9/pg")
    shared = open_runtime("demo")
    try:
        assert isinstance(shared.budget, SharedRateBudget)
        assert shared.budget.path.name == "rate-demo.sqlite3"
    finally:
        asyncio.run(shared.aclose())


def test_an_unusable_budget_file_falls_back_to_the_process(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("POS_CASHFREE_BASE_URL", "http://127.0.0.1:9/pg")
    (paths().data_dir / "rate-demo.sqlite3").mkdir()  # a folder where the file should be
    runtime = open_runtime("demo")
    try:
        assert isinstance(runtime.budget, RateBudget)
        assert "shared rate budget cannot be opened" in caplog.text
    finally:
        asyncio.run(runtime.aclose())


def test_two_runtimes_of_one_till_draw_from_one_allowance(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The gateway's background calls, through two runtimes of one till, stop at the
    background share of the till's 40 (the reserve stays for the counter)."""
    monkeypatch.setenv("POS_CASHFREE_BASE_URL", "https://sim.invalid/pg")
    order = {
        "cf_order_id": "1",
        "order_id": "T1-1",
        "entity": "order",
        "order_currency": "INR",
        "order_amount": 10.0,
        "order_status": "ACTIVE",
        "payment_session_id": "session_x",
        "order_expiry_time": "2026-12-03T10:00:00+05:30",
        "created_at": "2026-12-03T09:00:00+05:30",
        "customer_details": {"customer_id": "c1", "customer_phone": "9999999999"},
    }

    async def main() -> tuple[int, int]:
        one, two = open_runtime("demo"), open_runtime("demo")
        try:
            with respx.mock(base_url="https://sim.invalid/pg") as cf:
                route = cf.get("/orders/T1-1").mock(return_value=httpx.Response(200, json=order))

                async def poll(runtime: object) -> None:
                    quiet = runtime.gateway.background()  # type: ignore[attr-defined]
                    while True:
                        await quiet.get_order("T1-1")

                tasks = [asyncio.create_task(poll(r)) for r in (one, two, one, two)]
                await asyncio.sleep(1.5)
                background_calls = route.call_count
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                await asyncio.wait_for(one.gateway.get_order("T1-1"), 5)  # the counter's
                return background_calls, route.call_count
        finally:
            await one.aclose()
            await two.aclose()

    background_calls, total = asyncio.run(main())
    assert background_calls == 28  # 40 less a 30% reserve, for both processes together
    assert total == 29
