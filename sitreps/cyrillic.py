"""Ukrainian and Russian text read into the spaCy Doc every stage reads.

English is parsed by spaCy's statistical pipeline; no such pipeline exists offline for
Ukrainian or Russian (the `ru_core_news_*`/`uk_core_news_*` names on PyPI are
placeholders). Here `natasha` (razdel) cuts tokens and sentences and, in Russian, its
news NER model finds names; `pymorphy3` gives each word its part of speech and lemma, in
the dictionary of the report's language. The Doc is made on the English pipeline's vocabulary,
so that the lexicon matchers of every stage read it as they read English; its language is
kept in `Doc.user_data` (`state.LANGUAGE_KEY`).

natasha's NER was trained on Russian news: its place spans score F1 0.86 on the Russian
dev sets of `../shared/data/ruuk`, and 0.37–0.44 on the Ukrainian ones. So in Ukrainian
every capitalised word inside a sentence is a candidate name, the gazetteer, matched
through the lemmas of each word (`place_keys`: "Харкові" -> "харків", "Харківській
області" -> "харківська область"), decides which are places, and pymorphy3's name and
surname tags say which are people.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, Any, cast

from spacy.tokens import Doc, Span
from spacy.vocab import Vocab

if TYPE_CHECKING:
    from pymorphy3 import MorphAnalyzer
    from pymorphy3.analyzer import Parse

LANGUAGES = ("ru", "uk")
# pymorphy3's parts of speech (OpenCorpora tags) as the universal ones spaCy uses.
_POS = {
    "NOUN": "NOUN", "ADJF": "ADJ", "ADJS": "ADJ", "COMP": "ADJ", "VERB": "VERB",
    "INFN": "VERB", "PRTF": "VERB", "PRTS": "VERB", "GRND": "VERB", "NUMR": "NUM",
    "ADVB": "ADV", "NPRO": "PRON", "PRED": "ADV", "PREP": "ADP", "CONJ": "CCONJ",
    "PRCL": "PART", "INTJ": "INTJ",
}  # fmt: skip
_NAME_TAGS = {"Name", "Surn", "Patr"}
_PROPER_TAGS = _NAME_TAGS | {"Geox", "Orgn", "Trad", "Abbr"}
_ENTITY_LABELS = {"PER": "PERSON", "LOC": "GPE", "ORG": "ORG"}
# natasha's model is Russian: on Ukrainian it runs places into people's names ("Львів з
# Києва" as one person), so there the gazetteer and pymorphy3's name tags find names alone.
_RECOGNISED = {"ru": {"PER", "LOC", "ORG"}, "uk": set()}
MAX_LEMMAS = 4  # of a word's parses, the lemmas tried against the gazetteer
ABBREVIATIONS = {"обл": "область", "р-н": "район", "р-ні": "район"}  # "Донецька обл."


@lru_cache(maxsize=1)
def _natasha() -> tuple[Any, Any]:
    from natasha import NewsEmbedding, NewsNERTagger, Segmenter

    return Segmenter(), NewsNERTagger(NewsEmbedding())


@lru_cache(maxsize=len(LANGUAGES))
def morphology(language: str) -> MorphAnalyzer:
    from pymorphy3 import MorphAnalyzer

    return MorphAnalyzer(lang=language)


@lru_cache(maxsize=100_000)
def _parses(word: str, language: str) -> tuple[Parse, ...]:
    return tuple(morphology(language).parse(word))


def read(text: str, language: str, vocab: Vocab) -> Doc:
    """The text as a Doc: tokens and sentences (razdel), parts of speech and lemmas
    (pymorphy3), names (natasha's NER, and pymorphy3's name tags in Ukrainian)."""
    from natasha import Doc as NatashaDoc

    segmenter, tagger = _natasha()
    parsed = NatashaDoc(text)
    parsed.segment(segmenter)
    if _RECOGNISED[language]:
        parsed.tag_ner(tagger)
    sentence_starts = {sentence.start for sentence in parsed.sents}
    tokens = _with_apostrophes(text, [(t.start, t.stop) for t in parsed.tokens])
    words, spaces, starts = _words(text, tokens, sentence_starts)
    openings = _openings(words, starts)
    # Capitalised inside a sentence somewhere, a word opening a sentence is a name there too.
    named = {
        word
        for word, first in zip(words, openings, strict=True)
        if not first and word[:1].isupper()
    }
    tags = [
        _tag(word, language, opening=first and word not in named)
        for word, first in zip(words, openings, strict=True)
    ]
    doc = Doc(
        vocab,
        words=words,
        spaces=spaces,
        sent_starts=cast("list[bool | int | None]", starts),
        pos=[pos for pos, _ in tags],
        lemmas=[lemma for _, lemma in tags],
    )
    entities = [
        span
        for found in parsed.spans or []
        if found.type in _RECOGNISED[language]
        and (span := doc.char_span(found.start, found.stop, _ENTITY_LABELS[found.type],
                                   alignment_mode="expand")) is not None
    ]  # fmt: skip
    if language == "uk":
        entities += _people(doc, language)
    doc.set_ents(_without_overlaps(entities))
    return doc


APOSTROPHES = set("'’ʼ`")
# After these a capital letter says nothing: a sentence, a quotation or a line of dialogue
# begins ("— Так, — сказав він").
_OPENERS = {".", "!", "?", "…", "«", "„", "“", '"', "—", "–", "-", ":", "(", "["}


def _openings(words: list[str], starts: list[bool]) -> list[bool]:
    """Which words open a sentence, a quotation or a line of dialogue."""
    openings = []
    previous = "."
    for word, start in zip(words, starts, strict=True):
        openings.append(start or previous in _OPENERS)
        if not word.isspace():
            previous = word
    return openings


def _with_apostrophes(text: str, tokens: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """razdel cuts Ukrainian words at their apostrophe ("п'ять", "Мар'яна"): joined again
    where a letter stands on each side of it."""
    joined: list[tuple[int, int]] = []
    for start, stop in tokens:
        if (
            len(joined) >= 2
            and joined[-1][1] == start
            and text[joined[-1][0] : joined[-1][1]] in APOSTROPHES
            and joined[-2][1] == joined[-1][0]
            and text[start].isalpha()
            and text[joined[-2][1] - 1].isalpha()
        ):
            first, _ = joined[-2]
            del joined[-2:]
            joined.append((first, stop))
        else:
            joined.append((start, stop))
    return joined


def _words(
    text: str, tokens: list[tuple[int, int]], sentence_starts: set[int]
) -> tuple[list[str], list[bool], list[bool]]:
    """razdel's tokens as spaCy words: one space after a word is its trailing space, other
    whitespace a token of its own, so that the Doc's text is the text."""
    words: list[str] = []
    spaces: list[bool] = []
    starts: list[bool] = []

    def add(word: str, sentence_start: bool) -> None:
        words.append(word)
        spaces.append(False)
        starts.append(sentence_start or not starts)

    position = 0
    for start, stop in tokens:
        gap = text[position:start]
        if gap.startswith(" ") and words:
            spaces[-1], gap = True, gap[1:]
        if gap:
            add(gap, False)
        add(text[start:stop], start in sentence_starts)
        position = stop
    if text[position:]:
        add(text[position:], False)
    return words, spaces, starts


