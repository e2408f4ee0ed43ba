"""What every MCP tool shares: refusals, the per-tool rate limit, journaling each call
(arguments without personal data, and how it ended), finding the sale, and keeping the
customer's details out of what is said back."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from pos_app.domain.money import Money
from pos_app.domain.sale import OPEN_STATUSES, Method, Sale, SaleStatus
from pos_app.domain.validate import ValidationError
from pos_app.mcp.context import McpServices
from pos_app.mcp.limits import RateLimited, ToolLimits, limits_for
from pos_app.mcp.redact import safe_arguments
from pos_app.services.checkout.run import default_message
from pos_app.store import mcp_records
from pos_app.store.errors import JournalError

__all__ = [
    "INITIATE",
    "Refused",
    "Shown",
    "ToolBase",
    "order_of",
    "owner_note",
    "parse_amount",
    "sale_message",
    "scrub",
    "text_argument",
]

log = logging.getLogger(__name__)

INITIATE = "initiate_cashfree_payment"
SHOWN_KEPT = 500  # links and QR codes remembered for get_sale (memory only)


class Refused(Exception):
    """A tool call refused before (or instead of) doing anything; `field` names the input."""

    def __init__(self, field: str, message: str, *, outcome: str = "refused") -> None:
        super().__init__(f"Refused ({field}): {message}")
        self.field = field
        self.message = message
        self.outcome = outcome


@dataclass(frozen=True, slots=True)
class Shown:
    """What a customer was shown for a sale started here (kept in memory only)."""

    link_url: str | None
    upi_payload: str | None
    qr_png: bytes | None


def parse_amount(value: object, field: str = "amount") -> Money:
    """Rupees as text ("250", "1,250.50", "₹99") or as a JSON number (250, 1250.5)."""
    if isinstance(value, bool):
        raise ValidationError(field, 'Give the amount in rupees, like 250 or "1,250.50".')
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        try:
            text = format(Decimal(repr(value)), "f")
        except InvalidOperation:
            raise ValidationError(field, "That is not an amount.") from None
    elif isinstance(value, str):
        text = value
    else:
        raise ValidationError(field, 'Give the amount in rupees, like 250 or "1,250.50".')
    return Money.parse(text, field=field)


class ToolBase:
    def __init__(self, services: McpServices) -> None:
        self.services = services
        self.limits = ToolLimits(limits_for(services.calls_per_minute), services.monotonic)
        self.shown: dict[str, Shown] = {}
        self.started: set[str] = set()  # order ids this process started (and follows)
        self._opening = asyncio.Lock()

    # ---- plumbing --------------------------------------------------------------------------
    @property
    def env(self) -> str:
        return self.services.environment_label

    def journal_call(
        self,
        tool: str,
        arguments: Mapping[str, object],
        outcome: str,
        *,
        order_id: str | None = None,
        detail: Mapping[str, object] | None = None,
    ) -> None:
        try:
            mcp_records.record_tool_call(
                self.services.journal,
                tool,
                arguments=safe_arguments(arguments),
                outcome=outcome,
                order_id=order_id,
                detail=detail,
            )
        except JournalError as exc:  # the reply still goes out; the log says why
            log.warning("MCP call %s could not be journaled: %s", tool, exc.message)

    def begin(self, tool: str, arguments: Mapping[str, object]) -> None:
        """Count the call against its tool's rate limit (journaled when refused)."""
        try:
            self.limits.take(tool)
        except RateLimited as exc:
            self.journal_call(
                tool, arguments, "rate_limited", order_id=order_of(arguments), detail={}
            )
            raise Refused("rate_limit", str(exc), outcome="rate_limited") from None

    def refuse(
        self, tool: str, arguments: Mapping[str, object], field: str, message: str
    ) -> Refused:
        self.journal_call(
            tool, arguments, "refused", order_id=order_of(arguments), detail={"field": field}
        )
        return Refused(field, message)

    def _sale(self, tool: str, arguments: Mapping[str, object], order_id: str) -> Sale:
        sale = self.services.journal.get_sale(order_id)
        if sale is None:
            raise self.refuse(
                tool,
                arguments,
                "order_id",
                f"This till has no sale {order_id!r} in the {self.env} environment.",
            )
        return sale

    def _started_through_mcp(self, order_id: str) -> bool:
        if order_id in self.started:
            return True
        started = mcp_records.event_kind(INITIATE)
        return any(
            e.kind == started and e.detail.get("outcome") == "ok"
            for e in self.services.journal.events(order_id)
        )


def text_argument(arguments: Mapping[str, object], name: str) -> str | None:
    value = arguments.get(name)
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def order_of(arguments: Mapping[str, object]) -> str | None:
    value = arguments.get("order_id")
    return str(value) if isinstance(value, str) else None


def scrub(text: str, sale: Sale | None) -> str:
    """Cashfree's or the till's words, without the customer's UPI id, phone or e-mail."""
    if sale is None:
        return text
    for private, instead in (
        (sale.vpa, "the customer's UPI id"),
        (sale.customer_phone, "the customer's phone"),
        (sale.customer_email, "the customer's e-mail"),
    ):
        if private:
            text = text.replace(private, instead)
    return text


def owner_note(sale: Sale, ours: bool) -> str:
    if ours or sale.status not in OPEN_STATUSES:
        return ""
    return (
        " (This server does not follow this sale: the till's journal is read as it is; the "
        "desk or `pos-app reconcile` settles it with Cashfree.)"
    )


def sale_message(sale: Sale) -> str:
    """The cashier's sentence for the sale, without the customer's UPI id."""
    if sale.method is Method.COLLECT and sale.status is SaleStatus.AWAITING_PAYMENT:
        return (
            f"A payment request for {sale.amount.format()} was sent to the customer's UPI "
            "id. They approve it in their UPI app."
        )
    return default_message(sale)
