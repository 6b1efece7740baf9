"""Stage 1: tokens, sentences, parts of speech, the dependency tree and named entities:
from spaCy's statistical pipeline, or in fast mode from rules (sitreps/surface.py).

The title is parsed first, as its own paragraph, so that every stage reads the headline
with the text ("Russian missile strike kills five in Odesa"). Headlines in title case
("Russia Says US Is Responsible for Deadly Ukrainian Attack") are parsed with each word
cased as the text cases it, else lower case where it is a common word: capitals there say
nothing about names, and a tagger reads "Deadly Ukrainian Attack" as one.

spaCy's memory grows with the text it parses at once, so a long text is parsed a piece at a
time, each piece cut after a line break (failing that, a space), and the pieces are joined
into one Doc with the same text and offsets.
"""

from __future__ import annotations

import re
from collections import Counter

from spacy.language import Language
from spacy.tokens import Doc

from sitreps import cyrillic, surface
from sitreps.model import Mode, Sentence
from sitreps.state import (
    LANGUAGE_KEY,
    TEXT_KEY,
    TITLE_KEY,
    TITLE_SEPARATOR,
    DocumentState,
    batched_stage,
    span_of,
)

_WORD = re.compile(r"[^\W\d_][\w'’-]*")
MAX_TITLE_CHARS = 1_000
TITLE_CASE_SHARE = 0.6  # of a title's common words capitalised: the title is in title case


@batched_stage(
    requires=(
        "analysis.report",
        "analysis.mode",
    ),
    assigns=(
        "doc",
        "analysis.sentences",
        "analysis.warnings",
    ),
)
def run(states: list[DocumentState]) -> None:
    """The English reports in full mode are parsed in one stream: spaCy's `Language.pipe`
    batches the statistical work across texts."""
    english: list[tuple[DocumentState, str | None, list[str]]] = []
    for state in states:
        report_language = state.analysis.report.language
        title = _title(state.analysis.report.title)
        if report_language in cyrillic.LANGUAGES:
            _read_cyrillic(state, title, report_language)
            continue
        if report_language != "en":
            state.warn(
                "unsupported_language",
                f"language {report_language!r} is analysed with the English pipeline; "
                "expect poor results",
            )
        pieces = _pieces(state.text)
        if state.analysis.mode is Mode.FAST:
            docs = [surface.annotate(piece) for piece in pieces]
            if title:
                docs.insert(0, surface.annotate(parsed_title(title, state.text) + TITLE_SEPARATOR))
            _finish(state, docs, title)
        else:
            english.append((state, title, pieces))
    if not english:
        return
    language = english[0][0].resources.language
    longest = max(len(piece) for _, _, pieces in english for piece in pieces)
    language.max_length = max(language.max_length, longest + 2 * CONTEXT_CHARS)
    texts = []
    for state, title, pieces in english:
        if title:
            texts.append(parsed_title(title, state.text) + TITLE_SEPARATOR)
        texts += [state.text[before:end] for before, _, end in _windows(pieces)]
    parsed = language.pipe(texts, batch_size=PARSED_AT_ONCE)
    for state, title, pieces in english:
        heading = [next(parsed)] if title else []
        windows = [next(parsed) for _ in pieces]
        _finish(state, heading + _cut(language, state.text, pieces, windows), title)


def _read_cyrillic(state: DocumentState, title: str | None, language: str) -> None:
    """Ukrainian and Russian are read by `sitreps.cyrillic`, in both modes: it has no slower
    statistical parse to skip."""
    vocab = state.resources.language.vocab
    pieces = [state.text] if title is None else [title + TITLE_SEPARATOR, state.text]
    docs = [cyrillic.read(piece, language, vocab) for piece in pieces]  # the title apart
    _finish(state, docs, title)
    state.parsed.user_data[LANGUAGE_KEY] = language


def _finish(state: DocumentState, docs: list[Doc], title: str | None) -> None:
    doc = docs[0] if len(docs) == 1 else Doc.from_docs(docs, ensure_whitespace=False)
    state.doc = doc
    doc.user_data[TEXT_KEY] = doc.text
    if title:
        doc.user_data[TITLE_KEY] = title
    state.analysis.sentences = [
        Sentence(index=index, start=span.start, end=span.end, part=span.part)
        for index, span in enumerate(span_of(sentence) for sentence in doc.sents)
    ]


