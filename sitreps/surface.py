"""Fast mode's annotation: parts of speech, lemmas, a shallow dependency tree and date
entities written by rules and word lists, with no statistical model.

The rule stages read spaCy's annotation; fast mode writes that annotation by rules, so the
same stages run in both modes. Word classes come from closed lists (data/surface.yaml) and
from the lemma tables that ship with the spaCy English pipeline, which say whether a form
can be a noun, a verb or an adjective; the words around decide between them. The tree is a
chunk parse: a noun phrase hangs on its last noun, a verb group on its last verb; the phrase
just before a verb group is its subject and the one just after its object; a preposition
hangs on the phrase before it; a clause after "that" or after a reporting verb is that
verb's complement; a final ", X said" makes "said" the root. Sentences are cut by spaCy's
punctuation rules (the sentencizer).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache

import spacy
from spacy.language import Language
from spacy.lookups import Lookups
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans, get_package_path

from sitreps import lexicons, nlp

OPEN_CLASSES = ("NOUN", "VERB", "ADJ", "ADV")
NOMINAL = {"NOUN", "PROPN", "PRON", "NUM"}
IN_NOUN_PHRASE = {"DET", "ADJ", "NUM", "NOUN", "PROPN"}
IN_VERB_GROUP = {"AUX", "VERB", "ADV", "PART"}
POSSESSIVES = {"his", "her", "its", "their", "our", "my", "your"}


@cache
def _words() -> dict[str, frozenset[str]]:
    return {key: frozenset(values) for key, values in lexicons.load("surface").items()}


@cache
def _lookups() -> Lookups:
    """The lemma tables of the installed spaCy English pipeline: data, not a model."""
    found = sorted(get_package_path(nlp.model_name()).glob("*/lemmatizer/lookups"))
    if not found:
        raise RuntimeError(f"the spaCy pipeline {nlp.model_name()!r} ships no lemma tables")
    return Lookups().from_disk(found[0])


@cache
def _tables(pos: str) -> tuple[frozenset[str], dict[str, list[str]], list[tuple[str, str]]]:
    """A word class's base forms, irregular forms and suffix rules."""
    lookups, key = _lookups(), pos.lower()
    index = frozenset(lookups.get_table("lemma_index").get(key, []))
    exceptions = dict(lookups.get_table("lemma_exc").get(key, {}))
    rules = [(old, new) for old, new in lookups.get_table("lemma_rules").get(key, [])]
    return index, exceptions, rules


@lru_cache(maxsize=200_000)
def lemma(word: str, pos: str) -> str:
    """spaCy's rule lemmatizer, given the part of speech: exceptions, then suffix rules whose
    result is a known base form."""
    if pos == "PROPN":
        return word
    lower = word.lower()
    if pos not in OPEN_CLASSES:
        return lower
    index, exceptions, rules = _tables(pos)
    if lower in exceptions:
        return exceptions[lower][0]
    if lower in index:
        return lower
    for old, new in rules:
        if lower.endswith(old) and (form := lower[: len(lower) - len(old)] + new) in index:
            return form
    return lower


def _classes(word: str) -> frozenset[str]:
    """The open word classes a form can belong to, by the lemma tables."""
    return _classes_of(word.lower())


@lru_cache(maxsize=200_000)
def _classes_of(lower: str) -> frozenset[str]:
    found = {pos for pos in OPEN_CLASSES if _can_be(lower, pos)}
    if lower.endswith("ly") and "ADJ" not in found:
        found.add("ADV")
    return frozenset(found)


def _can_be(lower: str, pos: str) -> bool:
    index, exceptions, rules = _tables(pos)
    if lower in index or lower in exceptions:
        return True
    return any(
        lower.endswith(old) and lower[: len(lower) - len(old)] + new in index for old, new in rules
    )


def is_common_word(word: str) -> bool:
    """Whether a word is a common English word: a closed-class word, or a form of a verb,
    adjective or adverb (the noun tables hold names too: "kharkiv", "putin")."""
    lower = word.lower()
    return _closed(lower) is not None or bool(_classes_of(lower) - {"NOUN"})


def _closed(word: str) -> str | None:
    lower, words = word.lower(), _words()
    for pos in ("DET", "PRON", "CCONJ", "AUX", "PART", "ADP", "SCONJ", "ADV"):
        if lower in words[pos]:
            return pos
    return None


