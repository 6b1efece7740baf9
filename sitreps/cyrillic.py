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

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import TYPE_CHECKING, Any

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
_COMMON = {"PROPN": "NOUN", "AUX": "VERB", "DET": "ADJ"}  # UD parts pymorphy3 does not tell
_COMMON |= {pos: pos for pos in _POS.values()}
# Pronouns, prepositions, conjunctions, particles, interjections and predicatives: a word
# the dictionary can read as one of them is no name ("Того" is "that" before Togo).
_FUNCTION_WORDS = {"NPRO", "PREP", "CONJ", "PRCL", "INTJ", "PRED"}
_NEVER_NAMES = {"ADVB", "VERB", "INFN"}  # where the likeliest reading
_NAME_TAGS = {"Name", "Surn", "Patr"}
_PROPER_TAGS = _NAME_TAGS | {"Geox", "Orgn", "Trad", "Abbr"}
_ENTITY_LABELS = {"PER": "PERSON", "LOC": "GPE", "ORG": "ORG"}
MAX_LEMMAS = 4  # of a word's parses, the lemmas tried against the gazetteer
ABBREVIATIONS = {"обл": "область", "р-н": "район", "р-ні": "район"}  # "Донецька обл."


@dataclass(frozen=True)
class _Natasha:
    segmenter: Any
    names: Any
    morphology: Any
    syntax: Any


@lru_cache(maxsize=1)
def _natasha() -> _Natasha:
    from natasha import (
        NewsEmbedding,
        NewsMorphTagger,
        NewsNERTagger,
        NewsSyntaxParser,
        Segmenter,
    )

    embedding = NewsEmbedding()
    return _Natasha(
        Segmenter(),
        NewsNERTagger(embedding),
        NewsMorphTagger(embedding),
        NewsSyntaxParser(embedding),
    )


@lru_cache(maxsize=len(LANGUAGES))
def morphology(language: str) -> MorphAnalyzer:
    from pymorphy3 import MorphAnalyzer

    return MorphAnalyzer(lang=language)


@lru_cache(maxsize=100_000)
def _parses(word: str, language: str) -> tuple[Parse, ...]:
    return tuple(morphology(language).parse(word))


def read(text: str, language: str, vocab: Vocab) -> Doc:
    """The text as a Doc: tokens and sentences (razdel); in Russian, parts of speech,
    lemmas, the dependency tree and names from natasha's news models; in Ukrainian, parts
    of speech and lemmas from pymorphy3's dictionary and names from its name tags."""
    from natasha import Doc as NatashaDoc

    models = _natasha()
    # A byte-order mark or a zero-width space is no part of the word it touches: read as a
    # space (same offsets), kept in the Doc as a token of its own.
    parsed = NatashaDoc(text.translate(_INVISIBLE))
    parsed.segment(models.segmenter)
    russian = language == "ru"
    if russian:
        parsed.tag_morph(models.morphology)
        parsed.parse_syntax(models.syntax)
        parsed.tag_ner(models.names)
    sentence_starts = {sentence.start for sentence in parsed.sents}
    tokens = _with_apostrophes(text, [(t.start, t.stop) for t in parsed.tokens])
    words, spaces, starts = _words(text, tokens, sentence_starts)
    if russian:
        tags = _natasha_tags(parsed, words, spaces)
        tree: dict[str, Any] = _natasha_tree(parsed, words, spaces)
    else:
        tags = _dictionary_tags(words, starts, language)
        tree = _flat_tree(starts, [pos for pos, _ in tags])
    doc = Doc(
        vocab,
        words=words,
        spaces=spaces,
        pos=[pos for pos, _ in tags],
        lemmas=[lemma for _, lemma in tags],
        **tree,
    )
    entities = [
        span
        for found in parsed.spans or []
        if (span := doc.char_span(found.start, found.stop, _ENTITY_LABELS[found.type],
                                  alignment_mode="expand")) is not None
    ]  # fmt: skip
    if not russian:
        entities += _people(doc, language)
    doc.set_ents(_without_overlaps(entities))
    return doc