def _title(title: str | None) -> str | None:
    """A title worth parsing: one line of words, headline-long (not a file name, a URL or a
    text pasted as a title)."""
    if title is None or not _WORD.search(title) or len(title) > MAX_TITLE_CHARS:
        return None
    return re.sub(r"\s", " ", title)  # one line, and as long as written: offsets hold


def parsed_title(title: str, text: str) -> str:
    """The title with the case of title-cased words as the text writes them, else lower case
    for common words; the same length as the title, so offsets into it hold."""
    words = list(_WORD.finditer(title))
    common = [m for m in words[1:] if surface.is_common_word(m.group())]
    capitalised = [m for m in common if not m.group().islower()]
    if not common or len(capitalised) / len(common) < TITLE_CASE_SHARE:
        return title
    written = _casings(text)
    shouting = title.upper() == title
    cased = list(title)
    for match in words:
        word = match.group()
        if word.isupper() and not shouting:
            continue  # an acronym in a title otherwise cased: "US", "NATO"
        spelt = written.get(word.lower())
        if spelt is None:
            spelt = word.lower() if surface.is_common_word(word) else word.capitalize()
        if len(spelt) == len(word):
            cased[match.start() : match.end()] = spelt
    return "".join(cased)


def _casings(text: str) -> dict[str, str]:
    """How the text most often writes each word away from the start of a sentence."""
    seen: dict[str, Counter[str]] = {}
    for match in _WORD.finditer(text):
        before = text[max(0, match.start() - 2) : match.start()].strip()
        if match.start() == 0 or before[-1:] in {".", "!", "?", '"', "“", ":"} or not before:
            continue
        word = match.group()
        seen.setdefault(word.lower(), Counter())[word] += 1
    return {lower: forms.most_common(1)[0][0] for lower, forms in seen.items()}


PIECE_CHARS = 20_000
# Text read on each side of a piece and cut away after the parse, so that the words at a
# piece's edges get the token vectors and labels the whole text would give them (the learned
# attribution tagger reads them; a context of a few words decides them).
CONTEXT_CHARS = 1_000
# Texts (titles, reports or pieces of a long one) in spaCy's parse at once: what it holds
# in memory grows with them, and a long report is many pieces.
PARSED_AT_ONCE = 8


def _pieces(text: str) -> list[str]:
    """The text cut into pieces of at most PIECE_CHARS, each ending after a line break (or a
    space) where there is one in its second half; joined, they are the text."""
    pieces, start = [], 0
    while len(text) - start > PIECE_CHARS:
        end = start + PIECE_CHARS
        cut = text.rfind("\n", start + PIECE_CHARS // 2, end)
        if cut == -1:
            cut = text.rfind(" ", start + PIECE_CHARS // 2, end)
        cut = end if cut == -1 else cut + 1
        pieces.append(text[start:cut])
        start = cut
    pieces.append(text[start:])
    return pieces


def _windows(pieces: list[str]) -> list[tuple[int, int, int]]:
    """Where each piece is read from, starts and where its reading ends, in the text: a
    piece is parsed with the text around it, so that the words at its edges get the token
    vectors and labels the whole text would give them."""
    if len(pieces) == 1:
        return [(0, 0, len(pieces[0]))]
    windows, start = [], 0
    for piece in pieces:
        end = start + len(piece)
        windows.append((max(0, start - CONTEXT_CHARS), start, end + CONTEXT_CHARS))
        start = end
    return windows


def _cut(language: Language, text: str, pieces: list[str], parsed: list[Doc]) -> list[Doc]:
    """Each piece's words cut from its window's parse. Where a token runs across a cut (a
    space token after a line break), the pieces are parsed alone."""
    if len(pieces) == 1:
        return parsed
    docs = []
    for (before, start, _), piece, doc in zip(_windows(pieces), pieces, parsed, strict=True):
        end = start + len(piece)
        first = next((t.i for t in doc if t.idx >= start - before), len(doc))
        last = next((t.i for t in doc if t.idx >= end - before), len(doc))
        docs.append(doc[first:last].as_doc())
    if "".join(doc.text for doc in docs) != text:
        return list(language.pipe(pieces, batch_size=1))
    return docs