def _tag(word: str, language: str, opening: bool) -> tuple[str, str]:
    """A word's universal part of speech and lemma. A capitalised noun, or a capitalised word
    the dictionary does not know, is a proper noun; where capitals say nothing (`opening`
    a sentence, and never capitalised inside one), only a word the dictionary calls a name,
    a place or an abbreviation and can read as nothing but a noun ("Усі" is "all", whatever
    else it might be)."""
    if word.isspace():
        return "SPACE", word
    if not any(ch.isalnum() for ch in word):
        return "PUNCT", word
    if word[0].isdigit():
        return "NUM", word
    parses = _parses(word, language)
    best = parses[0]
    pos = _POS.get(str(best.tag.POS), "X")
    if not word[0].isupper():
        return pos, best.normal_form
    unknown = "LATN" in best.tag or "UNKN" in best.tag
    if opening:
        proper = bool(_PROPER_TAGS & best.tag.grammemes) and all(
            p.tag.POS in {"NOUN", None} for p in parses
        )
    elif language == "uk":
        proper = True  # inside a sentence, only names are capitalised ("Великої Британії")
    else:
        proper = pos == "NOUN" or bool(_PROPER_TAGS & best.tag.grammemes)
    return ("PROPN" if proper or unknown else pos), best.normal_form


