"""The read-only tools: get_sale, list_sales and day_summary (the journal, as the manager's
console and `pos-app report` read it; day_summary with all_tills reads the store database,
as `pos-app report --all-tills` does)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from pos_app.domain.sale import OPEN_STATUSES, SaleStatus
from pos_app.mcp.base import ToolBase, scrub, text_argument
from pos_app.mcp.redact import mask_phone
from pos_app.mcp.replies import (
    DayReply,
    RefundInfo,
    RefundRequestInfo,
    SaleLine,
    SaleReply,
    SalesReply,
    TallyInfo,
    iso,
    payment_status,
    rupees,
)
from pos_app.services.refunds.requests import describe_request
from pos_app.services.reporting.reports import day_bounds, summary
from pos_app.store.queries import DayTotals

__all__ = ["ReadTools"]


class ReadTools(ToolBase):
    # ---- read-only ----------------------------------------------------------------------------
    def get_sale(self, arguments: Mapping[str, object]) -> SaleReply:
        tool = "get_sale"
        self.begin(tool, arguments)
        order_id = str(arguments["order_id"])
        sale = self._sale(tool, arguments, order_id)
        journal = self.services.journal
        requests = self.services.refund_requests.requests_for(order_id)
        shown = self.shown.get(order_id)
        reply = SaleReply(
            environment=self.env,  # type: ignore[arg-type]
            order_id=order_id,
            till_status=sale.status.value,
            payment_status=payment_status(sale.status),
            amount=rupees(sale.amount),
            amount_paise=sale.amount.paise,
            payment_method=sale.method.value,
            created_at=sale.created_at.isoformat(),
            expires_at=iso(sale.expires_at),
            paid_at=iso(sale.paid_at),
            utr=sale.bank_reference,
            late_payment=sale.late,
            bill_number=sale.bill_number,
            customer_phone=mask_phone(sale.customer_phone),
            reason=scrub(sale.reason, sale) if sale.reason else None,
            started_through_mcp=self._started_through_mcp(order_id),
            payment_link=shown.link_url if shown else None,
            refunds=[
                RefundInfo(refund_id=r.refund_id, amount=rupees(r.amount), status=r.status)
                for r in journal.refunds_for(order_id)
            ],
            refund_requests=[
                RefundRequestInfo(
                    request_id=r.request_id,
                    amount=rupees(r.amount),
                    status=r.status,
                    refund_id=r.refund_id,
                    message=describe_request(r),
                )
                for r in requests
            ],
            events=[f"{e.at.isoformat()} {e.kind}" for e in journal.events(order_id)],
        )
        self.journal_call(tool, arguments, "ok", order_id=order_id)
        return reply

    def list_sales(self, arguments: Mapping[str, object]) -> SalesReply:
        tool = "list_sales"
        self.begin(tool, arguments)
        day = self._day(tool, arguments)
        start, end = day_bounds(day, zone=self.services.zone)
        status = arguments.get("status")
        statuses = [SaleStatus(str(status))] if status else None
        limit = int(str(arguments.get("limit") or 50))
        sales = self.services.journal.sales_between(
            start, end, statuses=statuses, limit=limit, newest_first=True
        )
        reply = SalesReply(
            environment=self.env,  # type: ignore[arg-type]
            date=day.isoformat(),
            count=len(sales),
            sales=[SaleLine.of(s) for s in sales],
        )
        self.journal_call(tool, arguments, "ok", detail={"count": len(sales)})
        return reply

    def day_summary(self, arguments: Mapping[str, object]) -> DayReply:
        """The same figures as `pos-app report --format json` (services.reports.summary)."""
        tool = "day_summary"
        self.begin(tool, arguments)
        day = self._day(tool, arguments)
        start, end = day_bounds(day, zone=self.services.zone)
        totals = self.services.journal.day_totals(start, end)
        reply = self._day_reply(day, totals)
        self.journal_call(tool, arguments, "ok")
        return reply

    async def store_day_summary(self, arguments: Mapping[str, object]) -> DayReply:
        """day_summary for every till of the store, from the store database."""
        tool = "day_summary"
        self.begin(tool, arguments)
        day = self._day(tool, arguments)
        reader = self.services.store_day
        if reader is None:
            raise self.refuse(
                tool,
                arguments,
                "all_tills",
                "This till has not joined a store database: only its own day can be read. "
                "Join one with `pos-app config set store_database_url URL`.",
            )
        start, end = day_bounds(day, zone=self.services.zone)
        try:
            store_day = await reader.day(start, end)
        except Exception as exc:  # the store database away or refusing: say so
            message = getattr(exc, "message", None) or type(exc).__name__
            raise self.refuse(
                tool, arguments, "all_tills", f"The store database could not be read: {message}"
            ) from None
        reply = self._day_reply(day, store_day.total).model_copy(
            update={
                "store_id": store_day.store_id,
                "tills": {
                    till: TallyInfo(**summary(totals)["collected"])
                    for till, totals in store_day.tills
                },
            }
        )
        self.journal_call(tool, arguments, "ok", detail={"tills": len(store_day.tills)})
        return reply

    def _day_reply(self, day: date, totals: DayTotals) -> DayReply:
        data = summary(totals)
        still_open = sum(t.count for s, t in totals.by_status.items() if s in OPEN_STATUSES)
        return DayReply(
            environment=self.env,  # type: ignore[arg-type]
            date=day.isoformat(),
            collected=TallyInfo(**data["collected"]),
            refunded=TallyInfo(**data["refunded"]),
            net_paise=data["net"]["paise"],
            net=data["net"]["amount"],
            pending_refunds=TallyInfo(**data["pending_refunds"]),
            still_open=still_open,
            late_payments=data["late_payments"],
            by_status={k: TallyInfo(**v) for k, v in data["by_status"].items()},
            paid_by_method={k: TallyInfo(**v) for k, v in data["paid_by_method"].items()},
            paid_by_group={k: TallyInfo(**v) for k, v in data["paid_by_group"].items()},
        )

    def _day(self, tool: str, arguments: Mapping[str, object]) -> date:
        text = text_argument(arguments, "date")
        if not text:
            return self.services.checkout.deps.clock().astimezone(self.services.zone).date()
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise self.refuse(
                tool, arguments, "date", f"Give a date like 2026-11-26, not {text!r}."
            ) from None
