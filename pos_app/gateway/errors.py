"""Typed gateway failures.

Every failure talking to Cashfree becomes one of these. Each carries Cashfree's error
code, the HTTP status, the request id to quote to support, whether retrying the same
request (same idempotency key) is safe, and whether a request that changes something
(POST, PATCH) may have reached Cashfree although no answer came back (`maybe_sent`).
No exception ever carries a secret or a header.

Two failures carry no answer at all, and their names say so (they never shadow Python's
`TimeoutError` or httpx's `ConnectError`):

- `GatewayUnreachable`: no connection (refused, DNS, offline): nothing was sent; or
  the connection broke after a write went out (then `maybe_sent` is True);
- `GatewayTimeout`: no answer in time. A connect (or pool) timeout sent nothing; a read
  or write timeout of a write may have reached Cashfree (`maybe_sent` is True).

A maybe-sent write is sent again only with the same idempotency key (and the same
order, link or refund id), or its result is read first: never a second charge.
"""

from __future__ import annotations

from pos_app.domain.secret_text import scrub, spellings

__all__ = [
    "AuthenticationError",
    "BadResponseError",
    "BankError",
    "DuplicateOrderError",
    "GatewayError",
    "GatewayTimeout",
    "GatewayUnreachable",
    "IdempotencyConflictError",
    "InvalidRequestError",
    "NotFoundError",
    "RateLimitedError",
    "ServerError",
    "scrub_error",
]


class GatewayError(Exception):
    """Base class. `retryable` means the same request may safely be sent again.

    `maybe_sent` is True only for a write (POST, PATCH) that may have reached Cashfree
    without its answer reaching us: Cashfree may have acted on it. Any error with an HTTP
    answer is not "maybe": Cashfree answered, and said what it did."""

    retryable = False
    maybe_sent = False

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


class _NoAnswer(GatewayError):
    """No HTTP answer came back. `maybe_sent` is set per failure (see the module doc)."""

    retryable = True

    def __init__(self, message: str, *, maybe_sent: bool = False, **kw: object) -> None:
        super().__init__(message, **kw)  # type: ignore[arg-type]
        self.maybe_sent = maybe_sent


class GatewayTimeout(_NoAnswer):
    """No answer in time. After a connect timeout nothing was sent; after a read or write
    timeout a write may have been processed (`maybe_sent`)."""


class GatewayUnreachable(_NoAnswer):
    """Could not reach Cashfree (offline, DNS, refused): nothing was sent, unless the
    connection broke after a write went out (`maybe_sent`)."""


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
