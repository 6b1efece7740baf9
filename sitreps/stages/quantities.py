"""Stage: stated quantities, tied to the noun they count.

"eight separate strikes" -> 8 strikes; "One of the command posts" -> 1 command post;
"a series of strikes" -> at least 2; "dozens of drones" -> 24 to 99; "at least 5 killed"
-> 5 or more. Vague words keep their range rather than being turned into a number.
"""

from __future__ import annotations

from spacy.tokens import Token

from sitreps.model import Quantity
from sitreps.numbers import SCALES, SLAVIC_NUMBERS, VAGUE, parse_number
from sitreps.state import DocumentState, span_of, stage

AT_LEAST = {"least", "minimum", "over", "more", "than", "upwards", "exceeding"}
AT_MOST = {"up", "most", "maximum", "nearly", "almost", "under", "fewer", "less"}


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


@stage(
    requires=("doc",),
    assigns=("quantities",),
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
