"""Indian grouping of a whole number, shared by every language: crore, lakh, thousand,
hundred and the last two digits (1,23,45,678 = 1 crore 23 lakh 45 thousand 6 hundred 78)."""

from __future__ import annotations

from dataclasses import dataclass

CRORE = 10**7
LAKH = 10**5
THOUSAND = 10**3
HUNDRED = 10**2


@dataclass(frozen=True, slots=True)
class IndianParts:
    crore: int  # may itself be 100 or more: it is said as a number of its own
    lakh: int  # 0-99
    thousand: int  # 0-99
    hundred: int  # 0-9
    rest: int  # 0-99


def indian_parts(number: int) -> IndianParts:
    if type(number) is not int or number < 0:
        raise ValueError(f"not a whole number of zero or more: {number!r}")
    crore, number = divmod(number, CRORE)
    lakh, number = divmod(number, LAKH)
    thousand, number = divmod(number, THOUSAND)
    hundred, rest = divmod(number, HUNDRED)
    return IndianParts(crore, lakh, thousand, hundred, rest)
