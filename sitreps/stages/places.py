"""Stage: find place mentions and resolve each to a GeoNames entry with a precision.

Candidates are runs of proper nouns (spaCy's small model often tags Ukrainian towns as
people, so its entity labels are one signal, not the gate). Every run's n-grams are looked
up in the gazetteer at once; the longest match wins. A mention's candidates are ranked by the
learned ranker (`sitreps.place_ranker`), over what they are and how they agree with the
report's other places and countries. A proper noun in locative position ("in Balakhya")
that matches nothing is matched fuzzily against the report's countries' names, with lowered
confidence. Given mentions (`resolve`) that name no place are read by the place named inside
them ("Dubai World Cup") or by a demonym ("Russians", "European").
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process
from spacy.attrs import IDX, LEMMA, ORTH, SENT_START
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span, Token

from sitreps import cyrillic, lexicons, place_confidence, place_ranker, surface
from sitreps.gazetteer import (
    Gazetteer,
    GazetteerEntry,
    normalize_name,
    open_gazetteer,
)
from sitreps.model import DATELINE, IN_AN_ORGANISATION, Mode, Place, PlaceCandidate
from sitreps.state import (
    DocumentState,
    language_of,
    parsed_text,
    span_of,
    stage,
    text_span,
    tokens_of,
)

MAX_NGRAM = 4
HYPHENS = {"-", "‑"}  # a hyphen and a non-breaking hyphen: inside names, never at their ends
PLACE_LABELS = {"GPE", "LOC", "FAC"}
LOCATIVE = {
    "in",
    "on",
    "at",
    "near",
    "outside",
    "around",
    "into",
    "from",
    "across",
    "over",
    "to",
    "towards",
    "toward",
    "within",
    "inside",
    "through",
    "targeting",
    "struck",
    # Russian and Ukrainian prepositions of place
    "в", "во", "у", "на", "под", "під", "біля", "возле", "около", "поблизу", "над", "из",
    "із", "з", "от", "від", "до",
}  # fmt: skip
NEAR_WORDS = {
    "near",
    "outside",
    "around",
    "outskirts",
    "suburbs",
    "suburb",
    "vicinity",
    "environs",
    "north",
    "south",
    "east",
    "west",
    "northeast",
    "northwest",
    "southeast",
    "southwest",
    "north-east",
    "north-west",
    "south-east",
    "south-west",
}
REGION_WORDS = {
    "oblast", "region", "province", "governorate", "district", "raion", "county", "hromada",
    "community", "область", "обл", "район", "громада", "округ", "край",
}  # fmt: skip
MAX_SHARED_LIST = 8  # words between an adjective and the region word a list shares
FUZZY_CUTOFF = 80.0
# Before an unknown name, only these say it is a place, not a person ("according to Kiper").
FUZZY_LOCATIVE = {
    "in", "near", "at", "on", "outside", "around", "inside", "within", "towards",
    "в", "у", "на", "під", "біля", "поблизу", "под", "возле", "около",
}  # fmt: skip


@dataclass
class _Mention:
    start: int  # token indices, end exclusive
    end: int
    norm: str
    entries: list[GazetteerEntry]
    similarity: float = 100.0  # fuzzy matches score below 100
    # Candidates of the place named right after a comma: "Springfield, Illinois".
    context: list[GazetteerEntry] = field(default_factory=list)


NOT_PLACE_LABELS = {
    "DATE",
    "TIME",
    "CARDINAL",
    "ORDINAL",
    "MONEY",
    "PERCENT",
    "QUANTITY",
    "EVENT",
    "LAW",
    "LANGUAGE",
}
CALENDAR_WORDS = {
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    # the AP's abbreviated months: "Jan. 18" is no Jackson (its airport's code) or Dschang
    "jan.",
    "feb.",
    "aug.",
    "sept.",
    "oct.",
    "nov.",
    "dec.",
}


# "the West", "the South": blocs and parts of the world, not the towns named West or South
# ("the West Bank" is a name of two words and stays a place).
COMPASS_WORDS = {"west", "east", "north", "south", "midwest", "orient", "occident"}
# Words that set out a part of a place before its name: "Western Pennsylvania", "Northeast
# Georgia", "Southern California". The place is the name after them, as local news gold
# sets annotate it, unless the whole is a name of its own ("South Carolina", "West Bank").
PART_WORDS = {
    "north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest",
    "northern", "southern", "eastern", "western", "central", "upper", "lower", "greater",
    "downtown", "metro",
}  # fmt: skip


def _is_place_token(token: Token, demonyms: dict[str, str]) -> bool:
    if not token.text[:1].isupper() or token.text in demonyms:
        return False
    if token.lower_ in CALENDAR_WORDS:
        return False
    if token.lower_ in COMPASS_WORDS and token.i > 0 and token.doc[token.i - 1].lower_ == "the":
        following = token.doc[token.i + 1] if token.i + 1 < len(token.doc) else None
        if following is None or not following.text[:1].isupper():
            return False
    if token.ent_type_ in NOT_PLACE_LABELS and token.pos_ != "PROPN":
        return False  # the small model labels some towns TIME ("at Odesa overnight")
    # A lone organisation that acts ("TASS reported") is no place, but one placed or before
    # a division's word is ("shelled Nikopol", "Krasnopil, Sumy region").
    if (
        token.ent_type_ == "ORG"
        and _alone_in_entity(token)
        and not (_placed(token) or _names_a_division(token) or _before_a_resident(token))
    ):
        return False
    return (
        token.pos_ == "PROPN"
        or token.ent_type_ in PLACE_LABELS
        or _names_a_division(token)
        or _opens_with_a_noun(token)
        or _mistagged_name(token)
        or _in_a_dateline(token)
    )


# Parts of speech the small model gives words it does not know ("Bakhmut was shelled":
# an adverb), where the capital letter is the name's. Not nouns: a capitalised noun is more
# often a name's word ("Thomas the Tank", "State Maritime Academy"), which as a candidate
# placed 13 more Bellingcat descriptions, 11 of them wrongly.
GUESSED_POS = {"ADV", "VERB", "X", "INTJ"}


def _mistagged_name(token: Token) -> bool:
    """An English capitalised word that is no function word but that the tagger calls
    something other than a name: a candidate that the gazetteer and the evidence decide."""
    return (
        language_of(token.doc) not in cyrillic.LANGUAGES
        and token.pos_ in GUESSED_POS
        and not token.is_stop
        and token.text[1:].islower()
    )


def _opens_with_a_noun(token: Token) -> bool:
    """A capitalised noun opening a Ukrainian or Russian sentence, where capitals say nothing
    ("Київ величезний" or "Час минає"): a candidate that only a major place of the report's
    countries passes (`_is_weak`)."""
    return token.pos_ == "NOUN" and language_of(token.doc) in cyrillic.LANGUAGES


def _names_a_division(token: Token) -> bool:
    """A capitalised word before "raion", "oblast" ... ("Chuhuiv raion") names a place, even
    where the tagger calls it an adjective."""
    following = token.doc[token.i + 1] if token.i + 1 < len(token.doc) else None
    return following is not None and following.is_lower and _is_region_word(following)


def _is_region_word(token: Token) -> bool:
    """ "oblast", "district", "області" (by its lemma) after a place's name."""
    return token.lower_ in REGION_WORDS or token.lemma_.lower() in REGION_WORDS


