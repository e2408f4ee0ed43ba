"""Refund requests: a refund asked for by a door that may not move money (the MCP server).

`ask` checks the request exactly as a refund would be checked (a paid sale, no more than
is left, a sensible reason) and journals it as PENDING_APPROVAL: nothing is sent to
Cashfree. The manager approves or rejects it in the console, behind the PIN; `approve`
makes the refund through RefundService, the same path as the console's own Refund, and
only then marks the request APPROVED with that refund's id.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime

from pos_app.domain.clock import Clock
from pos_app.domain.money import Money
from pos_app.services.refunds.service import RefundOutcome, RefundRefused, RefundService
from pos_app.store import mcp_records
from pos_app.store.connection import JournalConnection
from pos_app.store.mcp_records import (
    APPROVED,
    PENDING_APPROVAL,
    REJECTED,
    RefundRequest,
    RefundRequestDecidedError,
    ToolCall,
)

__all__ = [
    "APPROVED",
    "PENDING_APPROVAL",
    "REJECTED",
    "Decision",
    "RefundRequest",
    "RefundRequestDecidedError",
    "RefundRequestService",
    "ToolCall",
    "describe_request",
    "new_request_id",
    "recent_tool_calls",
    "requests_for",
]

log = logging.getLogger(__name__)

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_request_id(now: datetime) -> str:
    """`RQ-<UTC yymmddHHMMSS>-<6 random>`."""
    suffix = "".join(secrets.choice(_ALPHABET) for _ in range(6))
    return f"RQ-{now:%y%m%d%H%M%S}-{suffix}"


def recent_tool_calls(journal: JournalConnection, limit: int = 200) -> list[ToolCall]:
    """The latest MCP tool calls, newest first (the console's "MCP calls" list)."""
    return mcp_records.tool_calls(journal, limit=limit)


def requests_for(journal: JournalConnection, order_id: str) -> list[RefundRequest]:
    """A sale's refund requests, oldest first (for a read-only journal connection too)."""
    return mcp_records.refund_requests_for(journal, order_id)


def describe_request(request: RefundRequest) -> str:
    amount = request.amount.format()
    if request.status == PENDING_APPROVAL:
        return f"Refund of {amount} requested; waiting for the manager's approval. No money moved."
    if request.status == APPROVED:
        return f"Refund of {amount} approved by the manager (refund {request.refund_id})."
    why = f": {request.decision_note}" if request.decision_note else ""
    return f"Refund of {amount} rejected by the manager{why}. No money moved."


@dataclass(frozen=True, slots=True)
class Decision:
    request: RefundRequest
    outcome: RefundOutcome | None = None  # the refund approval made (None for a rejection)

    @property
    def message(self) -> str:
        if self.outcome is not None:
            return self.outcome.message
        return describe_request(self.request)


class RefundRequestService:
    def __init__(
        self,
        journal: JournalConnection,
        refunds: RefundService,
        *,
        clock: Clock,
    ) -> None:
        self.journal = journal
        self.refunds = refunds
        self.clock = clock

    def ask(self, order_id: str, amount: Money, reason: str, *, source: str) -> RefundRequest:
        """Check and journal a request. Raises RefundRefused with the reason."""
        chosen, note = self.refunds.check_request(order_id, amount, reason)
        if note is None:
            raise RefundRefused("Say why the refund is wanted (3 to 100 characters).")
        waiting = sum(
            (r.amount for r in self.requests_for(order_id) if r.status == PENDING_APPROVAL),
            Money(0),
        )
        left = self.refunds.refundable(order_id)
        if waiting + chosen > left:
            raise RefundRefused(
                f"Refunds already waiting for approval on sale {order_id} come to "
                f"{waiting.format()}; with this one that is more than is left to refund "
                f"({left.format()})."
            )
        now = self.clock()
        request = RefundRequest(
            request_id=new_request_id(now),
            order_id=order_id,
            amount=chosen,
            reason=note,
            source=source,
            created_at=now,
        )
        return mcp_records.create_refund_request(self.journal, request)

    def get(self, request_id: str) -> RefundRequest | None:
        return mcp_records.get_refund_request(self.journal, request_id)

    def requests_for(self, order_id: str) -> list[RefundRequest]:
        return mcp_records.refund_requests_for(self.journal, order_id)

    def pending(self) -> list[RefundRequest]:
        return mcp_records.pending_refund_requests(self.journal)

    async def approve(self, request_id: str, *, follow_seconds: float | None = None) -> Decision:
        """Make the requested refund (RefundService.refund), then mark the request APPROVED.
        Raises RefundRefused (nothing moved, the request stays pending) or
        RefundRequestDecidedError."""
        request = self._pending(request_id)
        outcome = await self.refunds.refund(
            request.order_id, request.amount, request.reason, follow_seconds=follow_seconds
        )
        decided = mcp_records.decide_refund_request(
            self.journal, request_id, status=APPROVED, refund_id=outcome.refund.refund_id
        )
        log.info("refund request %s approved: refund %s", request_id, outcome.refund.refund_id)
        return Decision(decided, outcome)

    def reject(self, request_id: str, note: str | None = None) -> Decision:
        self._pending(request_id)
        text = " ".join(note.split())[:100] if note else None
        decided = mcp_records.decide_refund_request(
            self.journal, request_id, status=REJECTED, note=text or None
        )
        return Decision(decided)

    def _pending(self, request_id: str) -> RefundRequest:
        request = self.get(request_id)
        if request is None:
            raise RefundRefused(f"There is no refund request {request_id}.")
        if request.status != PENDING_APPROVAL:
            raise RefundRequestDecidedError(request)
        return request