def _normal(token: Token) -> str:
    """Lower case, with typographic apostrophes as plain ones: "O’Malley’s"."""
    return token.lower_.replace("\u2019", "'")


def _tag(tokens: list[Token], names: frozenset[str]) -> list[str]:
    """Universal parts of speech for one sentence's tokens; `names` are the words the text
    capitalises inside sentences, which at a sentence's start are names too ("Clinton")."""
    tags: list[str] = []
    for position, token in enumerate(tokens):
        lower = _normal(token)
        after = tokens[position + 1].text if position + 1 < len(tokens) else ""
        before = tags[-1] if tags else ""
        if token.is_space:
            tag = "SPACE"
        elif token.is_punct or token.is_bracket or token.is_quote:
            tag = "PUNCT"
        elif token.like_num:
            tag = "NUM"
        elif not lower.replace("'", "").isalpha():
            tag = "SYM" if not any(c.isalnum() for c in token.text) else "NOUN"
        elif lower == "i":
            tag = "PRON"
        elif lower == "that":
            tag = _that(before, after)
        elif lower == "'s":
            tag = "PART" if before in {"NOUN", "PROPN"} and _nominal(after) else "AUX"
        elif lower == "to":
            tag = "PART" if "VERB" in _classes(after) and not _nominal_only(after) else "ADP"
        elif lower in POSSESSIVES and not _nominal(after):
            tag = "PRON"  # "told her", not "her statement"
        elif token.is_title or (token.is_upper and len(lower) > 1):
            sentence_initial = all(tag in {"SPACE", "PUNCT"} for tag in tags)
            closed = _closed(lower)
            if closed and before != "PROPN" and not token.is_upper:
                tag = closed  # "The", "We" after a headline without a full stop
            elif sentence_initial and lower not in names and (closed or _classes(lower)):
                tag = closed or _open(lower, before, after, token)
            else:
                tag = "PROPN"
        else:
            tag = _closed(lower) or _open(lower, before, after, token)
        tags.append(tag)
    return tags


def _that(before: str, after: str) -> str:
    if before in {"NOUN", "PROPN"} and (_closed(after) == "AUX" or "VERB" in _classes(after)):
        return "PRON"  # "the strike that killed ..."
    starts_clause = _closed(after) in {"DET", "PRON"} or after[:1].isdigit() or after[:1].isupper()
    if before in {"VERB", "ADP", ""} and _nominal(after) and not starts_clause:
        return "DET"  # "destroyed that bridge"
    return "SCONJ"


def _ends_noun_phrase(after: str) -> bool:
    """Whether the next word closes a noun phrase: a preposition, punctuation, a verb."""
    if not after or not after[0].isalnum():
        return True
    return _closed(after) in {"ADP", "AUX", "CCONJ"} or _classes(after) == {"VERB"}


def _opens_noun_phrase(after: str) -> bool:
    return after[:1].isupper() or after[:1].isdigit() or _closed(after) in {"DET", "PRON"}


def _nominal(word: str) -> bool:
    return bool(_classes(word) & {"NOUN", "ADJ"}) or word[:1].isupper()


def _nominal_only(word: str) -> bool:
    return _classes(word) == {"NOUN"}


def _open(lower: str, before: str, after: str, token: Token) -> str:
    classes = _classes(lower)
    if len(classes) <= 1:
        return next(iter(classes), "NOUN")
    verbal_form = lower.endswith(("ed", "en")) or lower in _tables("VERB")[1]
    if before in {"DET", "ADJ", "NUM"} or (before == "PART" and _normal(token.nbor(-1)) == "'s"):
        return "ADJ" if "ADJ" in classes and _nominal(after) else "NOUN"
    if before in {"AUX", "PART"} and "VERB" in classes:
        return "VERB"
    if "VERB" in classes and before in {"PRON", "NOUN", "PROPN", "ADV"}:
        if before in {"NOUN", "PROPN"} and lower.endswith("s") and _ends_noun_phrase(after):
            return "NOUN"  # "precision strikes on Kharkiv", "drone attacks killed"
        if verbal_form or lower.endswith("s") or before == "PRON" or _opens_noun_phrase(after):
            return "VERB"  # "strikes hit Kharkiv", "forces shelled the city"
    if lower.endswith("ing") and "VERB" in classes:
        return "VERB"
    if verbal_form and "VERB" in classes and before not in {"ADP"}:
        return "VERB"
    if "ADJ" in classes and _nominal(after) and after.lower() not in _words()["ADP"]:
        return "ADJ"
    for pos in ("NOUN", "VERB", "ADJ", "ADV"):
        if pos in classes:
            return pos
    return "NOUN"


