"""Stage: stated quantities, tied to the noun they count.

"eight separate strikes" -> 8 strikes; "One of the command posts" -> 1 command post;
"a series of strikes" -> at least 2; "dozens of drones" -> 24 to 99; "at least 5 killed"
-> 5 or more. Vague words keep their range rather than being turned into a number.
"""

from __future__ import annotations

import re

from spacy.tokens import Token

from sitreps.model import Quantity
from sitreps.state import DocumentState, span_of

UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "a": 1, "an": 1, "single": 1,
}  # fmt: skip
SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "dozen": 12}
# Russian and Ukrainian number words by lemma ("двух", "трьох" -> 2, 3; "троє", "пятеро":
# the collective numbers that count people).
SLAVIC_NUMBERS = {
    "ноль": 0, "нуль": 0, "один": 1, "одна": 1, "два": 2, "две": 2, "дві": 2, "три": 3,
    "четыре": 4, "чотири": 4, "пять": 5, "п'ять": 5, "п’ять": 5, "шесть": 6, "шість": 6,
    "семь": 7, "сім": 7, "восемь": 8, "вісім": 8, "девять": 9, "дев'ять": 9, "дев’ять": 9,
    "десять": 10, "одиннадцать": 11, "одинадцять": 11, "двенадцать": 12, "дванадцять": 12,
    "пятнадцать": 15, "п'ятнадцять": 15, "двадцать": 20, "двадцять": 20, "тридцать": 30,
    "тридцять": 30, "сорок": 40, "пятьдесят": 50, "п'ятдесят": 50, "сто": 100,
    "двое": 2, "двоє": 2, "трое": 3, "троє": 3, "четверо": 4, "пятеро": 5, "п'ятеро": 5,
    "шестеро": 6, "семеро": 7, "восьмеро": 8,
    "тысяча": 1_000, "тисяча": 1_000, "миллион": 1_000_000, "мільйон": 1_000_000,
}  # fmt: skip
UNITS |= {word: n for word, n in SLAVIC_NUMBERS.items() if n < 1_000}
SCALES |= {word: n for word, n in SLAVIC_NUMBERS.items() if n >= 1_000}
VAGUE: dict[str, tuple[int, int | None]] = {
    "series": (2, None), "number": (2, None), "wave": (2, None), "barrage": (2, None),
    "salvo": (2, None), "volley": (2, None), "multiple": (2, None), "numerous": (2, None),
    "several": (3, 9), "few": (2, 5), "couple": (2, 2), "dozens": (24, 99),
    "scores": (40, 99), "hundreds": (200, 999), "thousands": (2_000, 9_999), "many": (2, None),
}  # fmt: skip
AT_LEAST = {"least", "minimum", "over", "more", "than", "upwards", "exceeding"}
AT_MOST = {"up", "most", "maximum", "nearly", "almost", "under", "fewer", "less"}
_NUMBER_WORD = re.compile(r"[^\W\d_][\w'’]*")
MAX_COUNT = 10**12
MAX_DIGITS = len(str(MAX_COUNT))


def parse_number(text: str) -> int | None:
    """An integer from digits ("1,200"), English number words ("twenty-five") or Russian and
    Ukrainian ones as lemmas ("двадцять п'ять"); None for what is no count of anything (over
    a trillion), so no absurd number reaches a store."""
    cleaned = text.lower().replace(",", "").strip()
    if re.fullmatch(r"\d+(\.\d+)?", cleaned, re.ASCII):
        if len(cleaned.split(".")[0]) > MAX_DIGITS:  # before int(): it refuses huge strings
            return None
        value = round(float(cleaned)) if "." in cleaned else int(cleaned)
        return value if value <= MAX_COUNT else None
    total, current, seen = 0, 0, False
    for word in _NUMBER_WORD.findall(cleaned):
        if word in UNITS:
            current += UNITS[word]
        elif word in SCALES:
            current = max(current, 1) * SCALES[word]
            if SCALES[word] >= 1000:
                total, current = total + current, 0
        elif word == "and":
            continue
        else:
            return None
        seen = True
        if total + current > MAX_COUNT:
            return None
    return total + current if seen else None


