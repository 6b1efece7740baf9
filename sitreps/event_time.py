"""When an event word says its event happened, as far as the words around it tell.

Two questions the events stage asks of each event word: is the event older than the news
("the 2014 annexation", "in September last year", "since 1986" is no date of it), and does
a day anchor it ("on Tuesday", "overnight", "on the morning of March 13"), which a generic
statement or a country-wide one needs to count as one event. The news is dated by the
publication date, else by the latest year the report names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from spacy.tokens import Doc, Token
from spacy.tokens import Span as TokenSpan

from sitreps import lexicons

YEAR = re.compile(r"\b(1[6-9]\d\d|20\d\d)\b")
WEEKDAYS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
MONTHS = {"january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december", "jan", "feb", "mar", "apr", "jun",
          "jul", "aug", "sep", "sept", "oct", "nov", "dec"}  # fmt: skip
# Phrases that tie an event to a day, or to the week of the news (ACLED's time precision 2).
DAY_WORDS = {"today", "yesterday", "tonight", "overnight", "this morning", "this afternoon",
             "this evening", "last night", "earlier today", "late last night",
             "over the weekend", "this weekend", "last weekend", "this week", "last week",
             "earlier this week"}  # fmt: skip
# "a year after the arrest", "two months since the strike": the event is that much older.
LONG_SPANS = {"year", "month", "decade"}
SINCE = {"after", "since", "following"}
_DAY_OF_MONTH = re.compile(r"\b([1-9]|[12]\d|3[01])(st|nd|rd|th)?\b")
VERBAL = {"VERB", "AUX"}


@dataclass(frozen=True)
class NewsTime:
    """The year of the news a report tells: what is older is background."""

    year: int | None


@cache
def _lexicon() -> tuple[frozenset[str], tuple[str, ...], tuple[str, ...]]:
    data = lexicons.load("occurrence")
    times = lexicons.load("time")
    day_phrases = tuple(
        {*DAY_WORDS, *(w.lower() for w in times["overnight"])}
        | {w.lower() for words in times["time_of_day"].values() for w in words}
    )
    return (
        frozenset(w.lower() for w in data["not_event_date"]),
        tuple(w.lower() for w in data["before_the_news"]),
        day_phrases,
    )


def _preceding(entity: TokenSpan) -> str:
    return entity.doc[entity.start - 1].lower_ if entity.start > 0 else ""


def _years(entity: TokenSpan) -> list[int]:
    return [int(y) for y in YEAR.findall(entity.text)]


def news_time(doc: Doc, published_at: datetime | None) -> NewsTime:
    """The publication year, else the latest year the report names as a date of something
    (not "by 2030", "until 2025")."""
    if published_at is not None:
        return NewsTime(published_at.year)
    not_dates, _, _ = _lexicon()
    years = [
        year
        for entity in doc.ents
        if entity.label_ == "DATE" and _preceding(entity) not in not_dates - {"since", "after"}
        for year in _years(entity)
    ]
    return NewsTime(max(years) if years else None)


def _clause_of(token: Token) -> Token:
    """The verb (or sentence root) a word's phrase hangs off."""
    while token.pos_ not in VERBAL and token.head.i != token.i:
        token = token.head
    return token


def attached_dates(carriers: Iterable[Token]) -> list[TokenSpan]:
    """DATE and TIME entities that tell when the event of these words happened: on the
    event word or on the verb that carries it, not in another clause."""
    carriers = list(carriers)
    if not carriers:
        return []
    own = {t.i for t in carriers}
    sentence = carriers[0].sent
    found = []
    for entity in sentence.ents:
        if entity.label_ not in {"DATE", "TIME"}:
            continue
        node = entity.root
        while node.i not in own and node.pos_ not in VERBAL and node.head.i != node.i:
            node = node.head
        if node.i in own or (node.pos_ not in VERBAL and _clause_of(carriers[-1]).i == node.i):
            found.append(entity)
    return found


def before_the_news(
    dates: list[TokenSpan], words: Iterable[Token], news: NewsTime
) -> TokenSpan | str | None:
    """Why the event is older than the news: a date in an earlier year, or a phrase such as
    "last year"; None when nothing says so."""
    not_dates, relative, _ = _lexicon()
    for entity in dates:
        if _preceding(entity) in not_dates:
            continue  # "since 2014" dates no event
        years = _years(entity)
        if news.year is not None and years and max(years) < news.year:
            return entity
        text = entity.text.lower()
        if any(phrase in text for phrase in relative):
            return entity
    said = " ".join(t.lower_ for t in words)
    return next((phrase for phrase in relative if f" {phrase} " in f" {said} "), None)


def long_after(trigger: Token) -> Token | None:
    """The span of months or years the sentence counts from the event ("marks a year behind
    bars following his arrest", "two years after the invasion"): an event that old is
    background to the news, however it is dated."""
    since = trigger.head
    if trigger.dep_ != "pobj" or since.lower_ not in SINCE:
        return None
    own = {t.i for t in trigger.subtree}
    for word in [*since.children, *since.head.subtree]:
        counted = any(
            c.dep_ in {"det", "nummod"} and (c.lower_ in {"a", "an", "one"} or c.pos_ == "NUM")
            for c in word.children
        )
        if word.i not in own and word.lemma_.lower() in LONG_SPANS and counted:
            return word
    return None


def over_a_period(words: Iterable[Token]) -> str | None:
    """The phrase that spreads the clause over a period ("in recent weeks", "since 2014"),
    if any."""
    words = list(words)
    said = f" {' '.join(t.lower_ for t in words)} "
    periods = lexicons.load("occurrence")["over_a_period"]
    found = next((p for p in periods if f" {p.lower()} " in said), None)
    if found is not None or not words:
        return found
    inside = range(words[0].i, words[-1].i + 1)
    return next(
        (
            f"since {entity.text}"
            for entity in words[0].sent.ents
            if entity.label_ == "DATE"
            and entity.start in inside
            and _preceding(entity) == "since"
            and _years(entity)
        ),
        None,
    )


def names_a_day(text: str) -> bool:
    """Whether date words name a day ("Saturday", "July 18", "yesterday"), not a span of
    time ("just two days" after something else)."""
    _, _, day_phrases = _lexicon()
    lowered = f" {text.lower()} "
    return bool(set(re.findall(r"[a-z]+", lowered)) & (WEEKDAYS | MONTHS)) or any(
        f" {phrase} " in lowered for phrase in day_phrases
    )


def anchored(dates: list[TokenSpan], words: Iterable[Token]) -> bool:
    """Whether a day anchors the event: a weekday, a day of a month, "yesterday",
    "overnight", "this morning", in its own dates or the time words among `words` (its
    sentence, or its clause)."""
    _, _, day_phrases = _lexicon()
    for entity in dates:
        lowered = {t.lower_ for t in entity}
        if lowered & WEEKDAYS or (lowered & MONTHS and _DAY_OF_MONTH.search(entity.text)):
            return True
    words = list(words)
    text = f" {' '.join(t.lower_ for t in words)} "
    return any(f" {phrase} " in text for phrase in day_phrases if phrase != "night") or any(
        t.ent_type_ in {"DATE", "TIME"} and t.lower_ in WEEKDAYS for t in words
    )
