"""What every spoken language provides. A new language is one module with a subclass of
``Language`` and one line in ``languages/__init__.py``; the engine needs a voice for it."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping

from pos_app.voice.languages.indian import indian_parts


class Language(ABC):
    code: str  # ISO 639-1, as stored in the settings ("en", "hi")
    name: str  # in its own script, for the settings dialog
    espeak_voice: str  # the espeak-ng voice that reads it
    # Words espeak-ng's voice says wrongly, spelled so that it says them right. Only the
    # engine sees these; what is printed and shown keeps the proper spelling.
    espeak_respellings: Mapping[str, str] = {}

    # ---- numbers ------------------------------------------------------------------------
    @abstractmethod
    def below_hundred(self, number: int) -> str:
        """1-99 in words."""

    @property
    @abstractmethod
    def zero(self) -> str: ...

    @property
    @abstractmethod
    def scale_words(self) -> tuple[str, str, str, str]:
        """The words for crore, lakh, thousand and hundred."""

    def number(self, number: int) -> str:
        """A whole number in words with Indian grouping; crores of crores are said as a
        number of crores ("one hundred twenty crore")."""
        if number == 0:
            return self.zero
        parts = indian_parts(number)
        crore, lakh, thousand, hundred = self.scale_words
        words: list[str] = []
        if parts.crore:
            words += [self.number(parts.crore), crore]
        if parts.lakh:
            words += [self.below_hundred(parts.lakh), lakh]
        if parts.thousand:
            words += [self.below_hundred(parts.thousand), thousand]
        if parts.hundred:
            words += [self.below_hundred(parts.hundred), hundred]
        if parts.rest:
            words.append(self.below_hundred(parts.rest))
        return " ".join(words)

    def digit(self, digit: int) -> str:
        """One digit, for reading a bill number figure by figure."""
        return self.zero if digit == 0 else self.below_hundred(digit)

    def spell(self, code: str) -> str:
        """A bill number or the end of an order id, figure by figure: digits in words,
        letters as capitals (the voice names them), everything else dropped."""
        out: list[str] = []
        for char in code:
            if char.isascii() and char.isdigit():
                out.append(self.digit(int(char)))
            elif char.isascii() and char.isalpha():
                out.append(char.upper())
        return " ".join(out)

    # ---- amounts and sentences ------------------------------------------------------------
    @abstractmethod
    def amount(self, paise: int) -> str:
        """An amount of money in words: rupees, and paise when there are any."""

    @abstractmethod
    def received(self, paise: int, reference: str | None) -> str:
        """The sentence for a sale paid at the counter; reference names the sale."""

    @abstractmethod
    def late_received(self, paise: int, reference: str | None) -> str:
        """The sentence for a payment that arrived late or for a sale no longer at the
        counter; reference names the sale."""

    @abstractmethod
    def bill_reference(self, bill: str) -> str:
        """ "bill four two" """

    @abstractmethod
    def order_reference(self, tail: str) -> str:
        """ "order ending Q seven" """
