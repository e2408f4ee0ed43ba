"""What the MCP door leaves in the journal: one row per tool call, and refund requests.

A tool call about one sale is also appended to that sale's events (kind "mcp_<tool>"), in
the same transaction, so the manager sees it in the sale's "What happened". A refund
request moves no money: it waits (PENDING_APPROVAL) until the manager approves it, and
approval is what makes the refund (services/refunds/requests.py).

The callers pass arguments with personal data already removed (pos_app/mcp/redact.py);
this module stores what it is given.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pos_app.domain.money import Money
from pos_app.store.codec import decode_detail, encode_detail, from_ms, to_ms
from pos_app.store.connection import JournalConnection
from pos_app.store.errors import UnknownSaleError

__all__ = [
    "APPROVED",
    "PENDING_APPROVAL",
    "REJECTED",
    "RefundRequest",
    "RefundRequestDecidedError",
    "ToolCall",
    "create_refund_request",
    "decide_refund_request",
    "event_kind",
    "get_refund_request",
    "pending_refund_requests",
    "record_tool_call",
    "refund_requests_for",
    "tool_calls",
]

PENDING_APPROVAL = "PENDING_APPROVAL"
APPROVED = "APPROVED"
REJECTED = "REJECTED"

_REQUEST_COLUMNS = (
    "request_id",
    "order_id",
    "amount_paise",
    "reason",
    "source",
    "status",
    "refund_id",
    "decision_note",
    "created_at",
    "decided_at",
)
_REQUEST_SELECT = f"SELECT {', '.join(_REQUEST_COLUMNS)} FROM refund_requests"  # noqa: S608
_INSERT_EVENT = (
    "INSERT INTO sale_events (order_id, at, kind, status, detail) VALUES (?, ?, ?, ?, ?)"
)


@dataclass(frozen=True, slots=True)
class ToolCall:
    id: int
    at: datetime
    tool: str
    order_id: str | None
    arguments: dict[str, object]
    outcome: str  # "ok", "refused", "rate_limited", "error"
    detail: dict[str, object]


@dataclass(frozen=True, slots=True, kw_only=True)
class RefundRequest:
    request_id: str
    order_id: str
    amount: Money
    reason: str
    source: str  # who asked: "mcp"
    status: str = PENDING_APPROVAL
    refund_id: str | None = None  # the refund approval made
    decision_note: str | None = None
    created_at: datetime
    decided_at: datetime | None = None


class RefundRequestDecidedError(Exception):
    """The request was approved or rejected already (by someone else, a moment ago)."""

    def __init__(self, request: RefundRequest) -> None:
        super().__init__(
            f"Refund request {request.request_id} was already {request.status.lower()}."
        )
        self.request = request


def event_kind(tool: str) -> str:
    """The sale event of a tool call: "mcp_" + the tool's name ("mcp_get_sale")."""
    return "mcp_" + tool


def _sale_status(conn: sqlite3.Connection, order_id: str) -> str | None:
    row = conn.execute("SELECT status FROM sales WHERE order_id = ?", (order_id,)).fetchone()
    return None if row is None else str(row[0])


def _now_ms(journal: JournalConnection) -> int:
    return journal._now_ms()


# ---- tool calls ------------------------------------------------------------------------------
def record_tool_call(
    journal: JournalConnection,
    tool: str,
    *,
    arguments: Mapping[str, object],
    outcome: str,
    order_id: str | None = None,
    detail: Mapping[str, object] | None = None,
) -> None:
    """One row in mcp_calls; when `order_id` names a sale of this journal, an "mcp_<tool>"
    event on that sale too (one transaction)."""
    now = _now_ms(journal)
    args_text = encode_detail(arguments)
    detail_text = encode_detail(detail)
    with journal._writing() as conn:
        status = _sale_status(conn, order_id) if order_id else None
        conn.execute(
            "INSERT INTO mcp_calls (at, tool, order_id, arguments, outcome, detail)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (now, tool, order_id if status else None, args_text, outcome, detail_text),
        )
        if status is not None:
            event = {k: v for k, v in arguments.items() if k != "order_id"}
            event.update({"outcome": outcome, **dict(detail or {})})
            conn.execute(
                _INSERT_EVENT, (order_id, now, event_kind(tool), status, encode_detail(event))
            )


def tool_calls(
    journal: JournalConnection,
    *,
    order_id: str | None = None,
    since: datetime | None = None,
    limit: int = 100,
) -> list[ToolCall]:
    """The latest calls first."""
    sql = "SELECT id, at, tool, order_id, arguments, outcome, detail FROM mcp_calls WHERE 1 = 1"
    args: list[Any] = []
    if order_id is not None:
        sql += " AND order_id = ?"
        args.append(order_id)
    if since is not None:
        sql += " AND at >= ?"
        args.append(to_ms(since))
    sql += " ORDER BY id DESC LIMIT ?"
    args.append(int(limit))
    with journal._reading() as conn:
        rows = conn.execute(sql, args).fetchall()
    return [
        ToolCall(
            id=row[0],
            at=from_ms(row[1]),
            tool=row[2],
            order_id=row[3],
            arguments=decode_detail(row[4]),
            outcome=row[5],
            detail=decode_detail(row[6]),
        )
        for row in rows
    ]


