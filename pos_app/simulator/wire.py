"""Transport-neutral request and response values, and the JSON helpers every route uses.

Both ways of reaching the simulator (the in-process httpx transport and the loopback
HTTP server) turn what they receive into a `SimRequest`, hand it to `Simulator.handle`,
and write back the `SimResponse`. A response may also ask its transport to wait first
(`delay`) or to break the connection instead of answering (`disconnect`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl

__all__ = ["JSON_TYPE", "SimRequest", "SimResponse", "dump_json", "parse_json"]

JSON_TYPE = "application/json"


@dataclass(frozen=True, slots=True)
class SimRequest:
    """One HTTP request as the simulator sees it. Header names are lower case."""

    method: str
    path: str
    query: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    client: str = "127.0.0.1"

    @classmethod
    def build(
        cls,
        method: str,
        path: str,
        *,
        query: str = "",
        headers: Iterable[tuple[str, str]] = (),
        body: bytes = b"",
        client: str = "127.0.0.1",
    ) -> SimRequest:
        """From raw parts: the query string is parsed (first value wins), names lowered."""
        params: dict[str, str] = {}
        for key, value in parse_qsl(query, keep_blank_values=True):
            params.setdefault(key, value)
        lowered: dict[str, str] = {}
        for name, value in headers:
            lowered.setdefault(name.lower(), value)
        return cls(method.upper(), path, params, lowered, body, client)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass(frozen=True, slots=True)
class SimResponse:
    """What to send back. `delay` seconds first; `disconnect` means drop the connection."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    delay: float = 0.0
    disconnect: bool = False

    @classmethod
    def json(
        cls, status: int, payload: Any, headers: Mapping[str, str] | None = None
    ) -> SimResponse:
        merged = {"content-type": JSON_TYPE, **(headers or {})}
        return cls(status, merged, dump_json(payload))

    @classmethod
    def text(
        cls, status: int, text: str, content_type: str = "text/plain; charset=utf-8"
    ) -> SimResponse:
        return cls(status, {"content-type": content_type}, text.encode("utf-8"))


def _default(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def dump_json(payload: Any) -> bytes:
    return json.dumps(payload, separators=(",", ":"), default=_default).encode("utf-8")


def parse_json(body: bytes) -> Any:
    """Decode a JSON body with exact decimals (numbers with a fraction become Decimal).

    Raises ValueError when the body is not UTF-8 JSON.
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError("body is not UTF-8") from exc
    return json.loads(text, parse_float=Decimal)
