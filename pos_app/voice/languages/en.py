"""English, as said in India: lakh and crore, rupees and paise."""

from __future__ import annotations

from collections.abc import Mapping

from pos_app.voice.languages.base import Language

_ONES = (
    "",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
)
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")


class English(Language):
    code = "en"
    name = "English"
    espeak_voice = "en-gb"  # espeak-ng 1.51 has no Indian English voice; British is closest
    espeak_respellings: Mapping[str, str] = {
        "lakh": "laakh",  # not "lack"
        "paise": "pysay",  # not "pays"
    }

    @property
    def zero(self) -> str:
        return "zero"

    @property
    def scale_words(self) -> tuple[str, str, str, str]:
        return ("crore", "lakh", "thousand", "hundred")

    def below_hundred(self, number: int) -> str:
        if not 1 <= number <= 99:
            raise ValueError(f"not from 1 to 99: {number}")
        if number < 20:
            return _ONES[number]
        tens, ones = divmod(number, 10)
        return _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")

    def amount(self, paise: int) -> str:
        rupees, rest = divmod(paise, 100)
        said: list[str] = []
        if rupees:
            said.append(f"{self.number(rupees)} {'rupee' if rupees == 1 else 'rupees'}")
        if rest or not rupees:
            said.append(f"{self.number(rest)} {'paisa' if rest == 1 else 'paise'}")
        return " and ".join(said)

    def received(self, paise: int, reference: str | None) -> str:
        tail = f", {reference}" if reference else ""
        said = self.amount(paise)
        return f"{said[:1].upper()}{said[1:]} received{tail}."

    def late_received(self, paise: int, reference: str | None) -> str:
        tail = f", for {reference}" if reference else ""
        return f"Late payment received: {self.amount(paise)}{tail}."

    def bill_reference(self, bill: str) -> str:
        return f"bill {self.spell(bill)}"

    def order_reference(self, tail: str) -> str:
        return f"order ending {self.spell(tail)}"