def _dictionary_tags(words: list[str], starts: list[bool], language: str) -> list[tuple[str, str]]:
    openings = _openings(words, starts)
    # Capitalised inside a sentence somewhere, a word opening a sentence is a name there too.
    named = {
        word
        for word, first in zip(words, openings, strict=True)
        if not first and word[:1].isupper()
    }
    return [
        _tag(word, language, opening=first and word not in named)
        for word, first in zip(words, openings, strict=True)
    ]


def _offsets(words: list[str], spaces: list[bool]) -> dict[int, int]:
    """Where each word starts in the text -> its index."""
    found, position = {}, 0
    for index, (word, space) in enumerate(zip(words, spaces, strict=True)):
        found[position] = index
        position += len(word) + space
    return found


def _natasha_tags(parsed: Any, words: list[str], spaces: list[bool]) -> list[tuple[str, str]]:
    """natasha's part of speech of each word, with the lemma of pymorphy3's likeliest parse
    of that part of speech; whitespace and the rare word razdel cut in two (at an
    apostrophe) as the dictionary reads them."""
    at = _offsets(words, spaces)
    tags = [_tag(word, "ru", opening=False) for word in words]
    for token in parsed.tokens:
        index = at.get(token.start)
        if index is not None and words[index] == token.text and token.pos:
            parses = _parses(token.text, "ru")
            if token.pos == "PROPN":  # a name's lemma is a name's: "Синегубов", not "синегуб"
                agreeing = [p for p in parses if _PROPER_TAGS & p.tag.grammemes]
                lemma = agreeing[0].normal_form if agreeing else token.text.lower()
            else:
                agreeing = [p for p in parses if _POS.get(str(p.tag.POS)) == _COMMON.get(token.pos)]
                lemma = (agreeing or parses)[0].normal_form
            tags[index] = (token.pos, lemma)
    return tags


def _ending_its_conjunct(heads: list[int], deps: list[str], sentence: list[int]) -> None:
    """natasha can hang the prepositional phrase that ends one conjunct on the next ("атаку
    на Краснодарский край и обстрел Горловки": "на" from "обстрел"); a phrase before the
    "и" that opens the next conjunct belongs to the one it ends."""
    for prep in sentence:
        conjunct = heads[prep]
        if not (deps[prep] == "prep" and conjunct > prep and deps[conjunct] == "conj"):
            continue
        first = heads[conjunct]
        opened = any(
            deps[i] == "cc" and heads[i] == conjunct and prep < i < conjunct for i in sentence
        )
        if first < prep and opened:
            heads[prep] = first


def _one_root(heads: list[int], deps: list[str], sentence: list[int]) -> None:
    """A tree over the sentence's words with one root: natasha chooses each word's head on
    its own, which can close a cycle or leave two roots; a word on a cycle, or a second
    root, hangs from the first root instead."""
    if not sentence:
        return
    roots = [i for i in sentence if heads[i] == i]
    root = roots[0] if roots else sentence[0]
    heads[root], deps[root] = root, "ROOT"
    for extra in roots[1:]:  # a second root is a clause beside the first
        heads[extra], deps[extra] = root, "parataxis"
    members = set(sentence)
    for start in sentence:
        seen = {start}
        node = start
        while heads[node] != node:
            node = heads[node]
            if node in seen or node not in members:
                heads[start], deps[start] = root, "dep"
                break
            seen.add(node)


