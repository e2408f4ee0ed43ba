"""A secret value (an API key, a PIN, a token) that never shows itself: the one type the
gateway, the secret store and the logs share, with no I/O of its own."""

from __future__ import annotations

__all__ = ["Secret"]


class Secret:
    """A string that hides itself from repr, str, f-strings and logs.

    Use `reveal()` at the one place the real value is needed (the HTTP header).
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    def __str__(self) -> str:
        return "***"

    def __format__(self, spec: str) -> str:
        return "***"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __bool__(self) -> bool:
        return bool(self._value)

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("a Secret cannot be pickled")