def _fine_tag(token: Token, pos: str) -> str:
    """The Penn tag the rule stages read: participles and gerunds ("suggesting") matter."""
    lower = token.lower_
    if pos == "VERB":
        if lower.endswith("ing"):
            return "VBG"
        if lower.endswith(("ed", "en")) or lemma(token.text, "VERB") != lower:
            return "VBN" if not lower.endswith("s") else "VBZ"
        return "VB"
    if pos == "PRON" and lower in _words()["RELATIVE"]:
        return "WDT" if lower in {"which", "that"} else "WP"
    return {"NOUN": "NN", "PROPN": "NNP", "ADJ": "JJ", "ADV": "RB", "NUM": "CD",
            "DET": "DT", "ADP": "IN", "PUNCT": ".", "AUX": "MD", "PART": "RP",
            "CCONJ": "CC", "SCONJ": "IN", "PRON": "PRP", "SPACE": "_SP"}.get(pos, "XX")  # fmt: skip


@dataclass
class _Unit:
    """A noun phrase, a verb group, or a single other token."""

    kind: str  # "NP", "VG" or the token's part of speech
    start: int  # sentence-relative token positions, end exclusive
    end: int
    head: int


class _Tree:
    def __init__(self, tokens: list[Token], tags: list[str]) -> None:
        self.tokens, self.tags = tokens, tags
        self.heads: list[int | None] = [None] * len(tokens)
        self.deps = [""] * len(tokens)
        self.antecedents: list[int] = []  # nouns that relative clauses hang on

    def attach(self, child: int, head: int, dep: str) -> None:
        if child != head and self.heads[child] is None:
            self.heads[child], self.deps[child] = head, dep

    def lower(self, i: int) -> str:
        return _normal(self.tokens[i])


def _units(tree: _Tree) -> list[_Unit]:
    tags, units, i = tree.tags, [], 0
    while i < len(tags):
        kinds = IN_NOUN_PHRASE if tags[i] in IN_NOUN_PHRASE else IN_VERB_GROUP
        j = i
        while j < len(tags) and (
            tags[j] in kinds
            or (kinds is IN_NOUN_PHRASE and _hyphen_inside(tree, j))
            or (kinds is IN_NOUN_PHRASE and tags[j] == "PART" and tree.lower(j) == "'s")
        ):
            if kinds is IN_VERB_GROUP and tags[j] == "PART" and tree.lower(j) == "to" and j > i:
                break
            j += 1
        span = range(i, j)
        if kinds is IN_NOUN_PHRASE and any(tags[k] in NOMINAL for k in span):
            units.extend(_noun_phrases(tree, i, j))
        elif kinds is IN_VERB_GROUP and any(tags[k] in {"VERB", "AUX"} for k in span):
            units.append(_verb_group(tree, i, j))
        else:
            j = i + 1
            units.append(_Unit("NP" if tags[i] == "PRON" else tags[i], i, j, i))
        i = j
    return units


def _hyphen_inside(tree: _Tree, j: int) -> bool:
    token = tree.tokens[j]
    return (
        token.text == "-"
        and j > 0
        and not tree.tokens[j - 1].whitespace_
        and j + 1 < len(tree.tokens)
    )


def _noun_phrases(tree: _Tree, start: int, end: int) -> list[_Unit]:
    """One noun phrase, or two where a possessive "'s" splits it ("the city's mayor")."""
    possessive = next(
        (k for k in range(start, end) if tree.tags[k] == "PART" and tree.lower(k) == "'s"), None
    )
    if possessive is not None and start < possessive < end - 1:
        owner = _noun_phrase(tree, start, possessive)
        owned = _noun_phrase(tree, possessive + 1, end)
        tree.attach(possessive, owner.head, "case")
        tree.attach(owner.head, owned.head, "poss")
        return [_Unit("NP", start, end, owned.head)]
    return [_noun_phrase(tree, start, end)]


