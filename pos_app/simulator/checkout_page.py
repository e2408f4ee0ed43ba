"""The simulator's test checkout page: plain HTML, the amount, and Pay / Fail / Walk away.

What a customer would see after scanning a payment-link QR (or a collect redirect),
reduced to three buttons that post back to the simulator. No script, no external asset.
"""

from __future__ import annotations

from html import escape
from typing import Any

from pos_app.domain.money import Money

__all__ = ["page_for_card", "page_for_link", "page_for_order", "page_not_found"]

_STYLE = (
    "body{font-family:sans-serif;max-width:28em;margin:2em auto;padding:0 1em}"
    ".amount{font-size:2.5em;font-weight:bold;margin:.3em 0}"
    "button{font-size:1.1em;padding:.5em 1em;margin:.3em .3em 0 0}"
    ".note{color:#555}.done{font-weight:bold}"
)


def _rupees(value: Any) -> str:
    """An amount from the JSON entity, in Indian grouping (₹1,23,456.00)."""
    return Money.from_api(value).format()


def _page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><p class='note'>Simulated Cashfree: test checkout, no real money.</p>{body}</body></html>"
    )


def _buttons(action: str) -> str:
    return (
        f"<form method='post' action='{escape(action, quote=True)}'>"
        "<button name='action' value='pay'>Pay</button>"
        "<button name='action' value='fail'>Fail</button>"
        "<button name='action' value='walk_away'>Walk away</button>"
        "</form>"
    )


def page_for_order(order: dict[str, Any], message: str | None = None) -> str:
    """`order` is the OrderEntity JSON; buttons only while a payment can still be made."""
    order_id = str(order["order_id"])
    status = str(order["order_status"])
    parts = [
        f"<h1>Pay for order {escape(order_id)}</h1>",
        f"<p class='amount'>{escape(_rupees(order['order_amount']))}</p>",
        f"<p>Status: <span id='status'>{escape(status)}</span></p>",
    ]
    if message:
        parts.append(f"<p class='done'>{escape(message)}</p>")
    if status != "PAID":
        parts.append(_buttons(f"/checkout/order/{order_id}"))
    return _page(f"Order {order_id}", "".join(parts))


def page_for_link(link: dict[str, Any], message: str | None = None) -> str:
    """`link` is the LinkEntity JSON; buttons only while the link is open."""
    link_id = str(link["link_id"])
    status = str(link["link_status"])
    parts = [
        f"<h1>{escape(str(link.get('link_purpose', 'Payment')))}</h1>",
        f"<p class='amount'>{escape(_rupees(link['link_amount']))}</p>",
        f"<p>Paid so far: {escape(_rupees(link.get('link_amount_paid', 0)))}</p>",
        f"<p>Status: <span id='status'>{escape(status)}</span></p>",
    ]
    if message:
        parts.append(f"<p class='done'>{escape(message)}</p>")
    if status in ("ACTIVE", "PARTIALLY_PAID"):
        parts.append(_buttons(f"/checkout/link/{link_id}"))
    return _page(f"Payment link {link_id}", "".join(parts))


def page_for_card(
    cf_payment_id: str, masked: str, amount: Any, status: str, message: str | None = None
) -> str:
    """The issuing bank's 3-D Secure page for a card attempt (action "link")."""
    parts = [
        "<h1>Simulated Bank: 3-D Secure</h1>",
        f"<p>Card {escape(masked)}</p>",
        f"<p class='amount'>{escape(_rupees(amount))}</p>",
        f"<p>Status: <span id='status'>{escape(status)}</span></p>",
    ]
    if message:
        parts.append(f"<p class='done'>{escape(message)}</p>")
    if status == "PENDING":
        action = escape(f"/checkout/card/{cf_payment_id}", quote=True)
        parts.append(
            f"<form method='post' action='{action}'>"
            "<button id='approve' name='action' value='approve'>Authenticate and pay</button>"
            "<button id='decline' name='action' value='decline'>Fail</button>"
            "</form>"
        )
    return _page(f"3-D Secure for payment {cf_payment_id}", "".join(parts))


def page_not_found(what: str) -> str:
    return _page("Not found", f"<h1>Not found</h1><p>{escape(what)}</p>")
