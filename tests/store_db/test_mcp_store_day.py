"""The MCP server's day_summary with all_tills: the store database's day (every till),
equal to the sum of the tills' own days; refused in plain words without one."""

from __future__ import annotations

from pathlib import Path

import pytest
from mcp import Client
from mcp_kit import data, error_text, mcp_till
from store_db.kit import DAY, open_till

from pos_app.mcp.server import build_server
from pos_app.services.reporting.store_views import StoreDayReader
from pos_app.store_db.connect import connect

pytestmark = pytest.mark.asyncio


async def test_day_summary_for_all_tills_reads_the_store_database(
    store_url: str, tmp_path: Path
) -> None:
    tills = [open_till(tmp_path, t, store_url) for t in ("T1", "T2")]
    for n, till in enumerate(tills, start=1):
        sales = [till.sell(10_000 * n) for _ in range(n)]
        till.refund(sales[0], 2_500)
        await till.syncer().sync_once()
    own, services = mcp_till(tmp_path / "mcp")
    try:
        async with Client(build_server(services)) as client:
            day = DAY.date().isoformat()
            refused = error_text(
                await client.call_tool("day_summary", {"date": day, "all_tills": True})
            )
            assert "has not joined a store database" in refused
            services.store_day = StoreDayReader("shop", "demo", lambda: connect(store_url))
            store = data(await client.call_tool("day_summary", {"date": day, "all_tills": True}))
            alone = data(await client.call_tool("day_summary", {"date": day}))
    finally:
        await own.checkout.shutdown()
        await own.client.aclose()
        own.journal.close()
        for till in tills:
            till.journal.close()
    assert store["store_id"] == "shop"
    assert store["collected"]["count"] == 3 and store["collected"]["paise"] == 50_000
    assert store["refunded"]["paise"] == 5_000 and store["net_paise"] == 45_000
    assert {k: v["paise"] for k, v in store["tills"].items()} == {"T1": 10_000, "T2": 40_000}
    assert alone["collected"]["count"] == 0 and alone["tills"] is None  # this till sold nothing