def _noun_phrase(tree: _Tree, start: int, end: int) -> _Unit:
    nominal = [k for k in range(start, end) if tree.tags[k] in {"NOUN", "PROPN"}]
    head = (
        nominal[-1]
        if nominal
        else max((k for k in range(start, end) if tree.tags[k] in NOMINAL), default=end - 1)
    )
    deps = {"DET": "det", "ADJ": "amod", "NUM": "nummod", "NOUN": "compound", "PROPN": "compound"}
    for k in range(start, end):
        tag = tree.tags[k]
        dep = (
            "poss"
            if tag == "DET" and tree.lower(k) in POSSESSIVES
            else deps.get(tag, "punct" if tag == "PUNCT" else "dep")
        )
        tree.attach(k, head, dep)
    return _Unit("NP", start, end, head)


def _verb_group(tree: _Tree, start: int, end: int) -> _Unit:
    verbs = [k for k in range(start, end) if tree.tags[k] == "VERB"]
    head = verbs[-1] if verbs else max(k for k in range(start, end) if tree.tags[k] == "AUX")
    passive = (
        bool(verbs)
        and not tree.lower(head).endswith("ing")
        and any(tree.lower(k) in _words()["BE"] for k in range(start, head))
    )
    for k in range(start, end):
        lower = tree.lower(k)
        if lower in {"not", "n't", "never"}:
            dep = "neg"
        elif tree.tags[k] == "AUX":
            dep = "auxpass" if passive and lower in _words()["BE"] else "aux"
        elif tree.tags[k] == "PART":
            dep = "aux"
        elif tree.tags[k] == "ADV":
            dep = "advmod"
        else:
            dep = "xcomp"  # a first verb of two: "began shelling"
        tree.attach(k, head, dep)
    return _Unit("VG" if verbs else "COP", start, end, head)


def _parse(tree: _Tree, reporting: frozenset[str]) -> int:
    """Attach every token; the sentence-relative index of the root."""
    units = _units(tree)
    words = _words()
    previous_clause: _Unit | None = None
    _appositions(tree, units)
    for position, unit in enumerate(units):
        if unit.kind == "ADP":
            _preposition(tree, units, position)
        if unit.kind in {"VG", "COP"}:
            _clause(tree, units, position, previous_clause, reporting, words)
            previous_clause = unit
    clauses = [u for u in units if u.kind in {"VG", "COP"}]
    free = [u for u in clauses if tree.heads[u.head] is None]
    first = (free or clauses or [u for u in units if u.kind == "NP"] or units)[0]
    root = _speaker_root(tree, units, first.head, reporting)
    _attach_rest(tree, units, root)
    return root


def _preposition(tree: _Tree, units: list[_Unit], position: int) -> None:
    """The phrase after a preposition is its object; the preposition hangs on the phrase
    before it ("strikes on Kharkiv"), or is the "by" agent of a passive verb."""
    preposition = units[position]
    before = units[position - 1] if position else None
    after = units[position + 1] if position + 1 < len(units) else None
    if after is None or after.kind != "NP":
        return
    tree.attach(after.head, preposition.head, "pobj")
    if before is None:
        return  # "In Kharkiv, ...": it hangs on the clause (`_attach_rest`)
    word = tree.lower(preposition.head)
    passive = "auxpass" in {tree.deps[k] for k in range(before.start, before.end)}
    if word == "to" and tree.lower(before.head) == "according":
        tree.attach(preposition.head, before.head, "prep")
    elif word == "by" and before.kind == "VG" and passive:
        tree.attach(preposition.head, before.head, "agent")
    elif before.kind in {"NP", "VG", "COP"}:
        tree.attach(preposition.head, before.head, "prep")
    elif before.kind == "PUNCT" and position >= 2 and units[position - 2].kind == "NP":
        tree.attach(preposition.head, units[position - 2].head, "prep")