# ---- refund requests -------------------------------------------------------------------------
def _request_from_row(row: tuple[Any, ...]) -> RefundRequest:
    return RefundRequest(
        request_id=row[0],
        order_id=row[1],
        amount=Money(int(row[2])),
        reason=row[3],
        source=row[4],
        status=row[5],
        refund_id=row[6],
        decision_note=row[7],
        created_at=from_ms(row[8]),
        decided_at=None if row[9] is None else from_ms(row[9]),
    )


def create_refund_request(journal: JournalConnection, request: RefundRequest) -> RefundRequest:
    """Record a request (PENDING_APPROVAL) and a "refund_request" event on its sale."""
    if request.amount.paise <= 0:
        raise ValueError("a refund request must be for more than zero")
    row = (
        request.request_id,
        request.order_id,
        request.amount.paise,
        request.reason,
        request.source,
        PENDING_APPROVAL,
        None,
        None,
        to_ms(request.created_at),
        None,
    )
    detail = encode_detail(
        {
            "request_id": request.request_id,
            "amount_paise": request.amount.paise,
            "source": request.source,
        }
    )
    with journal._writing() as conn:
        status = _sale_status(conn, request.order_id)
        if status is None:
            raise UnknownSaleError(request.order_id)
        conn.execute(
            f"INSERT INTO refund_requests ({', '.join(_REQUEST_COLUMNS)})"  # noqa: S608
            f" VALUES ({', '.join('?' for _ in _REQUEST_COLUMNS)})",
            row,
        )
        conn.execute(
            _INSERT_EVENT,
            (request.order_id, _now_ms(journal), "refund_request", status, detail),
        )
        stored = conn.execute(
            f"{_REQUEST_SELECT} WHERE request_id = ?", (request.request_id,)
        ).fetchone()
    return _request_from_row(stored)


def get_refund_request(journal: JournalConnection, request_id: str) -> RefundRequest | None:
    with journal._reading() as conn:
        row = conn.execute(f"{_REQUEST_SELECT} WHERE request_id = ?", (request_id,)).fetchone()
    return None if row is None else _request_from_row(row)


def refund_requests_for(journal: JournalConnection, order_id: str) -> list[RefundRequest]:
    with journal._reading() as conn:
        rows = conn.execute(
            f"{_REQUEST_SELECT} WHERE order_id = ? ORDER BY created_at, request_id", (order_id,)
        ).fetchall()
    return [_request_from_row(row) for row in rows]


def pending_refund_requests(journal: JournalConnection, limit: int = 200) -> list[RefundRequest]:
    with journal._reading() as conn:
        rows = conn.execute(
            f"{_REQUEST_SELECT} WHERE status = ? ORDER BY created_at LIMIT ?",
            (PENDING_APPROVAL, int(limit)),
        ).fetchall()
    return [_request_from_row(row) for row in rows]


def decide_refund_request(
    journal: JournalConnection,
    request_id: str,
    *,
    status: str,
    refund_id: str | None = None,
    note: str | None = None,
) -> RefundRequest:
    """PENDING_APPROVAL -> APPROVED (with the refund it made) or REJECTED, with a
    "refund_request_approved"/"refund_request_rejected" event. Raises
    RefundRequestDecidedError when it was decided already, KeyError when unknown."""
    if status not in (APPROVED, REJECTED):
        raise ValueError("a refund request is APPROVED or REJECTED")
    now = _now_ms(journal)
    with journal._writing() as conn:
        row = conn.execute(f"{_REQUEST_SELECT} WHERE request_id = ?", (request_id,)).fetchone()
        if row is None:
            raise KeyError(request_id)
        current = _request_from_row(row)
        if current.status != PENDING_APPROVAL:
            raise RefundRequestDecidedError(current)
        conn.execute(
            "UPDATE refund_requests SET status = ?, refund_id = ?, decision_note = ?,"
            " decided_at = ? WHERE request_id = ?",
            (status, refund_id, note, now, request_id),
        )
        sale_status = _sale_status(conn, current.order_id) or "UNKNOWN"
        detail = {"request_id": request_id, "refund_id": refund_id}
        conn.execute(
            _INSERT_EVENT,
            (
                current.order_id,
                now,
                f"refund_request_{status.lower()}",
                sale_status,
                encode_detail(detail),
            ),
        )
        stored = conn.execute(f"{_REQUEST_SELECT} WHERE request_id = ?", (request_id,)).fetchone()
    return _request_from_row(stored)
