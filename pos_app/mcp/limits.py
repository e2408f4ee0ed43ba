"""Per-tool rate limits: at most N calls in any 60 seconds, counted per tool."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Mapping

__all__ = ["READ_FACTOR", "RateLimited", "ToolLimits", "limits_for"]

WINDOW = 60.0
READ_FACTOR = 3  # read-only tools (and confirm) may be called this many times as often

# The tools that start a payment, stop one or ask for money back: the base limit.
MONEY_TOOLS = ("initiate_cashfree_payment", "cancel_payment", "request_refund")
READ_TOOLS = ("confirm_cashfree_payment", "get_sale", "list_sales", "day_summary")


class RateLimited(Exception):
    def __init__(self, tool: str, per_minute: int, retry_after: float) -> None:
        super().__init__(
            f"Too many calls: {tool} accepts {per_minute} calls per minute. "
            f"Try again in {math.ceil(retry_after)} s."
        )
        self.tool = tool
        self.per_minute = per_minute
        self.retry_after = retry_after


def limits_for(calls_per_minute: int) -> dict[str, int]:
    limits = {tool: calls_per_minute for tool in MONEY_TOOLS}
    limits.update({tool: calls_per_minute * READ_FACTOR for tool in READ_TOOLS})
    return limits


class ToolLimits:
    """A sliding window of call times per tool."""

    def __init__(self, per_minute: Mapping[str, int], clock: Callable[[], float]) -> None:
        self.per_minute = dict(per_minute)
        self.clock = clock
        self._seen: dict[str, deque[float]] = {}

    def take(self, tool: str) -> None:
        """Count one call, or raise RateLimited (the refused call is not counted)."""
        limit = self.per_minute.get(tool)
        if limit is None:
            return
        now = self.clock()
        seen = self._seen.setdefault(tool, deque())
        while seen and now - seen[0] >= WINDOW:
            seen.popleft()
        if len(seen) >= limit:
            raise RateLimited(tool, limit, WINDOW - (now - seen[0]))
        seen.append(now)