def _clause(
    tree: _Tree,
    units: list[_Unit],
    position: int,
    previous: _Unit | None,
    reporting: frozenset[str],
    words: dict[str, frozenset[str]],
) -> None:
    verb = units[position]
    passive = any(tree.deps[k] == "auxpass" for k in range(verb.start, verb.end))
    subject = _subject(tree, units, position)
    if subject is None and tree.antecedents and tree.heads[tree.antecedents[-1]] is None:
        # "Barkley, who said he votes democratic, said ...": the noun before the relative
        # clause is the subject of the verb after it.
        tree.attach(tree.antecedents[-1], verb.head, "nsubjpass" if passive else "nsubj")
        return
    relative = None
    if subject is not None:
        if tree.lower(subject.head) in words["RELATIVE"] and tree.tags[subject.head] == "PRON":
            relative = subject
        tree.attach(subject.head, verb.head, "nsubjpass" if passive else "nsubj")
    if relative is not None:
        noun = next((u for u in reversed(units[: units.index(relative)]) if u.kind == "NP"), None)
        if noun is not None:
            tree.attach(verb.head, noun.head, "relcl")
            tree.antecedents.append(noun.head)
    after = units[position + 1] if position + 1 < len(units) else None
    then = units[position + 2] if position + 2 < len(units) else None
    # "says it will shift": the phrase is the next verb's subject, not this one's object.
    subject_of_next = (
        then is not None and then.kind in {"VG", "COP"} and tree.lower(then.start) != "to"
    )
    if after is not None and after.kind == "NP" and not subject_of_next:
        tree.attach(after.head, verb.head, "attr" if verb.kind == "COP" else "dobj")
    if previous is None or tree.heads[verb.head] is not None:
        return
    between = [u for u in units if previous.end <= u.start < verb.start]
    lowers = [tree.lower(u.head) for u in between]
    if "that" in lowers and tree.tags[between[lowers.index("that")].head] == "SCONJ":
        tree.attach(between[lowers.index("that")].head, verb.head, "mark")
        tree.attach(verb.head, previous.head, "ccomp")
    elif tree.lower(verb.start) == "to" and all(u.kind in {"NP", "PART"} for u in between):
        tree.attach(verb.head, previous.head, "xcomp")  # "told Megyn not to worry"
    elif lemma(tree.tokens[previous.head].text, "VERB") in reporting and all(
        u.kind in {"NP", "PUNCT"} for u in between
    ):
        tree.attach(verb.head, previous.head, "ccomp")  # "said, “We ...", "says it will"
    elif any(tree.tags[u.head] == "CCONJ" for u in between):
        tree.attach(verb.head, previous.head, "conj")
    elif tree.lower(verb.head).endswith("ing") and verb.start == verb.head:
        tree.attach(verb.head, previous.head, "advcl")
    else:
        tree.attach(verb.head, previous.head, "conj")


def _subject(tree: _Tree, units: list[_Unit], position: int) -> _Unit | None:
    """The noun phrase before a verb group, looking past adverbs, the prepositional phrases
    on it ("a node in Balakhya was hit") and an apposition ("The mayor, Ihor Terekhov, said")."""
    j = position - 1
    while j >= 0:
        unit = units[j]
        if unit.kind == "ADV":
            j -= 1
        elif unit.kind == "NP" and tree.deps[unit.head] == "pobj":
            j -= 2  # the phrase and its preposition
        elif unit.kind == "PUNCT" and tree.lower(unit.head) == "," and j >= 2:
            if units[j - 1].kind != "NP" or tree.deps[units[j - 1].head] != "appos":
                return None
            j -= 3  # the comma, the apposition and the comma before it
        else:
            break
    if j < 0 or units[j].kind != "NP" or tree.heads[units[j].head] is not None:
        return None
    return units[j]


def _appositions(tree: _Tree, units: list[_Unit]) -> None:
    """ "NAME, DESCRIPTION," and "DESCRIPTION, NAME,": the second phrase is in apposition,
    closed by a comma, a full stop or the end of the sentence."""
    for j in range(len(units) - 2):
        first, comma, second = units[j : j + 3]
        closing = j + 3
        while (
            closing + 1 < len(units)
            and units[closing].kind == "ADP"
            and units[closing + 1].kind == "NP"
        ):
            closing += 2  # "the coordinator of the Mykolaiv underground"
        closed = closing >= len(units) or (
            units[closing].kind == "PUNCT" and tree.lower(units[closing].head) in {",", "."}
        )
        if (
            first.kind == second.kind == "NP"
            and tree.lower(comma.head) == ","
            and closed
            and tree.tags[second.head] != "PRON"
        ):
            tree.attach(second.head, first.head, "appos")


