"""Checks of what a cashier or manager types, against Cashfree's field limits.

Each check returns the normalised value or raises ValidationError(field, message),
where message is a sentence a cashier can act on.
"""

from __future__ import annotations

import re

__all__ = [
    "ValidationError",
    "bill_number",
    "email",
    "note",
    "phone",
    "vpa",
]


class ValidationError(ValueError):
    """Input refused: `field` names the input, `message` says what to do."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


# A UPI id (VPA) is handle@psp: the handle has letters, digits, '.', '-' and '_';
# the PSP part is letters (some banks use digits too). NPCI caps the whole at 255 chars;
# in practice handles stay well under 50.
_VPA = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,255}@[A-Za-z][A-Za-z0-9]{1,63}$")
_EMAIL = re.compile(
    r"^[^@\s]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9-]{1,63})+$"
)
_BILL = re.compile(r"^[A-Za-z0-9_/-]{1,30}$")


def vpa(text: str) -> str:
    """A UPI id such as ``name@okbank``; returned trimmed and lower-cased."""
    value = text.strip()
    if not value:
        raise ValidationError("vpa", "Enter the customer's UPI id, for example name@okaxis.")
    if "@" not in value:
        raise ValidationError("vpa", "A UPI id has an '@', for example name@okaxis.")
    if len(value) > 100 or not _VPA.match(value):
        raise ValidationError(
            "vpa", "That is not a valid UPI id. Check it with the customer (like name@okaxis)."
        )
    return value.lower()


def phone(text: str) -> str:
    """An Indian mobile number; accepts +91, 91, a leading 0, spaces and dashes.

    Returns the 10 digits Cashfree wants in ``customer_phone``.
    """
    raw = text.strip()
    if not raw:
        raise ValidationError("phone", "Enter a 10-digit mobile number.")
    digits = re.sub(r"[\s-]", "", raw)
    if digits.startswith("+"):
        if not digits.startswith("+91"):
            raise ValidationError("phone", "Only Indian mobile numbers (+91) can be used.")
        digits = digits[3:]
    elif len(digits) == 12 and digits.startswith("91"):
        digits = digits[2:]
    elif len(digits) == 11 and digits.startswith("0"):
        digits = digits[1:]
    if not digits.isascii() or not digits.isdigit():
        raise ValidationError("phone", "A mobile number has digits only.")
    if len(digits) != 10:
        raise ValidationError(
            "phone", f"A mobile number has 10 digits; this one has {len(digits)}."
        )
    if digits[0] not in "6789":
        raise ValidationError("phone", "Indian mobile numbers start with 6, 7, 8 or 9.")
    return digits


def email(text: str) -> str:
    """An e-mail address, 3 to 100 characters (Cashfree's limit)."""
    value = text.strip()
    if not value:
        raise ValidationError("email", "Enter an e-mail address.")
    if len(value) > 100:
        raise ValidationError("email", "That e-mail address is too long (100 characters at most).")
    # isprintable(): the local part's [^@\s] would otherwise let control characters through.
    if not value.isprintable() or not _EMAIL.match(value):
        raise ValidationError("email", "That is not a valid e-mail address.")
    return value


def note(text: str) -> str:
    """An order note: 3 to 200 characters of printable text (Cashfree's order_note limit)."""
    value = " ".join(text.split())
    if len(value) < 3:
        raise ValidationError("note", "A note needs at least 3 characters (or leave it empty).")
    if len(value) > 200:
        raise ValidationError("note", "A note can have 200 characters at most.")
    if not value.isprintable():
        raise ValidationError("note", "A note cannot contain control characters.")
    return value


def bill_number(text: str) -> str:
    """A bill number: 1 to 30 of letters, digits, '-', '_' and '/'."""
    value = text.strip()
    if not value:
        raise ValidationError("bill_number", "Enter a bill number (or leave it empty).")
    if not _BILL.match(value):
        raise ValidationError(
            "bill_number",
            "A bill number has up to 30 letters, digits, '-', '_' or '/'.",
        )
    return value
