"""The simulator's refusals, shaped like Cashfree's error bodies.

Cashfree answers every failure with `{"message", "code", "type", "help"}`; the `help`
line is absent from authentication and rate-limit errors (REFERENCE §8.1). Error codes
the official sources do not name are the simulator's own best guess, in Cashfree's style
(`<field>_invalid`, `..._not_found`).
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "HELP",
    "SimulatorError",
    "bad_request",
    "conflict",
    "not_found",
]

HELP = "Check latest errors and resolution from Merchant Dashboard API logs: simulated Cashfree"

_NO_HELP = {"authentication_error", "rate_limit_error"}


class SimulatorError(Exception):
    """A request the simulated Cashfree refuses: an HTTP status plus Cashfree's error fields."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        error_type: str = "invalid_request_error",
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.error_type = error_type

    def body(self) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "message": self.message,
            "code": self.code,
            "type": self.error_type,
        }
        if self.error_type not in _NO_HELP:
            payload["help"] = HELP
        return payload

    def __repr__(self) -> str:
        return f"SimulatorError({self.status}, {self.code!r}, {self.message!r})"


def bad_request(code: str, message: str) -> SimulatorError:
    return SimulatorError(400, code, message)


def not_found(code: str, message: str) -> SimulatorError:
    return SimulatorError(404, code, message)


def conflict(code: str, message: str) -> SimulatorError:
    return SimulatorError(409, code, message)