# People a place's name says where they are from or serve: "a Gainesville man", "two
# Hanover police officers".
RESIDENT_NOUNS = {
    "man", "woman", "men", "women", "resident", "native", "teen", "teenager", "boy", "girl",
    "couple", "family", "student", "driver", "officer", "police", "firefighter", "mayor",
}  # fmt: skip


def _before_a_resident(token: Token) -> bool:
    following = token.doc[token.i + 1] if token.i + 1 < len(token.doc) else None
    return following is not None and following.lower_ in RESIDENT_NOUNS


def _coordinator(token: Token) -> bool:
    return token.pos_ == "CCONJ" or token.text == ","


def _alone_in_entity(token: Token) -> bool:
    """The small model often calls a lone town an organisation ("shelled Nikopol"); and
    "Kharkiv and Izium" labelled as one organisation is two lone names."""
    following = token.doc[token.i + 1] if token.i + 1 < len(token.doc) else None
    preceding = token.doc[token.i - 1] if token.i > 0 else None
    first = token.ent_iob_ == "B" or (preceding is not None and _coordinator(preceding))
    last = following is None or following.ent_iob_ != "I" or _coordinator(following)
    return first and last


def _placed(token: Token) -> bool:
    """In the position of a place: an object (or a word the parser hangs off a verb as an
    adverb, as it does an unknown name after one: "captured Bakhmut"), or after a locative
    word ("in Kharkiv's district")."""
    preceding = token.doc[token.i - 1] if token.i > 0 else None
    return token.dep_ in {"dobj", "pobj", "conj", "appos", "advmod", "npadvmod"} or (
        preceding is not None and preceding.lower_ in LOCATIVE
    )


def _in_an_organisation(doc: Doc, mention: _Mention) -> bool:
    """A place named inside an organisation's name: "Kharkiv" of "the Kharkiv Regional
    Military Administration", "Gainesville" of "the Gainesville Police Department"; and
    a name in the genitive qualifying an organisation's ("МИД России", "Верховный суд
    Пакистана": natasha tags the body and the country as two names)."""
    if doc[mention.start].ent_type_ != "ORG":
        root = doc[mention.start : mention.end].root
        if root.dep_ == "nmod" and root.head.ent_type_ == "ORG":
            return True
        if language_of(doc) in cyrillic.LANGUAGES and (
            _heads_a_body(doc, mention.end) or _names_a_thing_in_quotes(doc, mention.start)
        ):
            return True
        unparsed = language_of(doc) in cyrillic.LANGUAGES and cyrillic.unparsed(root.sent)
        return unparsed and _closes_a_name(doc, mention.start, root.sent.start)
    start, end = _entity_bounds(doc, mention.start)
    if any(_coordinator(t) for t in doc[start:end]):
        return False  # "Kharkiv, Izium and Kupiansk" tagged as one organisation is a list
    return start < mention.start or end > mention.end


def _names_a_local_body(doc: Doc, mention: _Mention) -> bool:
    """The mention opens the name of a body that the place is the seat of: "the Gainesville
    Police Department", "Dublin Arts Council", "Litchfield Superior Court" (not "Columbia
    University" or "Landmark Bank", which name no seat)."""
    start, end = _entity_bounds(doc, mention.start)
    opens = start == mention.start or (start + 1 == mention.start and doc[start].lower_ == "the")
    seated = _seated_bodies()
    return opens and any(t.lemma_.lower() in seated for t in doc[mention.end : end])


def _heads_a_body(doc: Doc, end: int) -> bool:
    """A place's adjective opening the name of a body, in Russian or Ukrainian: "Сумської
    міської ради", "Харківська ОВА" (`data/bodies.yaml`)."""
    index = end
    while index < len(doc) and index - end < MAX_NAME_WORDS and doc[index].is_lower:
        if doc[index].pos_ != "ADJ":
            break
        index += 1
    # every reading of the word: the likeliest of "ради" is "рад", not "рада" (council)
    return index < len(doc) and bool(cyrillic.lemmas(doc[index].text, language_of(doc)) & _bodies())


def _names_a_thing_in_quotes(doc: Doc, start: int) -> bool:
    """A place alone in quotation marks after a noun that is no kind of place names a
    thing: "кінотеатрі «Україна»", "газету «Іскра»"."""
    if start < 2 or doc[start - 1].text not in QUOTES:
        return False
    thing = doc[start - 2]
    return (
        thing.is_lower
        and thing.pos_ == "NOUN"
        and thing.lemma_ not in PLACE_KIND_LEMMAS
        and not _is_region_word(thing)
    )


@lru_cache(maxsize=1)
def _bodies() -> frozenset[str]:
    return frozenset(lexicons.load("bodies")["bodies"])


@lru_cache(maxsize=1)
def _seated_bodies() -> frozenset[str]:
    return frozenset(lexicons.load("bodies")["seated_bodies"])


def _closes_a_name(doc: Doc, start: int, sentence_start: int) -> bool:
    """Where no parser ties a name to the body it qualifies (Ukrainian), a place closing a
    name that a capitalised word inside the sentence opens, with only lower-case nouns and
    adjectives between ("Конгресу США", "Верховного суду США", "Служби безпеки України",
    "Міністерство доходів і зборів України", "Печерського райсуду м. Києва"), or closing a
    name in quotation marks ("«Нафтогаз України»"), is part of that name. A body's word
    among them lets the name open a sentence ("Прокуратура Києва", "Окружний адмінсуд м.
    Києва")."""
    index, between = start - 1, list[Token]()
    while index >= sentence_start and len(between) < MAX_NAME_WORDS:
        word = doc[index]
        if word.text == "." and index > sentence_start and doc[index - 1].lower_ in TOWN_MARKS:
            index -= 2  # "м. Києва": the town's mark is no word of the name
            continue
        if not word.is_lower:
            break
        # "доходів і зборів": a conjunction only between words of the name
        joined = word.lower_ in NAME_CONJUNCTIONS and bool(between) and index > sentence_start
        if word.pos_ not in {"NOUN", "ADJ"} and not (joined and doc[index - 1].is_lower):
            return False
        between.append(word)
        index -= 1
    if index < sentence_start or doc[index].is_lower:
        return False
    opening = doc[index]
    quoted = index > 0 and doc[index - 1].text in QUOTES and opening.text[:1].isupper()
    language = language_of(doc)
    of_a_body = any(cyrillic.lemmas(w.text, language) & _bodies() for w in (opening, *between))
    first = bool(opening.is_sent_start)
    named = opening.pos_ == "PROPN" and (not first or of_a_body)
    return quoted or (named and opening.ent_type_ != "PERSON") or (of_a_body and first)


