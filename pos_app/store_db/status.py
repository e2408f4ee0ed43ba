"""What `pos-app store status` shows: every till of a store, its last sync and backlog."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from psycopg import AsyncConnection

__all__ = ["TillRow", "till_rows"]


@dataclass(frozen=True, slots=True)
class TillRow:
    till_id: str
    environment: str
    last_sync_at: datetime | None
    events: int  # the till's outbox position the store database holds
    waiting: int  # what the till reported still waiting at its last sync


async def till_rows(conn: AsyncConnection[tuple[object, ...]], store_id: str) -> list[TillRow]:
    cur = await conn.execute(
        "SELECT till_id, environment, last_sync_at, pushed_through, waiting"
        " FROM till_outboxes WHERE store_id = %s ORDER BY till_id, environment",
        (store_id,),
    )
    return [
        TillRow(str(r[0]), str(r[1]), r[2], int(r[3]), int(r[4]))  # type: ignore[arg-type, call-overload]
        for r in await cur.fetchall()
    ]
