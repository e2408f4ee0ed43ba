"""The MCP server: the tools, typed (the SDK validates arguments before a body runs), with
structured replies and annotations that mark the read-only ones.

Every tool body lives in tools.TillTools; this module only declares the tools and turns a
refusal into an MCP error result that names the environment.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Annotated, Any, Literal, TypeVar

from mcp.server import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, ImageContent, TextContent, ToolAnnotations
from pydantic import Field, StrictFloat, StrictInt, StrictStr

from pos_app import __version__
from pos_app.mcp.base import order_of
from pos_app.mcp.context import McpServices
from pos_app.mcp.replies import (
    CancelReply,
    ConfirmReply,
    DayReply,
    PaymentReply,
    RefundRequestReply,
    SaleReply,
    SalesReply,
)
from pos_app.mcp.tools import Refused, TillTools
from pos_app.store.errors import JournalError

__all__ = ["SERVER_NAME", "build_server"]

log = logging.getLogger(__name__)

SERVER_NAME = "pos-app-till"
T = TypeVar("T")

# Strict: a JSON true is not one rupee, and "250" stays text until Money.parse reads it.
Amount = Annotated[
    StrictStr | StrictInt | StrictFloat,
    Field(description='rupees, as text ("250", "1,250.50") or a number (250, 1250.5)'),
]
OrderId = Annotated[str, Field(min_length=3, max_length=64, description="the till's order id")]
Day = Annotated[
    str | None, Field(default=None, description="YYYY-MM-DD, the shop's local day; default today")
]
TillStatus = Literal[
    "CREATED", "AWAITING_PAYMENT", "PAID", "EXPIRED", "CANCELLED", "FAILED", "UNCERTAIN"
]

READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True)


def _instructions(environment: str) -> str:
    return (
        f"A shop's till ({environment.upper()} environment). initiate_cashfree_payment starts "
        "a real sale of this till (a payment link, a UPI QR or a UPI request) and returns its "
        "order_id; confirm_cashfree_payment tells whether it is paid (wait_seconds waits for "
        "the end). Refunds are only requested here: the manager approves them at the till."
    )


def build_server(services: McpServices, tools: TillTools | None = None) -> MCPServer:
    """An MCPServer over the till's services (one TillTools per server)."""
    till = tools or TillTools(services)
    env = services.environment_label
    server: MCPServer = MCPServer(
        SERVER_NAME,
        title=f"pos-app till ({env})",
        instructions=_instructions(services.environment),
        version=__version__,
        log_level="WARNING",
    )

    async def environment_on_errors(ctx: Any, call_next: Any) -> Any:
        """Errors the SDK makes itself (arguments of the wrong type) name the environment
        too, like every reply of the tools. The result arrives serialised (a dict)."""
        result = await call_next(ctx)
        if getattr(ctx, "method", None) != "tools/call" or not isinstance(result, dict):
            return result
        if result.get("isError") or result.get("is_error"):
            for block in result.get("content") or ():
                text = block.get("text") if isinstance(block, dict) else None
                if isinstance(text, str) and f"{env}:" not in text:
                    block["text"] = f"{env}: {text}"
        return result

    server.middleware.append(environment_on_errors)

    async def guarded(
        tool: str, arguments: Mapping[str, object], work: Callable[[], Awaitable[T]]
    ) -> T:
        try:
            return await work()
        except Refused as exc:
            raise ToolError(f"{env}: {exc}") from None
        except JournalError as exc:
            log.warning("MCP tool: %s", exc.message)
            raise ToolError(f"{env}: the till's journal could not be used: {exc.message}") from None
        except Exception:
            log.exception("MCP tool %s failed unexpectedly", tool)
            till.journal_call(tool, arguments, "error", order_id=order_of(arguments))
            raise ToolError(
                f"{env}: something unexpected went wrong inside the till. Nothing already "
                "recorded was lost; the details are in the till's log."
            ) from None

    async def now(value: T) -> T:
        return value

    @server.tool(
        annotations=ToolAnnotations(
            read_only_hint=False,
            destructive_hint=False,
            idempotent_hint=False,
            open_world_hint=True,
        )
    )
    async def initiate_cashfree_payment(
        amount: Amount,
        payment_method: Annotated[
            Literal["link", "upi-qr", "collect"],
            Field(
                description="link: a Cashfree payment link; upi-qr: a UPI QR; collect: a UPI request"
            ),
        ] = "link",
        phone_number: Annotated[
            str | None, Field(description="customer's Indian mobile number")
        ] = None,
        email: Annotated[str | None, Field(description="customer's e-mail")] = None,
        order_note: Annotated[str | None, Field(description="3-200 characters")] = None,
        bill_number: Annotated[str | None, Field(description="the shop's bill number")] = None,
        upi_id: Annotated[str | None, Field(description="customer's UPI id, for collect")] = None,
        send_sms: Annotated[bool, Field(description="link: Cashfree texts it")] = False,
        send_email: Annotated[bool, Field(description="link: Cashfree e-mails it")] = False,
    ) -> Annotated[CallToolResult, PaymentReply]:
        """Start a payment: a real sale of this till, journaled first and followed to its end.
        Returns the order_id, the payment link (link) or the UPI payload and a QR image
        (upi-qr), and when it expires."""
        arguments = {
            "amount": amount,
            "payment_method": payment_method,
            "phone_number": phone_number,
            "email": email,
            "order_note": order_note,
            "bill_number": bill_number,
            "upi_id": upi_id,
            "send_sms": send_sms,
            "send_email": send_email,
        }
        reply, shown = await guarded(
            "initiate_cashfree_payment", arguments, lambda: till.initiate(arguments)
        )
        content: list[TextContent | ImageContent] = [
            TextContent(type="text", text=f"{env}: {reply.model_dump_json()}")
        ]
        if shown.qr_png is not None:
            content.append(
                ImageContent(
                    type="image",
                    data=base64.b64encode(shown.qr_png).decode("ascii"),
                    mime_type="image/png",
                )
            )
        return CallToolResult(
            content=list(content), structured_content=reply.model_dump(mode="json")
        )

    @server.tool(annotations=READ_ONLY.model_copy(update={"open_world_hint": True}))
    async def confirm_cashfree_payment(
        order_id: OrderId,
        otp: Annotated[
            str | None, Field(description="only for card payments waiting for their OTP")
        ] = None,
        wait_seconds: Annotated[
            float, Field(ge=0, le=60, description="wait up to this long for a final state")
        ] = 0,
    ) -> ConfirmReply:
        """Is it paid? payment_status SUCCESS / PENDING / FAILED, the till's own till_status,
        the UTR and the time it was paid."""
        arguments = {"order_id": order_id, "otp": otp, "wait_seconds": wait_seconds}
        return await guarded("confirm_cashfree_payment", arguments, lambda: till.confirm(arguments))

    @server.tool(annotations=READ_ONLY)
    async def get_sale(order_id: OrderId) -> SaleReply:
        """One sale as the till's journal knows it, with its refunds and refund requests."""
        return await guarded(
            "get_sale", {"order_id": order_id}, lambda: now(till.get_sale({"order_id": order_id}))
        )

    @server.tool(annotations=READ_ONLY)
    async def list_sales(
        date: Day = None,
        status: Annotated[TillStatus | None, Field(description="only sales in this state")] = None,
        limit: Annotated[int, Field(ge=1, le=200)] = 50,
    ) -> SalesReply:
        """The day's sales, newest first."""
        arguments = {"date": date, "status": status, "limit": limit}
        return await guarded("list_sales", arguments, lambda: now(till.list_sales(arguments)))

    @server.tool(annotations=READ_ONLY)
    async def day_summary(
        date: Day = None,
        all_tills: Annotated[
            bool, Field(description="every till of the store (from the store database)")
        ] = False,
    ) -> DayReply:
        """The day's totals: the same figures as `pos-app report` (`--all-tills`)."""
        if all_tills:
            arguments = {"date": date, "all_tills": True}
            return await guarded(
                "day_summary", arguments, lambda: till.store_day_summary(arguments)
            )
        return await guarded(
            "day_summary", {"date": date}, lambda: now(till.day_summary({"date": date}))
        )

    @server.tool(
        annotations=ToolAnnotations(
            read_only_hint=False, destructive_hint=True, idempotent_hint=True, open_world_hint=True
        )
    )
    async def cancel_payment(order_id: OrderId) -> CancelReply:
        """Cancel a payment started here. Cashfree is told first and asked again: if the
        customer paid meanwhile, the sale is PAID (paid wins)."""
        return await guarded(
            "cancel_payment", {"order_id": order_id}, lambda: till.cancel({"order_id": order_id})
        )

    @server.tool(
        annotations=ToolAnnotations(
            read_only_hint=False,
            destructive_hint=False,
            idempotent_hint=False,
            open_world_hint=False,
        )
    )
    async def request_refund(
        order_id: OrderId,
        amount: Amount,
        reason: Annotated[str, Field(min_length=3, max_length=100, description="why")],
    ) -> RefundRequestReply:
        """Ask for a refund of a paid sale. It moves no money: the manager approves or
        rejects the request at the till; get_sale shows its state."""
        arguments = {"order_id": order_id, "amount": amount, "reason": reason}
        return await guarded(
            "request_refund", arguments, lambda: now(till.request_refund(arguments))
        )

    return server