def _entity_bounds(doc: Doc, index: int) -> tuple[int, int]:
    """The token bounds of the named entity holding a token, from the tokens' IOB tags: no
    search of every entity per mention."""
    start, end = index, index + 1
    while start > 0 and doc[start].ent_iob_ == "I":
        start -= 1
    while end < len(doc) and doc[end].ent_iob_ == "I":
        end += 1
    return start, end


def _inside_longer_name(doc: Doc, start: int, end: int) -> bool:
    """True for "Republic" in "Donetsk People's Republic": a match must start a named entity
    (or follow only its article: "the United States"), or close one that only part words
    open ("Western Pennsylvania"; not "South Ukraine Nuclear Power Plant")."""
    token = doc[start]
    if token.ent_iob_ != "I" or token.ent_type_ not in PLACE_LABELS | {"PERSON", "FAC"}:
        return False
    first, last = _entity_bounds(doc, start)
    allowed = {"the"} | (PART_WORDS if end >= last else set())
    return any(t.lower_ not in allowed for t in doc[first:start])


def _person_tokens(doc: Doc, gazetteer: Gazetteer) -> set[int]:
    """Tokens of person names, and later mentions of the same people by one of their names
    ("Bogdan Syrotiuk" ... "the frame-up of Bogdan"), however the small model labels those.
    A name of several words that is wholly a country's, a first-level division's or a
    city's is that place, whatever the small model says ("Tamil Nadu", "Kryvyi Rih"), and
    so is one with a place noun in it ("Capital Kyiv"); a word of a name that is such a
    place stays one where it stands alone ("Paris" after "Paris Hilton")."""
    people = [
        _after_a_division(ent) for ent in doc.ents
        if ent.label_ == "PERSON" and not any(t.lower_ in PLACE_NOUNS for t in ent)
    ]  # fmt: skip
    people = [person for person in people if len(person)]
    # spaCy's small model often calls a lone town a person; natasha's does so less, but it
    # runs a country into the name after it ("канцлер Німеччини Ангела Меркель"): in
    # Ukrainian and Russian a word of a name that names a country or a region is that place.
    cyrillic_text = language_of(doc) in cyrillic.LANGUAGES
    least = 1 if cyrillic_text else 2
    names = {(ent.start, ent.end) for ent in people if len(ent) >= least}
    words = {
        (i, i + 1)
        for ent in people
        if len(ent) > 1
        for i in (range(ent.start, ent.end) if cyrillic_text else (ent.start, ent.end - 1))
    }
    keys = {span: _names_of(doc, *span) for span in names | words}
    known = gazetteer.lookup({key for found in keys.values() for key in found})
    places = {
        span
        for span, found in keys.items()
        if any(e.is_region or (e.population >= CITY_POPULATION and not _is_an_area(e))
               for key in found for e in known.get(key, []))
    }  # fmt: skip
    regions = {
        span
        for span, found in keys.items()
        if any(e.is_region for k in found for e in known.get(k, []))
    }
    # A lone word natasha or pymorphy3 calls a person stays one unless a country or region
    # bears the name: "Лариса" is a woman, not Larisa in Greece.
    people = [
        ent for ent in people
        if (ent.start, ent.end) not in (regions if cyrillic_text and len(ent) == 1 else places)
    ]  # fmt: skip
    surnames = {
        doc[i].text
        for ent in people
        if len(ent) > 1
        for i in (ent.start, ent.end - 1)
        if (i, i + 1) not in places
    }
    excluded: set[int] = set()
    for ent in people:
        if len(ent) >= least:
            excluded.update(
                i
                for i in range(ent.start, ent.end)
                if not (cyrillic_text and (i, i + 1) in regions)
            )
    if surnames:
        excluded.update(_tokens_written(doc, surnames))
    return excluded


def _after_a_division(person: Span) -> Span:
    """The person in a name that a division opens, as the small model tags "Anderson County
    Sheriff Greg Taylor": "Sheriff Greg Taylor"."""
    divisions = [t.i for t in person if _is_region_word(t)]
    return person.doc[divisions[-1] + 1 : person.end] if divisions else person


def _tokens_written(doc: Doc, words: set[str]) -> list[int]:
    """The indices of the tokens written as one of the words, found without a Python
    object per token."""
    ids = np.array([get_string_id(word) for word in words], dtype=np.uint64)
    return [int(i) for i in np.flatnonzero(np.isin(doc.to_array(ORTH), ids))]


def _is_an_area(entry: GazetteerEntry) -> bool:
    """A country or a division: its population is its towns' together, not a city's."""
    return entry.feature.startswith("A.")


def _runs(doc: Doc, demonyms: dict[str, str], gazetteer: Gazetteer) -> list[tuple[int, int]]:
    """Runs of tokens that may name a place: capitalised words, hyphens between them."""
    persons = _person_tokens(doc, gazetteer)
    runs: list[tuple[int, int]] = []
    start: int | None = None
    previous = -1
    # Only a capitalised word or a hyphen can be in a run; any other token ends one.
    text = doc.text
    firsts = [text[idx] for idx in doc.to_array(IDX).tolist()]
    possible = [i for i, first in enumerate(firsts) if first.isupper() or first in HYPHENS]
    for i in possible:
        if start is not None and i != previous + 1:
            runs.append((start, previous + 1))
            start = None
        previous = i
        token = doc[i]
        eligible = i not in persons and _is_place_token(token, demonyms)
        bridging = token.text in HYPHENS and start is not None
        if eligible or bridging:
            start = i if start is None else start
            if token.is_sent_end:
                runs.append((start, i + 1))
                start = None
        elif start is not None:
            runs.append((start, i))
            start = None
    if start is not None:
        runs.append((start, previous + 1))
    return [_without_trailing_hyphens(doc, run) for run in runs]


def _cuts_a_hyphenated_name(doc: Doc, start: int, end: int) -> bool:
    """ "Watertown-" or "Al" out of "Watertown-ML" and "Al-Qaeda": part of one name (but
    "Kharkiv" of "Kharkiv-based" is a place)."""
    if doc[start].text in HYPHENS or doc[end - 1].text in HYPHENS:
        return True
    joined_after = (
        end + 1 < len(doc)
        and doc[end].text in HYPHENS
        and not doc[end - 1].whitespace_
        and doc[end + 1].text[:1].isupper()
    )
    joined_before = (
        start > 1
        and doc[start - 1].text in HYPHENS
        and not doc[start - 1].whitespace_
        and doc[start - 2].text[:1].isupper()
    )
    return joined_after or joined_before


