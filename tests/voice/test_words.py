"""Amounts in words, with Indian grouping, in English and Hindi."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos_app.voice.languages import LANGUAGES, language
from pos_app.voice.languages.hi import _BELOW_HUNDRED

EN = language("en")
HI = language("hi")

NUMBERS = [
    (1, "one", "एक"),
    (15, "fifteen", "पंद्रह"),
    (99, "ninety-nine", "निन्यानबे"),
    (100, "one hundred", "एक सौ"),
    (101, "one hundred one", "एक सौ एक"),
    (1_000, "one thousand", "एक हज़ार"),
    (1_00_000, "one lakh", "एक लाख"),
    (
        1_23_45_678,
        "one crore twenty-three lakh forty-five thousand six hundred seventy-eight",
        "एक करोड़ तेईस लाख पैंतालीस हज़ार छह सौ अठहत्तर",
    ),
]


@pytest.mark.parametrize(("number", "english", "hindi"), NUMBERS)
def test_the_issue_s_numbers(number: int, english: str, hindi: str) -> None:
    assert EN.number(number) == english
    assert HI.number(number) == hindi


@pytest.mark.parametrize(
    ("paise", "english", "hindi"),
    [
        (100, "one rupee", "एक रुपया"),
        (1_500, "fifteen rupees", "पंद्रह रुपये"),
        (9_900, "ninety-nine rupees", "निन्यानबे रुपये"),
        (10_000, "one hundred rupees", "एक सौ रुपये"),
        (10_100, "one hundred one rupees", "एक सौ एक रुपये"),
        (1_000_00, "one thousand rupees", "एक हज़ार रुपये"),
        (1_00_000_00, "one lakh rupees", "एक लाख रुपये"),
        (
            1_23_45_678_50,
            "one crore twenty-three lakh forty-five thousand six hundred seventy-eight "
            "rupees and fifty paise",
            "एक करोड़ तेईस लाख पैंतालीस हज़ार छह सौ अठहत्तर रुपये और पचास पैसे",
        ),
        (1, "one paisa", "एक पैसा"),
        (50, "fifty paise", "पचास पैसे"),
        (101, "one rupee and one paisa", "एक रुपया और एक पैसा"),
    ],
)
def test_amounts_in_rupees_and_paise(paise: int, english: str, hindi: str) -> None:
    assert EN.amount(paise) == english
    assert HI.amount(paise) == hindi


def test_the_sentences_of_the_issue() -> None:
    assert EN.received(450_00, None) == "Four hundred fifty rupees received."
    assert HI.received(450_00, None) == "चार सौ पचास रुपये प्राप्त हुए।"
    assert HI.received(100, None) == "एक रुपया प्राप्त हुआ।"  # one rupee: singular verb
    assert EN.late_received(450_00, EN.bill_reference("B-42")) == (
        "Late payment received: four hundred fifty rupees, for bill B four two."
    )
    assert HI.late_received(450_00, HI.bill_reference("42")) == (
        "देर से भुगतान प्राप्त हुआ: चार सौ पचास रुपये, बिल चार दो के लिए।"
    )


def test_hindi_has_its_own_word_for_every_number_below_hundred() -> None:
    words = _BELOW_HUNDRED[1:]
    assert len(words) == 99
    assert len(set(words)) == 99
    assert all(w and " " not in w for w in words)
    # the irregular ones that a rule would get wrong
    for number, word in [
        (29, "उनतीस"),
        (39, "उनतालीस"),
        (49, "उनचास"),
        (51, "इक्यावन"),
        (59, "उनसठ"),
        (67, "सड़सठ"),
        (79, "उन्यासी"),
        (89, "नवासी"),
        (91, "इक्यानबे"),
    ]:
        assert HI.number(number) == word


def test_numbers_beyond_a_hundred_crore_are_said_as_crores() -> None:
    assert EN.number(120 * 10**7) == "one hundred twenty crore"
    assert HI.number(120 * 10**7 + 5) == "एक सौ बीस करोड़ पाँच"


def test_zero_and_bad_numbers() -> None:
    assert EN.number(0) == "zero"
    assert HI.number(0) == "शून्य"
    for bad in (-1, 1.5):
        with pytest.raises(ValueError):
            EN.number(bad)  # type: ignore[arg-type]


def test_bill_numbers_are_spelled_figure_by_figure() -> None:
    assert EN.spell("INV/07-a") == "I N V zero seven A"
    assert HI.spell("07") == "शून्य सात"


def test_unknown_language_is_refused_with_the_choices() -> None:
    with pytest.raises(ValueError, match="en, hi"):
        language("xx")
    assert set(LANGUAGES) >= {"en", "hi"}


def _read_back(words: str, code: str) -> int:
    """The inverse of Language.number, written independently of it: adds up the values of
    the words, multiplying by each scale word as it comes (largest scales last)."""
    lang = LANGUAGES[code]
    small = {lang.below_hundred(n): n for n in range(1, 100)}
    scales = dict(zip(lang.scale_words, (10**7, 10**5, 10**3, 100), strict=True))
    total = 0  # finished crores
    current = 0  # below a crore
    group = 0
    for word in words.split():
        if word in small:
            group += small[word]
        elif word == lang.scale_words[0]:  # crore: everything so far is a count of crores
            total = (total + current + group) * 10**7
            current = group = 0
        else:
            current += group * scales[word]
            group = 0
    return total + current + group


@pytest.mark.parametrize("code", ["en", "hi"])
@given(number=st.integers(min_value=1, max_value=10**13))
def test_every_number_reads_back(code: str, number: int) -> None:
    assert _read_back(LANGUAGES[code].number(number), code) == number
