"""The heartbeat of a process that follows sales (desk, `charge`, the MCP server).

Every half second it picks up what other doors asked through the journal ("check now",
"cancel" on a lease this process holds); every 5 s it renews this process's leases; every
15 s it takes over sales whose owner went away (store/leases.py says who that is).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import timedelta

from pos_app.services.checkout.deps import Deps
from pos_app.services.checkout.run import SaleRun

__all__ = ["ADOPT_EVERY_SECONDS", "HEARTBEAT_SECONDS", "LEASE_TTL", "keep_leases"]

log = logging.getLogger(__name__)

# A follower's claim on a sale lasts this long without a heartbeat.
LEASE_TTL = timedelta(seconds=30)
HEARTBEAT_SECONDS = 5.0
NUDGE_POLL_SECONDS = 0.5
ADOPT_EVERY_SECONDS = 15.0


async def keep_leases(
    deps: Deps, runs: Mapping[str, SaleRun], take_over: Callable[[], object]
) -> None:
    """Run for the life of the process; `runs` are the sales it follows now, `take_over`
    adopts the sales nobody live follows."""
    since_beat = since_adopt = 0.0
    while True:
        await deps.sleep(NUDGE_POLL_SECONDS)
        since_beat += NUDGE_POLL_SECONDS
        since_adopt += NUDGE_POLL_SECONDS
        try:
            for nudge in deps.journal.take_nudges(deps.owner):
                run = runs.get(nudge.order_id)
                if run is None:
                    continue
                if nudge.cancel:
                    run.cancel_requested = True
                run.wake.set()
            if since_beat >= HEARTBEAT_SECONDS:
                since_beat = 0.0
                deps.journal.renew(deps.owner, LEASE_TTL)
            if since_adopt >= ADOPT_EVERY_SECONDS:
                since_adopt = 0.0
                take_over()
        except Exception:
            log.exception("keeping this process's sales failed; trying again")
