"""Cashfree's reconciliation and settlement calls, as a part of CashfreeGateway.

`POST /recon`, `POST /settlements`, `POST /settlement/recon` (cursor paging, at most 1000
a page) and `GET /orders/{order_id}/settlements`. The bodies follow the official
2025-01-01 schemas (FetchReconRequest, FetchSettlementsRequest,
SettlementFetchReconRequest); the headers, retries, rate budget and error mapping are
CashfreeGateway._request's, like every other call.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from functools import partial
from typing import Any, TypeVar

from pos_app.gateway import cashfree_recon_parse as recon_wire
from pos_app.gateway.errors import NotFoundError
from pos_app.gateway.recon_types import (
    OrderSettlement,
    ReconPage,
    SettlementPage,
    SettlementQuery,
)

__all__ = ["MAX_PAGE", "MIN_PAGE", "ReconCalls", "recon_body", "settlement_body"]

MIN_PAGE = 10  # REFERENCE §11: limit 10..1000
MAX_PAGE = 1000
T = TypeVar("T")


def _when(moment: datetime) -> str:
    """A filter time as the spec's examples write it: UTC with a Z."""
    if moment.tzinfo is None:
        raise ValueError("times sent to Cashfree must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _pagination(cursor: str | None, limit: int) -> dict[str, Any]:
    if isinstance(limit, bool) or not MIN_PAGE <= limit <= MAX_PAGE:
        raise ValueError(f"a page holds {MIN_PAGE} to {MAX_PAGE} lines")
    paging: dict[str, Any] = {"limit": limit}
    if cursor:
        paging["cursor"] = cursor
    return paging


def recon_body(start: datetime, end: datetime, cursor: str | None, limit: int) -> dict[str, Any]:
    if end < start:
        raise ValueError("the end of a reconciliation range is before its start")
    return {
        "pagination": _pagination(cursor, limit),
        "filters": {"start_date": _when(start), "end_date": _when(end)},
    }


def settlement_body(query: SettlementQuery, cursor: str | None, limit: int) -> dict[str, Any]:
    filters: dict[str, Any] = {}
    if query.settlement_ids:
        filters["cf_settlement_ids"] = list(query.settlement_ids)
    if query.utrs:
        filters["settlement_utrs"] = list(query.utrs)
    if query.start is not None and query.end is not None:
        filters["start_date"] = _when(query.start)
        filters["end_date"] = _when(query.end)
    return {"pagination": _pagination(cursor, limit), "filters": filters}


class ReconCalls:
    """Mixed into CashfreeGateway: it provides `_request` and `_segment`."""

    _request: Callable[..., Awaitable[Any]]

    async def _call(
        self,
        endpoint: str,
        method: str,
        path: str,
        parse: Callable[[Any], T],
        body: Mapping[str, Any] | None = None,
    ) -> T:
        result: T = await self._request(endpoint, method, path, parse, body=body)
        return result

    async def fetch_recon(
        self, start: datetime, end: datetime, *, cursor: str | None = None, limit: int = 1000
    ) -> ReconPage:
        body = recon_body(start, end, cursor, limit)
        return await self._call("recon", "POST", "/recon", recon_wire.parse_recon_page, body)

    async def fetch_settlements(
        self, query: SettlementQuery, *, cursor: str | None = None, limit: int = 1000
    ) -> SettlementPage:
        body = settlement_body(query, cursor, limit)
        return await self._call(
            "settlements", "POST", "/settlements", recon_wire.parse_settlement_page, body
        )

    async def fetch_settlement_recon(
        self, query: SettlementQuery, *, cursor: str | None = None, limit: int = 1000
    ) -> ReconPage:
        body = settlement_body(query, cursor, limit)
        return await self._call(
            "settlement_recon", "POST", "/settlement/recon", recon_wire.parse_recon_page, body
        )

    async def get_order_settlement(self, order_id: str) -> OrderSettlement | None:
        """The order's settlement (settled or not yet); None when Cashfree has none for it
        (not paid). An order Cashfree does not know raises NotFoundError."""
        from pos_app.gateway.cashfree import _segment

        try:
            return await self._call(
                "order_settlements",
                "GET",
                f"/orders/{_segment(order_id)}/settlements",
                partial(recon_wire.parse_order_settlement, order_id=order_id),
            )
        except NotFoundError as exc:
            if exc.code == "order_not_found":
                raise
            return None