def _flat_tree(starts: list[bool], parts: list[str]) -> dict[str, Any]:
    """With no parser for the language, each sentence is one clause: every word hangs from
    the sentence's first verb (else its first word), so that what the stages look for in
    an event word's clause (its place, its date) is looked for in its sentence."""
    heads = list(range(len(starts)))
    deps = ["ROOT"] * len(starts)
    bounds = [i for i, start in enumerate(starts) if start] + [len(starts)]
    for begin, end in pairwise(bounds):
        verbs = [i for i in range(begin, end) if parts[i] == "VERB"]
        root = verbs[0] if verbs else begin
        for i in range(begin, end):
            if i != root:
                heads[i], deps[i] = root, "dep"
    return {"heads": heads, "deps": deps}


# natasha's Universal Dependencies relations as spaCy's English model names them, which the
# stages read ("obj" is "dobj"; a case-marked noun hangs from its preposition, below).
_RELATIONS = {
    "root": "ROOT", "obj": "dobj", "nsubj:pass": "nsubjpass", "iobj": "dative",
    "acl:relcl": "relcl", "flat:name": "compound", "flat": "compound", "aux:pass": "auxpass",
    "obl": "npadvmod", "obl:agent": "agent", "nummod:gov": "nummod", "nummod:entity": "nummod",
    "csubj:pass": "csubjpass",
}  # fmt: skip


