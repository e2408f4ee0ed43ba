"""`pos-app mcp --http`: streamable HTTP on loopback only, behind a bearer token.

The SDK's app keeps its DNS-rebinding protection (only localhost Host headers); in front
of it a small ASGI guard answers 401 to any HTTP request without the right
`Authorization: Bearer <token>` (compared in constant time).
"""

from __future__ import annotations

import hmac
import ipaddress
import json
from typing import Any

from mcp.server import MCPServer

from pos_app.secrets import Secret

__all__ = ["BearerGuard", "check_loopback", "http_app", "serve_http"]

Scope = dict[str, Any]
Message = dict[str, Any]

UNAUTHORIZED = {
    "error": "unauthorized",
    "message": "Send the till's MCP token as 'Authorization: Bearer <token>'. The manager "
    "can show it with `pos-app mcp --show-token`.",
}


def check_loopback(host: str) -> None:
    """ValueError unless `host` is a loopback address (or "localhost")."""
    if host == "localhost":
        return
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        raise ValueError(
            f"--host must be a loopback address like 127.0.0.1, not {host!r}"
        ) from None
    if not address.is_loopback:
        raise ValueError(
            f"The MCP server only listens on loopback (127.0.0.1 or ::1), not on {host}: "
            "it can take payments, and the bearer token is its only lock."
        )


class BearerGuard:
    """ASGI middleware: HTTP requests need the bearer token; lifespan passes through."""

    def __init__(self, app: Any, token: Secret) -> None:
        self.app = app
        self._expected = f"Bearer {token.reveal()}".encode()

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope.get("type") == "http" and not self._authorized(scope):
            body = json.dumps(UNAUTHORIZED).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 401,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                        (b"www-authenticate", b'Bearer realm="pos-app"'),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)

    def _authorized(self, scope: Scope) -> bool:
        for name, value in scope.get("headers") or ():
            if name.lower() == b"authorization":
                return hmac.compare_digest(bytes(value), self._expected)
        return False


def http_app(server: MCPServer, token: Secret, host: str) -> BearerGuard:
    check_loopback(host)
    return BearerGuard(server.streamable_http_app(host=host), token)


async def serve_http(server: MCPServer, token: Secret, host: str, port: int) -> None:
    """Serve until cancelled (Ctrl-C)."""
    import uvicorn

    app = http_app(server, token, host)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False)
    await uvicorn.Server(config).serve()