def _speaker_root(tree: _Tree, units: list[_Unit], root: int, reporting: frozenset[str]) -> int:
    """ "The city was hit, the governor said on Monday.", "..., said the ministry" and
    "“Everything ...,” the judge exclaimed, “has ...”": a reporting verb set off by
    punctuation is the root, and what comes before it is its complement."""
    for position in reversed(range(len(units))):
        verb = units[position]
        if verb.kind != "VG" or verb.head == root:
            continue
        if lemma(tree.tokens[verb.head].text, "VERB") not in reporting:
            continue
        before = units[position - 1] if position else None
        after = units[position + 1] if position + 1 < len(units) else None
        if before is not None and before.kind == "NP":
            speaker, boundary, rest = before, position - 2, units[position + 1 :]
        elif after is not None and after.kind == "NP":
            speaker, boundary, rest = after, position - 1, units[position + 2 :]
        else:
            continue
        set_off = boundary >= 0 and units[boundary].kind == "PUNCT"
        ends = all(u.kind in {"ADP", "NP", "ADV", "PUNCT"} for u in rest)
        quote_follows = len(rest) > 1 and rest[0].kind == "PUNCT" and _quote_in(tree, rest[:3])
        if not set_off or not (ends or quote_follows):
            continue
        tree.heads[verb.head], tree.deps[verb.head] = None, ""
        tree.heads[speaker.head], tree.deps[speaker.head] = verb.head, "nsubj"
        tree.heads[root], tree.deps[root] = verb.head, "ccomp"
        return verb.head
    return root


def _quote_in(tree: _Tree, units: list[_Unit]) -> bool:
    return any(tree.tokens[u.head].is_quote for u in units if u.kind == "PUNCT")


def _attach_rest(tree: _Tree, units: list[_Unit], root: int) -> None:
    clause_heads = [u.head for u in units if u.kind in {"VG", "COP"}]
    for unit in units:
        if unit.head == root or tree.heads[unit.head] is not None:
            continue
        governor = max((h for h in clause_heads if h < unit.start), default=root)
        dep = {
            "PUNCT": "punct", "CCONJ": "cc", "SCONJ": "mark", "ADV": "advmod", "PART": "prt",
            "NP": "npadvmod", "ADP": "prep", "SPACE": "dep", "VG": "conj", "COP": "conj",
        }.get(unit.kind, "dep")  # fmt: skip
        tree.attach(unit.head, governor if governor != unit.head else root, dep)
    for k in range(len(tree.tokens)):
        if k != root and tree.heads[k] is None:
            tree.attach(k, root, "punct" if tree.tags[k] == "PUNCT" else "dep")
    _break_cycles(tree, root)


def _break_cycles(tree: _Tree, root: int) -> None:
    for k in range(len(tree.tokens)):
        seen, current = {k}, k
        while current != root:
            current = tree.heads[current]  # type: ignore[assignment]
            if current in seen:
                tree.heads[k], tree.deps[k] = root, "dep"
                break
            seen.add(current)


@cache
def _date_matcher() -> Matcher:
    words = _words()

    def one_of(values: Iterable[str], **more: object) -> dict[str, object]:
        return {"LOWER": {"IN": list(values)}, **more}

    day = {"IS_DIGIT": True, "LENGTH": {"<=": 2}}
    year = {"SHAPE": "dddd"}
    month = one_of(words["months"], IS_TITLE=True)
    period = one_of(words["periods"], OP="?")
    units = one_of(["days", "weeks", "months", "years", "hours"])
    clock = one_of(["a.m.", "p.m.", "am", "pm", "o'clock"])
    matcher = Matcher(_language().vocab)
    matcher.add(
        "DATE",
        [
            # No pattern starts with an optional token: those are tried at every token.
            [one_of(words["date_modifiers"]), one_of(words["weekdays"]), period],
            [one_of(words["weekdays"]), period],
            [month, {**day, "OP": "?"}, {"TEXT": ",", "OP": "?"}, {**year, "OP": "?"}],
            [day, month, {**year, "OP": "?"}],
            [one_of(words["day_words"]), period],
            [one_of(["last", "this", "next", "earlier", "later"]), one_of(words["periods"])],
            [{"LIKE_NUM": True}, units, {"LOWER": "ago"}],
            [year],
        ],
    )
    matcher.add(
        "TIME",
        [
            [{"SHAPE": {"IN": ["d:dd", "dd:dd", "d.dd", "dd.dd"]}}, {**clock, "OP": "?"}],
            [day, clock],
        ],
    )
    return matcher


