"""Stage 1: tokens, sentences, parts of speech, the dependency tree and named entities:
from spaCy's statistical pipeline, or in fast mode from rules (sitreps/surface.py).

spaCy's memory grows with the text it parses at once, so a long text is parsed a piece at a
time, each piece cut after a line break (failing that, a space), and the pieces are joined
into one Doc with the same text and offsets.
"""

from __future__ import annotations

from spacy.tokens import Doc

from sitreps import nlp, surface
from sitreps.model import Mode, Sentence
from sitreps.state import DocumentState


def run(state: DocumentState) -> None:
    fast = state.analysis.mode is Mode.FAST
    language = surface.load() if fast else nlp.load()
    if state.analysis.report.language != "en":
        state.warn(
            "unsupported_language",
            f"language {state.analysis.report.language!r} is analysed with the English "
            "pipeline; expect poor results",
        )
    pieces = _pieces(state.text)
    language.max_length = max(language.max_length, max(map(len, pieces)) + 1)
    if fast:
        docs = [surface.annotate(piece) for piece in pieces]
    else:
        docs = list(language.pipe(pieces, batch_size=1))
    state.doc = docs[0] if len(docs) == 1 else Doc.from_docs(docs, ensure_whitespace=False)
    state.analysis.sentences = [
        Sentence(index=index, start=sentence.start_char, end=sentence.end_char)
        for index, sentence in enumerate(state.doc.sents)
    ]


PIECE_CHARS = 20_000


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
