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

STATE_FORCES = 1  # ACLED inter codes
CIVILIANS = 7
ARMED_INTERS = {1, 2, 3, 8}  # state forces, rebels, political militias, external forces


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


@cache
def actor_words() -> frozenset[str]:
    """The last words of the actor kinds' nouns, singular and plural alike: "soldier",
    "journalist", "resident", "unit"."""
    kinds, _, _ = _table()
    words = frozenset().union(*(k.head_words for k in kinds))
    return words | {w.removesuffix("s") for w in words}


@cache
def armed_words() -> frozenset[str]:
    """The last words of the nouns of armed actors (state forces, armed groups, rebels,
    foreign forces), police apart: "troops", "militants", "gunmen"."""
    kinds, _, _ = _table()
    armed = [k for k in kinds if k.inter in ARMED_INTERS and k.kind != "police"]
    return frozenset().union(*(k.head_words for k in armed))


def _country_code(name: str) -> str | None:
    key = normalize_name(name)
    entries = open_gazetteer().lookup([key]).get(key, [])
    return next((e.country for e in entries if e.is_country), None)


def _named_country(tokens: list[Token]) -> str | None:
    demonyms = lexicons.demonyms()
    codes = [c for t in tokens if (c := lexicons.nationality(t, demonyms)) is not None]
    # inflected (Russian, Ukrainian): "ВС России" by its lemma
    codes += [
        c
        for t in tokens
        if t.ent_type_ == "GPE" and (c := _country_code(t.text) or _country_code(t.lemma_))
    ]
    return codes[0] if codes else None


@cache
def _sides() -> tuple[frozenset[str], dict[str, str], list[tuple[re.Pattern[str], str]]]:
    """Words for the other side, each country's opponent, and one side's words for the
    other's forces (`data/actors.yaml`)."""
    data: dict[str, Any] = lexicons.load("actors")
    enemy = frozenset(w.lower() for w in data["enemy_words"])
    side_words = [(_pattern([text]), iso) for text, iso in data["side_words"].items()]
    return enemy, dict(data["opponents"]), side_words


def country_in(text: str) -> str | None:
    """The first country a text names, by demonym or by name: "Ukraine's air force" -> UA,
    "Government of Russia" -> RU."""
    demonyms = lexicons.demonyms()
    for word in re.findall(r"[^\W\d_][\w.-]*", text):
        stem = word.removesuffix("'s").removesuffix("’s")
        if stem in demonyms:
            return demonyms[stem]
        if stem[:1].isupper() and (code := _country_code(stem)):
            return code
    return None


def in_actor_name(iso: str) -> str:
    """A country as ACLED's actor names write it: "Military Forces of the United Kingdom"."""
    names: dict[str, str] = lexicons.load("actors")["country_names"]
    return names.get(iso) or country_name(iso) or iso


def side(actor: Actor) -> str | None:
    """The country an armed actor fights for: a state's forces their state's, a named group
    the state it fights beside (`fights_beside` in data/actors.yaml); None for the rest."""
    allied: dict[str, str] = lexicons.load("actors")["fights_beside"]
    if actor.name in allied:
        return allied[actor.name]
    return country_in(actor.name) if actor.inter == STATE_FORCES else None


def same_side(a: Actor, b: Actor) -> bool:
    """Whether two actors fight for one country ("Wagner Group" and Russia's forces)."""
    side_a = side(a)
    return side_a is not None and side_a == side(b)


def forces_of(iso: str) -> Actor:
    return Actor(name=f"Military Forces of {in_actor_name(iso)}", inter=1)


def police_of(iso: str) -> Actor:
    return Actor(name=f"Police Forces of {in_actor_name(iso)}", inter=1)


def crowd_of(crowd: tuple[str, int], iso: str) -> Actor:
    """Protesters or rioters (ACLED's name and inter code) of the country they are in."""
    name, inter = crowd
    return Actor(name=f"{name} ({in_actor_name(iso)})", inter=inter)


def unidentified_of(iso: str) -> Actor:
    """Armed hands of no named side, in the country the act happens in (ACLED's name)."""
    return Actor(name=f"Unidentified Armed Group ({in_actor_name(iso)})", inter=3)


@cache
def contested_divisions() -> frozenset[str]:
    """The divisions each side claims, as GeoNames "country.admin1" codes."""
    return frozenset(lexicons.load("actors")["contested_divisions"])


def opponent_of(country: str) -> Actor | None:
    """The forces of the side a country fights in the conflicts `data/actors.yaml` names."""
    _, opponents, _ = _sides()
    side = opponents.get(country)
    if side is None:
        return None
    return forces_of(side)


def _side(text: str, lemmas: set[str], speaker: str | None) -> str | None:
    """The country of forces named as a side: "occupiers" (Russia's), "the enemy" (the
    speaker's opponent)."""
    enemy, opponents, side_words = _sides()
    for pattern, iso in side_words:
        if pattern.search(text):
            return iso
    if speaker is not None and lemmas & enemy:
        return opponents.get(speaker)
    return None


def actor(
    tokens: list[Token], place_country: str | None = None, speaker: str | None = None
) -> Actor | None:
    """The actor a mention names, or None when it names none (or no side can be told);
    `speaker`: the country of who says it, which tells whose "the enemy" is."""
    if not tokens:
        return None
    kinds, named, weapons = _table()
    doc = tokens[0].doc
    words = doc[tokens[0].i : tokens[-1].i + 1]
    # Inflected words (Russian, Ukrainian) are matched by their lemmas too: "військами".
    text = words.text + " | " + " ".join(t.lemma_ for t in words)
    mention = span_of(words)
    for pattern, name, inter in named:
        if pattern.search(text):
            return Actor(name=name, inter=inter, mention=mention)
    lemmas = {t.lemma_.lower() for t in tokens} | {t.lower_ for t in tokens}
    side = _side(text, lemmas, speaker)
    if side is not None:
        name = f"Military Forces of {in_actor_name(side)}"
        return Actor(name=name, inter=1, mention=mention)
    iso = _named_country(tokens)
    state_like = iso and (
        # "Russia launched ...", "Russian strikes", "Kyiv's drones"
        (len(tokens) == 1 and (tokens[0].ent_type_ in {"GPE", "NORP"} or tokens[0].dep_ == "amod"))
        or bool(lemmas & weapons)  # "Russian missiles", "Ukrainian drones"
    )
    for kind in kinds:
        found = kind.nouns.search(text) or (state_like and kind.kind == "state forces")
        if not found or (kind.also_needs and not kind.also_needs.search(text)):
            continue
        country = iso or (place_country if kind.country_from_place else None)
        if "{country}" in kind.name and not country:
            continue
        name = kind.name.format(country=in_actor_name(country)) if country else kind.name
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
