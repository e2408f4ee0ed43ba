"""Hindi in Devanagari. The numbers 1-99 have no rule a learner could follow (उनतीस is
"one short of thirty", इक्यावन is "one and fifty"), so all 99 are in one table."""

from __future__ import annotations

from pos_app.voice.languages.base import Language

# _BELOW_HUNDRED[n] is n in words, for 1 <= n <= 99; ten to a line.
_BELOW_HUNDRED = (
    "",
    "एक", "दो", "तीन", "चार", "पाँच", "छह", "सात", "आठ", "नौ", "दस",
    "ग्यारह", "बारह", "तेरह", "चौदह", "पंद्रह", "सोलह", "सत्रह", "अठारह", "उन्नीस", "बीस",
    "इक्कीस", "बाईस", "तेईस", "चौबीस", "पच्चीस", "छब्बीस", "सत्ताईस", "अट्ठाईस", "उनतीस", "तीस",
    "इकतीस", "बत्तीस", "तैंतीस", "चौंतीस", "पैंतीस", "छत्तीस", "सैंतीस", "अड़तीस", "उनतालीस", "चालीस",
    "इकतालीस", "बयालीस", "तैंतालीस", "चवालीस", "पैंतालीस", "छियालीस", "सैंतालीस", "अड़तालीस", "उनचास", "पचास",
    "इक्यावन", "बावन", "तिरेपन", "चौवन", "पचपन", "छप्पन", "सत्तावन", "अट्ठावन", "उनसठ", "साठ",
    "इकसठ", "बासठ", "तिरेसठ", "चौंसठ", "पैंसठ", "छियासठ", "सड़सठ", "अड़सठ", "उनहत्तर", "सत्तर",
    "इकहत्तर", "बहत्तर", "तिहत्तर", "चौहत्तर", "पचहत्तर", "छिहत्तर", "सतहत्तर", "अठहत्तर", "उन्यासी", "अस्सी",
    "इक्यासी", "बयासी", "तिरासी", "चौरासी", "पचासी", "छियासी", "सत्तासी", "अट्ठासी", "नवासी", "नब्बे",
    "इक्यानबे", "बानबे", "तिरानबे", "चौरानबे", "पचानबे", "छियानबे", "सत्तानबे", "अट्ठानबे", "निन्यानबे",
)  # fmt: skip


class Hindi(Language):
    code = "hi"
    name = "Hindi (हिन्दी)"
    espeak_voice = "hi"

    @property
    def zero(self) -> str:
        return "शून्य"

    @property
    def scale_words(self) -> tuple[str, str, str, str]:
        return ("करोड़", "लाख", "हज़ार", "सौ")

    def below_hundred(self, number: int) -> str:
        if not 1 <= number <= 99:
            raise ValueError(f"not from 1 to 99: {number}")
        return _BELOW_HUNDRED[number]

    def amount(self, paise: int) -> str:
        rupees, rest = divmod(paise, 100)
        said: list[str] = []
        if rupees:
            said.append(f"{self.number(rupees)} {'रुपया' if rupees == 1 else 'रुपये'}")
        if rest or not rupees:
            said.append(f"{self.number(rest)} {'पैसा' if rest == 1 else 'पैसे'}")
        return " और ".join(said)

    def received(self, paise: int, reference: str | None) -> str:
        verb = "प्राप्त हुआ" if paise in (1, 100) else "प्राप्त हुए"  # one rupee / paisa: singular
        tail = f", {reference}" if reference else ""
        return f"{self.amount(paise)} {verb}{tail}।"

    def late_received(self, paise: int, reference: str | None) -> str:
        tail = f", {reference} के लिए" if reference else ""
        return f"देर से भुगतान प्राप्त हुआ: {self.amount(paise)}{tail}।"

    def bill_reference(self, bill: str) -> str:
        return f"बिल {self.spell(bill)}"

    def order_reference(self, tail: str) -> str:
        return f"ऑर्डर, अंत में {self.spell(tail)}"
