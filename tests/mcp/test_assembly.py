"""app.make_mcp_services: the MCP limits come from Settings, never above the till's own."""

from __future__ import annotations

import dataclasses

import pytest

from pos_app.app import make_mcp_services, open_runtime
from pos_app.config import Settings, paths, save_settings
from pos_app.domain.money import Money


async def _services(**changes: object) -> tuple[Money, int, str]:
    save_settings(paths(), dataclasses.replace(Settings(), **changes))  # type: ignore[arg-type]
    runtime = open_runtime("demo")
    try:
        services = make_mcp_services(runtime)
        assert services.checkout is runtime.checkout
        assert services.journal is runtime.journal
        return services.max_amount, services.calls_per_minute, services.environment_label
    finally:
        await runtime.aclose()


@pytest.mark.asyncio
async def test_defaults_follow_the_till() -> None:
    assert await _services() == (Money(Settings().max_amount_paise), 20, "DEMO")


@pytest.mark.asyncio
async def test_mcp_maximum_and_rate_from_settings() -> None:
    assert await _services(mcp_max_amount_paise=50_000, mcp_calls_per_minute=5) == (
        Money(50_000),
        5,
        "DEMO",
    )


@pytest.mark.asyncio
async def test_mcp_maximum_never_above_the_tills() -> None:
    maximum, _, _ = await _services(max_amount_paise=10_000, mcp_max_amount_paise=90_000)
    assert maximum == Money(10_000)


def test_settings_check_the_mcp_values() -> None:
    with pytest.raises(ValueError, match="mcp_calls_per_minute"):
        Settings(mcp_calls_per_minute=0)
    with pytest.raises(ValueError, match="mcp_max_amount_paise"):
        Settings(mcp_max_amount_paise=5)
    assert Settings().replace_value("mcp_max_amount_paise", "25000").mcp_max_amount_paise == 25000
    assert (
        Settings(mcp_max_amount_paise=100)
        .replace_value("mcp_max_amount_paise", "none")
        .mcp_max_amount_paise
        is None
    )
