"""The checks Cashfree makes before it looks at a request: api version, credentials,
per-endpoint rate limits, and idempotency replays.

Rate limits are a sliding one-minute window per endpoint and caller (the App ID, or the
IP for Order Pay), with Cashfree's sandbox defaults (REFERENCE §8.3). Idempotency keeps
the first answer to a key and replays it for the same request; the same key with a
different request is refused with 422 `idempotency_error`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
from collections import OrderedDict, deque
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import MappingProxyType

from pos_app.simulator.errors import SimulatorError
from pos_app.simulator.wire import SimRequest, SimResponse, parse_json

__all__ = [
    "SANDBOX_RATE_LIMITS",
    "UNLIMITED",
    "IdempotencyStore",
    "RateLimiter",
    "RateVerdict",
    "check_api_version",
    "check_credentials",
]

# Per minute, Cashfree sandbox (REFERENCE §8.3). Endpoints not listed there are unlimited.
SANDBOX_RATE_LIMITS: Mapping[str, int] = MappingProxyType(
    {
        "create_order": 30,
        "get_order": 60,
        "get_payments": 30,
        "pay_order": 30,
        "initiate_refund": 30,
        "settlements": 20,  # "Get Settlements", sandbox
    }
)
UNLIMITED = 1_000_000  # what x-ratelimit-limit says for an endpoint without a limit
_WINDOW = timedelta(minutes=1)
_VERSION = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def check_api_version(request: SimRequest) -> str:
    version = request.header("x-api-version")
    if not version:
        raise SimulatorError(
            400, "x-api-version_missing", "x-api-version : is missing in the request"
        )
    if not _VERSION.match(version):
        raise SimulatorError(
            400, "x-api-version_invalid", "x-api-version : should be a date like 2025-01-01"
        )
    return version


def check_credentials(request: SimRequest, client_id: str, client_secret: str) -> None:
    given_id = request.header("x-client-id") or ""
    given_secret = request.header("x-client-secret") or ""
    same_id = hmac.compare_digest(given_id.encode(), client_id.encode())
    same_secret = hmac.compare_digest(given_secret.encode(), client_secret.encode())
    if not (same_id and same_secret):
        raise SimulatorError(401, "request_failed", "authentication Failed", "authentication_error")


@dataclass(frozen=True, slots=True)
class RateVerdict:
    allowed: bool
    limit: int
    remaining: int
    retry: int  # 0 within the limit, 1-59 seconds when breached
    kind: str  # "app_id" or "ip"

    def headers(self) -> dict[str, str]:
        return {
            "x-ratelimit-limit": str(self.limit),
            "x-ratelimit-remaining": str(self.remaining),
            "x-ratelimit-retry": str(self.retry),
            "x-ratelimit-type": self.kind,
        }

    def error(self) -> SimulatorError:
        who = "IP" if self.kind == "ip" else "app id"
        return SimulatorError(
            429,
            "request_failed",
            f"Too many requests from {who}. Check headers",
            "rate_limit_error",
        )


class RateLimiter:
    """Sliding one-minute windows; only accepted requests count."""

    def __init__(self, limits: Mapping[str, int] | None) -> None:
        self.limits: dict[str, int] = dict(limits or {})
        for name, value in self.limits.items():
            if value < 1:
                raise ValueError(f"rate limit for {name} must be at least 1 a minute")
        self._windows: dict[tuple[str, str], deque[datetime]] = {}

    def check(
        self, endpoint: str, caller: str, kind: str, now: datetime, *, count: bool = True
    ) -> RateVerdict:
        """Admit (and count) one request; `count=False` only reports the current state."""
        limit = self.limits.get(endpoint)
        if limit is None:
            return RateVerdict(True, UNLIMITED, UNLIMITED, 0, kind)
        window = self._windows.setdefault((endpoint, caller), deque())
        while window and window[0] <= now - _WINDOW:
            window.popleft()
        if len(window) >= limit:
            wait = (window[0] + _WINDOW - now).total_seconds()
            retry = min(59, max(1, math.ceil(wait)))
            return RateVerdict(False, limit, 0, retry, kind)
        if count:
            window.append(now)
        return RateVerdict(True, limit, limit - len(window), 0, kind)


@dataclass(frozen=True, slots=True)
class _Remembered:
    fingerprint: str
    response: SimResponse


class IdempotencyStore:
    """First answers by (caller, key); the oldest are forgotten past `capacity`."""

    def __init__(self, capacity: int = 50_000) -> None:
        self._capacity = capacity
        self._seen: OrderedDict[tuple[str, str], _Remembered] = OrderedDict()

    @staticmethod
    def fingerprint(request: SimRequest) -> str:
        try:
            body = json.dumps(parse_json(request.body), sort_keys=True, default=str)
        except ValueError:
            body = request.body.hex()
        text = f"{request.method} {request.path}\n{body}"
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def replay(self, caller: str, key: str, request: SimRequest) -> SimResponse | None:
        """The remembered answer for this key, None if new; 422 if the request differs."""
        seen = self._seen.get((caller, key))
        if seen is None:
            return None
        if seen.fingerprint != self.fingerprint(request):
            raise SimulatorError(
                422,
                "request_invalid",
                "idempotency key was already used with a different request",
                "idempotency_error",
            )
        return seen.response

    def remember(self, caller: str, key: str, request: SimRequest, response: SimResponse) -> None:
        self._seen[(caller, key)] = _Remembered(self.fingerprint(request), response)
        while len(self._seen) > self._capacity:
            self._seen.popitem(last=False)
