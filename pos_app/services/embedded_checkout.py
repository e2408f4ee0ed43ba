"""Cashfree's hosted checkout embedded on the customer screen: where it may go, and what the
view loads. Qt-free (the web view itself is pos_app/ui/embedded_checkout.py, built only
when the optional `kiosk` extra, PySide6-Addons with QtWebEngine, is installed).

The view loads one page: for sandbox / production, a small bootstrap page that hands the
order's payment_session_id to Cashfree's JS SDK (`cashfree.checkout`, redirectTarget
"_self"); in demo, the simulator's checkout page for the order (Pay / Fail / Walk away).
Top-level navigation is then locked to Cashfree's checkout hosts (or the simulator's
origin in demo), over https for Cashfree; anything else is refused and reported.

UNVERIFIED against a live account: the exact hosts Cashfree's checkout moves through (the
list below is the SDK host and the PG hosts of REFERENCE §1), and whether a bank page a
customer reaches (netbanking, 3-D Secure) replaces the top frame: such a page is refused
here and the till says to use the QR instead.
"""

from __future__ import annotations

import json
import re
from html import escape
from urllib.parse import quote, urlsplit

__all__ = [
    "CASHFREE_HOSTS",
    "SDK_URL",
    "allowed_navigation",
    "bootstrap_html",
    "demo_checkout_url",
]

SDK_URL = "https://sdk.cashfree.com/js/v3/cashfree.js"
CASHFREE_HOSTS: dict[str, frozenset[str]] = {
    "sandbox": frozenset({"sdk.cashfree.com", "sandbox.cashfree.com"}),
    "production": frozenset({"sdk.cashfree.com", "api.cashfree.com", "payments.cashfree.com"}),
}


def _origin(url: str) -> tuple[str, str, int | None] | None:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if not parts.scheme or not host:
        return None
    return parts.scheme.lower(), host, port


def allowed_navigation(url: str, environment: str, demo_origin: str | None = None) -> bool:
    """May the embedded view show `url` as its page? Only Cashfree's checkout hosts over
    https (sandbox or production), or the simulator's checkout pages in demo."""
    found = _origin(url)
    if found is None:
        return False
    scheme, host, port = found
    if environment == "demo":
        expected = _origin(demo_origin or "")
        if expected is None or (scheme, host, port) != expected:
            return False
        return urlsplit(url).path.startswith("/checkout/")
    hosts = CASHFREE_HOSTS.get(environment)
    if hosts is None or scheme != "https" or port not in (None, 443):
        return False
    return host in hosts


_SESSION = re.compile(r"^[A-Za-z0-9_-]{1,512}$")


def demo_checkout_url(demo_origin: str, order_id: str) -> str:
    return f"{demo_origin.rstrip('/')}/checkout/order/{quote(order_id, safe='')}"


def bootstrap_html(environment: str, payment_session_id: str) -> str:
    """The page that opens Cashfree's checkout for one payment session (sandbox/production)."""
    if environment not in CASHFREE_HOSTS:
        raise ValueError(f"no hosted checkout in {environment!r}")
    if not _SESSION.match(payment_session_id):
        raise ValueError("a payment session id has letters, digits, '_' and '-' only")
    options = json.dumps({"paymentSessionId": payment_session_id, "redirectTarget": "_self"})
    mode = json.dumps(environment)
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<script src='{escape(SDK_URL, quote=True)}'></script></head><body>"
        "<p>Opening the secure Cashfree checkout…</p><script>"
        f"Cashfree({{mode: {mode}}}).checkout({options});"
        "</script></body></html>"
    )
