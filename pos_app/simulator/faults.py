"""Trouble on demand: latency, 500s, dropped connections, garbage bodies, or a dead host.

A `Faults` value says how much of each; `FaultDice` rolls for every /pg request with a
seeded RNG so a test can replay the same sequence. Rates are shares of requests (0..1)
and are drawn from one roll, so they add up (their sum must not exceed 1).

What each fault means for state: a 500 or a malformed body happens before the request is
processed; a dropped connection happens after it (the answer is lost on the way back,
the nastiest case for a client: it must retry with the same idempotency key).
"""

from __future__ import annotations

import enum
import math
import random
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

__all__ = ["FaultDice", "FaultKind", "Faults"]


@dataclass(frozen=True, slots=True)
class Faults:
    latency: float = 0.0  # seconds added to every /pg answer
    error_rate: float = 0.0  # share answered 500 api_error
    drop_rate: float = 0.0  # share whose connection is dropped after processing
    malformed_rate: float = 0.0  # share answered 200 with a non-JSON body
    down: bool = False  # every /pg request fails to connect
    refuse_terminate: bool = False  # terminate order / cancel link answered 400, left open
    lie: str = ""  # "order_id" or "currency": paid answers that do not fit the sale

    def __post_init__(self) -> None:
        if not (math.isfinite(self.latency) and 0 <= self.latency <= 120):
            raise ValueError("latency must be between 0 and 120 seconds")
        for name in ("error_rate", "drop_rate", "malformed_rate"):
            value = getattr(self, name)
            if not (math.isfinite(value) and 0 <= value <= 1):
                raise ValueError(f"{name} must be between 0 and 1")
        if self.error_rate + self.drop_rate + self.malformed_rate > 1:
            raise ValueError("error_rate + drop_rate + malformed_rate must not exceed 1")

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], base: Faults | None = None) -> Faults:
        """Fields from JSON; missing ones keep `base`'s value. ValueError when invalid."""
        current = asdict(base or cls())
        for key, value in data.items():
            if key not in current:
                raise ValueError(f"unknown fault setting: {key}")
            if key in ("down", "refuse_terminate"):
                if not isinstance(value, bool):
                    raise ValueError(f"{key} must be true or false")
            elif key == "lie":
                if value not in ("", "order_id", "currency"):
                    raise ValueError('lie must be "", "order_id" or "currency"')
            elif isinstance(value, bool) or not isinstance(value, int | float | Decimal):
                raise ValueError(f"{key} must be a number")
            current[key] = value if key in ("down", "refuse_terminate", "lie") else float(value)
        return cls(**current)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class FaultKind(enum.Enum):
    DOWN = "down"
    ERROR = "error"
    DROP = "drop"
    MALFORMED = "malformed"


class FaultDice:
    def __init__(self, seed: int | None) -> None:
        self._rng = random.Random(seed)

    def roll(self, faults: Faults) -> FaultKind | None:
        if faults.down:
            return FaultKind.DOWN
        total = faults.error_rate + faults.drop_rate + faults.malformed_rate
        if total <= 0:
            return None
        draw = self._rng.random()
        if draw < faults.error_rate:
            return FaultKind.ERROR
        if draw < faults.error_rate + faults.drop_rate:
            return FaultKind.DROP
        if draw < total:
            return FaultKind.MALFORMED
        return None