def _without_trailing_hyphens(doc: Doc, run: tuple[int, int]) -> tuple[int, int]:
    """A hyphen bridges two words of a name; "Al-" before a lower-case word is no name."""
    start, end = run
    while end - 1 > start and doc[end - 1].text in HYPHENS:
        end -= 1
    return start, end


def _without_personal_names(
    doc: Doc, runs: list[tuple[int, int]], gazetteer: Gazetteer
) -> list[tuple[int, int]]:
    """Fast mode has no statistical entity recogniser to tell "David Walker" from "Kryvyi
    Rih": two capitalised words that the gazetteer does not know together, and that follow
    no locative word, are taken for a person's name, and so is the second word alone later."""
    pairs = [
        (start, end)
        for start, end in runs
        if end - start == 2
        and not (start > 0 and doc[start - 1].lower_ in LOCATIVE)
        and not (end < len(doc) and _is_region_word(doc[end]))
    ]
    known = gazetteer.lookup(_norm(doc, start, end) for start, end in pairs)
    names = [(start, end) for start, end in pairs if _norm(doc, start, end) not in known]
    surnames = {doc[end - 1].text for _, end in names}
    return [
        run
        for run in runs
        if run not in names and not (run[1] - run[0] == 1 and doc[run[0]].text in surnames)
    ]


def _norm(doc: Doc, start: int, end: int) -> str:
    return normalize_name(doc[start:end].text)


def _with_region_word(doc: Doc, run: tuple[int, int]) -> tuple[int, int]:
    """A run followed by "oblast", "raion", "hromada" ... takes the word in: "Kharkiv oblast"
    names the division, which the gazetteer knows by that name."""
    start, end = run
    return (start, end + 1) if end < len(doc) and _is_region_word(doc[end]) else run


def _exact_mentions(doc: Doc, runs: list[tuple[int, int]], gazetteer: Gazetteer) -> list[_Mention]:
    grams = [
        (start, end)
        for run_start, run_end in map(lambda run: _with_region_word(doc, run), runs)
        for start in range(run_start, run_end)
        for end in range(start + 1, min(run_end, start + MAX_NGRAM) + 1)
        if not (doc[start].is_lower and _is_region_word(doc[start]))
        and not _cuts_a_hyphenated_name(doc, start, end)
        and not (end == start + 1 < run_end and doc[start].lower_ in PART_WORDS)
    ]
    found = _lookup(doc, grams, gazetteer)
    taken: set[int] = set()
    mentions: list[_Mention] = []
    for start, end in sorted(grams, key=lambda g: (g[0] - g[1], g[0])):
        entries = found.get((start, end))
        if (
            entries
            and not taken.intersection(range(start, end))
            and not _inside_longer_name(doc, start, end)
        ):
            taken.update(range(start, end))
            norm = _norm(doc, start, end)
            mentions.append(_Mention(start, _with_closing_period(doc, end), norm, entries))
    return mentions


def _with_closing_period(doc: Doc, end: int) -> int:
    """An abbreviation takes in its own period, which the tokenizer splits off at a
    sentence's end ("Charleston, W.Va." reads "W.Va", ".")."""
    if end >= len(doc) or doc[end].text != "." or doc[end - 1].whitespace_:
        return end
    abbreviations: dict[str, int] = lexicons.load("place_abbreviations")
    return end + 1 if doc[end - 1].text + "." in abbreviations else end


def _lookup(
    doc: Doc, spans: list[tuple[int, int]], gazetteer: Gazetteer
) -> dict[tuple[int, int], list[GazetteerEntry]]:
    """The gazetteer's entries for each span: by its normalised name, or, for a written form
    no name meets ("Ill.", "W.Va."), by `data/place_abbreviations.yaml`; in Ukrainian and
    Russian, failing the name as written, by its lemmas ("Харкові" -> "харків")."""
    abbreviations: dict[str, int] = lexicons.load("place_abbreviations")
    by_id = gazetteer.get(
        abbreviations[doc[s:e].text] for s, e in spans if doc[s:e].text in abbreviations
    )
    keys = {span: _names_of(doc, *span) for span in spans}
    by_name = gazetteer.lookup({key for names in keys.values() for key in names})
    found = {}
    for start, end in spans:
        written = abbreviations.get(doc[start:end].text)
        entries = [by_id[written]] if written in by_id else None
        for key in keys[(start, end)]:
            entries = entries or by_name.get(key)
        if entries:
            found[(start, end)] = entries
    return found


def _names_of(doc: Doc, start: int, end: int) -> list[str]:
    """The normalised names a span may stand for: as written, then (Ukrainian, Russian) in
    the nominative, or (English) the name an adjective before a kind of place stands for
    ("Antratsytiv district" -> Antratsyt)."""
    written = _norm(doc, start, end)
    language = language_of(doc)
    if language not in cyrillic.LANGUAGES:
        return [written, *_adjective_names(doc, start, end)]
    words = [t.text for t in doc[start:end]]
    shared = _shared_region_word(doc, end)
    lemmas = [
        normalize_name(k)
        for named in ([[*words, doc[shared].text]] if shared is not None else []) + [words]
        for k in cyrillic.place_keys(named, language)
    ]
    if language == "uk":  # last, names the gazetteer holds in Russian only ("Пенсильванія")
        lemmas += [cyrillic.russian_spelling(k) for k in lemmas]
    return list(dict.fromkeys([written, *lemmas]))


def _shared_region_word(doc: Doc, end: int) -> int | None:
    """The region word a list of adjectives shares ("над Белгородской, Брянской и Московской
    областями"): each adjective before it names a region of its own."""
    if doc[end - 1].pos_ != "ADJ":
        return None
    listed = False
    for token in doc[end : end + MAX_SHARED_LIST]:
        if _is_region_word(token):
            return token.i if listed else None
        if not (_coordinator(token) or (token.pos_ == "ADJ" and token.text[:1].isupper())):
            return None
        listed = True
    return None


@lru_cache(maxsize=1)
def _place_adjectives() -> tuple[frozenset[str], list[tuple[str, list[str]]]]:
    """The kind words and the endings (the longest first) of `data/place_adjectives.yaml`."""
    data = lexicons.load("place_adjectives")
    endings = sorted(data["endings"].items(), key=lambda item: len(item[0]), reverse=True)
    return frozenset(data["kind_words"]), endings


def _adjective_names(doc: Doc, start: int, end: int) -> list[str]:
    """The names a capitalised adjective may be made from, where a kind of place follows it
    within three words (`data/place_adjectives.yaml`)."""
    kind_words, endings = _place_adjectives()
    word = doc[start]
    if end - start != 1 or not word.text[:1].isupper():
        return []
    if not any(t.lower_ in kind_words for t in doc[end : end + 3]):
        return []
    written = normalize_name(word.text)
    for ending, instead in endings:
        if written.endswith(ending) and len(written) - len(ending) >= 3:
            return [written.removesuffix(ending) + other for other in instead]
    return []


