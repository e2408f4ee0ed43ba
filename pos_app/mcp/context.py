"""What the MCP tools need, built by the composition root (pos_app.app.make_mcp_services)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any

from pos_app.domain.money import Money
from pos_app.services.checkout.service import CheckoutService
from pos_app.services.refunds.requests import RefundRequestService
from pos_app.services.refunds.service import RefundService
from pos_app.store.journal import Journal

__all__ = ["McpServices"]


@dataclass
class McpServices:
    environment: str  # "demo", "sandbox" or "production"
    checkout: CheckoutService
    journal: Journal
    refunds: RefundService
    refund_requests: RefundRequestService
    max_amount: Money  # the largest amount one tool call may charge or refund
    calls_per_minute: int  # per tool, for the tools that start or change money
    zone: tzinfo  # the shop's time zone: what "today" means
    monotonic: Callable[[], float] = field(default=time.monotonic)  # for the rate limits
    opening_timeout: float = 30.0  # seconds initiate waits for Cashfree before it replies
    # services/reporting/store_views.StoreDayReader when the till joined a store database
    store_day: Any = None

    @property
    def environment_label(self) -> str:
        return self.environment.upper()