def _is_year(text: str) -> bool:
    return len(text) == 4 and text.isdigit() and 1900 <= int(text) <= 2099


def _people(doc: Doc, tags: list[str], deps: list[str], heads: list[int]) -> list[Span]:
    """Names after a title ("Governor Oleh Synehubov", "Mr Lebedev") and two- or three-word
    names that speak ("Sergei Lebedev said"): persons, which the places stage leaves alone."""
    titles = _words()["person_titles"]
    reporting = _reporting_verbs()
    found = []
    i = 0
    while i < len(doc):
        if tags[i] != "PROPN":
            i += 1
            continue
        end = i
        while end < len(doc) and tags[end] == "PROPN" and doc[end].is_title:
            end += 1
        if end == i:
            i += 1
            continue
        titled = i > 0 and doc[i - 1].lower_.rstrip(".") in titles
        speaks = any(
            deps[k] == "nsubj" and lemma(doc[heads[k]].text, "VERB") in reporting
            for k in range(i, end)
        )
        if titled or (speaks and 2 <= end - i <= 3):
            found.append(Span(doc, i, end, label="PERSON"))
        i = end
    return found


def _entities(doc: Doc, people: list[Span]) -> list[str]:
    dates = [
        span
        for span in _date_matcher()(doc, as_spans=True)
        if not (len(span) == 1 and span[0].shape_ == "dddd" and not _is_year(span.text))
    ]
    labels = ["O"] * len(doc)
    for span in filter_spans([*dates, *people]):
        for k in range(span.start, span.end):
            labels[k] = ("B-" if k == span.start else "I-") + span.label_
    return labels


@cache
def _reporting_verbs() -> frozenset[str]:
    return frozenset(lexicons.load("attribution")["reporting_verbs"])


@cache
def _language() -> Language:
    """A tokenizer and spaCy's punctuation sentencizer: no statistical component. Its words
    are kept in the full pipeline's vocabulary, where the stages' term matchers keep theirs."""
    language = spacy.blank("en", vocab=nlp.load().vocab)
    language.add_pipe("sentencizer")
    return language


def load() -> Language:
    return _language()


def _names(doc: Doc) -> frozenset[str]:
    """Words capitalised after the first word of a sentence."""
    return frozenset(
        _normal(token)
        for token in doc
        if token.is_title
        and not token.is_sent_start
        and not (doc[token.i - 1].is_punct or doc[token.i - 1].is_space)
    )


def annotate(text: str) -> Doc:
    """Tokens, sentences, tags, lemmas, a chunk tree and entities (dates, times, persons),
    by rules alone."""
    language = _language()
    segmented = language(text)
    heads: list[int] = []
    deps: list[str] = []
    pos: list[str] = []
    names = _names(segmented)
    for sentence in segmented.sents:
        tokens = list(sentence)
        tags = _tag(tokens, names)
        tree = _Tree(tokens, tags)
        root = _parse(tree, _reporting_verbs())
        for k in range(len(tokens)):
            head = tree.heads[k]
            heads.append(sentence.start + (k if k == root or head is None else head))
            deps.append("ROOT" if k == root else tree.deps[k])
        pos.extend(tags)
    return Doc(
        language.vocab,
        words=[t.text for t in segmented],
        spaces=[bool(t.whitespace_) for t in segmented],
        pos=pos,
        tags=[_fine_tag(t, p) for t, p in zip(segmented, pos, strict=True)],
        lemmas=[lemma(t.text, p) for t, p in zip(segmented, pos, strict=True)],
        heads=heads,
        deps=deps,
        ents=_entities(segmented, _people(segmented, pos, deps, heads)),
    )


def pipe(texts: Iterable[str]) -> Iterator[Doc]:
    return (annotate(text) for text in texts)
