"""In demo, the payment link on screen opens a real page: the till serves the pretend
Cashfree's checkout page on this machine's loopback while it runs.

The in-process simulator answers the till without any network; its payment links used to
point at a server nobody ran. Serving it on 127.0.0.1 (a free port, this machine only)
makes the link's URL (and its QR, opened on this computer) show the test checkout page
with Pay / Fail / Walk away, which act on the very sale on the till's screen.
"""

from __future__ import annotations

import logging

from pos_app.simulator.core import Simulator
from pos_app.simulator.server import ServerHandle, start_server

__all__ = ["serve_demo_pages"]

log = logging.getLogger(__name__)


def serve_demo_pages(sim: Simulator) -> ServerHandle | None:
    """Start serving `sim` on loopback (links made from now on point at it); None when no
    port could be had (links then show the URL only, as before)."""
    try:
        handle = start_server(sim, "127.0.0.1", 0)
    except OSError:
        log.exception("could not serve the demo's checkout page on loopback")
        return None
    log.info("demo checkout pages at %s/checkout/...", handle.url)
    return handle
