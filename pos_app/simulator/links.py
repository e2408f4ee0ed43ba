"""Payment links: create, read, cancel, the orders a link's payments make, notifications.

When the (pretend) customer pays a link, Cashfree makes an order of its own,
`CFPay_<link_id>_<n>`, with one UPI payment; the link turns PAID once those orders hold
its amount. SMS / e-mail sends (`link_notify`) are recorded, not sent, and can be read
back through the control API.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pos_app.domain.money import Money
from pos_app.simulator.bodies import IST, LinkInput
from pos_app.simulator.customer import CustomerAction
from pos_app.simulator.errors import bad_request, conflict, not_found
from pos_app.simulator.models import LinkState, OrderState, SimLink, SimOrder
from pos_app.simulator.state import SimState

__all__ = ["DEFAULT_LINK_LIFETIME", "LinkDesk"]

DEFAULT_LINK_LIFETIME = timedelta(days=30)
_OPEN = (LinkState.ACTIVE, LinkState.PARTIALLY_PAID)


class LinkDesk:
    def __init__(self, state: SimState) -> None:
        self.state = state
        self.links: dict[str, SimLink] = {}

    def create(self, spec: LinkInput, now: datetime, *, url: str, qrcode: str) -> SimLink:
        if spec.link_id in self.links:
            raise conflict("link_already_exists", "link with same link_id is already present")
        expires_at = spec.expires_at or now + DEFAULT_LINK_LIFETIME
        if expires_at <= now:
            raise bad_request(
                "link_expiry_time_invalid", "link_expiry_time : should be a time in the future"
            )
        link = SimLink(
            link_id=spec.link_id,
            cf_link_id=self.state.ids.serial(4_000_000),
            amount=spec.amount,
            currency=spec.currency,
            purpose=spec.purpose,
            customer=dict(spec.customer),
            created_at=now,
            expires_at=expires_at,
            url=url,
            qrcode=qrcode,
            partial_payments=spec.partial_payments,
            minimum_partial=spec.minimum_partial,
            notify=dict(spec.notify),
            notes=dict(spec.notes),
            meta=dict(spec.meta),
            auto_reminders=spec.auto_reminders,
        )
        link.notifications.extend(_notifications(link, now))
        self.links[link.link_id] = link
        return link

    def link(self, link_id: str, now: datetime) -> SimLink:
        link = self.links.get(link_id)
        if link is None:
            raise not_found("link_not_found", "link does not exist")
        self.advance(link, now)
        return link

    def cancel(self, link_id: str, now: datetime) -> SimLink:
        link = self.link(link_id, now)
        if link.status is not LinkState.ACTIVE:
            raise bad_request("link_cancel_failed", "Only a link in ACTIVE status can be cancelled")
        link.status = LinkState.CANCELLED
        return link

    def orders(self, link_id: str, now: datetime, *, paid_only: bool) -> list[SimOrder]:
        link = self.link(link_id, now)
        found = [self.state.orders[order_id] for order_id in link.order_ids]
        if paid_only:
            found = [order for order in found if order.status is OrderState.PAID]
        return found

    def amount_paid(self, link: SimLink) -> Money:
        total = 0
        for order_id in link.order_ids:
            total += self.state.orders[order_id].paid_amount().paise
        return Money(total)

    def customer_acts(
        self,
        link_id: str,
        action: CustomerAction,
        now: datetime,
        *,
        error_code: str | None = None,
        after: timedelta = timedelta(0),
    ) -> SimOrder:
        """The customer opens the link and pays, fails or walks away: a new CFPay order."""
        link = self.link(link_id, now)
        if link.status not in _OPEN:
            raise bad_request(
                "link_not_active", f"link is {link.status.value.lower()} and cannot be paid"
            )
        order_id = f"CFPay_{link.link_id}_{len(link.order_ids) + 1}"
        customer = {"customer_id": f"cust_{link.cf_link_id}", **link.customer}
        due = link.amount - self.amount_paid(link)
        order = self.state.add_link_order(
            order_id, due, customer, link.link_id, now, link.expires_at
        )
        link.order_ids.append(order_id)
        self.state.new_attempt(order, "link", now)
        self.state.customer_acts(order_id, action, now, error_code=error_code, after=after)
        self.advance(link, now)
        return order

    def advance(self, link: SimLink, now: datetime) -> None:
        for order_id in link.order_ids:
            self.state.advance(self.state.orders[order_id], now)
        paid = self.amount_paid(link)
        if paid >= link.amount:
            link.status = LinkState.PAID
        elif paid and link.status is LinkState.ACTIVE:
            link.status = LinkState.PARTIALLY_PAID
        if link.status in _OPEN and link.expires_at <= now:
            link.status = LinkState.EXPIRED


def _notifications(link: SimLink, now: datetime) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []
    stamp = now.astimezone(IST).isoformat(timespec="seconds")
    if link.notify.get("send_sms"):
        sent.append(
            {
                "channel": "sms",
                "to": link.customer["customer_phone"],
                "link_url": link.url,
                "sent_at": stamp,
            }
        )
    email = link.customer.get("customer_email")
    if link.notify.get("send_email") and email:
        sent.append({"channel": "email", "to": email, "link_url": link.url, "sent_at": stamp})
    return sent
