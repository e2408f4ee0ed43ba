"""Test plumbing for the MCP server: a whole till (till_fakes.make_till: the simulated
Cashfree, the real gateway and journal, a fake clock) with the MCP services over it."""

from __future__ import annotations

import json
from datetime import UTC
from pathlib import Path
from typing import Any

from mcp.types import CallToolResult
from till_fakes import Till, make_till

from pos_app.domain.money import Money
from pos_app.domain.sale import Method
from pos_app.mcp.context import McpServices
from pos_app.services.refunds.requests import RefundRequestService
from pos_app.services.refunds.service import RefundService

TILL_MAX = Money(1_00_000_00)


def mcp_till(
    tmp_path: Path,
    *,
    max_amount: Money = TILL_MAX,
    calls_per_minute: int = 100,
    methods: frozenset[Method] | None = None,
) -> tuple[Till, McpServices]:
    till = make_till(tmp_path, methods=methods)
    refunds = RefundService(
        till.gateway, till.journal, clock=till.clock, sleep=till.clock.sleep, follow_for=5.0
    )
    services = McpServices(
        environment="demo",
        checkout=till.checkout,
        journal=till.journal,
        refunds=refunds,
        refund_requests=RefundRequestService(till.journal, refunds, clock=till.clock),
        max_amount=max_amount,
        calls_per_minute=calls_per_minute,
        zone=UTC,
        monotonic=till.clock.monotonic,
    )
    return till, services


def data(result: CallToolResult) -> dict[str, Any]:
    """The structured reply of a successful call."""
    assert not result.is_error, result.content
    assert result.structured_content is not None
    return dict(result.structured_content)


def error_text(result: CallToolResult) -> str:
    assert result.is_error, result.structured_content
    return " ".join(getattr(block, "text", "") for block in result.content)


def everything_said(result: CallToolResult) -> str:
    parts = [getattr(block, "text", "") for block in result.content]
    if result.structured_content is not None:
        parts.append(json.dumps(result.structured_content))
    return " ".join(parts)
