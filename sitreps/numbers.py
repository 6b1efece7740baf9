"""Counts as written: digits, English number words, Russian and Ukrainian number lemmas,
and the vague words that stand for a range ("dozens" -> 24 to 99). Read by the quantities
stage and by the events stage."""

from __future__ import annotations

import re

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