@lru_cache(maxsize=4096)
def _names_in(gazetteer: Gazetteer, country: str, initial: str) -> tuple[list[str], list[int]]:
    """A country's place names that begin with `initial`, loaded once per process.

    Misspellings of place names keep their first letter far more often than not; matching
    within it makes fuzzy matching some twenty times cheaper, and loading only the names a
    text needs keeps the first texts from a new country cheap too.
    """
    rows = gazetteer.names_in_country(country, initial)
    return [norm for norm, _ in rows], [geonameid for _, geonameid in rows]


def _fuzzy_candidates(
    doc: Doc, runs: list[tuple[int, int]], taken: set[int]
) -> list[tuple[int, int]]:
    """Unmatched proper nouns in locative position ("in Balakhya"): maybe misspelt places.
    Elsewhere a name the gazetteer lacks is far more often a person's ("Putin", "Karelina")."""
    candidates = []
    for start, end in runs:
        if taken.intersection(range(start, end)) or end - start > 2:
            continue
        before = doc[start - 1] if start > 0 else None
        if before is not None and before.lower_ in FUZZY_LOCATIVE:
            candidates.append((start, end))
    return candidates


def _fuzzy(
    doc: Doc, spans: list[tuple[int, int]], focus: tuple[str, ...], gazetteer: Gazetteer
) -> list[_Mention]:
    """Match spans to the names of places in the focus countries, by spelling distance."""
    mentions = []
    for start, end in spans:
        names = _names_of(doc, start, end)
        norm = names[1] if len(names) > 1 else names[0]  # in the nominative, where inflected
        if len(norm) < 5:
            continue
        best_similarity: dict[int, float] = {}
        for country in focus:
            names, ids = _names_in(gazetteer, country, norm[:1])
            matches = process.extract(
                norm, names, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=25
            )
            for _, similarity, index in matches:
                geonameid = ids[index]
                best_similarity[geonameid] = max(best_similarity.get(geonameid, 0.0), similarity)
        if not best_similarity:
            continue
        entries = gazetteer.get(best_similarity)
        similarity = max(best_similarity.values())
        top = [entries[g] for g, s in best_similarity.items() if s >= similarity - 6]
        mentions.append(_Mention(start, end, norm, top, similarity))
    return mentions


def _with_context(doc: Doc, mentions: list[_Mention]) -> list[_Mention]:
    """Give each mention followed by ", <place>" that place's candidates as context."""
    ordered = sorted(mentions, key=lambda m: m.start)
    for first, second in pairwise(ordered):
        if second.start == first.end + 1 and doc[first.end].text == ",":
            first.context = second.entries
    return ordered


Ranked = list[tuple[GazetteerEntry, float]]


def _sentence_starts(doc: Doc) -> list[int]:
    """Where `doc.sents` starts each sentence, without a span per sentence."""
    marked = np.flatnonzero(doc.to_array(SENT_START) == 1).tolist()
    return [0, *(i for i in marked if i > 0)] if len(doc) else []


def _views(doc: Doc, mentions: list[_Mention]) -> list[place_ranker.Mention]:
    """What the ranker knows of each mention."""
    starts = _sentence_starts(doc) if doc.has_annotation("SENT_START") else []
    return [
        place_ranker.Mention(
            norm=mention.norm,
            entries=mention.entries,
            similarity=mention.similarity,
            context=mention.context,
            before=tuple(t.lower_ for t in doc[max(0, mention.start - 3) : mention.start]),
            after=doc[mention.end].lower_ if mention.end < len(doc) else "",
            sentence=starts[bisect_right(starts, mention.start) - 1] if starts else -1,
        )
        for mention in mentions
    ]


def _ranked(
    report: place_ranker.Report, chosen: list[int], ranker: place_ranker.Ranker | None = None
) -> list[Ranked]:
    """The chosen mentions' candidates, the likeliest first, with the ranker's probability:
    each mention ranked among the chosen ones."""
    model = ranker or place_ranker.shipped()
    ranked = []
    for i, matrix in zip(chosen, report.features(chosen), strict=True):
        scored = zip(report.candidates[i].entries, model.probabilities(matrix), strict=True)
        ranked.append(
            sorted(scored, key=lambda pair: (-pair[1], -pair[0].population, pair[0].geonameid))
        )
    return ranked


DATELINE_MARKS = {"—", "–", "-", ":", "(", ","}
QUOTES = {"«", "„", "“", '"'}
# Russian and Ukrainian kinds of place a name in quotation marks may follow: "село «Мирне»"
PLACE_KIND_LEMMAS = {"місто", "село", "селище", "смт", "город", "посёлок", "поселок", "деревня"}
MAX_NAME_WORDS = 4  # lower-case words between a name's capitalised opening and its place
NAME_CONJUNCTIONS = {"і", "й", "та", "и"}
TOWN_MARKS = {"м", "г", "с", "смт"}  # "м. Києва", "г. Москвы", "с. Мирне": town, village


def _dateline_at(doc: Doc, start: int, end: int) -> bool:
    """ "MOSCOW —", "New Delhi:", "KYIV (Reuters) -", "KYIV, Ukraine —": the words from
    `start` to `end` say where the report was filed, at the start of a paragraph, not where
    anything in it happened."""
    first = doc[start]
    starts_paragraph = start == 0 or "\n" in doc[start - 1].whitespace_ + (
        doc[start - 1].text if doc[start - 1].is_space else ""
    )
    # Capitals mark a dateline where a headline runs into the text ("... winter maintenance.
    # TORRINGTON — City Council ...").
    if not (first.is_sent_start and (starts_paragraph or first.is_upper)) or end >= len(doc):
        return False
    mark = doc[end].text
    if mark == ",":  # "KYIV, Ukraine —"
        rest = doc[end + 1 : end + 5]
        return any(t.text in DATELINE_MARKS - {","} for t in rest) and first.is_upper
    return mark in DATELINE_MARKS and (mark != "-" or first.is_upper)


def _in_a_dateline(token: Token) -> bool:
    """A word of a dateline written in capitals ("TORRINGTON —", "NEW YORK —"), which the
    small model may call a noun or an adverb."""
    if not (token.is_upper and token.is_alpha):
        return False
    doc = token.doc
    start, end = token.i, token.i + 1
    while start > 0 and doc[start - 1].is_upper and doc[start - 1].is_alpha:
        start -= 1
    while end < len(doc) and doc[end].is_upper and doc[end].is_alpha:
        end += 1
    return _dateline_at(doc, start, end)


