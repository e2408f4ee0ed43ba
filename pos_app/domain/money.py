"""Money as integer paise.

Parsing is strict: what a cashier types either becomes an exact number of paise or is
refused with a sentence saying why. No float is ever involved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from pos_app.domain.validate import ValidationError

__all__ = ["DEFAULT_MAXIMUM", "MINIMUM", "Money"]

# ASCII digits only: str.isdigit() would accept Arabic-Indic or Devanagari digits.
_PLAIN = re.compile(r"^[0-9]+(?:\.[0-9]{1,2})?$")
_GROUPED = re.compile(r"^[0-9]{1,3}(?:,[0-9]{2,3})*(?:\.[0-9]{1,2})?$")
_TOO_MANY_DECIMALS = re.compile(r"^[0-9,]*\.[0-9]{3,}$")


@dataclass(frozen=True, order=True, slots=True)
class Money:
    """An amount in Indian rupees, held as a whole number of paise (1 rupee = 100 paise)."""

    paise: int

    def __post_init__(self) -> None:
        if type(self.paise) is not int:
            raise TypeError("Money holds an int number of paise")

    # ---- construction -------------------------------------------------------------------
    @classmethod
    def rupees(cls, rupees: int, paise: int = 0) -> Money:
        return cls(rupees * 100 + paise)

    @classmethod
    def parse(
        cls,
        text: str,
        *,
        minimum: Money | None = None,
        maximum: Money | None = None,
        field: str = "amount",
    ) -> Money:
        """Parse what a cashier typed: "250", "250.5", "1,250.00", "₹ 99", "1,23,456".

        Refuses anything else with ValidationError(field, message): empty, letters,
        negatives, zero, more than two decimals, exponents, non-ASCII digits, and amounts
        outside [minimum, maximum] (minimum defaults to ₹1.00, Cashfree's smallest order).
        """
        low = MINIMUM if minimum is None else minimum
        value = text.strip()
        for prefix in ("₹", "Rs.", "Rs", "INR"):
            if value.startswith(prefix):
                value = value[len(prefix) :].strip()
                break
        if not value:
            raise ValidationError(field, "Enter an amount.")
        if value.startswith("-"):
            raise ValidationError(field, "The amount cannot be negative.")
        if _TOO_MANY_DECIMALS.match(value):
            raise ValidationError(field, "Use at most two decimals (paise).")
        not_an_amount = "That is not an amount. Type digits, like 250 or 1,250.50."
        grouped = False
        if _PLAIN.match(value):
            digits = value
        elif _GROUPED.match(value):
            digits = value.replace(",", "")
            grouped = True
        else:
            raise ValidationError(field, not_an_amount)
        whole, _, frac = digits.partition(".")
        # Checked before any grouping work: a pasted wall of digits is refused cheaply.
        if len(whole) > 12:
            raise ValidationError(field, "That amount is far too large.")
        if grouped and not _grouping_ok(value):
            raise ValidationError(field, not_an_amount)
        amount = cls(int(whole) * 100 + int(frac.ljust(2, "0") or "0"))
        if amount.paise == 0:
            raise ValidationError(field, "The amount must be more than zero.")
        if amount < low:
            raise ValidationError(field, f"The smallest amount is {low.format()}.")
        if maximum is not None and amount > maximum:
            raise ValidationError(field, f"The largest amount allowed is {maximum.format()}.")
        return amount

    @classmethod
    def from_api(cls, value: object) -> Money:
        """An amount as Cashfree sends it (a JSON number or a numeric string) -> Money.

        Goes through Decimal(str(value)) so 22.42 is 2242 paise, never 2241.
        """
        if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
            raise ValueError(f"not an amount: {value!r}")
        try:
            exact = Decimal(str(value))
        except InvalidOperation as exc:
            raise ValueError(f"not an amount: {value!r}") from exc
        if not exact.is_finite():
            raise ValueError(f"not an amount: {value!r}")
        paise = (exact * 100).quantize(Decimal(1))
        if paise != exact * 100:
            raise ValueError(f"more than two decimals: {value!r}")
        return cls(int(paise))

    # ---- output --------------------------------------------------------------------------
    def decimal_text(self) -> str:
        """ "1234.50": plain, two decimals, no grouping (for CSV and JSON strings)."""
        sign = "-" if self.paise < 0 else ""
        whole, frac = divmod(abs(self.paise), 100)
        return f"{sign}{whole}.{frac:02d}"

    def to_api(self) -> float:
        """The JSON number Cashfree wants; the one place a float appears, two decimals."""
        return round(self.paise / 100, 2)

    def format(self, *, symbol: bool = True) -> str:
        """Indian grouping: ₹1,23,456.00 (lakh and crore groups)."""
        sign = "-" if self.paise < 0 else ""
        whole, frac = divmod(abs(self.paise), 100)
        text = _group_indian(str(whole))
        return f"{sign}{'₹' if symbol else ''}{text}.{frac:02d}"

    def __str__(self) -> str:
        return self.format()

    # ---- arithmetic ----------------------------------------------------------------------
    def __add__(self, other: Money) -> Money:
        return Money(self.paise + other.paise)

    def __sub__(self, other: Money) -> Money:
        return Money(self.paise - other.paise)

    def __bool__(self) -> bool:
        return self.paise != 0


def _group_indian(digits: str) -> str:
    if len(digits) <= 3:
        return digits
    head, tail = digits[:-3], digits[-3:]
    pairs: list[str] = []
    while len(head) > 2:
        pairs.insert(0, head[-2:])
        head = head[:-2]
    if head:
        pairs.insert(0, head)
    return ",".join([*pairs, tail])


def _grouping_ok(value: str) -> bool:
    """Accept Indian (1,23,456) or international (123,456) grouping, consistently."""
    whole = value.partition(".")[0]
    digits = whole.replace(",", "")
    return whole in (_group_indian(digits), _group_western(digits))


def _group_western(digits: str) -> str:
    """123456 -> 123,456 (thousands groups), on the text: no int() involved."""
    head = len(digits) % 3 or 3
    groups = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return ",".join(groups)


MINIMUM = Money(100)
DEFAULT_MAXIMUM = Money(1_00_000_00)  # ₹1,00,000.00 per sale unless the manager sets another
