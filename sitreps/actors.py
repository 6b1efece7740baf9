"""ACLED actors from the words that name them: "Russian forces" -> Military Forces of Russia (1).

The kinds, their nouns, names and inter codes are data (`data/actors.yaml`). The country comes
from a demonym or a country named in the mention; for civilians, protesters, police and armed
groups it may come from the event's place. Without a country a kind that needs one gives no
actor: a side is never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from spacy.tokens import Token

from sitreps import lexicons
from sitreps.gazetteer import country_name, normalize_name, open_gazetteer
from sitreps.model import Actor
from sitreps.state import span_of

CIVILIANS = 7  # ACLED inter code


@dataclass(frozen=True)
class _Kind:
    kind: str
    nouns: re.Pattern[str]
    also_needs: re.Pattern[str] | None
    name: str
    inter: int
    country_from_place: bool
    head_words: frozenset[str]


def _pattern(words: Iterable[str]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"\b(?:{alternatives})\b", re.IGNORECASE)


@cache
def _table() -> tuple[list[_Kind], list[tuple[re.Pattern[str], str, int]], frozenset[str]]:
    data: dict[str, Any] = lexicons.load("actors")
    kinds = [
        _Kind(
            kind=entry["kind"],
            nouns=_pattern(entry["nouns"]),
            also_needs=_pattern(entry["also_needs"]) if entry.get("also_needs") else None,
            name=entry["name"],
            inter=entry["inter"],
            country_from_place=bool(entry.get("country_from_place")),
            head_words=frozenset(n.split()[-1].lower() for n in entry["nouns"]),
        )
        for entry in data["kinds"]
    ]
    named = [(_pattern([text]), v["name"], v["inter"]) for text, v in data["named"].items()]
    weapons: frozenset[str] = frozenset()
    if data.get("weapons_are_forces"):
        events = lexicons.load("events")
        weapons = frozenset(w.lower() for words in events["weapons"].values() for w in words)
    return kinds, named, weapons


@cache
def _head_words() -> tuple[frozenset[str], frozenset[str]]:
    """The last words of all actor nouns, and of the civilian ones: a capitalised "People"
    names something else ("Donetsk People's Republic")."""
    kinds, _, _ = _table()
    heads = frozenset().union(*(k.head_words for k in kinds))
    return heads, frozenset().union(*(k.head_words for k in kinds if k.inter == CIVILIANS))


def _country_code(name: str) -> str | None:
    key = normalize_name(name)
    entries = open_gazetteer().lookup([key]).get(key, [])
    return next((e.country for e in entries if e.is_country), None)


def _named_country(tokens: list[Token]) -> str | None:
    demonyms = lexicons.demonyms()
    codes = [demonyms[t.text] for t in tokens if t.text in demonyms]
    codes += [c for t in tokens if t.ent_type_ == "GPE" and (c := _country_code(t.text))]
    return codes[0] if codes else None


def actor(tokens: list[Token], place_country: str | None = None) -> Actor | None:
    """The actor a mention names, or None when it names none (or no side can be told)."""
    if not tokens:
        return None
    kinds, named, weapons = _table()
    doc = tokens[0].doc
    words = doc[tokens[0].i : tokens[-1].i + 1]
    text, mention = words.text, span_of(words)
    for pattern, name, inter in named:
        if pattern.search(text):
            return Actor(name=name, inter=inter, mention=mention)
    iso = _named_country(tokens)
    lemmas = {t.lemma_.lower() for t in tokens} | {t.lower_ for t in tokens}
    state_like = iso and (
        (len(tokens) == 1 and tokens[0].ent_type_ == "GPE")  # "Russia launched ..."
        or bool(lemmas & weapons)  # "Russian missiles", "Ukrainian drones"
    )
    for kind in kinds:
        found = kind.nouns.search(text) or (state_like and kind.kind == "state forces")
        if not found or (kind.also_needs and not kind.also_needs.search(text)):
            continue
        country = iso or (place_country if kind.country_from_place else None)
        if "{country}" in kind.name and not country:
            continue
        name = kind.name.format(country=country_name(country) or country) if country else kind.name
        return Actor(name=name, inter=kind.inter, mention=mention)
    return None


def mentions(tokens: Iterable[Token]) -> list[list[Token]]:
    """Noun phrases among `tokens` whose head is an actor noun, left modifiers included:
    "foreign soldiers", "Russian Armed Forces subdivisions"."""
    heads, common = _head_words()
    found = []
    for token in tokens:
        if token.dep_ == "compound" or token.lower_ not in heads:
            continue
        if token.pos_ == "NOUN" or (token.pos_ == "PROPN" and token.lower_ not in common):
            found.append([t for t in token.subtree if t.i <= token.i])
    return found