def _qualifier(doc: Doc, mention: _Mention) -> tuple[str | None, int]:
    """Relative wording around a mention and the ACLED precision it implies."""
    if _dateline_at(doc, mention.start, mention.end):
        return DATELINE, 1
    if _in_an_organisation(doc, mention):
        return IN_AN_ORGANISATION, 1
    window = doc[max(0, mention.start - 3) : mention.start]
    after = doc[mention.end].lower_ if mention.end < len(doc) else ""
    if after in REGION_WORDS:
        return after, 3
    for token in reversed(window):
        if _coordinator(token):
            break  # "South Korea and West Virginia": the word is another place's
        if token.lower_ in NEAR_WORDS:
            return token.lower_, 2
    return None, 1


WEAK_POPULATION = 50_000
CITY_POPULATION = 100_000
# How alike two names must be to be spellings of one ("Kiev" 75, "Kharkov" 86), not two
# names of one place ("Molotov" of Perm 18, "Artemovsk" of Bakhmut 25). Between the two
# ("Zaporozhye" 64) a name needs evidence: at 50 instead of 70, toponym precision end to end
# fell from 0.843 to 0.810 on GeoWebNews and from 0.716 to 0.685 on LGL.
SPELLING_SIMILARITY = 70
# Nouns after which "of X" names a place: "the city of Bakhmut", "the outskirts of Kherson".
PLACE_NOUNS = {
    "city", "town", "village", "settlement", "region", "oblast", "province", "district",
    "outskirts", "suburbs", "centre", "center", "port", "capital", "area", "vicinity",
}  # fmt: skip


def _supported(doc: Doc, mention: _Mention) -> bool:
    """Whether anything besides a capital letter says the mention is a place: the entity
    recogniser, a locative word before it ("in", "near", "the city of"), a division word
    after it ("Kharkiv oblast"), a place named after a comma ("Izium, Kharkiv"), a name of
    several words, a country's or first-level division's name, or a dateline in capitals."""
    before = doc[mention.start - 1] if mention.start > 0 else None
    after = doc[mention.end] if mention.end < len(doc) else None
    of_a_place = (
        before is not None
        and before.lower_ == "of"
        and mention.start > 1
        and doc[mention.start - 2].lower_ in PLACE_NOUNS
    )
    return (
        mention.end - mention.start > 1
        or _recognised(doc, mention)
        or _after_a_locative(doc, mention)
        or of_a_place
        or (after is not None and _is_region_word(after))
        or bool(mention.context)
        or any(entry.is_region for entry in mention.entries)
        or (doc[mention.start].is_upper and _dateline_at(doc, mention.start, mention.end))
        or _before_a_resident(doc[mention.end - 1])
    )


def _recognised(doc: Doc, mention: _Mention) -> bool:
    """The entity recogniser calls the mention itself a place, not a longer name that holds
    it ("Nord" of "Nord Stream")."""
    if doc[mention.start].ent_type_ not in PLACE_LABELS:
        return False
    start, end = _entity_bounds(doc, mention.start)
    leading = start < mention.start and doc[start].lower_ != "the"
    trailing = end > mention.end and not _is_region_word(doc[mention.end])
    return not (leading or trailing)


def _capitalised_name_word(token: Token) -> bool:
    return token.text[:1].isupper() and token.pos_ == "PROPN" and not token.is_sent_start


def _inside_a_longer_name(doc: Doc, mention: _Mention, placed: set[int]) -> bool:
    """A word of a name that is not a place's: "Minister" in "Energy Minister", "Martin" in
    "Lockheed Martin", "Nord" in "Nord Stream" (a neighbouring capitalised name word that is
    no place itself), "Republic" in "Republic of Crimea"."""
    before = doc[mention.start - 1] if mention.start > 0 else None
    after = doc[mention.end] if mention.end < len(doc) else None
    of_a_name = (
        after is not None
        and after.lower_ == "of"
        and not _is_region_word(doc[mention.end - 1])  # "the Chuhuiv raion of Kharkiv"
        and mention.end + 1 < len(doc)
        and _capitalised_name_word(doc[mention.end + 1])
    )
    return (
        any(
            neighbour is not None
            and neighbour.i not in placed
            and not _is_region_word(neighbour)
            and not (neighbour is before and neighbour.lower_ in PART_WORDS)
            and _capitalised_name_word(neighbour)
            for neighbour in (before, after)
        )
        or of_a_name
        or (before is not None and before.text in HYPHENS)
    )


def _is_weak(
    doc: Doc,
    mention: _Mention,
    best: GazetteerEntry,
    focus: Counter[str],
    placed: set[int],
) -> bool:
    """A word is a place only with evidence. Without any, a word that is not the place's own
    name ("Molotov" cocktails for Perm), a common English word or a date ("Hope",
    "Christmas") unless a city of the report's countries, or a small town outside the
    report's countries is no place ("Cargo warhead lying on a street"); a word of a longer
    name passes only as a country, a first-level division, a city or a division named with
    its kind ("Kyiv Mayor", "Lamar County Commissioners"), or as the seat of a local body in
    the report's countries ("the Gainesville Police Department"); a spelling guess is never
    a possessive ("towards Putin's men")."""
    if mention.similarity < 100:
        following = doc[mention.end] if mention.end < len(doc) else None
        if following is not None and following.tag_ == "POS":
            return True
    # A county is not a city, however many live in it ("Nord" of "Nord Stream"); a division
    # named with its kind is a place inside a longer name ("Lamar County Commissioners").
    major = (
        best.is_region
        or (best.population >= CITY_POPULATION and not _is_an_area(best))
        or (best.feature.startswith("A.ADM") and _is_region_word(doc[mention.end - 1]))
    )
    in_focus = best.country is not None and focus[best.country] > 0
    if _inside_a_longer_name(doc, mention, placed) and not major:
        return True
    if _in_an_organisation(doc, mention) and not (
        major or (in_focus and _names_a_local_body(doc, mention))
    ):
        return True
    if _opens_with_a_noun(doc[mention.start]) and not (major and in_focus):
        return True  # "Час" (time) opening a sentence is no town in India
    acronym = mention.end - mention.start == 1 and doc[mention.start].text.isupper()
    if acronym and len(doc[mention.start]) <= 5 and not major:
        return True  # "NATO", "EU", "UN": a body, not the small town of that name
    listed = _listed_with_a_place(doc, mention, placed)
    if _first_name(doc, mention) and not (
        listed or mention.context or _after_a_locative(doc, mention)
    ):
        return True  # "Софія чекала": a woman, not Bulgaria's capital
    if _supported(doc, mention) or listed:
        return False
    one_word = mention.end - mention.start == 1
    word = doc[mention.start]
    if (
        one_word
        and not (major and in_focus)
        and (surface.is_common_word(word.text) or word.ent_type_ == "DATE")
    ):
        return True  # "Hope", "Center", "Christmas": a word, not a town; "Man" no Ivorian city
    if _another_name(mention.norm, best):
        return True  # "Molotov" cocktails are not Perm, once named Molotov
    return not in_focus and best.population < WEAK_POPULATION