def _natasha_tree(parsed: Any, words: list[str], spaces: list[bool]) -> dict[str, Any]:
    """natasha's dependency tree as spaCy's English model draws it: a noun with a preposition
    ("удар по Харькову") hangs from the preposition ("pobj"), which hangs from the noun's
    head ("prep"), as "a strike on Kharkiv" does. Whitespace hangs from the word before it."""
    at = _offsets(words, spaces)
    heads = list(range(len(words)))
    deps = ["dep"] * len(words)
    for sentence in parsed.sents:
        index_of = {t.id: at[t.start] for t in sentence.tokens if t.start in at}
        for token in sentence.tokens:
            index = index_of.get(token.id)
            if index is None:
                continue
            head = index_of.get(token.head_id)
            heads[index] = index if head is None else head
            deps[index] = "ROOT" if head is None else _RELATIONS.get(token.rel, token.rel)
        _one_root(heads, deps, sorted(index_of.values()))
        cases = {heads[i]: i for i in sorted(index_of.values(), reverse=True) if deps[i] == "case"}
        for token in sentence.tokens:
            index = index_of.get(token.id)
            if index is None or deps[index] not in {"npadvmod", "nmod"}:
                continue
            case = cases.get(index)  # its first preposition
            if case is not None and case < index:
                heads[case], deps[case] = heads[index], "prep"
                heads[index], deps[index] = case, "pobj"
        _ending_its_conjunct(heads, deps, sorted(index_of.values()))
    previous = 0
    for index, word in enumerate(words):
        if word.isspace():
            heads[index] = previous
        else:
            previous = index
    return {"heads": heads, "deps": deps}


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
    """razdel cuts Ukrainian words at their apostrophe ("п'ять", "Мар'яна") and clock times
    at their colon ("14:52"): joined again where the two sides touch it."""
    joined: list[tuple[int, int]] = []
    for start, stop in tokens:
        middle = text[joined[-1][0] : joined[-1][1]] if joined else ""
        before = text[joined[-2][1] - 1] if len(joined) >= 2 else ""
        if (
            len(joined) >= 2
            and joined[-1][1] == start
            and joined[-2][1] == joined[-1][0]
            and (
                (middle in APOSTROPHES and text[start].isalpha() and before.isalpha())
                or (middle == ":" and text[start].isdigit() and before.isdigit())
            )
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
    # A number word is one wherever the dictionary allows it: "троє" (three), not Troy.
    best = next((p for p in parses if p.tag.POS == "NUMR"), parses[0])
    pos = _POS.get(str(best.tag.POS), "X")
    if not word[0].isupper():
        return pos, best.normal_form
    unknown = "LATN" in best.tag or "UNKN" in best.tag
    function = next((p for p in parses if p.tag.POS in _FUNCTION_WORDS), None)
    if function is not None or best.tag.POS in _NEVER_NAMES:
        # Capitalised for reverence, a heading or a line's start, never a name: "Він", "Його",
        # "Того ж дня", "Мало хто"
        read = function or best
        return _POS.get(str(read.tag.POS), "X"), read.normal_form
    if opening:
        proper = bool(_PROPER_TAGS & best.tag.grammemes) and all(
            p.tag.POS in {"NOUN", None} for p in parses
        )
    elif language == "uk":
        proper = True  # inside a sentence, only names are capitalised ("Великої Британії")
    else:
        proper = pos == "NOUN" or bool(_PROPER_TAGS & best.tag.grammemes)
    return ("PROPN" if proper or unknown else pos), best.normal_form


_CYRILLIC = re.compile("[\u0400-\u04ff]")
_INVISIBLE = {0xFEFF: " ", 0x200B: " "}


def in_cyrillic(text: str) -> bool:
    return _CYRILLIC.search(text) is not None


def unparsed(sentence: Span) -> bool:
    """A sentence no parser read (`_flat_tree`): each of its words hangs from one root."""
    return all(t.dep_ in {"dep", "ROOT"} for t in sentence)


def lemma(word: str, language: str) -> str:
    """The lemma of a word's likeliest parse."""
    return str(_parses(word, language)[0].normal_form)


def person_name(words: list[str], language: str) -> str:
    """A person's name in the nominative, as a source is listed: "Вячеслава Гладкова" ->
    "Вячеслав Гладков", so that "Гладкова" later is the same voice."""
    named = []
    for word in words:
        parse = next((p for p in _parses(word, language) if _NAME_TAGS & p.tag.grammemes), None)
        lemma = str(parse.normal_form) if parse is not None else word
        named.append("-".join(part[:1].upper() + part[1:] for part in lemma.split("-")))
    return " ".join(named)


def can_be_subject(word: str, language: str) -> bool:
    """Whether the dictionary reads the word as a noun in the nominative somewhere (words
    it does not know are given the benefit of the doubt)."""
    if language not in LANGUAGES:
        return False
    parses = _parses(word, language)
    return any(p.tag.POS == "NOUN" and "nomn" in p.tag for p in parses) or "UNKN" in parses[0].tag


def _people(doc: Doc, language: str) -> list[Span]:
    """Runs of capitalised words that pymorphy3 reads as a first name with a surname or a
    patronymic ("Віктора Рогатіна"), a first name with any capitalised word after it (a
    surname the dictionary reads otherwise: "Андрій Зеленський"), and single words it
    can read as nothing but a person's name ("Лариса", "Шевченка"): natasha's NER misses
    most Ukrainian names."""
    people = []
    start = None
    for token in [*doc, None]:
        named = (
            token is not None
            and token.text[:1].isupper()
            and (
                bool(_NAME_TAGS & _parses(token.text, language)[0].tag.grammemes)
                or (
                    start is not None
                    and start == token.i - 1
                    and _is_first_name(doc[start].text, language)
                )
            )
        )
        if named:
            start = token.i if start is None else start
            continue
        end = token.i if token is not None else len(doc)
        if start is not None and (end - start >= 2 or _only_a_name(doc[start].text, language)):
            people.append(Span(doc, start, end, label="PERSON"))
        start = None
    return people


def _is_first_name(word: str, language: str) -> bool:
    return "Name" in _parses(word, language)[0].tag.grammemes


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


# Ukrainian letters as Russian writes the same sounds in foreign names: "Пенсильванія" is
# "Пенсильвания", "Вісконсін" "Висконсин".
_RUSSIAN_LETTERS = str.maketrans(
    {"і": "и", "ї": "и", "є": "е", "ґ": "г", "'": None, "’": None, "ʼ": None}
)


def lemmas(word: str, language: str) -> set[str]:
    """The lemmas of every reading of a word, lower case."""
    return {parse.normal_form for parse in _parses(word.lower(), language)}


def may_name_a_person(word: str, language: str) -> bool:
    """Whether the dictionary reads the word as a first name ("Софія"). Surnames are left
    out: many towns' forms are surnames too ("Львова", "Луцька")."""
    return any("Name" in parse.tag.grammemes for parse in _parses(word, language))


def russian_spelling(name: str) -> str:
    """A lower-case Ukrainian name spelled with Russian letters."""
    return name.translate(_RUSSIAN_LETTERS)


# How Russian spells a Ukrainian place name's endings: "Новопокровське" is "Новопокровское",
# "Андріївка" "Андреевка", "Новоолександрівка" "Новоалександровка".
_RUSSIAN_ENDINGS = (
    (re.compile(r"іївка$"), "еевка"),
    (re.compile(r"ївка$"), "евка"),
    (re.compile(r"івка$"), "овка"),
    (re.compile(r"ів$"), "ов"),
    (re.compile(r"нє$"), "нее"),
    (re.compile(r"([бвдзлмнпрстфц])ий$"), r"\1ый"),
)
# A neuter name is an adjective ("Мирне" is "Мирное"), or a noun in "-ине" ("Очеретине" is
# "Очеретино") that reads as one too.
_NEUTER = re.compile(r"([бвгґджзклмнпрстфхцчшщ])е$")
_NEUTER_ENDINGS = ((_NEUTER, r"\1ое"), (re.compile(r"ине$"), "ино"))
_RUSSIAN_STEMS = (
    ("івськ", "овск"),
    ("ськ", "ск"),
    ("цьк", "цк"),
    ("олекс", "алекс"),
    ("микол", "никол"),
)
# Ukrainian "і" is Russian "и" in some names and "е" in others ("Новосілка" is "Новосёлка").
_UKRAINIAN_I = ("и", "е")


def russian_forms(name: str) -> set[str]:
    """The spellings Russian reports give a Ukrainian place, lower case: Russian-language
    reports name Ukraine's villages in Russian ("освободили Новопокровское"), while the
    register knows them in Ukrainian only."""
    words = re.sub("['’ʼ]", "", name.lower()).split(" ")
    spelled: list[str] = []
    for position, word in enumerate(words):
        for ukrainian, russian in _RUSSIAN_STEMS:
            word = word.replace(ukrainian, russian)
        for ending, russian in _RUSSIAN_ENDINGS:
            word = ending.sub(russian, word)
        if position < len(words) - 1 and re.search(r"[кнвлр]а$", word):
            word += "я"  # an adjective before a noun: "Велика Новосілка" -> "Великая Новоселка"
        spelled.append(word)
    joined = " ".join(spelled).replace("є", "е").replace("ґ", "г").replace("ї", "и")
    neuter = [
        ending.sub(russian, joined) for ending, russian in _NEUTER_ENDINGS if ending.search(joined)
    ]
    forms = {form.replace("і", i) for form in neuter or [joined] for i in _UKRAINIAN_I}
    return forms - {name.lower()}


def _distinct_lemmas(word: str, language: str) -> list[Parse]:
    """A word's parses with lemmas of their own, most likely first: "Донецьку" is first an
    adjective (донецький), then the town (донецьк)."""
    lemmas: dict[str, Parse] = {}
    for parse in _parses(word, language):
        lemmas.setdefault(parse.normal_form, parse)
    return list(lemmas.values())[:MAX_LEMMAS]


def _agreeing(word: str, language: str, agreement: set[str]) -> str:
    """An adjective or participle in the nominative of the noun it qualifies ("Соединенных
    Штатов" -> "соединенные штаты"); another word as written."""
    for parse in _parses(word, language):
        if parse.tag.POS in {"ADJF", "PRTF"}:
            inflected = parse.inflect(agreement)
            if inflected is not None:
                return str(inflected.word)
    return word
