"""The store's webhook receiver: a small HTTP/1.1 server for Cashfree's payment webhooks.

POST <path> only. Each delivery is verified (gateway/webhooks.py) before anything else;
anything unsigned, forged, stale or oversized gets 401 (or 4xx) and NOTHING is recorded.
A verified delivery is stored once in the store database and announced to the tills
(store_db/webhooks.py); a repeat gets 200 again (Cashfree delivers at least once). When
the store database cannot take it, the answer is 503, so Cashfree retries later.

It listens on loopback by default: a shop exposes it through a reverse proxy or a tunnel
that terminates HTTPS (README). Tills need no inbound port: they hear about deliveries
through the store database (LISTEN/NOTIFY).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable

import psycopg
from psycopg import AsyncConnection

from pos_app.domain.secret import Secret
from pos_app.gateway.webhooks import MAX_BODY, WebhookRejected, verify
from pos_app.store_db.webhooks import heartbeat, record_delivery

__all__ = ["DEFAULT_PATH", "HEARTBEAT_SECONDS", "WebhookReceiver"]

log = logging.getLogger(__name__)

DEFAULT_PATH = "/cashfree/webhook"
HEARTBEAT_SECONDS = 5.0
_MAX_HEAD = 16 * 1024
_READ_TIMEOUT = 10.0
_REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    408: "Request Timeout",
    411: "Length Required",
    413: "Content Too Large",
    503: "Service Unavailable",
}

Connector = Callable[[], Awaitable[AsyncConnection[tuple[object, ...]]]]


class _HttpError(Exception):
    def __init__(self, status: int, code: str) -> None:
        super().__init__(code)
        self.status = status
        self.code = code


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


class WebhookReceiver:
    def __init__(
        self,
        secret: Secret,
        store_id: str,
        connector: Connector,
        *,
        path: str = DEFAULT_PATH,
        now_ms: Callable[[], int] = _now_ms,
        heartbeat_seconds: float = HEARTBEAT_SECONDS,
    ) -> None:
        self._secret = secret
        self._store_id = store_id
        self._connector = connector
        self.path = path
        self._now_ms = now_ms
        self._heartbeat_seconds = heartbeat_seconds
        self._conn: AsyncConnection[tuple[object, ...]] | None = None
        self._db_lock = asyncio.Lock()
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.stats = {"accepted": 0, "repeated": 0, "rejected": 0, "unavailable": 0}

    # ---- lifetime ------------------------------------------------------------------------
    async def start(self, host: str = "127.0.0.1", port: int = 0) -> tuple[str, int]:
        self._server = await asyncio.start_server(self._serve, host, port)
        bound = self._server.sockets[0].getsockname()
        beat = asyncio.get_running_loop().create_task(self._heartbeats())
        self._tasks.add(beat)
        beat.add_done_callback(self._tasks.discard)
        return str(bound[0]), int(bound[1])

    async def serve_forever(self) -> None:
        assert self._server is not None, "start() first"
        await self._server.serve_forever()

    async def aclose(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._drop()

    # ---- the store database --------------------------------------------------------------
    async def _db(self) -> AsyncConnection[tuple[object, ...]]:
        if self._conn is None or self._conn.closed:
            self._conn = await self._connector()
        return self._conn

    async def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.close()

    async def _heartbeats(self) -> None:
        while True:
            try:
                async with self._db_lock:
                    await heartbeat(await self._db(), self._store_id)
            except Exception as exc:
                log.warning("webhook receiver heartbeat failed: %s", type(exc).__name__)
                async with self._db_lock:
                    await self._drop()
            await asyncio.sleep(self._heartbeat_seconds)

    # ---- HTTP ----------------------------------------------------------------------------
    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        status, answer = 500, {"error": "internal"}
        try:
            try:
                headers, body = await asyncio.wait_for(self._read(reader), _READ_TIMEOUT)
                status, answer = await self._handle(headers, body)
            except _HttpError as exc:
                status, answer = exc.status, {"error": exc.code}
            except TimeoutError:
                status, answer = 408, {"error": "timeout"}
            payload = json.dumps(answer).encode()
            head = (
                f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}\r\n"
                "Content-Type: application/json\r\n"
                f"Content-Length: {len(payload)}\r\n"
                "Connection: close\r\n\r\n"
            )
            writer.write(head.encode("ascii") + payload)
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _read(self, reader: asyncio.StreamReader) -> tuple[dict[str, str], bytes]:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.LimitOverrunError:
            raise _HttpError(400, "header_too_large") from None
        if len(head) > _MAX_HEAD:
            raise _HttpError(400, "header_too_large")
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
            raise _HttpError(400, "bad_request")
        method, target = parts[0], parts[1]
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if not line:
                continue
            name, sep, value = line.partition(":")
            if not sep:
                raise _HttpError(400, "bad_header")
            headers[name.strip().lower()] = value.strip()
        if target.split("?", 1)[0] != self.path:
            raise _HttpError(404, "not_found")
        if method != "POST":
            raise _HttpError(405, "post_only")
        if "transfer-encoding" in headers:
            raise _HttpError(411, "content_length_required")
        length_text = headers.get("content-length", "")
        if not length_text.isdigit():
            raise _HttpError(411, "content_length_required")
        length = int(length_text)
        if length > MAX_BODY:
            raise _HttpError(413, "too_large")
        body = await reader.readexactly(length)
        return headers, body

    async def _handle(self, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str]]:
        try:
            delivery = verify(self._secret, headers, body, self._now_ms())
        except WebhookRejected as exc:
            self.stats["rejected"] += 1
            log.warning("webhook refused (%s)", exc.reason)
            return 401, {"error": "unauthorised"}
        try:
            async with self._db_lock:
                new = await record_delivery(await self._db(), self._store_id, delivery)
        except (psycopg.Error, OSError) as exc:
            self.stats["unavailable"] += 1
            log.warning("webhook not stored, store database unavailable: %s", type(exc).__name__)
            async with self._db_lock:
                await self._drop()
            return 503, {"error": "store_database_unavailable"}
        except Exception as exc:  # StoreDbError from the connector, and the like
            self.stats["unavailable"] += 1
            log.warning("webhook not stored: %s", type(exc).__name__)
            return 503, {"error": "store_database_unavailable"}
        self.stats["accepted" if new else "repeated"] += 1
        log.info(
            "webhook %s for order %s (%s, attempt %d)",
            delivery.type,
            delivery.order_id,
            "new" if new else "repeat",
            delivery.attempt,
        )
        return 200, {"status": "ok"}