def _another_name(norm: str, entry: GazetteerEntry) -> bool:
    """Whether a name is another or an older name of the place ("Molotov" of Perm,
    "Artemovsk" of Bakhmut), not a spelling of its own ("Kharkov", "Kiev", "Харків")."""
    if cyrillic.in_cyrillic(norm):
        return False  # the same name in the other script
    return fuzz.ratio(norm, normalize_name(entry.name)) < SPELLING_SIMILARITY


def _first_name(doc: Doc, mention: _Mention) -> bool:
    """A Russian or Ukrainian word the dictionary reads as a first name ("Софія"), where no
    entity recogniser (natasha, for Russian) calls it a place."""
    language = language_of(doc)
    return (
        language in cyrillic.LANGUAGES
        and mention.end - mention.start == 1
        and cyrillic.may_name_a_person(doc[mention.start].text, language)
        and not _recognised(doc, mention)
    )


def _after_a_locative(doc: Doc, mention: _Mention) -> bool:
    return mention.start > 0 and doc[mention.start - 1].lower_ in LOCATIVE


def _listed_with_a_place(doc: Doc, mention: _Mention, placed: set[int]) -> bool:
    """ "Kharkiv, Izium and Kupiansk": a name in a list with other place names."""
    word = doc[mention.end - 1]
    return any(other.i in placed for other in word.conjuncts)


def _focus(doc: Doc, mentions: list[_Mention]) -> Counter[str]:
    """The countries the report names: by demonym ("Russian") or by name."""
    demonyms = lexicons.demonyms()
    words = doc.to_array([ORTH, LEMMA])
    maybe = np.isin(words, _demonym_ids()).any(axis=1)  # as written, or by its lemma
    focus: Counter[str] = Counter(
        country
        for i in np.flatnonzero(maybe).tolist()
        if (country := lexicons.nationality(doc[i], demonyms)) is not None
    )
    for mention in mentions:
        focus.update({e.country for e in mention.entries if e.is_country and e.country})
    return focus


@lru_cache(maxsize=1)
def _demonym_ids() -> npt.NDArray[np.uint64]:
    return np.array([get_string_id(word) for word in lexicons.demonyms()], dtype=np.uint64)


def _surely_in(
    doc: Doc, mentions: list[_Mention], focus: Counter[str], trusted: bool = False
) -> Counter[str]:
    """The report's countries: those it names, and those of the places it surely names (a
    supported mention whose candidates all lie in one country). A bare capitalised word
    must not pull the report towards its country; `trusted`: the mentions are known to be
    places (gold spans), not guesses."""
    countries = Counter(focus)
    for mention in mentions:
        if trusted or _supported(doc, mention):
            found = {entry.country for entry in mention.entries}
            if len(found) == 1 and None not in found:
                countries.update(country for country in found if country)
    return countries


def _focus_countries(focus: Counter[str]) -> tuple[str, ...]:
    return tuple(sorted(country for country, _ in focus.most_common(3)))


def _geonameid(entry: GazetteerEntry) -> int | None:
    return entry.geonameid if entry.geonameid > 0 else None  # see sitreps.divisions


def _features(doc: Doc, mention: _Mention, ranked: Ranked, focus: Counter[str]) -> list[float]:
    """What the stage knows of a mention, in the order of `place_confidence.FEATURES`."""
    best = ranked[0][0]
    before = doc[mention.start - 1] if mention.start > 0 else None
    after = doc[mention.end] if mention.end < len(doc) else None
    return [
        ranked[0][1],
        float(mention.similarity < 100),
        float(_recognised(doc, mention)),
        float(before is not None and before.lower_ in LOCATIVE),
        float(mention.end - mention.start > 1),
        float(bool(mention.context) or (after is not None and _is_region_word(after))),
        float(best.is_country),
        float(best.is_region and not best.is_country),
        math.log10(best.population + 10) / 7,
        math.log1p(len(ranked)),
        float(best.country is not None and focus[best.country] > 0),
        float(bool(doc[mention.start].is_sent_start)),
    ]


def _places(
    doc: Doc,
    mentions: list[_Mention],
    all_ranked: list[Ranked],
    surely_in: Counter[str],
    first_number: int,
    calibration: place_confidence.Calibration | None,
) -> list[tuple[Place, list[float]]]:
    """Each mention (in the text's order) as a place, its candidates ranked, with the
    features its confidence is computed from; without a calibration (to train one) the
    confidence is the ranker's probability, times the spelling similarity of a fuzzy
    match."""
    gazetteer = open_gazetteer()
    places = []
    pairs = zip(mentions, all_ranked, strict=True)
    for number, (mention, ranked) in enumerate(pairs, start=first_number):
        best, probability = ranked[0]
        qualifier, precision = _qualifier(doc, mention)
        tokens = doc[mention.start : mention.end]
        features = _features(doc, mention, ranked, surely_in)
        place = (
            Place(
                id=f"p{number}",
                surface=tokens.text,
                span=span_of(tokens),
                geonameid=_geonameid(best),
                name=best.name,
                lat=best.lat,
                lon=best.lon,
                country=best.country,
                admin1=gazetteer.admin1_name(best.country, best.admin1_code),
                admin1_code=best.admin1_code,
                admin2=best.admin2,
                admin3=best.admin3,
                feature=best.feature,
                geo_precision=max(best.precision, precision),
                qualifier=qualifier,
                confidence=round(
                    calibration.probability(features)
                    if calibration
                    else probability * mention.similarity / 100,
                    3,
                ),
                method="exact" if mention.similarity == 100 else "fuzzy",
                alternatives=[
                    PlaceCandidate(
                        geonameid=_geonameid(entry),
                        name=entry.name,
                        lat=entry.lat,
                        lon=entry.lon,
                        country=entry.country,
                        admin1_code=entry.admin1_code,
                        population=entry.population,
                        score=round(score, 3),
                    )
                    for entry, score in ranked[1:4]
                ],
            ),
            features,
        )
        places.append(place)
    return places


def _named_by_adjective(
    text: str, demonyms: dict[str, str], gazetteer: Gazetteer
) -> GazetteerEntry | None:
    """As a given mention, "Russian" or "Russians" stands for Russia, "European" for Europe."""
    singular = text[:-1] if text.endswith("s") and text[:-1] in demonyms else text
    if singular in demonyms:
        return gazetteer.country(demonyms[singular])
    continent: str | None = lexicons.load("continent_adjectives").get(text)
    return gazetteer.continent(continent) if continent else None


