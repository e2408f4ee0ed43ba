"""Typed gateway failures.

Every failure talking to Cashfree becomes one of these. Each carries Cashfree's error
code, the HTTP status, the request id to quote to support, and whether retrying the same
request (same idempotency key) is safe. No exception ever carries a secret or a header.
"""

from __future__ import annotations

from pos_app.domain.secret_text import scrub, spellings

__all__ = [
    "AuthenticationError",
    "BadResponseError",
    "BankError",
    "ConnectError",
    "DuplicateOrderError",
    "GatewayError",
    "IdempotencyConflictError",
    "InvalidRequestError",
    "NotFoundError",
    "RateLimitedError",
    "ServerError",
    "TimeoutError",
    "scrub_error",
]


class GatewayError(Exception):
    """Base class. `retryable` means the same request may safely be sent again."""

    retryable = False

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        http_status: int | None = None,
        request_id: str | None = None,
        error_type: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.http_status = http_status
        self.request_id = request_id
        self.error_type = error_type

    def __str__(self) -> str:
        parts = [self.message]
        if self.code:
            parts.append(f"code={self.code}")
        if self.http_status is not None:
            parts.append(f"http={self.http_status}")
        if self.request_id:
            parts.append(f"request_id={self.request_id}")
        return " ".join(parts)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self!s})"


class AuthenticationError(GatewayError):
    """401: the App ID or secret is wrong, or for the other environment."""


class InvalidRequestError(GatewayError):
    """400 (and other 4xx not listed): Cashfree refused the request as sent."""


class NotFoundError(GatewayError):
    """404: no such order, link or refund."""


class DuplicateOrderError(GatewayError):
    """409 order_already_exists: this order_id was used before."""


class IdempotencyConflictError(GatewayError):
    """422 idempotency_error: the same idempotency key with a different body."""


class RateLimitedError(GatewayError):
    """429: too many requests; `retry_after` seconds from x-ratelimit-retry."""

    retryable = True

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: object) -> None:
        super().__init__(message, **kw)  # type: ignore[arg-type]
        self.retry_after = retry_after


class ServerError(GatewayError):
    """5xx from Cashfree."""

    retryable = True


class BankError(ServerError):
    """502 bank_processing_failure: the partner bank failed."""


class TimeoutError(GatewayError):
    """No answer in time. The request may or may not have been processed."""

    retryable = True


class ConnectError(GatewayError):
    """Could not reach Cashfree at all (offline, DNS, refused)."""

    retryable = True


class BadResponseError(GatewayError):
    """Cashfree answered, but not with the JSON promised."""

    retryable = True


def scrub_error(error: GatewayError, secret: str) -> None:
    """Mask the secret, in any spelling, wherever an answer could have put it: the message,
    Cashfree's code and type, and the request id (taken from the answer's x-request-id)."""
    forms = spellings(secret)
    if not forms:
        return
    error.message = scrub(error.message, forms)
    for name in ("code", "request_id", "error_type"):
        value = getattr(error, name)
        if isinstance(value, str):
            setattr(error, name, scrub(value, forms))
    error.args = tuple(scrub(a, forms) if isinstance(a, str) else a for a in error.args)