def _is_number(token: Token) -> bool:
    return token.like_num or token.lower_ in SCALES or token.lemma_ in SLAVIC_NUMBERS


def _word(token: Token) -> str:
    """A number word as `parse_number` reads it: English as written, others by lemma."""
    return token.lemma_ if token.lemma_ in SLAVIC_NUMBERS else token.text


def _counted_noun(number: Token) -> Token | None:
    if number.dep_ in {"nummod", "quantmod"} and number.head.pos_ in {"NOUN", "PROPN"}:
        return number.head
    following = number.doc[number.i + 1] if number.i + 1 < len(number.doc) else None
    if number.dep_ == "dep" and following is not None and following.pos_ == "NOUN":
        return following  # no parse of the language: a number counts the noun after it
    for child in number.children:
        if child.dep_ == "prep" and child.lower_ == "of":
            objects = [t for t in child.children if t.dep_ == "pobj" and t.pos_ == "NOUN"]
            if objects:
                return objects[0]
    return None


def _bounds(tokens: list[Token], low: int, high: int | None) -> tuple[int, int | None, int]:
    """Widen an exact number by "at least", "up to", ... before it; also returns the first index."""
    first = tokens[0].i
    doc = tokens[0].doc
    before = [doc[i] for i in range(max(0, first - 2), first)]
    words = {t.lower_ for t in before}
    if words & AT_LEAST:
        bump = 1 if words & {"more", "over", "exceeding"} else 0
        return low + bump, None, first - len(before)
    if words & AT_MOST:
        return (1 if high is not None else low), high, first - len(before)
    return low, high, first


def _quantity(tokens: list[Token], low: int, high: int | None) -> Quantity:
    low, high, first = _bounds(tokens, low, high)
    doc = tokens[0].doc
    phrase = doc[first : tokens[-1].i + 1]
    return Quantity(
        low=low,
        high=high,
        text=phrase.text,
        span=span_of(phrase),
    )


def run(state: DocumentState) -> None:
    doc = state.parsed
    numbers_by_noun: dict[int, list[list[Token]]] = {}
    index = 0
    while index < len(doc):
        token = doc[index]
        if not _is_number(token) or token.ent_type_ in {"DATE", "TIME", "PERCENT", "MONEY"}:
            index += 1
            continue
        group = [token]
        while group[-1].i + 1 < len(doc) and _is_number(doc[group[-1].i + 1]):
            group.append(doc[group[-1].i + 1])
        index = group[-1].i + 1
        noun = _counted_noun(group[-1]) or _counted_noun(group[0])
        if noun is not None:
            numbers_by_noun.setdefault(noun.i, []).append(group)

    for noun_index, groups in numbers_by_noun.items():
        values = [parse_number(" ".join(_word(t) for t in g)) for g in groups]
        known = [(g, v) for g, v in zip(groups, values, strict=True) if v is not None]
        if not known:
            continue
        if len(known) >= 2:  # "5 to 7 people", "between 5 and 7 drones"
            low, high = min(v for _, v in known), max(v for _, v in known)
            tokens = [t for g, _ in known for t in g]
            state.quantities[noun_index] = _quantity(sorted(tokens, key=lambda t: t.i), low, high)
        else:
            group, value = known[0]
            state.quantities[noun_index] = _quantity(group, value, value)

    for token in doc:
        if token.lower_ not in VAGUE:
            continue
        noun = _counted_noun(token)
        if noun is None and token.dep_ in {"amod", "det"} and token.head.pos_ == "NOUN":
            noun = token.head
        if noun is None or noun.i in state.quantities:
            continue
        vague_low, vague_high = VAGUE[token.lower_]
        start = token.i - 1 if token.i > 0 and doc[token.i - 1].lower_ in {"a", "an"} else token.i
        phrase = doc[start : token.i + 1]
        state.quantities[noun.i] = Quantity(
            low=vague_low,
            high=vague_high,
            text=phrase.text,
            span=span_of(phrase),
        )
