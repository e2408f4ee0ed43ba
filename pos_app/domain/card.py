"""A payment card typed at the till: checked before anything is sent, held only in memory.

`CardDetails` keeps the number, expiry and CVV in private byte buffers that `clear()`
overwrites; its repr and str show only the network and the last four digits, it cannot be
pickled or copied, and reading a cleared card raises. What may be kept after the Order Pay
call is `CardSummary` (network + last four).

Checks (`parse_card`) follow domain/validate.py: each raises ValidationError(field,
sentence) and no message ever repeats what was typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from pos_app.domain.validate import ValidationError

__all__ = [
    "CardCleared",
    "CardDetails",
    "CardSummary",
    "card_cvv",
    "card_expiry",
    "card_holder",
    "card_number",
    "luhn_ok",
    "network_of",
    "otp",
    "parse_card",
]

_EXPIRY = re.compile(r"^\s*(\d{1,2})\s*/\s*(\d{2}|\d{4})\s*$")
_NAME = re.compile(r"^[A-Za-z][A-Za-z .'-]{0,99}$")


class CardCleared(RuntimeError):
    """The card's data was already wiped (after its Order Pay call)."""

    def __init__(self) -> None:
        super().__init__("the card details were cleared after use; ask for them again")


def luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def network_of(digits: str) -> str:
    """The card network by its leading digits (enough for a label on the receipt)."""
    if digits.startswith("4"):
        return "Visa"
    if digits[:2] in {"51", "52", "53", "54", "55"} or "2221" <= digits[:4] <= "2720":
        return "Mastercard"
    if digits[:2] in {"34", "37"}:
        return "Amex"
    if digits[:2] in {"60", "65", "81", "82"} or digits.startswith("508"):
        return "RuPay"
    if digits[:2] == "36" or digits[:3] in {"300", "301", "302", "303", "304", "305"}:
        return "Diners"
    return "Card"


@dataclass(frozen=True, slots=True)
class CardSummary:
    """What may be kept and shown after the card data is gone."""

    network: str
    last4: str

    @property
    def label(self) -> str:
        return f"{self.network} •••• {self.last4}"


def card_number(text: str) -> str:
    """12 to 19 digits (spaces and dashes allowed) passing the Luhn check."""
    digits = re.sub(r"[\s-]", "", text)
    if not digits:
        raise ValidationError("card_number", "Enter the card number.")
    if not digits.isascii() or not digits.isdigit():
        raise ValidationError("card_number", "A card number has digits only.")
    if not 12 <= len(digits) <= 19:
        raise ValidationError(
            "card_number", f"A card number has 12 to 19 digits; this one has {len(digits)}."
        )
    if not luhn_ok(digits):
        raise ValidationError(
            "card_number", "That card number is not valid (a digit is wrong). Check it again."
        )
    return digits


def card_expiry(text: str, today: date) -> tuple[int, int]:
    """MM/YY (or MM/YYYY) not in the past -> (month, four-digit year)."""
    found = _EXPIRY.match(text)
    if not text.strip():
        raise ValidationError("card_expiry", "Enter the expiry date as on the card, MM/YY.")
    if found is None:
        raise ValidationError("card_expiry", "Type the expiry as MM/YY, for example 08/29.")
    month = int(found.group(1))
    year = int(found.group(2))
    if year < 100:
        year += 2000
    if not 1 <= month <= 12:
        raise ValidationError("card_expiry", "The month of the expiry date is 01 to 12.")
    if (year, month) < (today.year, today.month):
        raise ValidationError("card_expiry", "This card has expired. Ask for another card.")
    if year > today.year + 20:
        raise ValidationError("card_expiry", "That expiry year is too far ahead. Check it again.")
    return month, year


def card_cvv(text: str) -> str:
    value = text.strip()
    if not value:
        raise ValidationError("card_cvv", "Enter the CVV: 3 digits on the back (4 on Amex).")
    if not value.isascii() or not value.isdigit() or not 3 <= len(value) <= 4:
        raise ValidationError("card_cvv", "The CVV has 3 or 4 digits.")
    return value


def card_holder(text: str) -> str | None:
    """The name on the card: optional; letters, spaces, '.', ''' and '-'."""
    value = " ".join(text.split())
    if not value:
        return None
    if not _NAME.match(value):
        raise ValidationError(
            "card_holder", "Type the name as on the card (letters only), or leave it empty."
        )
    return value


def otp(text: str) -> str:
    """A one-time password from the customer's bank: 4 to 8 digits."""
    value = text.strip()
    if not value:
        raise ValidationError("otp", "Enter the OTP the bank sent to the customer's phone.")
    if not value.isascii() or not value.isdigit() or not 4 <= len(value) <= 8:
        raise ValidationError("otp", "An OTP has 4 to 8 digits.")
    return value


def parse_card(number: str, expiry: str, cvv: str, name: str = "", *, today: date) -> CardDetails:
    """Every check, in the order a customer reads the card. Raises ValidationError."""
    digits = card_number(number)
    month, year = card_expiry(expiry, today)
    code = card_cvv(cvv)
    holder = card_holder(name)
    return CardDetails(digits, month, year, code, holder)


class CardDetails:
    """A card's data for one Order Pay call. Never printed, pickled, copied or persisted."""

    __slots__ = ("_buffers", "_cleared", "holder_name", "summary")

    def __init__(
        self, number: str, month: int, year: int, cvv: str, holder_name: str | None = None
    ) -> None:
        self._buffers = {
            "number": bytearray(number.encode("ascii")),
            "mm": bytearray(f"{month:02d}".encode("ascii")),
            "yy": bytearray(f"{year % 100:02d}".encode("ascii")),
            "cvv": bytearray(cvv.encode("ascii")),
        }
        self._cleared = False
        self.holder_name = holder_name
        self.summary = CardSummary(network_of(number), number[-4:])

    def _read(self, key: str) -> str:
        if self._cleared:
            raise CardCleared()
        return self._buffers[key].decode("ascii")

    def number(self) -> str:
        return self._read("number")

    def expiry_mm(self) -> str:
        return self._read("mm")

    def expiry_yy(self) -> str:
        return self._read("yy")

    def cvv(self) -> str:
        return self._read("cvv")

    @property
    def cleared(self) -> bool:
        return self._cleared

    def clear(self) -> None:
        """Overwrite the buffers. (Python strings made from them while sending cannot be
        wiped; they die with the request.)"""
        for buffer in self._buffers.values():
            for index in range(len(buffer)):
                buffer[index] = 0
        self._cleared = True
        self.holder_name = None

    def __repr__(self) -> str:
        state = "cleared" if self._cleared else self.summary.label
        return f"CardDetails({state})"

    __str__ = __repr__

    def __reduce__(self) -> str | tuple[object, ...]:
        raise TypeError("card details cannot be pickled")

    def __copy__(self) -> CardDetails:
        raise TypeError("card details cannot be copied")

    def __deepcopy__(self, memo: object) -> CardDetails:
        raise TypeError("card details cannot be copied")