def _named_inside(doc: Doc, spans: list[tuple[int, int]], gazetteer: Gazetteer) -> list[_Mention]:
    """A given name that is no place's, read by the place named inside it: "Dubai World
    Cup", "Old Town Manassas", "University of California", "Russian Embassy". The longest
    capitalised part the gazetteer knows wins, the leftmost among equals."""
    demonyms = lexicons.demonyms()
    parts = {
        (start, end): [
            (a, b)
            for length in range(end - start - 1, 0, -1)
            for a in range(start, end - length + 1)
            for b in [a + length]
            if doc[a].text[:1].isupper() and not doc[a].is_stop
        ]
        for start, end in spans
    }
    found = _lookup(doc, [part for inside in parts.values() for part in inside], gazetteer)
    mentions = []
    for (start, end), inside in parts.items():
        for a, b in inside:
            region = _named_by_adjective(doc[a:b].text, demonyms, gazetteer)
            entries = [region] if region is not None else found.get((a, b))
            if entries:
                mentions.append(_Mention(start, end, _norm(doc, a, b), entries))
                break
    return mentions


def _given(doc: Doc, spans: list[tuple[int, int]]) -> tuple[list[_Mention], Counter[str]]:
    """Mentions of the given spans that have candidates, and the countries the report
    names."""
    gazetteer = open_gazetteer()
    demonyms = lexicons.demonyms()
    found = _lookup(doc, spans, gazetteer)
    for start, end in spans:
        region = _named_by_adjective(doc[start:end].text, demonyms, gazetteer)
        if region is not None:
            found[(start, end)] = [region]
    mentions = [
        _Mention(start, end, _norm(doc, start, end), found[(start, end)])
        for start, end in spans
        if (start, end) in found
    ]
    mentions += _named_inside(doc, [span for span in spans if span not in found], gazetteer)
    focus = _focus(doc, mentions)
    matched = {(m.start, m.end) for m in mentions}
    unmatched = [span for span in spans if span not in matched]
    surely_in = _surely_in(doc, mentions, focus, trusted=True)
    mentions += _fuzzy(doc, unmatched, _focus_countries(surely_in), gazetteer)
    return _with_context(doc, mentions), focus


def ranking_inputs(
    doc: Doc, spans: list[tuple[int, int]]
) -> list[tuple[tuple[int, int], list[GazetteerEntry], place_ranker.Matrix]]:
    """For training the ranker on given mentions: each span that has candidates, with its
    candidates in the ranker's order and their features."""
    mentions, focus = _given(doc, spans)
    matrices = place_ranker.features(_views(doc, mentions), focus)
    return [
        ((m.start, m.end), place_ranker.candidates(m.entries), matrix)
        for m, matrix in zip(mentions, matrices, strict=True)
    ]


def resolve(
    doc: Doc, spans: list[tuple[int, int]], ranker: place_ranker.Ranker | None = None
) -> list[Place | None]:
    """Resolve mentions whose token spans are given (gold spans, in evaluation).

    One result per span, in order; None where no candidate was found.
    """
    mentions, focus = _given(doc, spans)
    surely_in = _surely_in(doc, mentions, focus, trusted=True)
    report = place_ranker.Report(_views(doc, mentions), focus)
    ranked = _ranked(report, list(range(len(mentions))), ranker)
    by_span = {
        (place.span.start, place.span.end): place
        for place, _ in _places(doc, mentions, ranked, surely_in, 1, place_confidence.shipped())
    }
    return [by_span.get((doc[s].idx, doc[e - 1].idx + len(doc[e - 1]))) for s, e in spans]


# "at 50.464581, 30.484389": decimal degrees, latitude first, as geolocators write them.
_COORDINATES = re.compile(r"(?<![\d.])(-?\d{1,2}\.\d{3,})\s*[,;]\s*(-?\d{1,3}\.\d{3,})(?!\.?\d)")


def _coordinates(doc: Doc, gazetteer: Gazetteer, first_number: int) -> list[Place]:
    """Points written in the text, named after the nearest populated place."""
    places: list[Place] = []
    for match in _COORDINATES.finditer(parsed_text(doc)):
        lat, lon = float(match.group(1)), float(match.group(2))
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            continue
        nearest = gazetteer.nearest(lat, lon)
        places.append(
            Place(
                id=f"p{first_number + len(places)}",
                surface=match.group(0),
                span=text_span(doc, match.start(), match.end()),
                geonameid=None,
                name=nearest.name if nearest else None,
                lat=lat,
                lon=lon,
                country=nearest.country if nearest else None,
                admin1_code=nearest.admin1_code if nearest else None,
                feature=None,
                geo_precision=1,
                qualifier="coordinates",
                confidence=0.99,
                method="coordinates",
            )
        )
    return places


def find(
    doc: Doc,
    mode: Mode,
    first_number: int = 1,
    calibration: place_confidence.Calibration | None = None,
    ranker: place_ranker.Ranker | None = None,
) -> list[tuple[Place, list[float]]]:
    """The place mentions of a parsed text, each with the features of its confidence
    (`place_confidence.FEATURES`; none for coordinates, which are read, not guessed);
    `ranker`: another than the shipped one (to train the confidence on held-out rankings)."""
    gazetteer = open_gazetteer()
    demonyms = lexicons.demonyms()
    runs = _runs(doc, demonyms, gazetteer)
    if mode is Mode.FAST:
        runs = _without_personal_names(doc, runs, gazetteer)
    mentions = _exact_mentions(doc, runs, gazetteer)
    focus = _focus(doc, mentions)
    surely_in = _surely_in(doc, mentions, focus)
    taken = {i for m in mentions for i in range(m.start, m.end)}
    fuzzy_spans = _fuzzy_candidates(doc, runs, taken)
    mentions += _fuzzy(doc, fuzzy_spans, _focus_countries(surely_in), gazetteer)
    mentions = _with_context(doc, mentions)
    placed = {i for m in mentions for i in range(m.start, m.end)}
    # Ranked among all the candidate mentions to tell which are places, then again among
    # the places alone.
    report = place_ranker.Report(_views(doc, mentions), focus)
    best = [ranked[0][0] for ranked in _ranked(report, list(range(len(mentions))), ranker)]
    kept = [
        i for i, (m, b) in enumerate(zip(mentions, best, strict=True))
        if not _is_weak(doc, m, b, surely_in, placed)
    ]  # fmt: skip
    found = _places(
        doc,
        [mentions[i] for i in kept],
        _ranked(report, kept, ranker),
        surely_in,
        first_number,
        calibration,
    )
    return found + [
        (place, []) for place in _coordinates(doc, gazetteer, first_number + len(found))
    ]


@stage(
    requires=(
        "doc",
        "analysis.mode",
    ),
    assigns=(
        "analysis.places",
        "place_tokens",
    ),
)
def run(state: DocumentState) -> None:
    doc = state.parsed
    first_number = len(state.analysis.places) + 1
    resources = state.resources
    found = find(
        doc, state.analysis.mode, first_number, resources.place_confidence, resources.place_ranker
    )
    for place, _ in found:
        state.analysis.places.append(place)
        for token in tokens_of(doc, place.span) or []:
            state.place_tokens[token.i] = place.id