def _people(doc: Doc, language: str) -> list[Span]:
    """Runs of capitalised words that pymorphy3 reads as a first name with a surname or a
    patronymic ("Віктора Рогатіна"), and single words it can read as nothing but a
    person's name ("Лариса", "Шевченка"): natasha's NER misses most Ukrainian names."""
    people = []
    start = None
    for token in [*doc, None]:
        named = (
            token is not None
            and token.text[:1].isupper()
            and bool(_NAME_TAGS & _parses(token.text, language)[0].tag.grammemes)
        )
        if named:
            start = token.i if start is None else start
            continue
        end = token.i if token is not None else len(doc)
        if start is not None and (end - start >= 2 or _only_a_name(doc[start].text, language)):
            people.append(Span(doc, start, end, label="PERSON"))
        start = None
    return people


def _only_a_name(word: str, language: str) -> bool:
    return all(_NAME_TAGS & parse.tag.grammemes for parse in _parses(word, language))


def _without_overlaps(spans: list[Span]) -> list[Span]:
    """The first of overlapping spans (natasha's come first)."""
    taken: set[int] = set()
    kept = []
    for span in spans:
        if not taken.intersection(range(span.start, span.end)):
            kept.append(span)
            taken.update(range(span.start, span.end))
    return kept


def place_keys(words: list[str], language: str) -> Iterator[str]:
    """The names a run of words may stand for, in the nominative: each word's lemmas alone
    ("Харкові" -> "харків"); for several words, the last word's lemmas with the adjectives
    before it agreeing with it ("Харківській області" -> "харківська область"); a plural
    name in the plural ("Сполучених Штатів" -> "сполучені штати")."""
    words = [*words[:-1], ABBREVIATIONS.get(words[-1].lower().rstrip("."), words[-1])]
    for parse in _distinct_lemmas(words[-1], language):
        if len(words) == 1 and parse.tag.POS == "ADJF":
            continue  # "Донецької ради" names no place "Донецький"; "Покровське" is as written
        heads = [(parse.normal_form, {"nomn", parse.lexeme[0].tag.gender or "plur"})]
        plural = parse.inflect({"nomn", "plur"}) if "plur" in parse.tag else None
        if plural is not None:
            heads.append((str(plural.word), {"nomn", "plur"}))
        for head, agreement in heads:
            modifiers = [_agreeing(word, language, agreement) for word in words[:-1]]
            yield " ".join([*modifiers, head])


def _distinct_lemmas(word: str, language: str) -> list[Parse]:
    """A word's parses with lemmas of their own, most likely first: "Донецьку" is first an
    adjective (донецький), then the town (донецьк)."""
    lemmas: dict[str, Parse] = {}
    for parse in _parses(word, language):
        lemmas.setdefault(parse.normal_form, parse)
    return list(lemmas.values())[:MAX_LEMMAS]


def _agreeing(word: str, language: str, agreement: set[str]) -> str:
    """An adjective in the nominative of the noun it qualifies; another word as written."""
    for parse in _parses(word, language):
        if parse.tag.POS == "ADJF":
            inflected = parse.inflect(agreement)
            if inflected is not None:
                return str(inflected.word)
    return word
